"""The focal point's workspace, /reports/: what is due now first, across every period open for
reporting (overdue, then due, then drafts and returned reports, then the rest), each with its due date;
no empty year and no tab hiding overdue work. Coordinators and evaluators are sent to the browser."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wpsnap.reporting import form_selectors, services
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.services import ReportInput

from .conftest import sign_in

pytestmark = pytest.mark.django_db

GROUPS = ("overdue", "due", "drafts", "rest")


def _rows(html: str) -> list[tuple[str, str, str]]:
    """(group, activity code, period id) of each row, in page order."""
    return re.findall(r'data-activity="([^"]+)" data-period="(\d+)" data-group="(\w+)"', html)


def test_the_workspace_orders_rows_by_what_is_due(people, reporting) -> None:
    """On 15 January 2022 the 2020 period is past due (31 Jan 2021) and 2021 is open and due on
    31 January 2022: every outstanding 2020 report is overdue and listed first, then 2021's reports not
    yet started (due), then drafts and returned reports, then what was handed in; each row knows its
    period, and both periods are in one list."""
    focal = people["focal"]
    mod = focal.organisation
    periods = {p.label: p for p in reporting.reporting_periods.all()}
    activity = reporting.activities.get(code="5.1.2.3")
    handed_in = reporting.activities.get(code="5.1.2.2")
    draft = services.report_start(actor=focal, activity=activity, agency=mod, period=periods["2021"])
    done = services.report_start(actor=focal, activity=handed_in, agency=mod, period=periods["2021"])
    services.report_save(
        actor=focal,
        report=done,
        data=ReportInput(
            progress="completed", done="Done.", values={done.activity.indicators.get().pk: {"": "3"}}
        ),
    )
    services.report_submit(actor=focal, report=done)

    page = form_selectors.my_activities_page(focal, period_id=None, today=date(2022, 1, 15))
    assert page is not None and page.workspace
    assert [p.label for p in page.shown] == ["2020", "2021"]
    groups = {g.key: g.rows for g in page.groups}
    assert list(groups) == ["overdue", "due", "drafts", "rest"]
    assert {r.period.label for r in groups["overdue"]} == {"2020"}
    assert all(r.state == "missing" and r.period.label == "2021" for r in groups["due"])
    assert [r.report.pk for r in groups["drafts"]] == [draft.pk]
    assert [(r.activity.code, r.state) for r in groups["rest"] if not r.optional] == [
        ("5.1.2.2", "submitted")
    ]
    # Every row MoD owes in either period is there, once.
    assert len(page.rows) == len({(r.activity.pk, r.period.pk) for r in page.rows})
    assert page.overdue == len(groups["overdue"]) > 0


def test_a_returned_report_comes_before_drafts_and_a_locked_period_is_left_out(people, reporting) -> None:
    """Among drafts and returned reports, the returned one comes first (someone waits for the
    correction); a locked period's rows are not in the workspace."""
    focal, approver = people["focal"], people["approver"]
    mod = focal.organisation
    periods = {p.label: p for p in reporting.reporting_periods.all()}
    draft = services.report_start(
        actor=focal, activity=reporting.activities.get(code="5.1.2.2"), agency=mod, period=periods["2021"]
    )
    returned = services.report_start(
        actor=focal, activity=reporting.activities.get(code="5.1.2.3"), agency=mod, period=periods["2021"]
    )
    indicator = returned.activity.indicators.get()
    services.report_save(
        actor=focal,
        report=returned,
        data=ReportInput(progress="completed", done="Done.", values={indicator.pk: {"": "4"}}),
    )
    services.report_submit(actor=focal, report=returned)
    services.report_return(actor=approver, report=returned, comment="Add the March training.")
    periods["2020"].locked_at = timezone.now()
    periods["2020"].save(update_fields=["locked_at"])

    page = form_selectors.my_activities_page(focal, period_id=None, today=date(2022, 1, 15))
    assert [p.label for p in page.shown] == ["2021"]
    drafts = next(g.rows for g in page.groups if g.key == "drafts")
    assert [r.report.pk for r in drafts] == [returned.pk, draft.pk]


def test_the_page_lists_overdue_work_first_with_due_dates(client, people, reporting) -> None:
    """Today every period 2020-2023 is past due: /reports/ opens on all of them at once, overdue rows first
    in order of their due date, each with its period and due date; no period tab has to be opened."""
    sign_in(client, people["focal"])
    response = client.get("/reports/")
    assert response.status_code == 200
    html = response.content.decode()
    rows = _rows(html)
    assert rows and all(group == "overdue" for _c, _p, group in rows if group != "rest")
    due_dates = {p.pk: p.due_on for p in reporting.reporting_periods.all()}
    overdue = [due_dates[int(p)] for _c, p, g in rows if g == "overdue"]
    # MoD's activities run 2020-2022: three periods' work in one list, oldest due date first.
    assert overdue == sorted(overdue) and len(set(overdue)) == 3
    assert "31 Jan 2021" in html and "31 Jan 2023" in html
    assert 'aria-current="page">Open for reporting</a>' in html


def test_one_period_can_still_be_chosen(client, people, period_2020) -> None:
    """?period= lists that period alone, in the same groups."""
    sign_in(client, people["focal"])
    html = client.get(f"/reports/?period={period_2020.pk}").content.decode()
    assert {p for _c, p, _g in _rows(html)} == {str(period_2020.pk)}


@pytest.mark.parametrize("role", ["coordinator", "evaluator"])
def test_coordinators_and_evaluators_are_sent_to_the_browser(client, people, reporting, role) -> None:
    """They report on nothing of their own: /reports/ sends them to the reports browser."""
    sign_in(client, people[role])
    response = client.get("/reports/")
    assert response.status_code == 302
    assert response["Location"] == "/reports/browse/"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_workspace_costs_the_same_whatever_the_reports(client, people, reporting) -> None:
    """Four open periods cost the same number of queries with no report and with one in every row:
    session and user, periods, the agency, activities, assignments, collective members, the agency's
    reports."""
    sign_in(client, people["focal"])
    client.get("/reports/")
    few = _queries(client, "/reports/")
    page = form_selectors.my_activities_page(people["focal"], period_id=None, today=timezone.localdate())
    for row in page.rows:
        services.report_start(
            actor=people["focal"],
            activity=row.activity,
            agency=people["focal"].organisation,
            period=row.period,
        )
    assert ProgressReport.objects.count() == len(page.rows) > 40
    assert _queries(client, "/reports/") == few == 8
