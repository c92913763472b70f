"""Figure sources: other parts of the platform that can say what an indicator's figures should be,
shown beside the figures an agency reports (and taken into the report with one click).

Reporting may not import the apps that know such figures (the registries of events and
participants come later in the dependency order), so they plug in here from their ``ready()``:
``register(source)``, where a source is a callable ``(report, indicators, specs) -> {indicator id:
SourceFigures}``. ``specs`` is ``selectors.indicator_specs(indicators)``, passed so that a source
need not read the breakdowns again. A source costs a fixed number of queries for any number of
indicators, events or people: the report pages pin their query counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .disaggregation import TOTAL
from .models import ProgressReport

__all__ = ["SourceFigures", "figures_for", "register", "registered"]


@dataclass(frozen=True)
class SourceFigures:
    """What one source says for one indicator of one report, in the one cell shape."""

    # Where the figures come from, for people: "From 3 events".
    label: str
    # {cell key: value}; "" is the total. A cell the source leaves out is one it says nothing about.
    cells: dict[str, int] = field(default_factory=dict)
    # What people should know about the figures ("12 participants ... count in the total only").
    note: str = ""
    # The address of the records the figures come from, if any.
    link: str = ""

    @property
    def total(self) -> int | None:
        return self.cells.get(TOTAL)


Source = Callable[[ProgressReport, list[Any], dict[int, Any]], dict[int, SourceFigures]]

_SOURCES: list[Source] = []


def register(source: Source) -> Source:
    """Add ``source`` (once: an app's ``ready()`` may run more than once in tests)."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def registered() -> tuple[Source, ...]:
    return tuple(_SOURCES)


def figures_for(
    report: ProgressReport, indicators: list[Any], specs: dict[int, Any]
) -> dict[int, SourceFigures]:
    """Every source's figures for ``report``'s ``indicators``; the first source registered wins for an
    indicator two sources speak for."""
    found: dict[int, SourceFigures] = {}
    if not indicators:
        return found
    for source in _SOURCES:
        for indicator_id, figures in source(report, indicators, specs).items():
            found.setdefault(indicator_id, figures)
    return found
