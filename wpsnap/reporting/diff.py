"""The difference between two versions of a report: rows a person can read ("Women 18-24: 4 → 6",
"What was done: (changed)"). Pure: it compares two ``selectors.report_content`` snapshots with the
labels it is given, and reads no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .disaggregation import TOTAL, BreakdownSpec, parse_cell_key

# The snapshot's own fields, in the order a report shows them. Long texts are compared whole and
# shown as "(changed)"; the page may reveal both versions on request.
NARRATIVE: tuple[tuple[str, Any, bool], ...] = (
    ("progress", gettext_lazy("Implementation status"), False),
    ("started_on", gettext_lazy("Work started on"), False),
    ("finished_on", gettext_lazy("Work finished on"), False),
    ("done", gettext_lazy("What was done"), True),
    ("challenges", gettext_lazy("Challenges"), True),
    ("next_steps", gettext_lazy("Next steps"), True),
)
MONEY = (("planned", gettext_lazy("planned")), ("spent", gettext_lazy("spent")))


class Change(NamedTuple):
    """One difference: ``label`` says what changed; ``old``/``new`` are as shown ("" for nothing).
    ``section`` groups rows (the report, an indicator, financing, evidence); ``text`` marks a long
    text, summarised as "(changed)"."""

    label: str
    old: str
    new: str
    section: str = ""
    text: bool = False

    def describe(self) -> str:
        """The change in one line, as a person would say it."""
        if self.text:
            if not self.old:
                return _("%(label)s: (added)") % {"label": self.label}
            if not self.new:
                return _("%(label)s: (removed)") % {"label": self.label}
            return _("%(label)s: (changed)") % {"label": self.label}
        return f"{self.label}: {self.old or _('(none)')} → {self.new or _('(none)')}"


@dataclass(frozen=True)
class Labels:
    """What the snapshot's codes are called. Anything without a label is shown by its code."""

    # {indicator key: indicator text}
    indicators: Mapping[str, str] = field(default_factory=dict)
    # {indicator key: {cell key: "Women 18-24"}}
    cells: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # {value: label} of the implementation status ("completed" -> "Completed")
    progress: Mapping[str, str] = field(default_factory=dict)
    # {funding source: label}
    sources: Mapping[str, str] = field(default_factory=dict)
    # indicator keys in the order the report shows them
    order: tuple[str, ...] = ()


def labels_for(
    *,
    indicators: list[tuple[str, str]],
    specs: Mapping[str, BreakdownSpec],
    progress: Mapping[str, str],
    sources: Mapping[str, str],
) -> Labels:
    """Labels from already-read plan data: ``indicators`` as (key, text) in order, ``specs`` by key."""
    cells: dict[str, dict[str, str]] = {}
    for key, spec in specs.items():
        cells[key] = {cell.key: " ".join(cell.labels) for cell in spec.cells()}
    return Labels(
        indicators=dict(indicators),
        cells=cells,
        progress=dict(progress),
        sources=dict(sources),
        order=tuple(key for key, _text in indicators),
    )


def _cell_label(labels: Labels, indicator: str, cell: str) -> str:
    if cell == TOTAL:
        return str(_("Total"))
    known = labels.cells.get(indicator, {}).get(cell)
    if known:
        return known
    return " ".join(option for _dimension, option in parse_cell_key(cell))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def diff(old: Mapping[str, Any] | None, new: Mapping[str, Any], labels: Labels | None = None) -> list[Change]:
    """What changed from snapshot ``old`` to snapshot ``new``, in the order the report shows it.

    ``old=None`` (nothing before) lists everything ``new`` says. Unknown keys in either snapshot are
    compared too, so that nothing changes unseen."""
    labels = labels or Labels()
    before: Mapping[str, Any] = old or {}
    rows: list[Change] = []
    report_section = str(_("The report"))
    for name, label, is_text in NARRATIVE:
        a, b = _text(before.get(name)), _text(new.get(name))
        if a == b:
            continue
        if name == "progress":
            a, b = labels.progress.get(a, a), labels.progress.get(b, b)
        rows.append(Change(str(label), a, b, report_section, is_text))

    old_values: Mapping[str, Mapping[str, str]] = before.get("values") or {}
    new_values: Mapping[str, Mapping[str, str]] = new.get("values") or {}
    old_answers: Mapping[str, str] = before.get("answers") or {}
    new_answers: Mapping[str, str] = new.get("answers") or {}
    keys = {*old_values, *new_values, *old_answers, *new_answers}
    position = {key: i for i, key in enumerate(labels.order)}
    for indicator in sorted(keys, key=lambda k: (position.get(k, len(position)), k)):
        section = labels.indicators.get(indicator, indicator)
        a_cells, b_cells = old_values.get(indicator) or {}, new_values.get(indicator) or {}
        order = list(labels.cells.get(indicator, {}))
        rank = {cell: i for i, cell in enumerate(order)}
        for cell in sorted({*a_cells, *b_cells}, key=lambda c: (c != TOTAL, rank.get(c, len(rank)), c)):
            a, b = _text(a_cells.get(cell)), _text(b_cells.get(cell))
            if a != b:
                rows.append(Change(_cell_label(labels, indicator, cell), a, b, section))
        a, b = _text(old_answers.get(indicator)), _text(new_answers.get(indicator))
        if a != b:
            rows.append(Change(str(_("Answer")), a, b, section, True))

    old_money: Mapping[str, Mapping[str, str]] = before.get("financing") or {}
    new_money: Mapping[str, Mapping[str, str]] = new.get("financing") or {}
    money_section = str(_("Financing (AZN)"))
    source_order = {source: i for i, source in enumerate(labels.sources)}
    for source in sorted({*old_money, *new_money}, key=lambda s: (source_order.get(s, len(source_order)), s)):
        a_line, b_line = old_money.get(source) or {}, new_money.get(source) or {}
        for part, part_label in MONEY:
            a, b = _text(a_line.get(part)), _text(b_line.get(part))
            if a != b:
                label = f"{labels.sources.get(source, source)}, {part_label}"
                rows.append(Change(label, a, b, money_section))

    # Files are compared by name and count: two files of the same name are two files.
    old_files = Counter(str(n) for n in before.get("evidence") or [])
    new_files = Counter(str(n) for n in new.get("evidence") or [])
    evidence_section = str(_("Evidence"))
    for name in (new_files - old_files).elements():
        rows.append(Change(str(_("File added")), "", name, evidence_section))
    for name in (old_files - new_files).elements():
        rows.append(Change(str(_("File removed")), name, "", evidence_section))
    return rows
