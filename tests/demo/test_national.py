"""``wpsnap demo generate``: the generated data set is consistent through the tables' constraints, at the
small scale (the national one serves the benchmarks only, on PostgreSQL). Generated into a copy of the
Azerbaijan plan under its own slug, so that nothing else in the database (the demo, when another test
loaded it) is in its way."""

from __future__ import annotations

import os
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from wpsnap.accounts.models import Organisation
from wpsnap.analytics.rollups import rollups_verify
from wpsnap.demo import national
from wpsnap.plan.models import Plan
from wpsnap.plan.services import plan_load
from wpsnap.registries.models import Event, Participant, ParticipantCount, ParticipantImport, Participation
from wpsnap.reporting.models import IndicatorValue, ProgressReport, ReportingPeriod
from wpsnap.reporting.selectors import expected_in
from wpsnap.reporting.workflow import COUNTED

SLUG = "az-national-test"
SMALL = national.SCALES["small"]


@pytest.fixture
def plan(db, az_plan_file) -> Plan:
    """A loaded copy of the Azerbaijan plan with its own slug, its data generated at the small scale."""
    copy = plan_load(plan_file=az_plan_file.model_copy(update={"slug": SLUG})).plan
    call_command("demo", "generate", "--scale", "small", "--plan", SLUG, stdout=StringIO())
    return copy


def test_counts_are_as_requested(plan):
    """The small scale gives exactly its counted reports, events, listed participants and agencies."""
    counted = ProgressReport.objects.filter(plan=plan, status__in=COUNTED).count()
    events = Event.objects.filter(plan=plan).count()
    listed = Participant.objects.filter(event__plan=plan).count()
    created = Organisation.objects.filter(key__startswith=national.PREFIX).count()
    assert (counted, events, listed, created) == (SMALL.reports, SMALL.events, SMALL.participants, 7)


def test_cells_sum_to_totals(plan):
    """Every figure set of every report has a total, and its cells, where it has some, add up to it."""
    sets: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    for report, indicator, cell, value in IndicatorValue.objects.filter(report__plan=plan).values_list(
        "report_id", "indicator_id", "cell", "value"
    ):
        sets[(report, indicator)][cell] = value
    broken = [
        key
        for key, cells in sets.items()
        if "" not in cells or (len(cells) > 1 and sum(v for c, v in cells.items() if c) != cells[""])
    ]
    with_cells = [key for key, cells in sets.items() if len(cells) > 1]
    assert sets and with_cells and broken == []


def test_every_participant_belongs_to_an_event_and_its_import(plan):
    """Every participant row points at an event of the plan and at an import batch of that same event (a
    link without a database constraint), and each batch's row count is the rows it holds."""
    events = set(Event.objects.filter(plan=plan).values_list("pk", flat=True))
    batches = dict(ParticipantImport.objects.filter(event__plan=plan).values_list("pk", "event_id"))
    pairs = Participant.objects.filter(event__plan=plan).values_list("event_id", "batch_id")
    strays = [(event, batch) for event, batch in pairs if event not in events or batches.get(batch) != event]
    held = dict(
        Participant.objects.filter(event__plan=plan)
        .values("batch_id")
        .annotate(n=Count("id"))
        .values_list("batch_id", "n")
    )
    said = dict(ParticipantImport.objects.filter(event__plan=plan).values_list("pk", "rows"))
    assert strays == [] and held == said


def test_counted_events_have_counts_and_listed_ones_rows(plan):
    """An event recorded by counts has count cells and no rows; an event with a list has rows and no counts."""
    with_rows = set(Participant.objects.filter(event__plan=plan).values_list("event_id", flat=True))
    with_counts = set(ParticipantCount.objects.filter(event__plan=plan).values_list("event_id", flat=True))
    by_mode = defaultdict(set)
    for pk, mode in Event.objects.filter(plan=plan).values_list("pk", "participation"):
        by_mode[mode].add(pk)
    assert by_mode[Participation.LIST] == with_rows
    assert by_mode[Participation.COUNTS] == with_counts
    assert with_counts


def test_every_report_is_one_an_agency_owes_or_contributes(plan):
    """Each report is for an activity, agency and period the plan expects (an implementer's or a partner's)."""
    periods = list(ReportingPeriod.objects.filter(plan=plan))
    expected = {
        (item.activity.pk, org.pk, item.period.pk)
        for item in expected_in(plan, periods, partners=True)
        for org, _optional in item.agencies
    }
    reports = set(
        ProgressReport.objects.filter(plan=plan).values_list("activity_id", "agency_id", "period_id")
    )
    assert reports and reports <= expected


def test_the_rollups_agree_with_the_tables(plan):
    """The generator rebuilds the analytics rollups after its bulk inserts: nothing drifts."""
    assert rollups_verify(plan) == []


def test_a_second_run_is_refused(plan):
    """A plan that already has generated data is not generated into again."""
    with pytest.raises(CommandError, match="already has reports"):
        call_command("demo", "generate", "--scale", "small", "--plan", SLUG, stdout=StringIO())


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="the refusal concerns SQLite only"
)
@pytest.mark.django_db
def test_the_national_scale_is_refused_on_sqlite(az_plan):
    """The national data set needs PostgreSQL; SQLite is refused with a message saying so."""
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("demo", "generate", "--scale", "national", stdout=StringIO())
