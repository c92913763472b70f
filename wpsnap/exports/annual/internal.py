"""The internal report's content: every approved and published figure the viewer may see, from the read
model (``wpsnap.analytics``) under the viewer's scope, in a fixed number of queries whatever the amount of
data (the plan's structure, then one call of each selector: status, results, people reached, financing,
progress against targets; and the narratives)."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.analytics.financing import financing
from wpsnap.analytics.people import people_reached
from wpsnap.analytics.progress import indicator_progress
from wpsnap.analytics.results import IndicatorResult, results
from wpsnap.analytics.status import ActivityStatus, activity_status
from wpsnap.core import charts
from wpsnap.plan.models import Plan
from wpsnap.reporting.disaggregation import TOTAL, parse_cell_key
from wpsnap.reporting.models import FundingSource

from ..narratives import narratives_for
from .content import (
    STATUS_ORDER,
    ActivityBlock,
    Figure,
    IndicatorBlock,
    PillarBlock,
    Report,
    Structure,
    TextTable,
    amount,
    crosstab,
    frame,
    status_label,
    structure,
    years_label,
)


def gather(
    *, plan: Plan, first_year: int, last_year: int, viewer: Any, language: str, progress: Any = None
) -> Report:
    """The report's content as ``viewer`` sees the plan (their scope: approved and published figures)."""
    s = structure(plan, first_year, last_year)
    step = progress or (lambda _pct, _text: None)
    step(15, _("Reading the activities' status"))
    period_ids = {p.pk for p in s.periods}
    year_of = {p.pk: p.start.year for p in s.periods}
    # Each activity's status in each year: its status in the last period of the year that it runs in.
    by_year: dict[int, dict[int, str]] = defaultdict(dict)
    by_period: dict[int, dict[int, str]] = defaultdict(dict)
    for row in activity_status(viewer, plan=plan):
        if row.period_id in period_ids:
            by_year[row.activity_id][year_of[row.period_id]] = str(row.status)
            by_period[row.activity_id][row.period_id] = str(row.status)
    final = {activity_id: years[max(years)] for activity_id, years in by_year.items()}
    step(30, _("Reading the figures"))
    figures = {r.indicator_id: r for r in results(viewer, plan=plan).indicators}
    step(45, _("Reading people reached, financing and targets"))
    people = [r for r in people_reached(viewer, plan=plan) if first_year <= r.year <= last_year]
    money = [f for f in financing(viewer, plan=plan, by="pillar") if first_year <= f.year <= last_year]
    last_period = s.periods[-1] if s.periods else None
    against = indicator_progress(viewer, plan=plan, period=last_period) if last_period is not None else None
    notes = narratives_for(plan=plan, first_year=first_year, last_year=last_year, language=language)
    review = first_year != last_year
    step(55, _("Laying out the report"))

    pillars = []
    for pillar in s.pillars:
        activities = [a for a in s.activities_of(pillar) if a.pk in final]
        counts = Counter(final[a.pk] for a in activities)
        blocks = tuple(
            _activity(s, a, by_year.get(a.pk, {}), by_period.get(a.pk, {}), figures, notes, review)
            for a in activities
        )
        table = None
        if not review:
            table = TextTable(
                caption=_("Activities of %(pillar)s and their status in %(year)d")
                % {"pillar": pillar.tr("title"), "year": first_year},
                columns=(_("Number"), _("Activity"), _("Agencies"), _("Status")),
                rows=tuple(
                    (b.code or "\N{EN DASH}", b.text, ", ".join(b.agencies), b.status or "") for b in blocks
                ),
                widths=(0.1, 0.5, 0.25, 0.15),
            )
        pillars.append(
            PillarBlock(
                key=pillar.key,
                number=pillar.number,
                title=str(pillar.tr("title")),
                objective=_objective(pillar),
                note=notes.get(f"pillar:{pillar.key}", ""),
                status_counts=tuple(
                    (code, status_label(code), counts[code]) for code in STATUS_ORDER if counts[code]
                ),
                activities=blocks,
                activity_table=table,
                indicators=tuple(
                    _indicator(s, i, figures.get(i.pk), review) for i in s.indicators_of(pillar)
                ),
            )
        )
    counted = Counter(final.values())
    total = sum(counted.values())
    status_summary = TextTable(
        caption=_("Activities by their status at the end of %(years)s")
        % {"years": years_label(first_year, last_year)},
        columns=(_("Status"), _("Activities"), _("Share")),
        rows=(
            *(
                (status_label(code), str(counted[code]), _share(counted[code], total))
                for code in STATUS_ORDER
                if counted[code]
            ),
            (_("Total"), str(total), _share(total, total)),
        ),
        widths=(0.5, 0.25, 0.25),
    )
    status_chart = _status_chart(pillars, counted, total)
    step(65, _("Drawing the charts"))
    extra = [c for c in (_people_chart(s, people), _targets_chart(s, against)) if c is not None]
    money_table, money_chart = _financing(s, money)
    return frame(
        s,
        first_year=first_year,
        last_year=last_year,
        language=language,
        public=False,
        about=(
            _(
                "Internal version: every figure of the reports a coordinator has approved or published "
                "(the reports of the agencies the reader may see), summed by the platform's read model."
            ),
            _(
                "An activity's status is the one its agencies' reports give for the last reporting period of "
                "the years that it runs in; an activity no agency has reported on is “not reported”."
            ),
        ),
        narratives=notes,
        status_summary=status_summary,
        status_chart=status_chart,
        pillars=tuple(pillars),
        charts=tuple(extra),
        financing=money_table,
        financing_chart=money_chart,
    )


def _share(part: int, total: int) -> str:
    if not total:
        return "\N{EN DASH}"
    return f"{amount((Decimal(100 * part) / total).quantize(Decimal(1)))}\N{NO-BREAK SPACE}%"


def _objective(pillar: Any) -> str:
    objective = getattr(pillar, "objective", None)
    if objective is None:
        return ""
    return f"{objective.code} {objective.tr('text')}".strip()


def _activity(
    s: Structure,
    activity: Any,
    years: dict[int, str],
    periods: dict[int, str],
    figures: dict[int, IndicatorResult],
    notes: dict[str, str],
    review: bool,
) -> ActivityBlock:
    code = years[max(years)] if years else None
    statuses = None
    if review:
        # One table (a table per fact makes the review twice as long): its status in each period it runs
        # in, then each of its count indicators' totals.
        statuses = TextTable(
            caption=_("Period by period: its status and its indicators' totals"),
            columns=("", *(p.label for p in s.periods)),
            rows=(
                (_("Status"), *(status_label(periods[p.pk]) if p.pk in periods else "" for p in s.periods)),
                *(
                    (
                        Truncator(i.tr("text")).chars(120),
                        *(_total(figures.get(i.pk), p.pk) for p in s.periods),
                    )
                    for i in s.indicators_of_activity(activity)
                ),
            ),
            widths=_spread(0.36, len(s.periods)),
        )
    return ActivityBlock(
        key=activity.key,
        code=activity.code,
        text=str(activity.tr("text")),
        years=s.years_of(activity),
        agencies=s.agencies.get(activity.pk, ()),
        status=status_label(code) if code else None,
        status_code=code,
        statuses=statuses,
        indicators=None,
        note=notes.get(f"activity:{activity.key}", ""),
    )


def _spread(first: float, columns: int) -> tuple[float, ...]:
    if not columns:
        return (1.0,)
    rest = (1 - first) / columns
    return (first, *([rest] * columns))


def _total(result: IndicatorResult | None, period_id: int) -> str:
    if result is None:
        return "\N{EN DASH}"
    period = next((p for p in result.periods if p.period_id == period_id), None)
    return amount(period.total if period is not None else None)


def _indicator(s: Structure, indicator: Any, result: IndicatorResult | None, review: bool) -> IndicatorBlock:
    periods = [p for p in (result.periods if result else ()) if p.period_id in {x.pk for x in s.periods}]
    totals = TextTable(
        caption=_("Totals reported, period by period"),
        columns=(_("Period"), _("Total"), _("Reports")),
        rows=tuple((p.period, amount(p.total), str(p.reports)) for p in periods),
        widths=(0.4, 0.35, 0.25),
    )
    # The cells summed over the report's periods; the margins summed from the inner cells.
    sums: dict[str, Decimal] = defaultdict(Decimal)
    grand: Decimal | None = None
    for p in periods:
        for cell in p.cells:
            sums[cell.cell] += cell.value
        if p.total is not None:
            grand = (grand or Decimal(0)) + p.total
    tables: list[TextTable] = []
    notes: list[str] = []
    shapes = {tuple(d for d, _o in parse_cell_key(key)) for key in sums}
    if len(shapes) == 1:
        (dims,) = shapes
        options: dict[str, set[str]] = defaultdict(set)
        for key in sums:
            for d, o in parse_cell_key(key):
                options[d].add(o)

        def ordered(dimension: str) -> list[str]:
            return sorted(options[dimension], key=lambda o: (s.option_order.get((dimension, o), 999), o))

        dimensions = [(d, ordered(d)) for d in dims]
        values: dict[str, Decimal] = defaultdict(Decimal)
        for key, value in sums.items():
            pairs = parse_cell_key(key)
            # Every margin the cell falls under: each subset of its (dimension, option) pairs.
            for mask in range(1, 1 << len(pairs)):
                kept = [pair for i, pair in enumerate(pairs) if mask & (1 << i)]
                values["|".join(f"{d}:{o}" for d, o in kept)] += value
        texts = {key: amount(value) for key, value in values.items() if key}
        texts[TOTAL] = amount(grand)
        if grand is not None and grand != sum(sums.values(), Decimal(0)):
            notes.append(
                _(
                    "The total is what the reports give; some reports give a total without breaking all of it down."
                )
            )
        caption = (
            _("By %(dimensions)s, %(years)s summed") if review else _("By %(dimensions)s, %(years)s")
        ) % {
            "dimensions": _(" and ").join(s.dimension_label(d) for d in dims),
            "years": ", ".join(p.period for p in periods)
            if not review
            else years_label(s.periods[0].start.year, s.periods[-1].start.year),
        }
        table = crosstab(s, caption=caption, dimensions=dimensions, values=texts, notes=notes)
        if table is not None:
            tables.append(table)
    elif len(shapes) > 1:
        notes.append(
            _("Its reports break it down in different ways over the years: only the totals are shown.")
        )
    return IndicatorBlock(
        key=indicator.key,
        number=s.number_of(indicator),
        text=str(indicator.tr("text")),
        unit=indicator.unit,
        baseline=indicator.baseline,
        target=indicator.target,
        totals=totals,
        tables=tuple(tables),
        notes=tuple(notes) if len(shapes) > 1 else (),
    )


def _status_chart(pillars: list[PillarBlock], counted: Counter[str], total: int) -> Figure | None:
    if not total:
        return None
    summary = ngettext(
        "%(done)d of %(total)d activity is completed; %(delayed)d delayed; %(missing)d not reported.",
        "%(done)d of %(total)d activities are completed; %(delayed)d delayed; %(missing)d not reported.",
        total,
    ) % {
        "done": counted[ActivityStatus.COMPLETED],
        "total": total,
        "delayed": counted[ActivityStatus.DELAYED],
        "missing": counted[ActivityStatus.NOT_REPORTED],
    }
    columns = [code for code in STATUS_ORDER if counted[code]]
    chart = charts.status_bars(
        key="status",
        title=_("Activities by status, per pillar"),
        summary=summary,
        rows=[
            (f"{p.number} {p.title}".strip(), code, n) for p in pillars for code, _label, n in p.status_counts
        ],
        statuses=[(code, status_label(code)) for code in columns],
        group_label=_("Pillar"),
        count_label=_("Activities"),
    )
    return Figure(chart)


def _people_chart(s: Structure, people: list[Any]) -> Figure | None:
    if not people or "sex" not in s.dimensions or "age" not in s.dimensions:
        return None
    reported_label, events_label = _("Reported"), _("Event participants")
    sums: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for r in people:
        sums[(r.age, r.sex, reported_label)] += r.reported
        sums[(r.age, r.sex, events_label)] += r.participants
    sexes = list(s.dimensions["sex"][1].items())
    ages = list(s.dimensions["age"][1].items())
    reported = sum((r.reported for r in people), Decimal(0))
    came = sum(r.participants for r in people)
    chart = charts.pyramid(
        key="people",
        title=_("People reached, by sex and age band"),
        summary=_(
            "The approved reports count %(reported)s people (a sum of figures: one person may be counted "
            "by two indicators); the events recorded %(came)s participants."
        )
        % {"reported": amount(reported), "came": amount(came)},
        rows=[(a, x, series, v) for (a, x, series), v in sums.items() if v],
        sexes=sexes,
        ages=ages,
        series=[reported_label, events_label],
        age_label=_("Age band"),
        value_label=_("People"),
    )
    return Figure(chart)


def _targets_chart(s: Structure, against: Any) -> Figure | None:
    if against is None or not against.indicators:
        return None
    numbers = {i.key: s.number_of(i) for i in s.indicators}
    rows = [
        (
            f"{numbers.get(i.indicator, '')} {Truncator(i.text).chars(40)}".strip(),
            i.achieved,
            i.baseline,
            i.target,
        )
        for i in against.indicators
    ]
    reached = sum(1 for i in against.indicators if i.share is not None and i.share >= 1)
    chart = charts.bullet(
        key="targets",
        title=_("Indicators against their baseline and target"),
        summary=ngettext(
            "%(reached)d of %(n)d indicator with a numeric target has reached it.",
            "%(reached)d of %(n)d indicators with a numeric target have reached it.",
            len(rows),
        )
        % {"reached": reached, "n": len(rows)},
        rows=rows,
        label=_("Indicator"),
        value_label=_("Achieved"),
        baseline_label=_("Baseline"),
        target_label=_("Target"),
        progress_label=_("Progress from baseline to target (%)"),
    )
    return Figure(chart)


def _source_label(code: str) -> str:
    labels = dict(FundingSource.choices)
    return str(labels.get(code, code))


def _financing(s: Structure, money: list[Any]) -> tuple[TextTable | None, Figure | None]:
    if not money:
        return None, None
    order = {code: i for i, code in enumerate(FundingSource.values)}
    by_source: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    by_pillar: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for f in money:
        by_source[f.source][0] += f.planned or 0
        by_source[f.source][1] += f.spent or 0
        by_pillar[f.pillar_id][0] += f.planned or 0
        by_pillar[f.pillar_id][1] += f.spent or 0
    sources = sorted(by_source, key=lambda code: order.get(code, len(order)))
    planned_label, spent_label = _("Planned"), _("Spent")
    rows = [(_source_label(code), amount(by_source[code][0]), amount(by_source[code][1])) for code in sources]
    rows += [
        (f"{p.number} {p.tr('title')}".strip(), amount(by_pillar[p.pk][0]), amount(by_pillar[p.pk][1]))
        for p in s.pillars
        if p.pk in by_pillar
    ]
    planned = sum((v[0] for v in by_source.values()), Decimal(0))
    spent = sum((v[1] for v in by_source.values()), Decimal(0))
    rows.append((_("Total"), amount(planned), amount(spent)))
    table = TextTable(
        caption=_("Financing planned and spent (AZN), by source and by pillar"),
        columns=(_("Source or pillar"), planned_label, spent_label),
        rows=tuple(rows),
        widths=(0.5, 0.25, 0.25),
    )
    chart = charts.grouped_bars(
        key="financing",
        title=_("Planned and spent, by source"),
        summary=_("%(planned)s planned and %(spent)s spent, as the approved reports give them.")
        % {"planned": amount(planned), "spent": amount(spent)},
        rows=[
            (_source_label(code), label, by_source[code][i])
            for code in sources
            for i, label in enumerate((planned_label, spent_label))
        ],
        series=[planned_label, spent_label],
        group_label=_("Source"),
        value_label=_("Amount"),
    )
    return table, Figure(chart)
