"""The whole API under schemathesis, briefly: no request answers 5xx (issue 9's acceptance).

Every operation of /api/v1/schema/ gets valid and invalid requests (wrong types, numbers out of range,
odd Unicode, NUL characters, missing and extra fields), as a focal point of one agency (MoD) and as the
coordinator (another organisation), with a fixed seed; half the requests of an operation with an id in
its path name an object the focal point may change, so that their bodies reach the services. The long
run, 10,000 cases and more, is ``bench/fuzz.py``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup

from wpsnap.accounts.models import User
from wpsnap.accounts.services import token_create
from wpsnap.plan.models import Plan
from wpsnap.registries.models import Participation
from wpsnap.registries.services.events import EventInput, event_create
from wpsnap.registries.services.participants import participants_add_rows
from wpsnap.reporting import services as reporting

from ..registries.conftest import DISTRICTS

pytestmark = pytest.mark.django_db

SEED = 1325
EXAMPLES = 2  # a run per operation, caller, mode and path; about 400 requests in all


@pytest.fixture
def world(az_plan, make_user, settings) -> dict[str, Any]:
    """The plan set up for reporting and events; MoD's focal point with a draft report, an event with a
    list of participants and one with counts; the coordinator; MIA's focal point, whose account the
    coordinator's requests change."""
    from wpsnap.registries.services.setup import events_setup, read_districts

    # Refusals (most of what a fuzzer sends) are throttled per address: the fuzzer is one address.
    settings.WPSNAP_REFUSAL_RATE = "off"
    cache.clear()
    plan: Plan = az_plan
    reporting.reporting_setup(plan=plan)
    events_setup(plan=plan, districts=read_districts(DISTRICTS))
    focal: User = make_user("focal_point", "mod", "mod-focal")
    coordinator: User = make_user("coordinator", "scfwca", "coord")
    # Whose account the coordinator's PATCH /users/{id}/ changes: a change of role ends the person's tokens.
    third: User = make_user("focal_point", "mia", "mia-focal")
    activity = plan.activities.get(code="5.1.2.3")
    report = reporting.report_start(
        actor=focal,
        activity=activity,
        agency=focal.organisation,
        period=plan.reporting_periods.get(label="2022"),
    )

    def event(title: str, participation: str) -> Any:
        return event_create(
            actor=focal,
            plan=plan,
            data=EventInput(
                kind="training",
                title=title,
                starts_on=date(2022, 5, 10),
                ends_on=date(2022, 5, 11),
                activities=[activity],
                district="baku",
                participation=participation,
            ),
        )

    listed = event("Listed training", Participation.LIST)
    participants_add_rows(actor=focal, event=listed, rows=[{"sex": "women", "age": 31}], replace=False)
    event("Counted training", Participation.COUNTS)
    return {
        "tokens": {"focal": token_create(user=focal), "coordinator": token_create(user=coordinator)},
        "known": {
            "reports": {"id": report.pk},
            "events": {"id": listed.pk, "participant_id": listed.participants.get().pk},
            "plans": {"slug": plan.slug},
            "users": {"id": third.pk},
        },
    }


@pytest.fixture
def app() -> Iterator[WSGIHandler]:
    """The WSGI application, as a server runs it, inside the test's transaction: Django's test client
    keeps the connection open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_no_request_answers_a_server_error(world, app) -> None:
    """Valid and invalid requests to every operation, as two agencies' people: none answers 5xx."""
    tokens, known = world["tokens"], world["known"]
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/", app, headers={"Authorization": f"Token {tokens['coordinator']}"}
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    sent: list[int] = []
    server_errors: list[str] = []

    def run(operation: Any, mode: GenerationMode, token: str, path: dict[str, Any] | None) -> None:
        headers = {"Authorization": f"Token {token}", "If-Match": "*"}

        @hypothesis.seed(SEED)
        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
        def one(case: Any) -> None:
            response = case.call(headers=headers)
            sent.append(response.status_code)
            try:
                case.validate_response(response, checks=[not_a_server_error], headers=headers)
            except FailureGroup:
                server_errors.append(case.as_curl_command(headers={"Authorization": "Token ..."}))

        # Unsatisfiable: nothing to make invalid (an operation without parameters or body).
        with contextlib.suppress(Unsatisfiable):
            one()

    for operation in operations:
        resource = operation.path.split("/")[3]
        paths = [None] + ([known[resource]] if "{" in operation.path and resource in known else [])
        for token in tokens.values():
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                for path in paths:
                    run(operation, mode, token, path)

    assert len(operations) >= 30
    assert len(sent) >= 300
    # The requests reached the views: some were answered 2xx, and some refused as bad input.
    assert any(200 <= code < 300 for code in sent)
    assert 400 in sent
    assert server_errors == []
