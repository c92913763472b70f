"""The public version of the annual report and the end-of-plan review: its figures come only through
``wpsnap.publishing`` (``public_results``: published reports, disclosure-controlled), never from analytics
or any app's selectors (an import-linter contract). Every suppressed figure shows one and the same mark,
whatever the reason (docs/disclosure.md, "What a reader sees"), and nothing internal goes in: no status
of an activity (publishing does not publish one yet), no agency's compliance, no draft, no financing.

The plan's structure (pillars, objectives, activities and who the plan assigns them to) is public: it is
the adopted plan's own text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from wpsnap.plan.models import Plan
from wpsnap.publishing.public import PublicFigure, PublicIndicator, PublicPeriod, public_results

from .annual.content import (
    ActivityBlock,
    IndicatorBlock,
    PillarBlock,
    Report,
    Structure,
    TextTable,
    amount,
    crosstab,
    frame,
    structure,
)
from .narratives import narratives_for

# The one mark of every figure not published (docs/disclosure.md): never the value, never the reason.
SUPPRESSED = "\N{MULTIPLICATION SIGN}"


def suppressed_note(threshold: int) -> str:
    return _(
        "%(mark)s: not shown: fewer than %(threshold)d people, or a figure from which such a group could be "
        "worked out."
    ) % {"mark": SUPPRESSED, "threshold": threshold}


def shown(figure: PublicFigure | None) -> str:
    """A public figure as the reader sees it: its value, the mark when suppressed, a dash when none."""
    if figure is None:
        return "\N{EN DASH}"
    if figure.value is None:
        return SUPPRESSED
    return amount(figure.value)


def gather(*, plan: Plan, first_year: int, last_year: int, language: str, progress: Any = None) -> Report:
    """The public report's content: the plan's structure, the coordinator's narratives and the published
    figures of the report's periods as publishing releases them."""
    s = structure(plan, first_year, last_year)
    step = progress or (lambda _pct, _text: None)
    step(25, _("Reading the published figures"))
    released = public_results(plan)
    figures = {i.indicator_id: i for i in released.indicators}
    notes = narratives_for(plan=plan, first_year=first_year, last_year=last_year, language=language)
    note = suppressed_note(released.threshold)
    step(55, _("Laying out the report"))
    period_ids = [p.pk for p in s.periods]
    pillars = []
    for pillar in s.pillars:
        activities = [
            a for a in s.activities_of(pillar) if any(s.runs_in(a, p.start.year) for p in s.periods)
        ]
        objective = getattr(pillar, "objective", None)
        pillars.append(
            PillarBlock(
                key=pillar.key,
                number=pillar.number,
                title=str(pillar.tr("title")),
                objective=f"{objective.code} {objective.tr('text')}".strip() if objective is not None else "",
                note=notes.get(f"pillar:{pillar.key}", ""),
                status_counts=(),
                activities=tuple(
                    _activity(s, a, figures, period_ids, notes, first_year != last_year) for a in activities
                ),
                activity_table=None
                if first_year != last_year
                else TextTable(
                    caption=_("Activities of %(pillar)s in %(year)d")
                    % {"pillar": pillar.tr("title"), "year": first_year},
                    columns=(_("Number"), _("Activity"), _("Agencies")),
                    rows=tuple(
                        (a.code or "\N{EN DASH}", str(a.tr("text")), ", ".join(s.agencies.get(a.pk, ())))
                        for a in activities
                    ),
                    widths=(0.12, 0.58, 0.3),
                ),
                indicators=tuple(
                    _indicator(s, i, figures.get(i.pk), period_ids, note) for i in s.indicators_of(pillar)
                ),
            )
        )
    return frame(
        s,
        first_year=first_year,
        last_year=last_year,
        language=language,
        public=True,
        about=(
            _(
                "Public version: the figures of the reports a coordinator has published, after disclosure "
                "control, which hides small groups of people."
            ),
            note,
            _("Activities' status and financing are in the internal version only."),
        ),
        narratives=notes,
        pillars=tuple(pillars),
    )


def _periods(indicator: PublicIndicator | None, period_ids: list[int]) -> list[PublicPeriod]:
    if indicator is None:
        return []
    return [p for p in indicator.periods if p.period_id in period_ids]


def _activity(
    s: Structure,
    activity: Any,
    figures: dict[int, PublicIndicator],
    period_ids: list[int],
    notes: dict[str, str],
    review: bool,
) -> ActivityBlock:
    own = s.indicators_of_activity(activity)
    indicators = None
    if review and own:
        indicators = TextTable(
            caption=_("Its indicators, period by period (published figures)"),
            columns=(_("Indicator"), *(p.label for p in s.periods)),
            rows=tuple(
                (str(i.tr("text")), *(shown(p.total) for p in _periods(figures.get(i.pk), period_ids)))
                for i in own
            ),
            widths=(0.44, *([0.56 / len(s.periods)] * len(s.periods))) if s.periods else (),
        )
    return ActivityBlock(
        key=activity.key,
        code=activity.code,
        text=str(activity.tr("text")),
        years=s.years_of(activity),
        agencies=s.agencies.get(activity.pk, ()),
        status=None,
        status_code=None,
        statuses=None,
        indicators=indicators,
        note=notes.get(f"activity:{activity.key}", ""),
    )


def _indicator(
    s: Structure, indicator: Any, published: PublicIndicator | None, period_ids: list[int], note: str
) -> IndicatorBlock:
    periods = _periods(published, period_ids)
    totals = TextTable(
        caption=_("Totals published, period by period"),
        columns=(_("Period"), _("Total"), _("Reports")),
        rows=tuple((p.period, shown(p.total), str(p.reports)) for p in periods),
        widths=(0.4, 0.35, 0.25),
        notes=(note,) if any(p.total is not None and p.total.suppressed for p in periods) else (),
    )
    tables = []
    for p in periods:
        if not p.dimensions or p.total is None:
            continue
        values = {figure.cell: shown(figure) for figure in p.figures()}
        table = crosstab(
            s,
            caption=_("By %(dimensions)s, %(period)s")
            % {
                "dimensions": _(" and ").join(s.dimension_label(d) for d, _o in p.dimensions),
                "period": p.period,
            },
            dimensions=p.dimensions,
            values=values,
            notes=(note,) if any(f.suppressed for f in p.figures()) else (),
        )
        if table is not None:
            tables.append(table)
    return IndicatorBlock(
        key=indicator.key,
        number=s.number_of(indicator),
        text=str(indicator.tr("text")),
        unit=indicator.unit,
        baseline=indicator.baseline,
        target=indicator.target,
        totals=totals,
        tables=tuple(tables),
    )
