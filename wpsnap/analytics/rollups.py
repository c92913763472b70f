"""Rollups kept current inside the writers' transactions, so that whole-plan figures cost the same at any
volume of data (the tables are in ``models.py``):

- ``ReportFigureRollup``: the counted reports' figures summed by (indicator, period, breakdown, cell,
  status). Kept by ``reports_changed``, which reporting's services call (``reporting.hooks``) on every
  step into or out of a counted status and every change to a counted report's figures.
- ``EventTally``: each event's participants by sex, age band, population group and district, listed and
  counted. Kept by ``events_changed``, which the registries' services call (``registries.hooks``) on every
  change to an event, its participants or its counts.
- ``EventPeople``: the same tallies summed by event, sex and age band alone (listed and counted
  together), what people reached and the districts page group by; written with the tallies, from them.
- ``EventFigure``: what each event gives each indicator bound to event data, and ``EventFigureSum``, those
  summed by organiser; ``PeopleRollup``: the events' people by organiser, pillar, year, period, sex and
  age band. The sums are recomputed for every organiser an event was (``EventOrganiser``) or is counted
  under, under the organisers' row locks.

Both recompute the keys a change touches from the base tables, in the database (``INSERT ... SELECT``),
after locking the rows that own those keys in id order: the indicators for report figures, the events for
tallies. Two concurrent writers touching the same keys thus run one after the other, and on PostgreSQL's
READ COMMITTED the second recomputes from what the first committed: no sum is lost. (SQLite serialises
writes anyway.)

``rollups_rebuild(plan=None)`` recomputes everything (after bulk loads: the migration for existing rows,
the demo and national generators, ``wpsnap analytics rebuild``); ``rollups_verify(plan)`` compares the
stored rollups with a fresh computation and lists the differences (``wpsnap analytics rebuild --check``).

This is the only module of analytics that writes, and only these tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Subquery, Sum, Value

from wpsnap.accounts.models import Organisation
from wpsnap.plan.models import Activity, Indicator, Plan
from wpsnap.registries.models import Event, Participant, ParticipantCount
from wpsnap.reporting.disaggregation import parse_cell_key
from wpsnap.reporting.models import FinancingLine, IndicatorValue, ProgressReport
from wpsnap.reporting.workflow import COUNTED

from .derived import Setup, event_figure_rows, setup_of
from .districts import DISTRICT_COLUMNS, district_sums
from .figures import mismatch_sql
from .models import (
    DerivedState,
    DistrictRollup,
    EventFigure,
    EventFigureSum,
    EventOrganiser,
    EventPeople,
    EventTally,
    FigureMismatch,
    FinancingRollup,
    PeopleRollup,
    PeopleState,
    ReportFigureRollup,
)
from .people import ROLLUP_COLUMNS, people_digest, people_sums

__all__ = [
    "Drift",
    "Rebuilt",
    "events_changed",
    "reports_changed",
    "rollups_rebuild",
    "rollups_verify",
]

COUNTED_STATUSES = sorted(str(s) for s in COUNTED)
# The tally's columns, each named after the dimension it answers for, with the participant column that
# gives it (registries.selectors.PARTICIPANT_COLUMNS).
TALLY_COLUMNS = {
    "sex": "sex",
    "age": "age_band",
    "population_group": "population_group",
    "district": "district",
}


# --- report figures ---------------------------------------------------------------------------------------


def _figure_sums(values: QuerySet[IndicatorValue]) -> QuerySet[Any]:
    """``values`` of counted reports summed by the rollup's key, in the rollup's column order."""
    return (
        values.filter(report__status__in=COUNTED_STATUSES)
        .values(
            "report__plan_id", "indicator_id", "report__period_id", "breakdown_id", "cell", "report__status"
        )
        .annotate(value=Sum("value"), reports=Count("id"))
        .order_by()
    )


def _insert_select(model: type[Any], columns: Iterable[str], rows: QuerySet[Any]) -> None:
    """``INSERT INTO model (columns) SELECT ...``: the sums go from table to table in the database."""
    meta = model._meta
    names = ", ".join(connection.ops.quote_name(meta.get_field(c).column) for c in columns)
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) {sql}", params)


FIGURE_COLUMNS = ("plan", "indicator", "period", "breakdown", "cell", "status", "value", "reports")


def reports_changed(report_ids: list[int]) -> None:
    """Recompute the figure rollups of the reports ``report_ids``: every (indicator, period) pair of their
    indicators (those of their figures and of their activities) and periods. Registered with
    ``reporting.hooks``; three queries (lock, delete, insert) whatever the number of reports."""
    reports = ProgressReport.objects.filter(pk__in=report_ids)
    indicators = Indicator.objects.filter(
        Q(activity_id__in=Subquery(reports.values("activity_id")))
        | Q(pk__in=Subquery(IndicatorValue.objects.filter(report_id__in=report_ids).values("indicator_id")))
    )
    locked = list(indicators.select_for_update().order_by("pk").values_list("pk", flat=True))
    periods = Subquery(reports.values("period_id"))
    if locked:
        ReportFigureRollup.objects.filter(indicator_id__in=locked, period_id__in=periods).delete()
        values = IndicatorValue.objects.filter(indicator_id__in=locked, report__period_id__in=periods)
        _insert_select(ReportFigureRollup, FIGURE_COLUMNS, _figure_sums(values))
    # The financing of the reports' activities and periods, under the activities' locks (after the
    # indicators', always in this order).
    activities = list(
        Activity.objects.select_for_update()
        .filter(pk__in=Subquery(reports.values("activity_id")))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if activities:
        FinancingRollup.objects.filter(activity_id__in=activities, period_id__in=periods).delete()
        lines = FinancingLine.objects.filter(
            report__activity_id__in=activities, report__period_id__in=periods
        )
        _insert_select(FinancingRollup, FINANCING_COLUMNS, _financing_sums(lines))
    # The alert's comparison of the reports' agencies and periods, under the agencies' row locks (after
    # the activities', as events_changed takes them after the events'): a change to the same agency's
    # events waits, then compares with these reports.
    touched = list(reports.values_list("plan_id", "agency_id", "period_id").order_by())
    agencies = sorted({agency for _plan, agency, _period in touched})
    list(
        Organisation.objects.select_for_update(no_key=True)
        .filter(pk__in=agencies)
        .order_by("pk")
        .values_list("pk")
    )
    for plan_id in sorted({plan for plan, _agency, _period in touched}):
        pairs = [(a, p) for plan, a, p in touched if plan == plan_id]
        _mismatch(plan_id, sorted({a for a, _p in pairs}), sorted({p for _a, p in pairs}))


FINANCING_COLUMNS = ("plan", "activity", "period", "source", "status", "planned", "spent", "lines")


def _financing_sums(lines: QuerySet[FinancingLine]) -> QuerySet[Any]:
    """``lines`` of counted reports summed by the financing rollup's key, in its column order."""
    return (
        lines.filter(report__status__in=COUNTED_STATUSES)
        .values("report__plan_id", "report__activity_id", "report__period_id", "source", "report__status")
        .annotate(planned=Sum("planned"), spent=Sum("spent"), lines=Count("id"))
        .order_by()
    )


# --- event tallies ----------------------------------------------------------------------------------------

TALLY_COLUMNS_ORDER = ("event", "sex", "age", "population_group", "district", "value", "listed")


def _listed(participants: QuerySet[Participant]) -> QuerySet[Any]:
    """``participants`` counted by event and column, in the tally's column order."""
    return (
        participants.values("event_id", *TALLY_COLUMNS.values())
        .annotate(value=Count("id"), listed=Value(True))
        .order_by()
    )


def _counted(counts: QuerySet[ParticipantCount]) -> dict[tuple[int, str, str, str, str], int]:
    """``counts`` by event and the tally's columns (a count cell gives sex and age band)."""
    found: dict[tuple[int, str, str, str, str], int] = defaultdict(int)
    for event_id, cell, value in counts.values_list("event_id", "cell", "value").order_by():
        if value:
            options = dict(parse_cell_key(cell))
            found[(event_id, *(options.get(c, "") for c in TALLY_COLUMNS))] += value  # type: ignore[index]
    return found


PEOPLE_COLUMNS = ("event", "sex", "age", "value")


def _people(tallies: QuerySet[EventTally]) -> QuerySet[Any]:
    """``tallies`` summed by event, sex and age band, in ``EventPeople``'s column order."""
    return tallies.values("event_id", "sex", "age").annotate(value=Sum("value")).order_by()


def _fresh_people(
    participants: QuerySet[Participant], counts: QuerySet[ParticipantCount]
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """{(event, sex, age band): (participants,)} from the base tables, not the tallies: listed and
    counted together, as ``EventPeople`` holds them."""
    found: dict[tuple[Any, ...], int] = defaultdict(int)
    for event_id, sex, age, n in (
        participants.values_list("event_id", "sex", "age_band").annotate(n=Count("id")).order_by()
    ):
        found[(event_id, sex, age)] += n
    for (event_id, sex, age, _group, _district), value in _counted(counts).items():
        found[(event_id, sex, age)] += value
    return {key: (n,) for key, n in found.items()}


def _tally_insert(participants: QuerySet[Participant], counts: QuerySet[ParticipantCount]) -> None:
    _insert_select(EventTally, TALLY_COLUMNS_ORDER, _listed(participants))
    EventTally.objects.bulk_create(
        (
            EventTally(
                event_id=key[0],
                listed=False,
                sex=key[1],
                age=key[2],
                population_group=key[3],
                district=key[4],
                value=value,
            )
            for key, value in _counted(counts).items()
        ),
        batch_size=5000,
    )


def _people_insert(tallies: QuerySet[EventTally]) -> None:
    """``EventPeople`` from the tallies just written (one ``INSERT ... SELECT``)."""
    _insert_select(EventPeople, PEOPLE_COLUMNS, _people(tallies))


def events_changed(event_ids: list[int]) -> None:
    """Recompute the tallies of the events ``event_ids`` (those deleted lose theirs with them). Registered
    with ``registries.hooks``; six queries (lock, two deletes, listed, counts, people) and one insert per
    kind of tally."""
    locked = list(
        Event.objects.select_for_update().filter(pk__in=event_ids).order_by("pk").values_list("pk", flat=True)
    )
    EventTally.objects.filter(event_id__in=event_ids).delete()
    EventPeople.objects.filter(event_id__in=event_ids).delete()
    EventFigure.objects.filter(event_id__in=event_ids).delete()
    if locked:
        _tally_insert(
            Participant.objects.filter(event_id__in=locked),
            ParticipantCount.objects.filter(event_id__in=locked),
        )
        _people_insert(EventTally.objects.filter(event_id__in=locked))
        plans = Plan.objects.filter(pk__in=Subquery(Event.objects.filter(pk__in=locked).values("plan_id")))
        for plan in plans.order_by("pk"):
            setup = setup_of(plan)
            _figures_insert(plan, Event.objects.filter(pk__in=locked, plan=plan), setup)
            # Rows written under another set-up than the stored one are never read with the older rows:
            # the plan's stored figures stay unread until the next rebuild.
            state = DerivedState.objects.filter(plan=plan).values_list("fingerprint", "indicators").first()
            if state is not None and state != (setup.fingerprint, setup.indicators):
                DerivedState.objects.filter(plan=plan).delete()
    _organisers_changed(event_ids, locked)


def _organisers_changed(event_ids: list[int], locked: list[int]) -> None:
    """Recompute the people rollup and the event figures' sums of every (plan, organiser) the events
    ``event_ids`` were or are now counted under (``EventOrganiser`` remembers the former, even of a
    deleted event), under the organisers' row locks (taken after the events', in id order). Five
    queries, then seven or eight per plan."""
    before = set(EventOrganiser.objects.filter(event_id__in=event_ids).values_list("plan_id", "organiser_id"))
    EventOrganiser.objects.filter(event_id__in=event_ids).delete()
    now = list(Event.objects.filter(pk__in=locked).values_list("pk", "plan_id", "organiser_id"))
    EventOrganiser.objects.bulk_create(
        EventOrganiser(event_id=pk, plan_id=plan_id, organiser_id=organiser_id)
        for pk, plan_id, organiser_id in now
    )
    groups = before | {(plan_id, organiser_id) for _pk, plan_id, organiser_id in now}
    if not groups:
        return
    organisers = sorted({organiser_id for _plan, organiser_id in groups})
    # FOR NO KEY UPDATE: a plain FOR UPDATE would also block (and deadlock with) any write elsewhere whose
    # foreign key points at the organisation (a report, an event), which takes FOR KEY SHARE on its row.
    list(
        Organisation.objects.select_for_update(no_key=True)
        .filter(pk__in=organisers)
        .order_by("pk")
        .values_list("pk")
    )
    for plan_id in sorted({plan_id for plan_id, _o in groups}):
        theirs = sorted(organiser_id for p, organiser_id in groups if p == plan_id)
        PeopleRollup.objects.filter(plan_id=plan_id, organiser_id__in=theirs).delete()
        _insert_select(
            PeopleRollup,
            ROLLUP_COLUMNS,
            people_sums(Event.objects.filter(plan_id=plan_id, organiser_id__in=theirs)),
        )
        _people_state(plan_id)
        _districts_insert(plan_id, theirs)
        EventFigureSum.objects.filter(plan_id=plan_id, organiser_id__in=theirs).delete()
        _insert_select(
            EventFigureSum,
            FIGURE_SUM_COLUMNS,
            _figure_sums_of(EventFigure.objects.filter(plan_id=plan_id, organiser_id__in=theirs)),
        )
        _mismatch(plan_id, theirs, None)


FIGURE_SUM_COLUMNS = ("plan", "indicator", "organiser", "period", "cell", "value", "total_only", "events")


MISMATCH_COLUMNS = (
    "plan",
    "indicator",
    "agency",
    "period",
    "cell",
    "derived",
    "total_only",
    "events",
    "reported",
)


def _mismatch(plan_id: int, agencies: list[int] | None, periods: list[int] | None) -> None:
    """The plan's ``FigureMismatch`` rows of ``agencies`` and ``periods`` (all when None) deleted and
    compared again (``figures.mismatch_sql``: the events' sums by organiser, written before, against the
    counted reports): two statements. Under the agencies' (organisers') row locks."""
    stale = FigureMismatch.objects.filter(plan_id=plan_id)
    if agencies is not None:
        stale = stale.filter(agency_id__in=agencies)
    if periods is not None:
        stale = stale.filter(period_id__in=periods)
    stale.delete()
    plan = Plan(pk=plan_id)
    sql, params = mismatch_sql(plan=plan, agencies=agencies, periods=periods)
    meta: Any = FigureMismatch._meta
    names = ", ".join(connection.ops.quote_name(meta.get_field(c).column) for c in MISMATCH_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) {sql}", params)


def _districts_insert(plan_id: int, organisers: list[int] | None) -> None:
    """The plan's ``DistrictRollup`` rows of ``organisers`` (every organiser's when None) deleted and
    summed again from their events: three statements (a delete, then an ``INSERT ... SELECT`` for the
    events and one for their people). Valid under the people rollup's state (the periods' dates), which
    the caller keeps, under the organisers' locks."""
    stale = DistrictRollup.objects.filter(plan_id=plan_id)
    events = Event.objects.filter(plan_id=plan_id)
    if organisers is not None:
        stale = stale.filter(organiser_id__in=organisers)
        events = events.filter(organiser_id__in=organisers)
    stale.delete()
    held, people = district_sums(events)
    _insert_select(DistrictRollup, DISTRICT_COLUMNS, held)
    _insert_select(DistrictRollup, DISTRICT_COLUMNS, people)


def _figure_sums_of(rows: QuerySet[EventFigure]) -> QuerySet[Any]:
    """The events' figures ``rows`` summed by ``EventFigureSum``'s key, in ``FIGURE_SUM_COLUMNS``' order."""
    return (
        rows.values("plan_id", "indicator_id", "organiser_id", "period_id", "cell")
        .annotate(value=Sum("value"), total_only=Sum("total_only"), events=Count("id"))
        .order_by()
    )


def _people_state(plan_id: int) -> None:
    """Keep the plan's ``PeopleState`` true after its rollup rows were rewritten under the plan's current
    activities, pillars and periods. Rows written under others than the stored ones are never read with
    the older rows: the stored digest is blanked (it matches no plan), and the plan's rollup stays
    unread until the next rebuild. A plan that never had a state (no rebuild since it was made) gets one
    when every event of the plan has its organiser's row, i.e. every organiser's rows were written by
    the services under the current set-up: a plan whose events all came through them needs no rebuild.
    Three or four queries."""
    stored = PeopleState.objects.filter(plan_id=plan_id).values_list("fingerprint", flat=True).first()
    digest = people_digest(plan_id)
    if stored is not None:
        if stored not in (digest, ""):
            PeopleState.objects.filter(plan_id=plan_id).update(fingerprint="")
        return
    remembered = EventOrganiser.objects.filter(plan_id=plan_id).values("event_id")
    if not Event.objects.filter(plan_id=plan_id).exclude(pk__in=Subquery(remembered)).exists():
        PeopleState.objects.create(plan_id=plan_id, fingerprint=digest)


def _figures_insert(plan: Plan, events: QuerySet[Event], setup: Setup) -> None:
    """``EventFigure`` rows of ``events`` (of ``plan``) under ``setup``."""
    EventFigure.objects.bulk_create(
        (
            EventFigure(
                plan=plan,
                event_id=event_id,
                indicator_id=indicator_id,
                organiser_id=organiser_id,
                period_id=period_id,
                cell=cell,
                value=value,
                total_only=total_only,
            )
            for event_id, indicator_id, organiser_id, period_id, cell, value, total_only in event_figure_rows(
                plan=plan, events=events, setup=setup
            )
        ),
        batch_size=5000,
    )


# --- rebuild and check ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild wrote, for one plan."""

    plan: str  # the plan's slug
    figures: int  # report figure rollup rows
    tallies: int  # event tally rows
    people: int  # event people rows
    figures_derived: int  # event figure rows


def rollups_rebuild(*, plan: Plan | None = None) -> list[Rebuilt]:
    """Recompute every rollup of ``plan`` (of every plan when None) from the base tables, in one
    transaction per plan, under the same locks as the writers (the plan's indicators and events, in id
    order). For bulk loads that bypass the services, and for existing data."""
    # Only the columns used: the migration that fills the tables runs this on the schema of its time.
    plans = [plan] if plan is not None else list(Plan.objects.only("pk", "slug").order_by("pk"))
    done = []
    for one in plans:
        with transaction.atomic():
            list(Indicator.objects.select_for_update().filter(plan=one).order_by("pk").values_list("pk"))
            ReportFigureRollup.objects.filter(plan=one).delete()
            _insert_select(
                ReportFigureRollup,
                FIGURE_COLUMNS,
                _figure_sums(IndicatorValue.objects.filter(report__plan=one)),
            )
            list(Activity.objects.select_for_update().filter(plan=one).order_by("pk").values_list("pk"))
            FinancingRollup.objects.filter(plan=one).delete()
            _insert_select(
                FinancingRollup,
                FINANCING_COLUMNS,
                _financing_sums(FinancingLine.objects.filter(report__plan=one)),
            )
            list(Event.objects.select_for_update().filter(plan=one).order_by("pk").values_list("pk"))
            EventTally.objects.filter(event__plan=one).delete()
            EventPeople.objects.filter(event__plan=one).delete()
            _tally_insert(
                Participant.objects.filter(event__plan=one), ParticipantCount.objects.filter(event__plan=one)
            )
            _people_insert(EventTally.objects.filter(event__plan=one))
            EventFigure.objects.filter(plan=one).delete()
            setup = setup_of(one)
            _figures_insert(one, Event.objects.filter(plan=one), setup)
            DerivedState.objects.update_or_create(
                plan=one, defaults={"fingerprint": setup.fingerprint, "indicators": setup.indicators}
            )
            _organisers_rebuild(one)
            done.append(
                Rebuilt(
                    one.slug,
                    ReportFigureRollup.objects.filter(plan=one).count(),
                    EventTally.objects.filter(event__plan=one).count(),
                    EventPeople.objects.filter(event__plan=one).count(),
                    EventFigure.objects.filter(plan=one).count(),
                )
            )
    return done


def _organisers_rebuild(plan: Plan) -> None:
    """``plan``'s people rollup and its events' organisers from the base tables, with the digest they are
    built under, and the sums of its events' figures; inside the rebuild's transaction, after the
    events' locks (then the organisers')."""
    organisers = Event.objects.filter(plan=plan).values("organiser_id")
    list(
        Organisation.objects.select_for_update(no_key=True)
        .filter(pk__in=Subquery(organisers))
        .order_by("pk")
        .values_list("pk")
    )
    EventOrganiser.objects.filter(plan=plan).delete()
    _insert_select(
        EventOrganiser,
        ("event_id", "plan", "organiser"),
        Event.objects.filter(plan=plan).values("pk", "plan_id", "organiser_id").order_by(),
    )
    PeopleRollup.objects.filter(plan=plan).delete()
    _insert_select(PeopleRollup, ROLLUP_COLUMNS, people_sums(Event.objects.filter(plan=plan)))
    PeopleState.objects.update_or_create(plan=plan, defaults={"fingerprint": people_digest(plan.pk)})
    _districts_insert(plan.pk, None)
    EventFigureSum.objects.filter(plan=plan).delete()
    _insert_select(EventFigureSum, FIGURE_SUM_COLUMNS, _figure_sums_of(EventFigure.objects.filter(plan=plan)))
    _mismatch(plan.pk, None, None)


@dataclass(frozen=True)
class Drift:
    """One key where the stored rollup and a fresh computation differ (None: no row)."""

    table: str  # "figures", "tallies" or "people"
    key: tuple[Any, ...]
    stored: tuple[Any, ...] | None
    fresh: tuple[Any, ...] | None


def rollups_verify(plan: Plan) -> list[Drift]:
    """Every difference between ``plan``'s stored rollups and what the base tables say now; empty when
    they agree. Reads only."""
    stored_figures = {
        (i, p, b, c, s): (v, n)
        for i, p, b, c, s, v, n in ReportFigureRollup.objects.filter(plan=plan).values_list(
            "indicator_id", "period_id", "breakdown_id", "cell", "status", "value", "reports"
        )
    }
    fresh_figures = {
        (i, p, b, c, s): (v, n)
        for _plan, i, p, b, c, s, v, n in _figure_sums(
            IndicatorValue.objects.filter(report__plan=plan)
        ).values_list(
            "report__plan_id",
            "indicator_id",
            "report__period_id",
            "breakdown_id",
            "cell",
            "report__status",
            "value",
            "reports",
        )
    }
    stored_tallies: dict[tuple[Any, ...], tuple[Any, ...]] = {
        (e, listed, *cols): (v,)
        for e, listed, *cols, v in EventTally.objects.filter(event__plan=plan).values_list(
            "event_id", "listed", *TALLY_COLUMNS, "value"
        )
    }
    fresh_tallies: dict[tuple[Any, ...], tuple[Any, ...]] = {
        (e, True, *cols): (v,)
        for e, *cols, v in _listed(Participant.objects.filter(event__plan=plan)).values_list(
            "event_id", *TALLY_COLUMNS.values(), "value"
        )
    }
    for (event_id, *cols), value in _counted(ParticipantCount.objects.filter(event__plan=plan)).items():
        fresh_tallies[(event_id, False, *cols)] = (value,)
    stored_people: dict[tuple[Any, ...], tuple[Any, ...]] = {
        (e, s, a): (v,)
        for e, s, a, v in EventPeople.objects.filter(event__plan=plan).values_list(
            "event_id", "sex", "age", "value"
        )
    }
    fresh_people = _fresh_people(
        Participant.objects.filter(event__plan=plan), ParticipantCount.objects.filter(event__plan=plan)
    )
    stored_financing = {
        (a, p, s, st): (pl, sp, n)
        for a, p, s, st, pl, sp, n in FinancingRollup.objects.filter(plan=plan).values_list(
            "activity_id", "period_id", "source", "status", "planned", "spent", "lines"
        )
    }
    fresh_financing = {
        (a, p, s, st): (pl, sp, n)
        for _plan, a, p, s, st, pl, sp, n in _financing_sums(
            FinancingLine.objects.filter(report__plan=plan)
        ).values_list(
            "report__plan_id",
            "report__activity_id",
            "report__period_id",
            "source",
            "report__status",
            "planned",
            "spent",
            "lines",
        )
    }
    drift = (
        _differences("figures", stored_figures, fresh_figures)
        + _differences("financing", stored_financing, fresh_financing)
        + _differences("tallies", stored_tallies, fresh_tallies)
        + _differences("people", stored_people, fresh_people)
    )
    if any(d.table in ("tallies", "people") for d in drift):
        # The events' figures are computed from the tallies and people: checked once those agree (a
        # rebuild rewrites all three).
        return drift
    stored_derived: dict[tuple[Any, ...], tuple[Any, ...]] = {
        (e, i, c): (o, p, v, t)
        for e, i, o, p, c, v, t in EventFigure.objects.filter(plan=plan).values_list(
            "event_id", "indicator_id", "organiser_id", "period_id", "cell", "value", "total_only"
        )
    }
    fresh_derived: dict[tuple[Any, ...], tuple[Any, ...]] = {
        (e, i, c): (o, p, v, t)
        for e, i, o, p, c, v, t in event_figure_rows(
            plan=plan, events=Event.objects.filter(plan=plan), setup=setup_of(plan)
        )
    }
    stored_organisers: dict[tuple[Any, ...], tuple[Any, ...]] = {
        (e,): (o,)
        for e, o in EventOrganiser.objects.filter(plan=plan).values_list("event_id", "organiser_id")
    }
    fresh_organisers: dict[tuple[Any, ...], tuple[Any, ...]] = {
        (e,): (o,) for e, o in Event.objects.filter(plan=plan).values_list("pk", "organiser_id")
    }
    stored_reached: dict[tuple[Any, ...], tuple[Any, ...]] = {
        tuple(key): (value,)
        for *key, value in PeopleRollup.objects.filter(plan=plan).values_list(*ROLLUP_COLUMNS[1:])
    }
    fresh_reached: dict[tuple[Any, ...], tuple[Any, ...]] = {
        (
            r["event__organiser_id"],
            r["activity__priority_area__pillar_id"],
            r["year"],
            r["period"],
            r["sex"],
            r["age"],
        ): (r["value"],)
        for r in people_sums(Event.objects.filter(plan=plan))
    }
    stored_sums: dict[tuple[Any, ...], tuple[Any, ...]] = {
        (i, o, p, c): (v, t, n)
        for i, o, p, c, v, t, n in EventFigureSum.objects.filter(plan=plan).values_list(
            "indicator_id", "organiser_id", "period_id", "cell", "value", "total_only", "events"
        )
    }
    fresh_sums: dict[tuple[Any, ...], tuple[Any, ...]] = {
        (r["indicator_id"], r["organiser_id"], r["period_id"], r["cell"]): (
            r["value"],
            r["total_only"],
            r["events"],
        )
        for r in _figure_sums_of(EventFigure.objects.filter(plan=plan))
    }
    stored_districts: dict[tuple[Any, ...], tuple[Any, ...]] = {
        tuple(key): (value,)
        for *key, value in DistrictRollup.objects.filter(plan=plan).values_list(*DISTRICT_COLUMNS[1:])
    }
    fresh_districts: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for sums in district_sums(Event.objects.filter(plan=plan)):
        for row in sums:  # dicts in the rollup's column order
            _plan, *key, value = row.values()
            fresh_districts[tuple(key)] = (value,)
    stored_mismatch: dict[tuple[Any, ...], tuple[Any, ...]] = {
        tuple(row[:4]): tuple(row[4:])
        for row in FigureMismatch.objects.filter(plan=plan).values_list(*MISMATCH_COLUMNS[1:])
    }
    sql, params = mismatch_sql(plan=plan)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fresh_mismatch = {tuple(row[1:5]): tuple(row[5:]) for row in cursor.fetchall()}
    return (
        drift
        + _differences("derived", stored_derived, fresh_derived)
        + _differences("mismatch", stored_mismatch, fresh_mismatch)
        + _differences("districts", stored_districts, fresh_districts)
        + _differences("derived sums", stored_sums, fresh_sums)
        + _differences("organisers", stored_organisers, fresh_organisers)
        + _differences("reached", stored_reached, fresh_reached)
    )


def _differences(
    table: str, stored: dict[tuple[Any, ...], tuple[Any, ...]], fresh: dict[tuple[Any, ...], tuple[Any, ...]]
) -> list[Drift]:
    def same(a: tuple[Any, ...] | None, b: tuple[Any, ...] | None) -> bool:
        if a is None or b is None:
            return a is b
        return all(
            (x is None and y is None) or (x is not None and y is not None and Decimal(x) == Decimal(y))
            for x, y in zip(a, b, strict=True)
        )

    return [
        Drift(table, key, stored.get(key), fresh.get(key))
        for key in sorted(stored.keys() | fresh.keys(), key=repr)
        if not same(stored.get(key), fresh.get(key))
    ]
