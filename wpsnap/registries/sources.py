"""The registries' figure source for progress reports: what the agency's events say for each bound
indicator of a report (see ``wpsnap.reporting.sources``), registered in ``apps.ready()``.

Figures only, never people: counts by cell, the number of events, and the address of the event list.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.reporting.disaggregation import TOTAL
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.sources import SourceFigures

from .models import Measure
from .selectors import PARTICIPANT_COLUMNS, Derived, derived_values

EVENTS_URL = "/events/"


def events_link(report: ProgressReport) -> str:
    """The event list, filtered to the report's plan, activity, agency and year."""
    query = {
        "plan": report.plan.slug,
        "activity": report.activity_id,
        "organiser": report.agency.key,
        "year": report.period.start.year,
    }
    return f"{EVENTS_URL}?{urlencode(query)}"


def figures(derived: Derived, spec: Any, link: str) -> SourceFigures:
    """``derived`` as a report shows it. Participants fill every cell of the breakdown (a cell no
    participant falls in is a zero) when the breakdown's dimensions are all recorded for
    participants; otherwise the events give the total only. Without events, no figures: an agency
    that records none must not see its figures marked as differing from zeros (nor wipe them with
    one click)."""
    if not derived.events:
        return SourceFigures(
            label=_("No events recorded for this activity in this period: their figures would show here.")
        )
    cells: dict[str, int] = {}
    recorded = all(d.code in PARTICIPANT_COLUMNS for d in spec.dimensions)
    if derived.measure == Measure.PARTICIPANTS and recorded:
        cells = {cell.key: derived.cells.get(cell.key, 0) for cell in spec.cells()}
    cells[TOTAL] = derived.total
    note = ""
    if derived.measure == Measure.PARTICIPANTS and spec.dimensions and not recorded:
        note = ngettext(
            "The events do not record this indicator's breakdown: their %(count)d participant counts in the total only.",
            "The events do not record this indicator's breakdown: their %(count)d participants count in the total only.",
            derived.total,
        ) % {"count": derived.total}
    elif derived.total_only:
        note = ngettext(
            "%(count)d participant is not recorded by this indicator's breakdown (an event without a list, or an entry outside its options): counted in the total only.",
            "%(count)d participants are not recorded by this indicator's breakdown (events without a list, or entries outside its options): counted in the total only.",
            derived.total_only,
        ) % {"count": derived.total_only}
    label = ngettext("From %(count)d event", "From %(count)d events", derived.events) % {
        "count": derived.events
    }
    return SourceFigures(label=label, cells=cells, note=note, link=link)


def report_figures(
    report: ProgressReport, indicators: list[Any], specs: dict[int, Any]
) -> dict[int, SourceFigures]:
    """The figure source: one entry per indicator of ``indicators`` bound to event data."""
    found = derived_values(
        indicators=indicators, agency_id=report.agency_id, period=report.period, specs=specs
    )
    if not found:
        return {}
    link = events_link(report)
    return {pk: figures(derived, specs[pk][1], link) for pk, derived in found.items()}
