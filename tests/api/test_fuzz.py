"""The whole API under schemathesis (issue 12's acceptance): no server error and no schema mismatch.

Every operation of /api/v1/schema/ gets valid and invalid requests (wrong types, numbers out of range,
odd Unicode, NUL characters, missing and extra fields), as the focal points of two agencies (MoD and MIA)
and as the coordinator (of a third organisation), with a fixed seed; half the requests of an operation
with an id in its path name an object MoD's focal point may change (a draft report with evidence and a
comment, an event with participants and a file, a plan's parts), so that they reach the views and their
bodies the services. Every answer is checked: never a 5xx, a status code the schema documents for the
operation, a documented content type, and a body that matches the documented schema. At least 1,000
cases; the long run, 10,000 cases and more on the demo data, is ``bench/fuzz.py --conformance``."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
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
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from wpsnap.accounts.models import User
from wpsnap.accounts.services import token_create
from wpsnap.plan.models import Plan
from wpsnap.registries.models import Participation
from wpsnap.registries.services.events import EventInput, event_create, event_file_add
from wpsnap.registries.services.participants import participants_add_rows
from wpsnap.reporting import services as reporting
from wpsnap.reporting.services import ReportInput

from ..registries.conftest import DISTRICTS

# On the production database only when the suite runs on both (tests/conftest.py): the API is the same.
pytestmark = [pytest.mark.django_db, pytest.mark.suite_half("postgresql")]

SEED = 1325
# Cases per operation, caller, mode and path: about 1,300 requests in all, many operations having fewer
# distinct cases than this (no parameters, or nothing to make invalid).
EXAMPLES = 2
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def world(az_plan, make_user, settings) -> dict[str, Any]:
    """The plan set up for reporting and events; MoD's focal point with a draft report (with a figure,
    evidence and a comment), an event with a list of participants and a file, and one with counts; MIA's
    focal point; the coordinator; MIA's approver, whose account the coordinator's requests change."""
    from wpsnap.registries.services.setup import events_setup, read_districts

    # Refusals (most of what a fuzzer sends) are throttled per address: the fuzzer is one address.
    settings.WPSNAP_REFUSAL_RATE = "off"
    cache.clear()
    plan: Plan = az_plan
    reporting.reporting_setup(plan=plan)
    events_setup(plan=plan, districts=read_districts(DISTRICTS))
    focal: User = make_user("focal_point", "mod", "mod-focal")
    other: User = make_user("focal_point", "mia", "mia-focal")
    coordinator: User = make_user("coordinator", "scfwca", "coord")
    # Whose account the coordinator's PATCH /users/{id}/ changes: a change of role ends the person's tokens.
    third: User = make_user("approver", "mia", "mia-approver")
    activity = plan.activities.get(code="5.1.2.3")
    period = plan.reporting_periods.get(label="2022")
    # MIA's report, submitted: a version and a step for the other agency (whose ids MoD's focal point tries).
    theirs = reporting.report_start(
        actor=other, activity=plan.activities.get(code="5.2.1.1"), agency=other.organisation, period=period
    )
    reporting.report_save(actor=other, report=theirs, data=ReportInput(done="A training."))
    reporting.report_submit(actor=other, report=theirs)
    report = reporting.report_start(actor=focal, activity=activity, agency=focal.organisation, period=period)
    figures = {activity.indicators.get(kind="count").pk: {"": "12"}}
    reporting.report_save(actor=focal, report=report, data=ReportInput(done="Work done.", values=figures))
    evidence = reporting.evidence_add(
        actor=focal, report=report, name="agenda.pdf", content=b"%PDF-1.4\nagenda\n"
    )
    reporting.comment_add(actor=focal, report=report, text="The agenda is attached.")

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
    stored = event_file_add(actor=focal, event=listed, name="agenda.pdf", content=b"%PDF-1.4\nagenda\n")
    event("Counted training", Participation.COUNTS)
    pillar = plan.pillars.order_by("position").first()
    assert pillar is not None
    return {
        "tokens": {
            "mod-focal": token_create(user=focal),
            "mia-focal": token_create(user=other),
            "coordinator": token_create(user=coordinator),
        },
        "known": {
            "reports": {"id": report.pk, "evidence_id": evidence.pk, "number": 1},
            "events": {
                "id": listed.pk,
                "participant_id": listed.participants.get().pk,
                "file_id": stored.pk,
            },
            "plans": {"slug": plan.slug},
            # The public API: a plan and a count indicator (anonymous callers too, below).
            "public": {"slug": plan.slug, "key": activity.indicators.get(kind="count").key},
            "users": {"id": third.pk},
            "periods": {"id": period.pk},
            "topics": {"code": "unscr-1325"},
            "organisations": {"id": focal.organisation_id},
            "pillars": {"id": pillar.pk},
            "objectives": {"id": pillar.objective.pk},
            "priority-areas": {"id": activity.priority_area_id},
            "activities": {"id": activity.pk},
            "indicators": {"id": activity.indicators.first().pk},
            "assignments": {"id": plan.assignments.first().pk},
            "expected-results": {"id": plan.expected_results.first().pk},
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


def test_no_server_error_and_no_schema_mismatch(world, app) -> None:
    """Valid and invalid requests to every operation, as two agencies' focal points and the coordinator:
    none answers 5xx, and every answer's status, content type and body are the ones the schema documents."""
    tokens, known = world["tokens"], world["known"]
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/", app, headers={"Authorization": f"Token {tokens['coordinator']}"}
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    sent: Counter[int] = Counter()
    failures: list[str] = []
    started = time.perf_counter()

    def run(operation: Any, mode: GenerationMode, token: str | None, path: dict[str, Any] | None) -> None:
        headers = {"Authorization": f"Token {token}", "If-Match": "*"} if token else {"If-Match": "*"}

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
            sent[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    failures.append(
                        f"{type(failure).__name__} {operation.label} -> {response.status_code}: "
                        f"{str(getattr(failure, 'title', failure))[:200]}\n    "
                        + case.as_curl_command(headers={"Authorization": "Token ..."} if token else {})[:400]
                    )

        # Unsatisfiable: nothing to make invalid (an operation without parameters or body).
        with contextlib.suppress(Unsatisfiable):
            one()

    for operation in operations:
        resource = operation.path.split("/")[3]
        paths = [None] + ([known[resource]] if "{" in operation.path and resource in known else [])
        # The public API is for anonymous callers: they call it too.
        callers = [*tokens.values(), *([None] if operation.path.startswith("/api/v1/public/") else [])]
        for token in callers:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                for path in paths:
                    run(operation, mode, token, path)

    cases = sum(sent.values())
    print(
        f"\nschemathesis: {len(operations)} operations, {cases} cases in {time.perf_counter() - started:.0f}s"
    )
    print(f"statuses: {dict(sorted(sent.items()))}")
    assert len(operations) >= 60
    assert cases >= 1000
    # The requests reached the views: some were answered 2xx, and some refused as bad input.
    assert sum(n for code, n in sent.items() if 200 <= code < 300) >= 50
    assert sent[400] > 0
    assert failures == [], "\n".join(failures[:30])
