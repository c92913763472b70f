"""/api/v1/analytics/districts/: every role's status, the figures per district equal to a count by hand
over the events and reports the test wrote (the selector's own test covers every scope and filter at
random), an agency's people limited to their agency, strict filters, and queries that do not grow."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from wpsnap.analytics.rollups import rollups_rebuild
from wpsnap.registries.models import Event
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.workflow import Status

from ..analytics.conftest import Written, agency, write_reports
from ..analytics.test_districts import Held, activities, write_events
from ..registries.conftest import events_plan  # noqa: F401 - the plan set up for reporting and events
from . import token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/districts/"


@pytest.fixture
def plan(events_plan):  # noqa: F811 - the imported fixture, used here
    return events_plan


@pytest.fixture
def callers(plan, make_user) -> dict[str, APIClient]:
    roles = {
        "coordinator": ("coordinator", "scfwca"),
        "evaluator": ("evaluator", "test-evaluators"),
        "approver": ("approver", "mod"),
        "focal_point": ("focal_point", "mod"),
        "ngo_contributor": ("ngo_contributor", "test-ngo"),
    }
    found = {name: token_client(make_user(role, org, f"api-{name}")) for name, (role, org) in roles.items()}
    return {**found, "anonymous": APIClient()}


def world(plan, n: int = 2) -> None:
    chosen = activities(plan)
    places = ("baku", "ganja", "kurdamir", "")
    write_events(
        plan,
        chosen,
        [
            Held(
                ("mod", "mia")[i % 2],
                frozenset({i % 3}),
                date(2021, 1 + i % 12, 2),
                places[i % 4],
                ("women", "men")[: 1 + i % 2],
            )
            for i in range(n)
        ],
    )
    write_reports(
        plan,
        chosen,
        [
            Written(
                i % 3,
                ("mod", "mia", "moe")[(i // 3) % 3],
                (i // 9) % 4,
                Status.APPROVED,
                values=((f"sex:men|district:{places[i % 3]}", 3),),
            )
            for i in range(n)
        ],
    )
    rollups_rebuild(plan=plan)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("coordinator", 200),
        ("evaluator", 200),
        ("approver", 200),
        ("focal_point", 200),
        ("ngo_contributor", 200),
    ],
)
def test_each_role_gets_its_answer(callers, role, status) -> None:
    assert callers[role].get(URL).status_code == status


def test_the_figures_equal_a_count_by_hand(plan, callers) -> None:
    """Four events (MoD in Baku and Kurdamir, MIA in Ganja and nowhere) and four approved reports with 3 men
    in Baku, Ganja, Kurdamir and Baku: per district the events, the participants by sex and the sums."""
    world(plan, 4)
    body = callers["coordinator"].get(URL).json()
    assert body["plan"] == plan.slug
    rows = {r["district"]: r for r in body["districts"]}
    assert set(rows) == {"", "baku", "ganja", "kurdamir"}
    assert {d: (r["events"], r["participants"], r["reported"], r["figures"]) for d, r in rows.items()} == {
        "": (1, 2, None, 0),
        "baku": (1, 1, "6", 2),
        "ganja": (1, 2, "3", 1),
        "kurdamir": (1, 1, "3", 1),
    }
    assert rows["ganja"]["participants_by_sex"] == [
        {"sex": "men", "participants": 1},
        {"sex": "women", "participants": 1},
    ]


def test_an_agencys_people_see_their_agencys_figures(plan, callers) -> None:
    """MoD's focal point gets MoD's events (Baku, Kurdamir) and MoD's reports only; asking for MIA is
    refused (403)."""
    world(plan, 4)
    body = callers["focal_point"].get(URL).json()
    assert {r["district"]: r["events"] for r in body["districts"] if r["events"]} == {
        "baku": 1,
        "kurdamir": 1,
    }
    assert callers["focal_point"].get(URL, {"agency": agency("mia").pk}).status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [({"period": "x"}, "period"), ({"pillar": "999999"}, "pillar"), ({"agency": "1.5"}, "agency")],
)
def test_a_bad_filter_is_refused_by_name(callers, query, field) -> None:
    response = callers["coordinator"].get(URL, query)
    assert response.status_code == 400
    assert [p["field"] for p in response.json()["problems"]] == [field]


def test_the_queries_do_not_grow(plan, callers) -> None:
    """Six queries for 2 events and reports and for 20: the token, the plan, the district rollup's state
    (two), its rows and the reported sums."""
    counts = []
    for n in (2, 20):
        ProgressReport.objects.all().delete()
        Event.objects.all().delete()
        world(plan, n)
        with CaptureQueriesContext(connection) as queries:
            assert callers["coordinator"].get(URL).status_code == 200
        counts.append(len(queries))
    assert counts == [6, 6]
