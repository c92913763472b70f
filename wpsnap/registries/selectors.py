"""Reads for events, participants and derived indicator values. Lists cost a fixed number of queries
whatever their length; derived values are aggregated in the database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from wpsnap.plan.models import Indicator, Plan
from wpsnap.reporting.disaggregation import TOTAL, BreakdownSpec, cell_key, parse_cell_key
from wpsnap.reporting.models import Dimension, ReportingPeriod
from wpsnap.reporting.selectors import indicator_specs

from .models import DerivationRule, Event, Measure, Participant, ParticipantCount, Participation
from .participants import Vocabulary, age_band, normalise

# Other common spellings of the sex options, in the plan's three languages.
SEX_ALIASES = {
    "women": ("f", "female", "woman", "w", "qadın", "qadin", "q", "ж", "женщина", "женщины", "жен"),  # noqa: RUF001
    "men": ("m", "male", "man", "kişi", "kisi", "k", "м", "мужчина", "мужчины", "муж"),
}
# Which participant column answers for each dimension of a breakdown.
PARTICIPANT_COLUMNS = {
    "sex": "sex",
    "age": "age_band",
    "population_group": "population_group",
    "district": "district",
}
# The dimensions a count-mode event records (sex x age band).
COUNT_DIMENSIONS = ("sex", "age")


def vocabulary(plan: Plan) -> Vocabulary:
    """What participant rows of ``plan`` may say, from its dimensions' options (two queries)."""
    names: dict[str, dict[str, str]] = defaultdict(dict)
    bands = []
    dimensions = Dimension.objects.filter(plan=plan, code__in=PARTICIPANT_COLUMNS).prefetch_related("options")
    for dimension in dimensions:
        for option in dimension.options.all():
            spellings = {option.code, option.name}
            spellings |= {t.get("name", "") for t in (option.translations or {}).values()}
            spellings |= set(SEX_ALIASES.get(option.code, ())) if dimension.code == "sex" else set()
            for spelling in spellings:
                if spelling:
                    names[dimension.code].setdefault(normalise(spelling), option.code)
            if dimension.code == "age" and (band := age_band(option.code)) is not None:
                bands.append(band)
    return Vocabulary(
        sexes=names["sex"],
        bands=tuple(sorted(bands, key=lambda b: b.low)),
        band_names=names["age"],
        groups=names["population_group"],
        districts=names["district"],
    )


def district_names(plan: Plan) -> dict[str, str]:
    """{option code: name in the active language} of the plan's districts."""
    dimension = Dimension.objects.filter(plan=plan, code="district").first()
    if dimension is None:
        return {}
    return {o.code: str(o.tr("name")) for o in dimension.options.all()}


def count_cells(plan: Plan) -> BreakdownSpec:
    """The sex x age band cells a count-mode event is recorded in."""
    from wpsnap.reporting.disaggregation import DimensionSpec, Option

    dimensions = {
        d.code: d
        for d in Dimension.objects.filter(plan=plan, code__in=COUNT_DIMENSIONS).prefetch_related("options")
    }
    return BreakdownSpec(
        tuple(
            DimensionSpec(
                code,
                str(dimensions[code].tr("name")),
                tuple(Option(o.code, str(o.tr("name"))) for o in dimensions[code].options.all()),
            )
            for code in COUNT_DIMENSIONS
            if code in dimensions
        )
    )


def locked_period(plan_id: int, day: date) -> ReportingPeriod | None:
    """The locked (approved) period ``day`` falls in, if any: an event starting then no longer changes."""
    return (
        ReportingPeriod.objects.filter(plan_id=plan_id, start__lte=day, end__gte=day, locked_at__isnull=False)
        .order_by("start")
        .first()
    )


def locked_message(period: ReportingPeriod) -> str:
    return _(
        "The period %(period)s is approved and locked: its events no longer change. Ask a coordinator to re-open it."
    ) % {"period": period}


def event_cells(event: Event) -> dict[str, int]:
    """The event's participants by sex x age band cell ("sex:women|age:18-24"): its stored counts, or
    for an event with a list, counted from the list in the database (one query)."""
    found: dict[str, int] = defaultdict(int)
    if event.participation == Participation.COUNTS:
        for cell, value in ParticipantCount.objects.filter(event=event).values_list("cell", "value"):
            found[cell] += value
    else:
        rows = Participant.objects.filter(event=event).values_list("sex", "age_band").annotate(n=Count("id"))
        for sex, band, n in rows.order_by():
            found[cell_key([("sex", sex), ("age", band)])] += n
    return dict(found)


def event_totals(events: Iterable[Event]) -> dict[int, int]:
    """Participants per event (list rows or the sum of counts), in two queries."""
    ids = [e.pk for e in events]
    totals: dict[int, int] = defaultdict(int)
    for row in Participant.objects.filter(event_id__in=ids).values("event_id").annotate(n=Count("id")):
        totals[row["event_id"]] += row["n"]
    for count in ParticipantCount.objects.filter(event_id__in=ids).values_list("event_id", "value"):
        totals[count[0]] += count[1]
    return dict(totals)


def events_with_totals(events: Iterable[Event]) -> list[Event]:
    """``events`` each with ``participants_total``, its number of participants, in two queries for any
    number of events (the API's event list reads it)."""
    listed = list(events)
    totals = event_totals(listed)
    for event in listed:
        event.participants_total = totals.get(event.pk, 0)  # type: ignore[attr-defined]
    return listed


# --- derived values ------------------------------------------------------------------------------


@dataclass
class Derived:
    """What the events say for one indicator, one agency, one period, in the one cell shape."""

    indicator_id: int
    measure: str
    cells: dict[str, int] = field(default_factory=dict)  # "" is the total
    events: int = 0
    # Participants of events without a list where the breakdown needs more than sex and age band:
    # they count in the total only.
    total_only: int = 0

    @property
    def total(self) -> int:
        return self.cells.get(TOTAL, 0)


def rules_for(indicators: Iterable[Indicator]) -> dict[int, DerivationRule]:
    rules = DerivationRule.objects.filter(indicator__in=list(indicators)).prefetch_related("topics")
    return {rule.indicator_id: rule for rule in rules}


def derived_values(
    *,
    indicators: list[Indicator],
    agency_id: int,
    period: ReportingPeriod,
    specs: dict[int, Any] | None = None,
) -> dict[int, Derived]:
    """The values of every bound indicator in ``indicators`` for ``agency_id`` in ``period``: events
    the agency organised whose first day is in the period, of the rule's types and topics, that
    implement the indicator's activity (or, for an indicator without one, any activity of its
    priority area). A fixed number of queries for any number of indicators and events."""
    rules = rules_for(indicators)
    if not rules:
        return {}
    bound = [i for i in indicators if i.pk in rules]
    specs = specs if specs is not None else indicator_specs(bound)
    events = list(
        Event.objects.filter(
            plan_id=period.plan_id,
            organiser_id=agency_id,
            starts_on__gte=period.start,
            starts_on__lte=period.end,
        )
        .prefetch_related("activities", "topics")
        .only("id", "kind", "participation")
    )
    matching = {i.pk: [e for e in events if _counts_for(e, i, rules[i.pk])] for i in bound}
    used = {e.pk for found in matching.values() for e in found}
    breakdown_columns = {
        i.pk: [
            PARTICIPANT_COLUMNS[d.code] for d in specs[i.pk][1].dimensions if d.code in PARTICIPANT_COLUMNS
        ]
        for i in bound
    }
    columns = sorted({c for cols in breakdown_columns.values() for c in cols})
    groups = _participant_groups(used, columns)
    counts = _counts(used)
    result: dict[int, Derived] = {}
    for indicator in bound:
        rule = rules[indicator.pk]
        derived = Derived(indicator.pk, rule.measure, events=len(matching[indicator.pk]))
        if rule.measure == Measure.EVENTS:
            derived.cells[TOTAL] = derived.events
        else:
            _tally(derived, matching[indicator.pk], specs[indicator.pk][1], columns, groups, counts)
        result[indicator.pk] = derived
    return result


def _counts_for(event: Event, indicator: Indicator, rule: DerivationRule) -> bool:
    if rule.kinds and event.kind not in rule.kinds:
        return False
    topics = {t.pk for t in rule.topics.all()}
    if topics and not topics & {t.pk for t in event.topics.all()}:
        return False
    activities = event.activities.all()
    if indicator.activity_id is not None:
        return any(a.pk == indicator.activity_id for a in activities)
    return any(a.priority_area_id == indicator.priority_area_id for a in activities)


def _participant_groups(
    event_ids: set[int], columns: list[str]
) -> dict[int, list[tuple[dict[str, str], int]]]:
    """{event id: [({column: code}, participants)]}, grouped in the database."""
    if not event_ids:
        return {}
    rows = (
        Participant.objects.filter(event_id__in=event_ids)
        .values("event_id", *columns)
        .annotate(n=Count("id"))
        .order_by()
    )
    found: dict[int, list[tuple[dict[str, str], int]]] = defaultdict(list)
    for row in rows:
        found[row["event_id"]].append(({c: row[c] for c in columns}, row["n"]))
    return found


def _counts(event_ids: set[int]) -> dict[int, list[tuple[dict[str, str], int]]]:
    """Count-mode events' cells as {event id: [({dimension: option}, participants)]}."""
    found: dict[int, list[tuple[dict[str, str], int]]] = defaultdict(list)
    if not event_ids:
        return found
    for event_id, cell, value in ParticipantCount.objects.filter(event_id__in=event_ids).values_list(
        "event_id", "cell", "value"
    ):
        found[event_id].append((dict(parse_cell_key(cell)), value))
    return found


def _tally(
    derived: Derived,
    events: list[Event],
    spec: BreakdownSpec,
    columns: list[str],
    groups: dict[int, list[tuple[dict[str, str], int]]],
    counts: dict[int, list[tuple[dict[str, str], int]]],
) -> None:
    """Add the participants of ``events`` into the cells of ``spec`` (and the total). A participant
    whose option is not in this breakdown version counts in the total only."""
    allowed = {d.code: {o.code for o in d.options} for d in spec.dimensions}
    cells: dict[str, int] = defaultdict(int)
    for event in events:
        for values, n in groups.get(event.pk, []):
            cells[TOTAL] += n
            # A dimension participants do not record (a service) leaves the person in the total only.
            key = _key(spec, allowed, {d: values.get(PARTICIPANT_COLUMNS.get(d, ""), "") for d in allowed})
            if key is not None:
                cells[key] += n
            elif spec.dimensions:
                derived.total_only += n
        for options, n in counts.get(event.pk, []):
            cells[TOTAL] += n
            key = _key(spec, allowed, options)
            if key is not None:
                cells[key] += n
            elif spec.dimensions:
                derived.total_only += n
    derived.cells = dict(cells)


def _key(spec: BreakdownSpec, allowed: dict[str, set[str]], options: dict[str, str]) -> str | None:
    if not spec.dimensions:
        return None
    pairs = []
    for dimension in spec.dimensions:
        option = options.get(dimension.code, "")
        if option not in allowed[dimension.code]:
            return None
        pairs.append((dimension.code, option))
    return cell_key(pairs)
