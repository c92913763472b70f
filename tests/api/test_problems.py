"""Every error the API gives is one body (issue 10, item 3): ``{"problems": [{"field", "code",
"message"}]}``, whatever refused the request (a serializer, a filter, a service, the gate, the lock, a
stale version, a body too large, a reused key, a missing If-Match, the throttle, a failing view), with
the exact status each case must give. The field is data: the message never starts with it, so a
translation cannot break it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from wpsnap.accounts.models import Organisation, Role
from wpsnap.plan.models import Plan
from wpsnap.registries.models import Participation
from wpsnap.registries.services.events import EventInput, event_create
from wpsnap.registries.services.setup import events_setup, read_districts
from wpsnap.reporting import services
from wpsnap.reporting.models import ProgressReport

from ..conftest import problems_of
from ..registries.conftest import DISTRICTS
from . import person, token_client

pytestmark = pytest.mark.django_db

ACTIVITY = "5.1.2-3"
INDICATOR = "5.1.2-3-i1"
KEY = "0b6c7a52-2f8e-4d8e-9f3c-3c1f6f1e2a10"


@dataclass
class World:
    plan: Plan
    draft: ProgressReport
    event_id: int
    focal: APIClient
    # The same person's client without token_client's ``If-Match: *``: it names the version it changes.
    versioned: APIClient
    coordinator: APIClient
    evaluator: APIClient


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


@pytest.fixture
def world(az_plan) -> World:
    """The plan set up for reports and events; MoD's focal point with a 2020 draft on 5.1.2.3 (version
    2, its figures saved) and a 2021 training with a list; a coordinator and an evaluator."""
    services.reporting_setup(plan=az_plan)
    events_setup(plan=az_plan, districts=read_districts(DISTRICTS))
    mod = Organisation.objects.get(country="AZ", key="mod")
    focal = person("mod-focal", Role.FOCAL_POINT, org=mod)
    activity = az_plan.activities.get(key=ACTIVITY)
    draft = services.report_start(
        actor=focal, activity=activity, agency=mod, period=az_plan.reporting_periods.get(label="2020")
    )
    services.report_save(
        actor=focal, report=draft, data=services.ReportInput(progress="completed", done="Three trainings.")
    )
    event = event_create(
        actor=focal,
        plan=az_plan,
        data=EventInput(
            kind="training",
            title="UNSCR 1325 for officers",
            starts_on=date(2021, 3, 10),
            ends_on=date(2021, 3, 10),
            activities=[activity],
            district="baku",
            participation=Participation.LIST,
        ),
    )
    focal_client = token_client(focal)
    versioned = APIClient()
    versioned.credentials(HTTP_AUTHORIZATION=focal_client._credentials["HTTP_AUTHORIZATION"])
    return World(
        plan=az_plan,
        draft=draft,
        event_id=event.pk,
        focal=focal_client,
        versioned=versioned,
        coordinator=token_client(person("coord", Role.COORDINATOR)),
        evaluator=token_client(person("eval", Role.EVALUATOR)),
    )


def _report(w: World) -> str:
    return f"/api/v1/reports/{w.draft.pk}/"


def _participants(w: World) -> str:
    return f"/api/v1/events/{w.event_id}/participants/"


def _serializer(w: World) -> Any:
    return w.coordinator.post("/api/v1/users/", {"first_name": "N"}, format="json")


def _service(w: World) -> Any:
    return w.focal.post(f"{_report(w)}submit/")  # the draft's figures are missing


def _filter(w: World) -> Any:
    return w.coordinator.get("/api/v1/events/", {"year": "1e3"})


def _body(w: World) -> Any:
    return w.focal.generic("PATCH", _report(w), "{not json", content_type="application/json")


def _anonymous(w: World) -> Any:
    return APIClient().get("/api/v1/me/")


def _forbidden(w: World) -> Any:
    return w.evaluator.post("/api/v1/reports/", {"activity": ACTIVITY, "period": "2020"}, format="json")


def _not_found(w: World) -> Any:
    return w.coordinator.get("/api/v1/reports/999999/")


def _no_address(w: World) -> Any:
    return w.coordinator.get("/api/v1/no-such-thing/")


def _method(w: World) -> Any:
    return w.coordinator.delete("/api/v1/me/")


def _locked(w: World) -> Any:
    services.period_lock(actor=person("coord-2", Role.COORDINATOR), period=w.draft.period)
    return w.focal.patch(_report(w), {"done": "Late."}, format="json")


def _stale(w: World) -> Any:
    # Someone saves "done" on version 2; this PATCH of "done" on version 2 meets it.
    w.versioned.patch(_report(w), {"done": "Theirs."}, format="json", HTTP_IF_MATCH='"2"')
    return w.versioned.patch(_report(w), {"done": "Mine."}, format="json", HTTP_IF_MATCH='"2"')


def _too_large(w: World) -> Any:
    rows = [{"sex": "women", "age": 23, "organisation_or_position": "x" * 100}] * 1000
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=50_000):
        return w.focal.post(_participants(w), {"rows": rows}, format="json")


def _declared_too_large(w: World) -> Any:
    return Client().generic(
        "POST", "/api/v1/events/", b"", content_type="application/json", CONTENT_LENGTH=str(60 * 2**20)
    )


def _key_reused(w: World) -> Any:
    w.focal.post(
        _participants(w), {"rows": [{"sex": "women", "age": 30}]}, format="json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    return w.focal.post(
        _participants(w), {"rows": [{"sex": "men", "age": 30}]}, format="json", HTTP_IDEMPOTENCY_KEY=KEY
    )


def _no_if_match(w: World) -> Any:
    return w.versioned.patch(_report(w), {"done": "x"}, format="json")


def _throttled(w: World) -> Any:
    with override_settings(WPSNAP_REFUSAL_RATE="1/minute"):
        APIClient().get("/api/v1/users/", HTTP_AUTHORIZATION="Token wrong")
        return APIClient().get("/api/v1/users/", HTTP_AUTHORIZATION="Token wrong")


@override_settings(ROOT_URLCONF="tests.api.failing_urls")
def _server_error(w: World) -> Any:
    return Client(raise_request_exception=False).get("/api/v1/fails/")


# (status, request, the first problem's field and code)
CASES: dict[str, tuple[int, Callable[[World], Any], str, str]] = {
    "400 serializer": (400, _serializer, "email", "required"),
    "400 service": (400, _service, f"values[{INDICATOR}][total]", "required"),
    "400 filter": (400, _filter, "year", "invalid"),
    "400 body": (400, _body, "body", "parse_error"),
    "401": (401, _anonymous, "", "not_authenticated"),
    "403": (403, _forbidden, "", "permission_denied"),
    "404": (404, _not_found, "", "not_found"),
    "404 address": (404, _no_address, "path", "not_found"),
    "405": (405, _method, "", "method_not_allowed"),
    "409 locked": (409, _locked, "", "locked"),
    "409 stale": (409, _stale, "", "stale"),
    "413": (413, _too_large, "rows", "too_large"),
    "413 declared": (413, _declared_too_large, "body", "too_large"),
    "422": (422, _key_reused, "Idempotency-Key", "key_reused"),
    "428": (428, _no_if_match, "If-Match", "precondition_required"),
    "429": (429, _throttled, "", "throttled"),
    "500": (500, _server_error, "", "server_error"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_error_status_answers_the_one_body(world, case) -> None:
    """Each refusal answers its own status with ``{"problems": [...]}`` and nothing else at the top
    (a stale write adds ``version`` and ``conflicts``): every problem has a field, a code and a message
    that does not start with its field."""
    status, send, field, code = CASES[case]
    response = send(world)
    assert response.status_code == status, response.content[:300]
    first = problems_of(response)[0]
    assert (first["field"], first["code"]) == (field, code)


def test_a_stale_write_names_each_field_in_conflict_with_both_values(world) -> None:
    """409 for a stale write: a problem for the request and one per field in conflict (code ``stale``,
    the field as the API names it), the version stored now, and each conflict's values."""
    response = _stale(world)
    assert response.status_code == 409
    assert [(p["field"], p["code"]) for p in problems_of(response)] == [("", "stale"), ("done", "stale")]
    body = response.json()
    assert body["version"] == 3
    assert body["conflicts"] == [{"field": "done", "current": "Theirs.", "yours": "Mine."}]
    assert response["ETag"] == '"3"'


def test_a_bad_cell_is_named_as_the_api_names_it_and_the_message_does_not_repeat_it(world) -> None:
    """A report PATCH with a cell that is not a number: the field is ``values[<indicator>][<cell>]``
    (renamed from the form's ``v12-...`` by a table, never parsed), the code the rule's, and the message
    says what is wrong without the field."""
    cell = "sex:men|age:18-24"
    response = world.focal.patch(
        _report(world), {"values": [{"indicator": INDICATOR, "cell": cell, "value": "lots"}]}, format="json"
    )
    assert response.status_code == 400
    assert problems_of(response) == [
        {
            "field": f"values[{INDICATOR}][{cell}]",
            "code": "number",
            "message": "Enter a number, for example 12.",
        }
    ]


def test_a_stale_figure_is_named_as_the_api_names_it(world) -> None:
    """A conflict on a figure is named ``values[<indicator>][<cell>]`` too, in the problems and the
    conflicts alike."""
    total = {"values": [{"indicator": INDICATOR, "cell": "", "value": 5}]}
    world.versioned.patch(_report(world), total, format="json", HTTP_IF_MATCH='"2"')
    response = world.versioned.patch(
        _report(world),
        {"values": [{"indicator": INDICATOR, "cell": "", "value": 7}]},
        format="json",
        HTTP_IF_MATCH='"2"',
    )
    assert response.status_code == 409
    assert [p["field"] for p in problems_of(response)] == ["", f"values[{INDICATOR}][total]"]
    assert [c["field"] for c in response.json()["conflicts"]] == [f"values[{INDICATOR}][total]"]


def test_nested_serializer_errors_are_named_by_their_path(world) -> None:
    """A list item's field is named by its index (``values[0].indicator``), as the body holds it."""
    response = world.focal.patch(_report(world), {"values": [{"cell": "", "value": 1}]}, format="json")
    assert response.status_code == 400
    assert [(p["field"], p["code"]) for p in problems_of(response)] == [("values[0].indicator", "required")]
