"""The reporting API: /api/v1/reports/ (with its workflow steps), /api/v1/periods/ and /api/v1/results/ —
the whole workflow through the API, who sees which report, figures refused by cell with the rest kept,
mass assignment refused, locked periods answering 409, and query counts that do not grow with the data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from wpsnap.accounts.models import Organisation, Role, User
from wpsnap.analytics.rollups import rollups_rebuild
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.plan.models import Activity, Plan
from wpsnap.reporting import services
from wpsnap.reporting.models import (
    IndicatorValue,
    ProgressReport,
    ReportingPeriod,
    ReportTransition,
)
from wpsnap.reporting.workflow import Status

from ..conftest import described, fields_of, messages_of, problems_of
from . import organisation, person, token_client

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"
PERIODS = "/api/v1/periods/"
RESULTS = "/api/v1/results/"

ACTIVITY = "5.1.2-3"  # MoD trains the defence sector; one count indicator by sex x age
INDICATOR = "5.1.2-3-i1"
WOMEN_18 = "sex:women|age:18-24"
WOMEN_25 = "sex:women|age:25-34"
MEN_25 = "sex:men|age:25-34"
MEN_18 = "sex:men|age:18-24"

FIGURES = [
    {"indicator": INDICATOR, "cell": "", "value": 20},
    {"indicator": INDICATOR, "cell": WOMEN_18, "value": 4},
    {"indicator": INDICATOR, "cell": WOMEN_25, "value": "6"},
    {"indicator": INDICATOR, "cell": MEN_25, "value": 10},
]
CONTENT = {
    "progress": "completed",
    "done": "Three trainings at the Military Academy.",
    "values": FIGURES,
    "financing": [{"source": "state_budget", "planned": "1500", "spent": 1200.5}],
}


def report_url(report: ProgressReport | int, step: str = "") -> str:
    pk = report if isinstance(report, int) else report.pk
    return f"{REPORTS}{pk}/{step + '/' if step else ''}"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Anonymous calls are throttled per address; each test starts with a clean count."""
    cache.clear()


@pytest.fixture
def plan(az_plan) -> Plan:
    """The Azerbaijan plan set up for reporting: dimensions, breakdowns, periods 2020-2023."""
    services.reporting_setup(plan=az_plan)
    return az_plan


@pytest.fixture
def period_2020(plan) -> ReportingPeriod:
    return plan.reporting_periods.get(label="2020")


@pytest.fixture
def people(plan) -> dict[str, User]:
    """A focal point and an approver at MoD, a focal point at MIA, a coordinator and an evaluator."""
    mod = Organisation.objects.get(country="AZ", key="mod")
    mia = Organisation.objects.get(country="AZ", key="mia")
    return {
        "focal": person("mod-focal", Role.FOCAL_POINT, org=mod),
        "approver": person("mod-approver", Role.APPROVER, org=mod),
        "other_focal": person("mia-focal", Role.FOCAL_POINT, org=mia),
        "coordinator": person("coord", Role.COORDINATOR),
        "evaluator": person("eval", Role.EVALUATOR),
    }


@pytest.fixture
def clients(people) -> dict[str, APIClient]:
    return {name: token_client(user) for name, user in people.items()}


@pytest.fixture
def draft(people, plan, period_2020) -> ProgressReport:
    """MoD's draft on 5.1.2.3 for 2020, filled in through the services."""
    activity = plan.activities.get(key=ACTIVITY)
    report = services.report_start(
        actor=people["focal"], activity=activity, agency=people["focal"].organisation, period=period_2020
    )
    indicator = activity.indicators.get()
    services.report_save(
        actor=people["focal"],
        report=report,
        data=services.ReportInput(
            progress="completed",
            done="Three trainings.",
            values={indicator.pk: {"": "20", WOMEN_18: "4", WOMEN_25: "6", MEN_25: "10"}},
        ),
    )
    return report


def stored(report: ProgressReport) -> dict:
    """What the database holds of ``report``: its row and its figures."""
    row = ProgressReport.objects.filter(pk=report.pk).values().get()
    row.pop("updated_at")
    figures = dict(IndicatorValue.objects.filter(report=report).values_list("cell", "value"))
    return {**row, "figures": figures}


def figures(report: ProgressReport) -> dict[str, int]:
    return {
        cell: int(value)
        for cell, value in IndicatorValue.objects.filter(report=report).values_list("cell", "value")
    }


def make_reports(plan: Plan, agency: Organisation, count: int, *, status: str = Status.APPROVED) -> None:
    """``count`` reports of ``agency`` (activities x periods), each with a total and two cells, made
    directly in the database (these tests are about reading them), then the rollups rebuilt, as after any
    bulk load."""
    periods = list(plan.reporting_periods.order_by("start"))
    activities = list(Activity.objects.filter(plan=plan, indicators__isnull=False).order_by("pk"))
    pairs = [(a, p) for p in periods for a in activities][:count]
    reports = ProgressReport.objects.bulk_create(
        [
            ProgressReport(
                plan=plan,
                activity=a,
                agency=agency,
                period=p,
                status=status,
                progress="completed",
                done="Done.",
            )
            for a, p in pairs
        ]
    )
    indicators = {a.pk: a.indicators.first() for a, _ in pairs}
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(report=r, indicator=indicators[r.activity_id], cell=cell, value=value)
            for r in reports
            for cell, value in (("", 3), (WOMEN_18, 1), (MEN_25, 2))
        ]
    )
    rollups_rebuild(plan=plan)


# --- the whole workflow -------------------------------------------------------------------------------


def test_the_whole_workflow_through_the_api(clients, people, plan, mailoutbox) -> None:
    """A focal point starts and fills a report, submits it; the approver endorses; the coordinator returns it
    with a comment (a return without one is refused); the focal point corrects and resubmits; it is
    endorsed, approved and published. Each answer is the report as it now stands."""
    focal, approver, coordinator = clients["focal"], clients["approver"], clients["coordinator"]
    created = focal.post(REPORTS, {"activity": ACTIVITY, "period": "2020", **CONTENT}, format="json")
    assert created.status_code == 201, created.data
    report = created.data
    assert created["Location"] == f"http://testserver{report_url(report['id'])}"
    assert (report["status"], report["agency"], report["period"]["label"]) == (
        "draft",
        {"key": "mod", "short_name": people["focal"].organisation.short_name},
        "2020",
    )
    assert {(v["cell"], v["value"]) for v in report["values"]} == {
        ("", "20"),
        (WOMEN_18, "4"),
        (WOMEN_25, "6"),
        (MEN_25, "10"),
    }
    women = next(v for v in report["values"] if v["cell"] == WOMEN_18)
    assert women == {
        "indicator": INDICATOR,
        "cell": WOMEN_18,
        "cell_options": {"sex": "women", "age": "18-24"},
        "value": "4",
    }
    assert report["financing"] == [{"source": "state_budget", "planned": "1500.00", "spent": "1200.50"}]
    url = report_url(report["id"])

    assert focal.post(f"{url}submit/").data["status"] == "submitted"
    assert approver.post(f"{url}endorse/", {}, format="json").data["status"] == "endorsed"
    refused = coordinator.post(f"{url}return/", {"comment": " "}, format="json")
    assert refused.status_code == 400
    assert problems_of(refused) == [
        {
            "field": "comment",
            "code": "required",
            "message": "Say what needs correcting, so that the agency can act on it.",
        }
    ]
    returned = coordinator.post(f"{url}return/", {"comment": "Add the March training."}, format="json")
    assert returned.status_code == 200
    assert returned.data["status"] == "returned"

    corrected = focal.patch(
        url,
        {
            "values": [
                {"indicator": INDICATOR, "cell": "", "value": 25},
                {"indicator": INDICATOR, "cell": MEN_18, "value": 5},
            ]
        },
        format="json",
    )
    assert corrected.status_code == 200, corrected.data
    assert focal.post(f"{url}submit/").data["status"] == "submitted"
    assert approver.post(f"{url}endorse/").data["status"] == "endorsed"
    approved = coordinator.post(f"{url}approve/", {"comment": "Thank you."}, format="json")
    assert (approved.data["status"], approved.data["approved_at"] is not None) == ("approved", True)
    published = coordinator.post(f"{url}publish/")
    assert (published.data["status"], published.data["published_at"] is not None) == ("published", True)

    steps = list(
        ReportTransition.objects.filter(report_id=report["id"]).values_list("target", "actor__username")
    )
    assert steps == [
        ("submitted", "mod-focal"),
        ("endorsed", "mod-approver"),
        ("returned", "coord"),
        ("submitted", "mod-focal"),
        ("endorsed", "mod-approver"),
        ("approved", "coord"),
        ("published", "coord"),
    ]
    row = ProgressReport.objects.get(pk=report["id"])
    assert [c.text for c in row.comments.all()] == ["Add the March training.", "Thank you."]
    assert figures(row) == {"": 25, WOMEN_18: 4, WOMEN_25: 6, MEN_25: 10, MEN_18: 5}


def test_starting_again_answers_the_existing_report(clients, draft) -> None:
    """A second POST for the same activity and period answers the agency's existing report with 200."""
    again = clients["focal"].post(
        REPORTS, {"activity": ACTIVITY, "period": str(draft.period_id)}, format="json"
    )
    assert again.status_code == 200
    assert again.data["id"] == draft.pk
    assert ProgressReport.objects.filter(activity=draft.activity, agency=draft.agency).count() == 1


def test_only_named_agencies_and_known_activities_start_reports(clients, plan) -> None:
    """MIA is not named on 5.1.2.3 (400); an unknown activity or period is named (400); nobody but a writer
    starts a report (403). Nothing is created."""
    not_named = clients["other_focal"].post(REPORTS, {"activity": ACTIVITY, "period": "2020"}, format="json")
    assert not_named.status_code == 400
    assert fields_of(not_named)[0] == "activity"
    unknown = clients["focal"].post(REPORTS, {"activity": "9.9.9-9", "period": "1999"}, format="json")
    assert described(unknown) == [
        "activity: No activity has the key 9.9.9-9.",
        "period: No reporting period is labelled 1999.",
    ]
    assert (
        clients["coordinator"]
        .post(REPORTS, {"activity": ACTIVITY, "period": "2020"}, format="json")
        .status_code
        == 403
    )
    assert ProgressReport.objects.count() == 0


def test_the_steps_refuse_the_wrong_person_and_the_wrong_order(clients, draft) -> None:
    """A draft cannot be approved (400); a focal point cannot endorse, an evaluator cannot approve (403);
    submitting a report with problems names them by their API field (400)."""
    url = report_url(draft)
    assert clients["focal"].post(f"{url}endorse/").status_code == 403
    assert clients["evaluator"].post(f"{url}approve/").status_code == 403
    early = clients["coordinator"].post(f"{url}approve/")
    assert early.status_code == 400
    assert described(early) == ["status: A report that is “Draft” cannot be approved."]
    services.report_save(
        actor=draft.created_by,
        report=draft,
        data=services.ReportInput(values={draft.activity.indicators.get().pk: {"": "21"}}),
    )
    unfinished = clients["focal"].post(f"{url}submit/")
    assert unfinished.status_code == 400
    assert described(unfinished) == [
        f"values[{INDICATOR}][total]: The total (21) is not the sum of the parts (20). Correct the total or the parts."
    ]
    assert ProgressReport.objects.get(pk=draft.pk).status == Status.DRAFT


# --- who sees what --------------------------------------------------------------------------------------


@pytest.fixture
def two_agencies(plan, draft, people, period_2020) -> tuple[ProgressReport, ProgressReport]:
    """MoD's draft on 5.1.2.3 and MIA's on 5.2.1.1, both for 2020."""
    mia = services.report_start(
        actor=people["other_focal"],
        activity=plan.activities.get(key="5.2.1-1"),
        agency=people["other_focal"].organisation,
        period=period_2020,
    )
    return draft, mia


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("focal", {"mod"}),
        ("approver", {"mod"}),
        ("other_focal", {"mia"}),
        ("coordinator", {"mod", "mia"}),
        ("evaluator", {"mod", "mia"}),
    ],
)
def test_each_role_lists_what_it_may_see(clients, two_agencies, who, sees) -> None:
    """Focal points and approvers list their own agency's reports; coordinators and evaluators all of them."""
    response = clients[who].get(REPORTS)
    assert response.status_code == 200
    assert {r["agency"]["key"] for r in response.data["results"]} == sees
    # Paged by cursor: no total count; one page holds them all here.
    assert set(response.data) == {"next", "previous", "results"}
    assert len(response.data["results"]) == len(sees)
    assert response.data["next"] is None and response.data["previous"] is None


def test_anonymous_callers_see_no_reports(two_agencies) -> None:
    """Without credentials, the report list and a report are 401, and no figure is shown."""
    client = APIClient()
    assert client.get(REPORTS).status_code == 401
    assert client.get(report_url(two_agencies[0])).status_code == 401
    assert client.get(PERIODS).status_code == 401


def test_another_agencys_report_is_404_and_audited(clients, two_agencies) -> None:
    """MIA's focal point reading, changing or submitting MoD's report gets 404 each time, as for an id that
    does not exist; the attempts are written to the audit trail; the report is unchanged."""
    mod_report = two_agencies[0]
    before = stored(mod_report)
    refusals = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).count()
    client = clients["other_focal"]
    assert client.get(report_url(mod_report)).status_code == 404
    assert client.patch(report_url(mod_report), {"done": "Nothing."}, format="json").status_code == 404
    assert client.post(report_url(mod_report, "submit")).status_code == 404
    assert client.get(report_url(999_999)).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).count() == refusals + 3
    assert stored(mod_report) == before


def test_the_list_filters(clients, two_agencies) -> None:
    """?period= takes a label or an id, ?status= a status, ?agency= and ?activity= keys; a wrong status is 400."""
    client = clients["coordinator"]
    period = two_agencies[0].period

    def agencies(query: str) -> set[str]:
        response = client.get(f"{REPORTS}?{query}")
        assert response.status_code == 200, response.data
        return {r["agency"]["key"] for r in response.data["results"]}

    assert agencies("period=2020") == {"mod", "mia"}
    assert agencies(f"period={period.pk}") == {"mod", "mia"}
    assert agencies("period=2021") == set()
    assert agencies("agency=mia") == {"mia"}
    assert agencies(f"activity={ACTIVITY}") == {"mod"}
    assert agencies("status=draft&agency=mod") == {"mod"}
    assert agencies("status=approved") == set()
    wrong = client.get(f"{REPORTS}?status=finished")
    assert wrong.status_code == 400
    assert fields_of(wrong)[0] == "status"


# --- changing a report -------------------------------------------------------------------------------------


def test_invalid_figures_are_named_by_cell_and_the_valid_parts_saved(clients, draft) -> None:
    """Text and a negative figure are refused, each named as values[indicator][cell]; the narrative, the
    financing and the valid cells sent with them are saved; the refused cells keep what they had."""
    response = clients["focal"].patch(
        report_url(draft),
        {
            "done": "Four trainings.",
            "values": [
                {"indicator": INDICATOR, "cell": WOMEN_18, "value": "lots"},
                {"indicator": INDICATOR, "cell": MEN_18, "value": -3},
                {"indicator": INDICATOR, "cell": WOMEN_25, "value": 7},
            ],
            "financing": [{"source": "international", "spent": "oops", "planned": "300"}],
        },
        format="json",
    )
    assert response.status_code == 400
    errors = described(response)
    assert f"values[{INDICATOR}][{WOMEN_18}]: Enter a number, for example 12." in errors
    assert f"values[{INDICATOR}][{MEN_18}]: Enter zero or more; a count cannot be negative." in errors
    assert "financing[international].spent: Enter an amount, for example 1500 or 1500.50." in errors
    draft.refresh_from_db()
    assert draft.done == "Four trainings."
    assert figures(draft) == {"": 20, WOMEN_18: 4, WOMEN_25: 7, MEN_25: 10}
    assert draft.financing.get().planned == Decimal("300")


def test_null_clears_a_figure(clients, draft) -> None:
    """A figure sent as null is cleared; the others stay."""
    response = clients["focal"].patch(
        report_url(draft),
        {
            "values": [
                {"indicator": INDICATOR, "cell": MEN_25, "value": None},
                {"indicator": INDICATOR, "cell": "", "value": 10},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.data
    assert figures(draft) == {"": 10, WOMEN_18: 4, WOMEN_25: 6}


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ({"status": "approved"}, "status"),
        ({"agency": "mia"}, "agency"),
        ({"approved_by": 1}, "approved_by"),
        ({"period": "2021"}, "period"),
        ({"done": "Changed.", "status": "published"}, "status"),
        ({"values": [{"indicator": INDICATOR, "cell": "", "value": 1, "report": 7}]}, "values[0].report"),
    ],
)
def test_mass_assignment_is_refused(clients, draft, body, refused) -> None:
    """A field the API does not accept is refused with 400 naming it, and nothing at all changes, not even
    the accepted fields sent with it."""
    before = stored(draft)
    response = clients["focal"].patch(report_url(draft), body, format="json")
    assert response.status_code == 400
    assert fields_of(response) == [refused]
    assert messages_of(response)[0].startswith("This field cannot be set here")
    assert stored(draft) == before


def test_starting_a_report_cannot_set_its_status_or_agency(clients, plan) -> None:
    """POST with status or agency is refused with 400; no report is created."""
    response = clients["focal"].post(
        REPORTS,
        {"activity": ACTIVITY, "period": "2020", "status": "approved", "agency": "mia"},
        format="json",
    )
    assert response.status_code == 400
    assert sorted(fields_of(response)) == ["agency", "status"]
    assert ProgressReport.objects.count() == 0


def test_an_indicator_of_another_activity_is_refused_whole(clients, draft) -> None:
    """Figures for an indicator the activity does not have are refused, and nothing of the request is saved."""
    before = stored(draft)
    response = clients["focal"].patch(
        report_url(draft),
        {"done": "Other.", "values": [{"indicator": "5.2.1-1-i1", "cell": "", "value": 3}]},
        format="json",
    )
    assert response.status_code == 400
    assert described(response) == [
        f"values[0].indicator: 5.2.1-1-i1 is not an indicator of activity {ACTIVITY}."
    ]
    assert stored(draft) == before


def test_a_report_under_review_is_not_editable(clients, draft) -> None:
    """Once submitted, the focal point's PATCH is refused (403) and changes nothing; an approver never edits."""
    services.report_submit(actor=draft.created_by, report=draft)
    before = stored(draft)
    assert clients["focal"].patch(report_url(draft), {"done": "Later."}, format="json").status_code == 403
    assert clients["approver"].patch(report_url(draft), {"done": "Later."}, format="json").status_code == 403
    assert stored(draft) == before


def test_a_locked_period_answers_409_and_nothing_changes(clients, people, draft, period_2020) -> None:
    """After the coordinator locks 2020, PATCH and submit answer 409 with the reason; the report is unchanged."""
    services.period_lock(actor=people["coordinator"], period=period_2020)
    before = stored(draft)
    patched = clients["focal"].patch(report_url(draft), {"done": "Late change."}, format="json")
    assert patched.status_code == 409
    assert [p["code"] for p in problems_of(patched)] == ["locked"]
    submitted = clients["focal"].post(report_url(draft, "submit"))
    assert submitted.status_code == 409
    assert [p["code"] for p in problems_of(submitted)] == ["locked"]
    assert stored(draft) == before


def test_periods_show_their_lock(clients, people, period_2020) -> None:
    """Signed-in callers list the plan's periods, each with whether it is locked."""
    services.period_lock(actor=people["coordinator"], period=period_2020)
    response = clients["focal"].get(f"{PERIODS}?plan=az-2020-2023")
    assert response.status_code == 200
    assert [(p["label"], p["locked"]) for p in response.data["results"]] == [
        ("2020", True),
        ("2021", False),
        ("2022", False),
        ("2023", False),
    ]
    assert response.data["results"][0]["plan"] == "az-2020-2023"


# --- query counts ------------------------------------------------------------------------------------------


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_report_list_costs_the_same_for_2_and_30_reports(
    clients, plan, django_assert_num_queries
) -> None:
    """Listing reports with their figures, answers and financing takes 5 queries (token, page, figures,
    answers, financing) whether there are 2 reports or 30: keyset paging counts nothing."""
    mod = Organisation.objects.get(country="AZ", key="mod")
    make_reports(plan, mod, 2)
    few = _queries(clients["coordinator"], REPORTS)
    ProgressReport.objects.all().delete()
    make_reports(plan, mod, 30)
    with django_assert_num_queries(5):
        response = clients["coordinator"].get(REPORTS)
    assert len(response.data["results"]) == 30
    assert sum(len(r["values"]) for r in response.data["results"]) == 90
    assert few == 5


def test_the_results_cost_the_same_for_2_and_30_reports(clients, plan, django_assert_num_queries) -> None:
    """The whole plan's results take 5 queries (token, plan, periods, indicators, sums) whatever the data."""
    mod = Organisation.objects.get(country="AZ", key="mod")
    make_reports(plan, mod, 2)
    few = _queries(clients["coordinator"], RESULTS)
    ProgressReport.objects.all().delete()
    make_reports(plan, mod, 30)
    with django_assert_num_queries(5):
        response = clients["coordinator"].get(RESULTS)
    assert few == 5
    totals = [p["total"] for i in response.data["indicators"] for p in i["periods"] if p["total"]]
    assert totals == ["3"] * 30


# --- results -------------------------------------------------------------------------------------------------


def test_results_sum_counted_reports_for_coordinators_only(clients, plan, period_2020) -> None:
    """Approved and published reports are summed by cell for the coordinator; drafts never count. Anonymous
    callers and focal points get none: counts of people go public only after disclosure control."""
    activity = plan.activities.get(key="5.2.1-1")
    indicator = activity.indicators.get()
    for key, state, total in (
        ("mod", Status.PUBLISHED, 5),
        ("mia", Status.APPROVED, 7),
        ("moe", Status.DRAFT, 100),
    ):
        report = ProgressReport.objects.create(
            plan=plan,
            activity=activity,
            agency=organisation("ministry", key=key),
            period=period_2020,
            status=state,
            approved_at=timezone.now(),
        )
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(report=report, indicator=indicator, cell="", value=total),
                IndicatorValue(report=report, indicator=indicator, cell=WOMEN_18, value=total),
            ]
        )
    rollups_rebuild(plan=plan)  # written in bulk, past the services that keep the rollups

    def figures_for(client: APIClient) -> tuple[list[str], dict]:
        response = client.get(RESULTS)
        assert response.status_code == 200
        entry = next(i for i in response.data["indicators"] if i["indicator"] == indicator.key)
        assert [p["period"] for p in entry["periods"]] == ["2020", "2021", "2022", "2023"]
        return response.data["counted"], entry["periods"][0]

    counted, internal = figures_for(clients["coordinator"])
    assert counted == ["approved", "published"]
    assert internal == {
        "period": "2020",
        "reports": 2,
        "total": "12",
        "cells": [{"cell": WOMEN_18, "cell_options": {"sex": "women", "age": "18-24"}, "value": "12"}],
    }
    assert APIClient().get(RESULTS).status_code == 401
    assert clients["focal"].get(RESULTS).status_code == 403


def test_results_of_a_hidden_plan_are_404(clients, plan) -> None:
    """An unknown plan has no results (404); a draft plan's are seen by an evaluator."""
    assert clients["coordinator"].get(f"{RESULTS}?plan=no-such-plan").status_code == 404
    Plan.objects.filter(pk=plan.pk).update(status="draft")
    assert clients["evaluator"].get(f"{RESULTS}?plan=az-2020-2023").status_code == 200


# --- paging: keyset (cursor) ---------------------------------------------------------------------------------


def _walk(client: APIClient, url: str, *, during=None) -> list[int]:
    """Every id the list gives when ``next`` is followed to the end (``during`` runs after the first page)."""
    ids: list[int] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        assert set(response.data) == {"next", "previous", "results"}
        ids += [r["id"] for r in response.data["results"]]
        url = response.data["next"]
        if during is not None and len(ids) <= 100:
            during()
    return ids


def test_the_cursor_walks_every_report_once_in_id_order(clients, plan) -> None:
    """Following `next` from the first page gives every report once, in id order (the default), 100 a
    page; reports added during the walk come at the end, once, and nothing is shown twice."""
    mod = Organisation.objects.get(country="AZ", key="mod")
    mia = Organisation.objects.get(country="AZ", key="mia")
    make_reports(plan, mod, 230)
    assert ProgressReport.objects.count() > 100  # more than one page
    before = list(ProgressReport.objects.order_by("id").values_list("id", flat=True))
    added: list[bool] = []

    def insert() -> None:
        if not added:
            make_reports(plan, mia, 7)
            added.append(True)

    ids = _walk(clients["coordinator"], REPORTS, during=insert)
    assert len(ids) == len(set(ids))
    assert ids == list(ProgressReport.objects.order_by("id").values_list("id", flat=True))
    assert ids[: len(before)] == before and len(ids) == len(before) + 7


@pytest.mark.parametrize(
    ("ordering", "key"),
    [
        ("-id", lambda r: -r.pk),
        ("updated", lambda r: (r.updated_at, r.pk)),
        ("-updated", lambda r: (-r.updated_at.timestamp(), -r.pk)),
    ],
)
def test_other_orderings_walk_every_report_once(clients, plan, ordering, key) -> None:
    """`?ordering=` on the other indexed keys walks every report once, in that order, and `previous`
    from a later page gives back the page before it."""
    mod = Organisation.objects.get(country="AZ", key="mod")
    make_reports(plan, mod, 150)
    expected = [r.pk for r in sorted(ProgressReport.objects.all(), key=key)]
    assert _walk(clients["coordinator"], f"{REPORTS}?ordering={ordering}") == expected
    first = clients["coordinator"].get(f"{REPORTS}?ordering={ordering}").data
    second = clients["coordinator"].get(first["next"]).data
    back = clients["coordinator"].get(second["previous"]).data
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]
    assert back["previous"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("ordering=period__start", "ordering"),
        ("ordering=agency__name", "ordering"),
        ("cursor=garbage!", "cursor"),
        ("cursor=WyJpZCIsIm4iLFsiYSJdXQ", "cursor"),  # ["id","n",["a"]]: not an id
        ("cursor=WyItaWQiLCJuIixbNV1d&ordering=id", "cursor"),  # made for -id
        # Page numbers are gone: a client counting pages would otherwise get the first page forever.
        ("page=2", "page"),
    ],
)
def test_bad_paging_parameters_are_refused_by_name(clients, plan, query, field) -> None:
    """An order no index serves, or a cursor the list did not give for this order, answers 400 naming
    the parameter."""
    response = clients["coordinator"].get(f"{REPORTS}?{query}")
    assert response.status_code == 400
    assert fields_of(response) == [field]


def test_a_later_page_costs_the_same_and_reads_no_offset(clients, plan) -> None:
    """The third page costs the same 5 queries as the first, and is read by its key (no OFFSET, no
    COUNT)."""
    for key in ("mod", "mia", "moe"):
        make_reports(plan, Organisation.objects.get(country="AZ", key=key), 90)
    assert ProgressReport.objects.count() > 200
    first = clients["coordinator"].get(REPORTS).data
    second = clients["coordinator"].get(first["next"]).data
    with CaptureQueriesContext(connection) as captured:
        third = clients["coordinator"].get(second["next"])
    assert third.status_code == 200 and len(third.data["results"]) == ProgressReport.objects.count() - 200
    assert len(captured) == 5
    sql = " ".join(q["sql"].upper() for q in captured.captured_queries)
    assert "OFFSET" not in sql and "COUNT(" not in sql
