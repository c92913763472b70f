"""The dashboards' figures under /api/v1/analytics/: who gets what (every role's status, an agency's people
their agency's figures only, another agency refused), the figures equal to counts by hand over the
reports the test wrote, strict filters (400 naming the parameter), results and derived served there too,
and query counts that stay the same at 2 and 20 reports."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from wpsnap.core.models import AuditEvent
from wpsnap.plan.models import Indicator, Pillar
from wpsnap.reporting.models import ProgressReport

from ..analytics.conftest import Written, agency, count_activities, write_reports
from ..analytics.test_compliance import by_hand as compliance_by_hand
from ..analytics.test_status import expected_rows, write
from ..conftest import fields_of
from ..registries.conftest import events_plan  # noqa: F401 - the plan set up for reporting and events
from . import token_client

pytestmark = pytest.mark.django_db

ANALYTICS = "/api/v1/analytics/"
ENDPOINTS = ("status", "compliance", "people", "financing", "indicators", "timeline")
ROLES = {
    "coordinator": ("coordinator", "scfwca"),
    "evaluator": ("evaluator", "test-evaluators"),
    "approver": ("approver", "mod"),
    "focal_point": ("focal_point", "mod"),
    "ngo_contributor": ("ngo_contributor", "test-ngo"),
}


@pytest.fixture
def plan(events_plan):  # noqa: F811 - the imported fixture, used here
    return events_plan


@pytest.fixture
def callers(plan, make_user) -> dict[str, APIClient]:
    """An API client of each role (MoD's approver and focal point, the coordinator, an evaluator, an NGO
    contributor) with a token, and one without credentials."""
    found = {name: token_client(make_user(role, org, f"api-{name}")) for name, (role, org) in ROLES.items()}
    return {**found, "anonymous": APIClient()}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
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
def test_each_role_gets_its_answer(callers, endpoint, role, status) -> None:
    """Everyone who may list reports gets the figures of their scope; a caller without credentials 401."""
    response = callers[role].get(f"{ANALYTICS}{endpoint}/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["plan"] == "az-2020-2023"


def _written(plan) -> dict:
    """Random-looking reports of MoD and MIA on the plan's expected rows, in every status."""
    rows = expected_rows(plan)
    statuses = ("draft", "submitted", "endorsed", "approved", "published", "returned")
    return rows, write(plan, rows, [(n * 5, statuses[n % len(statuses)], "completed") for n in range(30)])


def test_compliance_and_timeline_equal_the_count_by_hand(plan, callers) -> None:
    """The coordinator's compliance is every agency's, counted by hand; MoD's focal point's is MoD's; the
    timeline's periods sum the same counts."""
    rows, reports = _written(plan)
    today = timezone.localdate()
    for role, agencies in (("coordinator", None), ("focal_point", {"mod"})):
        body = callers[role].get(f"{ANALYTICS}compliance/").json()
        assert body["today"] == today.isoformat()
        found = {
            (line["agency"], line["period"]): {
                k: line[k]
                for k in ("expected", "submitted", "approved", "overdue", "missing", "contributions")
                if line[k]
            }
            for line in body["agencies"]
        }
        by_hand = compliance_by_hand(rows, reports, today, agencies)
        assert found == {key: dict(count) for key, count in by_hand.items()}
        timeline = callers[role].get(f"{ANALYTICS}timeline/").json()["periods"]
        for period in timeline:
            mine = [c for (_agency, label), c in by_hand.items() if label == period["period"]]
            assert period["expected"] == sum(c["expected"] for c in mine)
            assert period["overdue"] == sum(c["overdue"] for c in mine)
            assert period["is_overdue"] is (period["overdue"] > 0)


def test_status_counts_each_agencys_part(plan, callers) -> None:
    """The status of every activity running in a period lists the agencies' parts: the coordinator's
    every expected agency, MoD's focal point's MoD alone, with the counted reports' progress."""
    _rows, reports = _written(plan)
    counted = {key for key, (status, _progress) in reports.items() if status in ("approved", "published")}
    everyone = callers["coordinator"].get(f"{ANALYTICS}status/").json()["activities"]
    assert sum(a["reported"] for a in everyone) == len([k for k in counted if not _optional(plan, k)])
    mine = callers["focal_point"].get(f"{ANALYTICS}status/").json()["activities"]
    assert {part["agency"] for a in mine for part in a["agencies"]} == {"mod"}
    mod = agency("mod").pk
    assert sum(a["reported"] for a in mine) == len(
        [k for k in counted if k[1] == mod and not _optional(plan, k)]
    )


def _optional(plan, key) -> bool:
    """Whether the (activity, agency, period) row is a recommended partner's contribution."""
    return any(
        row.optional
        for period, row in expected_rows(plan)
        if (row.activity.pk, row.agency.pk, period.pk) == key
    )


def test_indicators_and_financing_equal_the_sums_by_hand(plan, callers) -> None:
    """An indicator with a numeric target: what the counted reports of each period add up to, cumulated,
    and the share of the target; financing's sums per pillar. MoD's focal point sees MoD's alone."""
    activities = count_activities(plan, 2)
    Indicator.objects.filter(activity__in=activities).update(baseline="5", target="80")
    write_reports(
        plan,
        activities,
        [
            Written(0, "mod", 0, "approved", values=(("", 12),), financing=(("state_budget", 100, 40),)),
            Written(0, "mia", 0, "published", values=(("", 8),), financing=(("state_budget", 50, None),)),
            Written(0, "mod", 1, "approved", values=(("", 20),)),
            Written(0, "mia", 1, "submitted", values=(("", 99),), financing=(("international", 1, 1),)),
        ],
    )
    key = Indicator.objects.get(activity=activities[0]).key
    body = callers["coordinator"].get(f"{ANALYTICS}indicators/").json()
    mine = {i["indicator"]: i for i in body["indicators"]}[key]
    assert (mine["baseline"], mine["target"], mine["achieved"], mine["share"]) == ("5", "80", "40", "0.5")
    assert [(p["achieved"], p["cumulative"]) for p in mine["periods"][:3]] == [
        ("20", "20"),
        ("20", "40"),
        (None, "40"),
    ]
    first = plan.reporting_periods.order_by("start").first()
    upto = callers["coordinator"].get(f"{ANALYTICS}indicators/?period={first.pk}").json()
    assert {i["indicator"]: i["achieved"] for i in upto["indicators"]}[key] == "20"
    own = callers["focal_point"].get(f"{ANALYTICS}indicators/").json()
    assert {i["indicator"]: i["achieved"] for i in own["indicators"]}[key] == "32"
    sums = callers["coordinator"].get(f"{ANALYTICS}financing/?by=pillar").json()["financing"]
    assert [(f["year"], f["source"], f["planned"], f["spent"], f["lines"]) for f in sums] == [
        (2020, "state_budget", "150", "40", 2)
    ]
    assert sums[0]["activity"] is None
    own_sums = callers["focal_point"].get(f"{ANALYTICS}financing/").json()["financing"]
    assert [(f["planned"], f["spent"]) for f in own_sums] == [("100", "40")]


def test_people_reached_keeps_the_agency_and_period_asked_for(plan, callers) -> None:
    """Sex x age cells of MoD's and MIA's counted reports: the coordinator asking for MoD (and a period)
    gets MoD's cells of that period summed, as the test adds them up."""
    activity = plan.activities.get(code="5.1.2.3")
    women = "sex:women|age:18-24"
    write_reports(
        plan,
        [activity],
        [
            Written(0, "mod", 0, "approved", values=(("", 9), (women, 4))),
            Written(0, "mod", 1, "published", values=(("", 5), (women, 2))),
            Written(0, "mia", 0, "approved", values=(("", 7), (women, 7))),
        ],
    )
    first = plan.reporting_periods.order_by("start").first()

    def reported(query: str) -> dict:
        body = callers["coordinator"].get(f"{ANALYTICS}people/{query}").json()["people"]
        return {(p["year"], p["sex"], p["age"]): p["reported"] for p in body if p["reported"] != "0"}

    assert reported("") == {(2020, "women", "18-24"): "11", (2021, "women", "18-24"): "2"}
    assert reported(f"?agency={agency('mod').pk}") == {
        (2020, "women", "18-24"): "4",
        (2021, "women", "18-24"): "2",
    }
    assert reported(f"?agency={agency('mod').pk}&period={first.pk}") == {(2020, "women", "18-24"): "4"}


def test_another_agency_is_refused_to_its_people(plan, callers) -> None:
    """MoD's focal point asking for MIA's figures is refused (403, audited); for MoD's own, answered.
    The coordinator asking for MIA gets MIA's line alone."""
    _written(plan)
    mia, mod = agency("mia").pk, agency("mod").pk
    before = AuditEvent.objects.filter(action="access_refused").count()
    for endpoint in ENDPOINTS:
        assert callers["focal_point"].get(f"{ANALYTICS}{endpoint}/?agency={mia}").status_code == 403
        assert callers["focal_point"].get(f"{ANALYTICS}{endpoint}/?agency={mod}").status_code == 200
    assert AuditEvent.objects.filter(action="access_refused").count() - before == len(ENDPOINTS)
    lines = callers["coordinator"].get(f"{ANALYTICS}compliance/?agency={mia}").json()["agencies"]
    assert lines
    assert {line["agency"] for line in lines} == {"mia"}


@pytest.mark.parametrize(
    ("endpoint", "query", "field"),
    [
        ("status", "period=abc", "period"),
        ("status", "period=999999", "period"),
        ("compliance", "period=1.0", "period"),
        ("compliance", "pillar=0", "pillar"),
        ("financing", "pillar=999999", "pillar"),
        ("financing", "by=agency", "by"),
        ("indicators", "agency=mod", "agency"),
        ("indicators", "agency=999999", "agency"),
        ("people", "district=atlantis", "district"),
        ("people", "district=a%00b", "district"),
        ("timeline", "agency=-1", "agency"),
        ("timeline", "plan=a%00b", "plan"),
        ("status", "parts=some", "parts"),
    ],
)
def test_a_bad_filter_is_refused_by_name(plan, callers, endpoint, query, field) -> None:
    """A filter that is not a whole number, or names nothing of the plan, answers 400 naming it."""
    response = callers["coordinator"].get(f"{ANALYTICS}{endpoint}/?{query}")
    assert response.status_code == 400
    assert fields_of(response) == [field]


def test_another_plans_period_and_pillar_are_unknown(plan, callers) -> None:
    """A period or pillar of another plan is not one of this plan's: 400; an unknown plan 404."""
    from wpsnap.reporting.models import ReportingPeriod

    other_period = ReportingPeriod.objects.exclude(plan=plan).first()
    other_pillar = Pillar.objects.exclude(plan=plan).first()
    if other_period is not None:
        response = callers["coordinator"].get(f"{ANALYTICS}status/?period={other_period.pk}")
        assert fields_of(response) == ["period"]
    if other_pillar is not None:
        response = callers["coordinator"].get(f"{ANALYTICS}status/?pillar={other_pillar.pk}")
        assert fields_of(response) == ["pillar"]
    assert callers["coordinator"].get(f"{ANALYTICS}status/?plan=no-such-plan").status_code == 404


def test_an_empty_filter_means_all(plan, callers) -> None:
    """``?period=&pillar=&agency=`` (an empty form) is the same as no filter."""
    _written(plan)
    plain = callers["coordinator"].get(f"{ANALYTICS}compliance/").json()
    empty = callers["coordinator"].get(f"{ANALYTICS}compliance/?period=&pillar=&agency=").json()
    assert plain == empty


def test_results_and_derived_are_served_under_analytics_too(plan, callers) -> None:
    """/api/v1/analytics/results/ and .../derived/ answer what /api/v1/results/ and /api/v1/derived/ do."""
    activities = count_activities(plan, 2)
    write_reports(plan, activities, [Written(0, "mod", 1, "approved", values=(("", 7),))])
    coordinator = callers["coordinator"]
    assert coordinator.get(f"{ANALYTICS}results/").content == coordinator.get("/api/v1/results/").content
    period = plan.reporting_periods.get(label="2021")
    query = f"?period={period.pk}&agency=mod"
    derived = coordinator.get(f"/api/v1/derived/{query}")
    assert derived.status_code == 200
    assert coordinator.get(f"{ANALYTICS}derived/{query}").content == derived.content
    assert callers["focal_point"].get(f"{ANALYTICS}results/").status_code == 403


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Queries per endpoint for the coordinator asking with a period, a pillar and an agency: the token with its
# user (1), the plan and each filter (4; the timeline takes the agency alone, 2), then the selector's:
# status 4 and compliance 4 (given the period), people 4 (from the people rollup, after two queries that
# check it is current), financing 3, indicators 3, timeline 5.
QUERIES = {"status": 9, "compliance": 9, "people": 9, "financing": 8, "indicators": 8, "timeline": 8}


def test_the_queries_do_not_grow_with_the_reports(plan, callers) -> None:
    """Each endpoint, every filter given, takes as many queries for 20 reports as for 2: the number
    pinned."""
    activities = count_activities(plan, 4)
    period = plan.reporting_periods.order_by("start").first()
    pillar = activities[0].priority_area.pillar_id
    query = f"?period={period.pk}&pillar={pillar}&agency={agency('mod').pk}"
    counts = {}
    for n in (2, 20):
        ProgressReport.objects.all().delete()
        write_reports(
            plan,
            activities,
            [
                Written(
                    i % 4,
                    ("mod", "mia", "moe")[(i // 4) % 3],
                    i // 12,
                    "approved",
                    values=(("", 3),),
                    financing=(("state_budget", 10, 5),),
                )
                for i in range(n)
            ],
        )
        counts[n] = {e: _queries(callers["coordinator"], f"{ANALYTICS}{e}/{query}") for e in ENDPOINTS}
    assert counts[2] == counts[20] == QUERIES


def test_status_without_parts_is_the_same_answer_without_the_agencies(plan, callers) -> None:
    """``status/?parts=none`` gives every activity and period with the same status and counts as the
    default answer, only without each agency's part; ``parts=all`` is the default answer."""
    activities = count_activities(plan, 3)
    write_reports(
        plan,
        activities,
        [Written(i % 3, ("mod", "mia")[i % 2], i // 3, "approved", "completed") for i in range(6)],
    )
    client = callers["coordinator"]
    whole = client.get(f"{ANALYTICS}status/").json()
    light = client.get(f"{ANALYTICS}status/?parts=none").json()
    assert client.get(f"{ANALYTICS}status/?parts=all").json() == whole
    assert whole["activities"] and any(a["agencies"] for a in whole["activities"])
    assert light == {
        "plan": whole["plan"],
        "activities": [{k: v for k, v in a.items() if k != "agencies"} for a in whole["activities"]],
    }
