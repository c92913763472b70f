"""The dashboards' figures equal counts the tests make themselves, in plain Python over the rows the ORM
reads back (never with the analytics selectors), and every figure links to the records it counts, with
the filters that select them."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.accounts.models import Organisation
from wpsnap.core.charts import Link
from wpsnap.plan.models import Activity, Indicator
from wpsnap.registries.models import Participant
from wpsnap.reporting.models import (
    DimensionOption,
    FinancingLine,
    IndicatorValue,
    ProgressReport,
    ProgressStatus,
)
from wpsnap.reporting.workflow import Status

from ..analytics.conftest import Happened, Written, write_events, write_reports
from ..conftest import sign_in

pytestmark = pytest.mark.django_db

COUNTED = {"approved", "published"}
SUBMITTED = {"submitted", "endorsed", "approved", "published"}
# Activities running in 2021 whose priority areas MoD (and MIA) implement.
CODES = ("5.1.2.2", "5.1.2.3", "5.4.1.1", "5.4.1.2", "5.2.1.1", "5.3.3.1")
W25, M18, W60 = "sex:women|age:25-34", "sex:men|age:18-24", "sex:women|age:60-plus"


def activities(plan) -> list[Activity]:
    by_code = {a.code: a for a in Activity.objects.filter(plan=plan, code__in=CODES)}
    return [by_code[code] for code in CODES]


def world(plan, periods: tuple[int, ...] = (1,)) -> list[Activity]:
    """MoD's and MIA's reports for each of ``periods`` (indices: 1 is 2021) in every review status and
    progress, with sex x age figures and financing; MoD's trainings and awareness days with participants."""
    chosen = activities(plan)
    written = []
    for p in periods:
        written += [
            Written(
                0,
                "mod",
                p,
                "approved",
                "completed",
                ((("", 5), (W25, 3), (M18, 2))),
                (("state_budget", 100, 80),),
            ),
            Written(1, "mod", p, "published", "delayed", (("", 4), (W25, 4)), (("international", 50, None),)),
            Written(2, "mod", p, "approved", "completed", (("", 2), (W60, 2)), (("state_budget", 30, 30),)),
            Written(3, "mod", p, "submitted", "in_progress", (("", 9), (W25, 9))),
            Written(4, "mod", p, "draft", "not_started"),
            Written(4, "mia", p, "approved", "in_progress", (("", 7),), (("other", None, 12),)),
            Written(5, "mia", p, "returned", "delayed"),
        ]
    write_reports(plan, chosen, written)
    happened = []
    for p in periods:
        year = 2020 + p
        happened += [
            Happened("mod", frozenset({1}), date(year, 3, 10), "training", (("women", "25-34"),) * 3),
            Happened(
                "mod", frozenset({0}), date(year, 5, 2), "awareness", (("men", "18-24"), ("women", "60-plus"))
            ),
        ]
    write_events(plan, chosen, happened)
    return chosen


def url(plan, page: str = "", **query) -> str:
    q = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/plans/{plan.slug}/dashboard/{page}" + (f"?{q}" if q else "")


def value(cell) -> int | Decimal | None:
    """A table cell's figure (a link's text read back as a number)."""
    if isinstance(cell, Link):
        return int(cell.text)
    return cell


def row_of(table, name: str) -> dict:
    """The row whose first cell reads ``name``, as {column: cell}."""
    for row in table.rows:
        first = row[0].text if isinstance(row[0], Link) else row[0]
        if first == name:
            return dict(zip(table.columns, row, strict=True))
    raise AssertionError(f"no row {name!r} in {table.caption}")


def query_of(link: Link) -> dict[str, str]:
    parts = urlsplit(link.href)
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_status_by_agency_equals_the_agencys_reports(plan, people) -> None:
    """MoD's row of status by agency for 2021: completed, in progress and delayed are its counted
    (approved or published) reports by their progress; not reported is every other activity it owes."""
    world(plan)
    period = plan.reporting_periods.get(label="2021")
    page = sign_in(Client(), people["coordinator"]).get(url(plan, period=period.pk)).context["page"]
    row = row_of(page.status[2].table, "MoD")
    mine = list(ProgressReport.objects.filter(plan=plan, period=period, agency__key="mod"))
    counted = Counter(r.progress for r in mine if r.status in COUNTED)
    assert value(row["Completed"]) == counted["completed"] == 2
    assert value(row["Delayed"]) == counted["delayed"] == 1
    assert value(row["In progress"]) == counted["in_progress"] == 0
    assert value(row["Not reported"]) == row["Total"] - sum(counted.values())


def test_status_by_pillar_for_an_agency_counts_its_part(plan, people) -> None:
    """With MoD chosen, each pillar's counts are MoD's part: its counted reports on the pillar's
    activities, by progress; the summary sentence says the same."""
    world(plan)
    period = plan.reporting_periods.get(label="2021")
    mod = Organisation.objects.get(country="AZ", key="mod")
    response = sign_in(Client(), people["evaluator"]).get(url(plan, period=period.pk, agency=mod.pk))
    page = response.context["page"]
    counted = [
        r
        for r in ProgressReport.objects.filter(plan=plan, period=period, agency=mod).select_related(
            "activity__priority_area__pillar"
        )
        if r.status in COUNTED
    ]
    by_pillar: dict[str, Counter] = defaultdict(Counter)
    for r in counted:
        by_pillar[r.activity.priority_area.pillar.number][r.progress] += 1
    table = page.status[0].table
    for pillar in plan.pillars.all():
        name = f"{pillar.number} {pillar.title}"
        if by_pillar[pillar.number]:
            row = row_of(table, name)
            assert value(row["Completed"]) == by_pillar[pillar.number]["completed"]
            assert value(row["Delayed"]) == by_pillar[pillar.number]["delayed"]
    total = sum(value(r[-1]) for r in table.rows)
    done = sum(1 for r in counted if r.progress == "completed")
    assert page.status[0].summary.startswith(f"{done} of {total} activities are completed; 1 is delayed;")


def test_compliance_equals_the_agencys_reports(plan, people) -> None:
    """Each agency's submitted and approved reports for 2021 are its reports gone to review and its
    counted ones; a returned or draft report is not submitted."""
    world(plan)
    period = plan.reporting_periods.get(label="2021")
    page = sign_in(Client(), people["coordinator"]).get(url(plan, period=period.pk)).context["page"]
    table = page.compliance[0].table
    for key, name in (("mod", "MoD"), ("mia", "MIA")):
        mine = list(ProgressReport.objects.filter(plan=plan, period=period, agency__key=key))
        row = row_of(table, name)
        assert row["Submitted"] == sum(r.status in SUBMITTED for r in mine)
        assert row["Approved"] == sum(r.status in COUNTED for r in mine)
    assert (row_of(table, "MoD")["Submitted"], row_of(table, "MIA")["Submitted"]) == (4, 1)


def test_figures_drill_down_with_their_filters(plan, people) -> None:
    """A status count links to the reports browser with the period, pillar, area, agency and progress it
    counts; an agency's compliance to its reports of the period; the period on the timeline to its
    reports; and the browser opens on each."""
    world(plan)
    period = plan.reporting_periods.get(label="2021")
    mod = Organisation.objects.get(country="AZ", key="mod")
    area = Activity.objects.get(plan=plan, code="5.1.2.2").priority_area
    pillar = area.pillar
    client = sign_in(Client(), people["coordinator"])
    page = client.get(url(plan, period=period.pk, pillar=pillar.pk)).context["page"]
    # 5.1.2.2: MoD's part completed, the other implementers' not reported: in progress.
    going = row_of(page.status[0].table, f"{pillar.number} {pillar.title}")["In progress"]
    assert going.href.startswith("/reports/browse/?")
    assert query_of(going) == {"period": str(period.pk), "pillar": str(pillar.pk), "progress": "in_progress"}
    # 5.1.2.3: MoD's part delayed.
    # A priority area's long title is cut short: its row begins with its code.
    (area_row,) = [r for r in page.status[1].table.rows if r[0].startswith(f"{area.code} ")]
    delayed = dict(zip(page.status[1].table.columns, area_row, strict=True))["Delayed"]
    assert query_of(delayed) == {
        "period": str(period.pk),
        "pillar": str(pillar.pk),
        "area": str(area.pk),
        "progress": "delayed",
    }
    agency = row_of(page.status[2].table, "MoD")["Agency"]
    assert query_of(agency) == {"period": str(period.pk), "pillar": str(pillar.pk), "agency": str(mod.pk)}
    compliance = row_of(page.compliance[0].table, "MoD")["Agency"]
    assert query_of(compliance) == {"period": str(period.pk), "pillar": str(pillar.pk), "agency": str(mod.pk)}
    timeline = row_of(page.timeline.table, "2021")["Period"]
    assert query_of(timeline) == {"period": str(period.pk), "pillar": str(pillar.pk)}
    for link in (going, delayed, agency, compliance, timeline):
        assert client.get(link.href).status_code == 200, link.href


def test_people_reached_equals_the_reported_cells_and_the_participants(plan, people) -> None:
    """Each pyramid (pillar, year) gives per sex and age band the counted reports' cells summed and the
    events' participants counted, as the test sums them over the rows."""
    world(plan)
    page = sign_in(Client(), people["coordinator"]).get(url(plan, "people/")).context["page"]
    reported: dict[tuple, Decimal] = defaultdict(Decimal)
    for v in (
        IndicatorValue.objects.filter(report__plan=plan)
        .exclude(cell="")
        .select_related("report__period", "indicator__priority_area__pillar")
    ):
        if v.report.status in COUNTED:
            cell = dict(part.split(":") for part in v.cell.split("|"))
            key = (
                v.indicator.priority_area.pillar.number,
                v.report.period.start.year,
                cell["sex"],
                cell["age"],
            )
            reported[key] += v.value
    came: Counter = Counter()
    for p in (
        Participant.objects.filter(event__plan=plan)
        .select_related("event")
        .prefetch_related("event__activities__priority_area__pillar")
    ):
        for pillar in {a.priority_area.pillar.number for a in p.event.activities.all()}:
            came[(pillar, p.event.starts_on.year, p.sex, p.age_band)] += 1
    shown_reported, shown_came = {}, {}
    for block in page.blocks:
        number, year = block.chart.title.split(" ")[0], int(block.chart.title.rsplit(", ", 1)[1])
        columns = block.chart.table.columns
        for row in block.chart.table.rows:
            age = row[0]
            for column, cell in zip(columns[1:], row[1:], strict=True):
                sex, series = column.split(", ")
                if cell:
                    target = shown_reported if series == "Reported" else shown_came
                    target[(number, year, sex.lower(), age)] = cell
    labels = {
        o.code: o.name for o in DimensionOption.objects.filter(dimension__plan=plan, dimension__code="age")
    }
    assert shown_reported == {(n, y, s, labels.get(a, a)): v for (n, y, s, a), v in reported.items() if v}
    assert shown_came == {(n, y, s, labels.get(a, a)): v for (n, y, s, a), v in came.items()}
    assert sum(shown_came.values()) == 5


def test_financing_equals_the_counted_reports_lines(plan, people) -> None:
    """Planned and spent by source are the sums of the counted reports' financing lines."""
    world(plan)
    page = sign_in(Client(), people["coordinator"]).get(url(plan, "financing/")).context["page"]
    sums: dict[str, list] = defaultdict(lambda: [None, None])
    for line in FinancingLine.objects.filter(report__plan=plan).select_related("report"):
        if line.report.status in COUNTED:
            for i, amount in enumerate((line.planned, line.spent)):
                if amount is not None:
                    sums[line.get_source_display()][i] = (sums[line.get_source_display()][i] or 0) + amount
    table = page.charts[0].table
    assert {row[0]: [row[1], row[2]] for row in table.rows} == dict(sums)


def test_indicators_show_what_the_counted_reports_achieved(plan, people) -> None:
    """An indicator given a numeric baseline and target shows the sum of its counted reports' totals
    against them, linking to its activity's reports; an indicator without them is listed as left out."""
    world(plan)
    Indicator.objects.filter(plan=plan, key="5.1.2-2-i1").update(baseline="0", target="20")
    page = sign_in(Client(), people["coordinator"]).get(url(plan, "indicators/")).context["page"]
    achieved = sum(
        v.value
        for v in IndicatorValue.objects.filter(indicator__key="5.1.2-2-i1", cell="").select_related("report")
        if v.report.status in COUNTED
    )
    (row,) = [r for r in page.chart.table.rows if r[0].text.startswith("5.1.2-2-i1 ")]
    assert (row[1], row[2], row[3]) == (achieved, Decimal(0), Decimal(20))
    assert query_of(row[0]) == {"activity": "5.1.2-2"}
    assert "5.1.2-3-i1" in {r[0] for r in page.left_out.table.rows}


def test_the_alert_names_an_approved_report_that_its_events_no_longer_match(plan, people) -> None:
    """An approved report whose figures equal its events raises no alert; an event added after approval
    (through the service, as a focal point records it) raises one naming the report, the cells and the
    difference (events minus report)."""
    from wpsnap.registries.services.events import EventInput, event_create
    from wpsnap.registries.services.participants import participants_add_rows

    activity = Activity.objects.get(plan=plan, code="5.1.2.3")
    [report] = write_reports(
        plan, [activity], [Written(0, "mod", 1, "approved", "completed", (("", 3), (W25, 3)))]
    )
    write_events(
        plan,
        [activity],
        [Happened("mod", frozenset({0}), date(2021, 3, 10), "training", (("women", "25-34"),) * 3)],
    )
    client = sign_in(Client(), people["coordinator"])
    assert client.get(url(plan)).context["page"].alerts == ()
    later = event_create(
        actor=people["mod"],
        plan=plan,
        data=EventInput(
            kind="training",
            title="A second course",
            starts_on=date(2021, 6, 1),
            ends_on=date(2021, 6, 1),
            activities=[activity],
        ),
    )
    participants_add_rows(
        actor=people["mod"], event=later, rows=[{"sex": "men", "age": 40}, {"sex": "women", "age": 30}]
    )
    response = client.get(url(plan))
    [alert] = response.context["page"].alerts
    assert (alert.indicator, alert.agency, alert.period) == ("5.1.2-3-i1", "MoD", "2021")
    assert alert.report == f"/reports/{report.pk}/"
    assert {cell: (reported, derived, diff) for cell, reported, derived, diff in alert.cells} == {
        "": (Decimal(3), 5, Decimal(2)),
        W25: (Decimal(3), 4, Decimal(1)),
        "sex:men|age:35-59": (None, 1, Decimal(1)),
    }
    body = response.content.decode()
    assert "1 approved report no longer matches its events" in body
    assert f'href="/reports/{report.pk}/"' in body
    assert "total: reported 3, events 5 (difference 2)" in body
    assert "women, 25-34: reported 3, events 4 (difference 1)" in body
    assert "men, 35-59: reported \N{EN DASH}, events 1 (difference 1)" in body


def test_a_long_alert_lists_the_first_reports_and_links_to_all(plan, people, monkeypatch) -> None:
    """Past ``ALERTS_SHOWN`` reports the alert lists the first ones, says how many there are and links to
    the whole list (``?alerts=all``, the filters kept), which lists every one (here: the limit set to 0,
    one report differing)."""
    from wpsnap.dashboards import selectors

    activity = Activity.objects.get(plan=plan, code="5.1.2.3")
    [report] = write_reports(
        plan, [activity], [Written(0, "mod", 1, "approved", "completed", (("", 3), (W25, 3)))]
    )
    write_events(
        plan,
        [activity],
        [Happened("mod", frozenset({0}), date(2021, 3, 10), "training", (("women", "25-34"),) * 4)],
    )
    monkeypatch.setattr(selectors, "ALERTS_SHOWN", 0)
    client = sign_in(Client(), people["coordinator"])
    period = report.period
    short = client.get(url(plan, period=period.pk))
    assert len(short.context["page"].alerts) == 1
    body = short.content.decode()
    assert "1 approved report no longer matches its events" in body
    assert "data-alert" not in body
    assert f'href="?period={period.pk}&amp;alerts=all#alert"' in body
    whole = client.get(url(plan, period=period.pk, alerts="all"))
    assert whole.content.decode().count("data-alert") == 1
    assert f'href="/reports/{report.pk}/"' in whole.content.decode()


reports_written = st.lists(
    st.tuples(
        st.integers(0, 10_000),
        st.sampled_from([s.value for s in Status]),
        st.sampled_from(ProgressStatus.values),
    ),
    max_size=25,
    unique_by=lambda t: t[0],
)


def owed(plan, chosen: list[Activity]) -> list[tuple[int, str, int]]:
    """(activity index, agency key, period index) that MoD or MIA owes: the agency implements the
    activity's priority area (the plan's own assignment rows) and the activity's years overlap the
    period's."""
    from wpsnap.plan.models import Assignment

    periods = list(plan.reporting_periods.order_by("start"))
    rows = []
    for i, activity in enumerate(chosen):
        for key in ("mod", "mia"):
            assigned = Assignment.objects.filter(
                priority_area=activity.priority_area, agency__key=key, role="implementer"
            ).exists()
            for p, period in enumerate(periods):
                years = (activity.effective_start_year, activity.effective_end_year)
                if assigned and years[0] <= period.start.year <= years[1]:
                    rows.append((i, key, p))
    return rows


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=reports_written)
def test_status_and_compliance_by_agency_equal_counts_by_hand(plan, people, written) -> None:
    """Over random reports MoD and MIA owe (six activities, any period, review status and progress), each
    agency's status row and compliance row on the overview equal the counts the test makes over the
    reports the ORM reads back: completed, in progress and delayed its counted reports by progress;
    submitted its reports gone to review; approved its counted ones."""
    chosen = activities(plan)
    rows = owed(plan, chosen)
    picked = {rows[n % len(rows)]: (status, progress) for n, status, progress in written}
    with transaction.atomic():
        write_reports(plan, chosen, [Written(a, key, p, *sp) for (a, key, p), sp in picked.items()])
        page = sign_in(Client(), people["coordinator"]).get(url(plan)).context["page"]
        mine = list(ProgressReport.objects.filter(plan=plan).select_related("agency"))
        for key, name in (("mod", "MoD"), ("mia", "MIA")):
            theirs = [r for r in mine if r.agency.key == key]
            counted = Counter(r.progress for r in theirs if r.status in COUNTED)
            status = row_of(page.status[2].table, name)
            assert value(status["Completed"]) == counted["completed"]
            assert value(status["In progress"]) == counted["in_progress"]
            assert value(status["Delayed"]) == counted["delayed"]
            assert value(status["Not started"]) == counted["not_started"]
            compliance = row_of(page.compliance[0].table, name)
            assert compliance["Submitted"] == sum(r.status in SUBMITTED for r in theirs)
            assert compliance["Approved"] == sum(r.status in COUNTED for r in theirs)
        transaction.set_rollback(True)


def test_the_district_narrows_the_events_figures_alone(plan, people) -> None:
    """On the people page a district keeps the participants of events held there (counted by the test
    over the rows) and leaves the reported figures whole; the events link carries the district."""
    from wpsnap.analytics.rollups import rollups_rebuild
    from wpsnap.registries.models import Event

    world(plan)
    first = Event.objects.filter(plan=plan).order_by("pk").first()
    Event.objects.filter(pk=first.pk).update(district="baku")
    rollups_rebuild(plan=plan)
    client = sign_in(Client(), people["coordinator"])
    whole = client.get(url(plan, "people/")).context["page"]
    page = client.get(url(plan, "people/", district="baku")).context["page"]

    def came(p) -> int:
        return sum(
            cell or 0
            for block in p.blocks
            for row in block.chart.table.rows
            for column, cell in zip(block.chart.table.columns[1:], row[1:], strict=True)
            if column.endswith("From events")
        )

    def said(p) -> Decimal:
        return sum(
            (
                cell or Decimal(0)
                for block in p.blocks
                for row in block.chart.table.rows
                for column, cell in zip(block.chart.table.columns[1:], row[1:], strict=True)
                if column.endswith("Reported")
            ),
            Decimal(0),
        )

    in_baku = Participant.objects.filter(event__plan=plan, event__district="baku").count()
    assert in_baku == 3
    assert came(page) == in_baku
    assert came(whole) == Participant.objects.filter(event__plan=plan).count()
    assert said(page) == said(whole) > 0
    assert all(parse_qs(urlsplit(b.events).query)["district"] == ["baku"] for b in page.blocks)
