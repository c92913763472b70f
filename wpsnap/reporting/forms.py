"""Forms of the focal point's screens. They read what was typed and hand it to the services as text:
the services judge the figures (validation rules as data) and the forms show every problem next to
the field it names, with what was typed left in place.

The report form's fields are named as the services name their problems: ``field_name(indicator,
cell)`` for a figure ("v12-sex-women--age-18-24", "v12-total"), ``a<indicator>`` for an answer,
``fin-<source>-planned`` / ``fin-<source>-spent`` for money.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from wpsnap.core import versions

from .disaggregation import TOTAL, DimensionSpec, Option, cell_key, field_name
from .form_selectors import IndicatorBlock, ReportFormPage, plain
from .models import FundingSource, ProgressStatus
from .services import ReportInput
from .sources import SourceFigures
from .validation import parse_number

NARRATIVE = ("done", "challenges", "next_steps")
DATES = ("started_on", "finished_on")
MONEY_PARTS = ("planned", "spent")


def financing_name(source: str, part: str) -> str:
    return f"fin-{source}-{part}"


def answer_name(indicator_id: int) -> str:
    return f"a{indicator_id}"


def _figure_field(label: str, summary: str, *, total: bool = False) -> forms.CharField:
    # Text, not a number field: "lots" or "-3" must come back as typed, with its message beside it.
    figure = forms.CharField(
        label=label,
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "class": "form-control figure-input" + (" figure-total" if total else ""),
            }
        ),
    )
    figure.summary_label = summary  # type: ignore[attr-defined]
    return figure


class ReportForm(forms.Form):
    """The report: implementation status and narrative, one field per figure of each indicator,
    answers to qualitative indicators, and financing by source."""

    progress = forms.ChoiceField(
        label=_("Implementation status"),
        choices=ProgressStatus.choices,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the statuses in the list.")},
    )
    done = forms.CharField(
        label=_("What was done"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Events held, documents adopted, people reached: what happened in this period."),
    )
    challenges = forms.CharField(
        label=_("Challenges"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_steps = forms.CharField(
        label=_("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    started_on = forms.DateField(
        label=_("Work started on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date such as 2020-03-31.")},
    )
    finished_on = forms.DateField(
        label=_("Work finished on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date such as 2020-11-30.")},
    )

    def __init__(self, data: Mapping[str, Any] | None = None, *, page: ReportFormPage) -> None:
        super().__init__(data, initial=_initial(page))
        self.page = page
        for number, block in enumerate(page.indicators, start=1):
            self.fields.update(_indicator_fields(number, block))
        for source, source_label in FundingSource.choices:
            for part, part_label in ((MONEY_PARTS[0], _("planned")), (MONEY_PARTS[1], _("spent"))):
                money = forms.CharField(
                    label=f"{source_label}, {part_label} (AZN)",
                    required=False,
                    max_length=40,
                    widget=forms.TextInput(
                        attrs={
                            "inputmode": "decimal",
                            "autocomplete": "off",
                            "class": "form-control money-input",
                        }
                    ),
                )
                self.fields[financing_name(source, part)] = money
        for name in (*NARRATIVE, *DATES):
            self.fields[name].widget.attrs.setdefault("class", "form-control")
        self.fields["progress"].widget.attrs["class"] = "form-select"
        self.indicator_views = [
            _indicator_view(self, number, block) for number, block in enumerate(page.indicators, start=1)
        ]

    # --- reading ---------------------------------------------------------------------------------

    def to_input(self) -> ReportInput:
        """What was typed, for ``services.report_save``. Call after ``is_valid()``: fields whose text the
        form itself refused (an impossible date) are left out, and so left as they were; fields that
        were not sent at all are left out too."""
        data = self.cleaned_data
        # Only what the person changed from what the form showed them (its ``base``): a form rendered
        # before someone else's save then merges with it instead of undoing it.
        base = versions.posted_base(self.data)
        sent = {
            name
            for name in data
            if name in self.data and not versions.untouched(name, str(self.data.get(name, "")), base)
        }
        values: dict[int, dict[str, str]] = {}
        answers: dict[int, str] = {}
        for block in self.page.indicators:
            pk = block.indicator.pk
            if block.is_count:
                typed = {
                    key: data[field_name(pk, key)] for key in _keys(block) if field_name(pk, key) in sent
                }
                if typed:
                    values[pk] = typed
            elif answer_name(pk) in sent:
                answers[pk] = data[answer_name(pk)]
        financing: dict[str, dict[str, str]] = {}
        for source in FundingSource.values:
            amounts = {
                part: data[financing_name(source, part)]
                for part in MONEY_PARTS
                if financing_name(source, part) in sent
            }
            if amounts:
                financing[source] = amounts
        narrative = {name: data[name] if name in sent else None for name in NARRATIVE}
        return ReportInput(
            progress=(data.get("progress") or None) if "progress" in sent else None,
            started_on=data.get("started_on"),
            finished_on=data.get("finished_on"),
            dates_sent=frozenset(name for name in DATES if name in sent),
            values=values,
            answers=answers,
            financing=financing,
            version=versions.posted_version(self.data),
            **narrative,
        )

    def texts(self) -> dict[str, str]:
        """The text of every field as this (unbound) form shows it: the form's ``base``."""
        return {name: versions.as_text(self[name].value()) for name in self.fields}

    # --- problems --------------------------------------------------------------------------------

    def mark_problems(self) -> None:
        """Give every field with a problem Bootstrap's ``is-invalid`` look; totals also point to the
        live sum check the page's script writes."""
        for name, bound in ((name, self[name]) for name in self.fields):
            attrs = self.fields[name].widget.attrs
            if bound.errors and "is-invalid" not in attrs.get("class", ""):
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            if "figure-total" in attrs.get("class", ""):
                described = [f"{bound.auto_id}_check"]
                if bound.errors:
                    described.append(f"{bound.auto_id}_error")
                source_id = getattr(self.fields[name], "source_id", "")
                if source_id:
                    described.append(source_id)
                attrs["aria-describedby"] = " ".join(described)

    @property
    def problem_count(self) -> int:
        return sum(len(errors) for errors in self.errors.values())

    def financing_rows(self) -> list[tuple[str, BoundField, BoundField]]:
        return [
            (str(label), self[financing_name(source, "planned")], self[financing_name(source, "spent")])
            for source, label in FundingSource.choices
        ]


def _keys(block: IndicatorBlock) -> list[str]:
    return [cell.key for cell in block.spec.cells()] + [TOTAL]


def with_source_figures(data: QueryDict, block: IndicatorBlock) -> QueryDict:
    """What the form posted, with ``block``'s figures replaced by its source's: every cell the source
    gives, as text, and every other cell of the indicator cleared."""
    if block.source is None:
        raise ValueError(f"indicator {block.indicator.pk} has no source figures")
    taken = data.copy()
    cells = block.source.cells
    for key in _keys(block):
        taken[field_name(block.indicator.pk, key)] = str(cells[key]) if key in cells else ""
    return taken


def _initial(page: ReportFormPage) -> dict[str, Any]:
    report = page.report
    initial: dict[str, Any] = {
        "progress": report.progress,
        "done": report.done,
        "challenges": report.challenges,
        "next_steps": report.next_steps,
        "started_on": report.started_on,
        "finished_on": report.finished_on,
    }
    for block in page.indicators:
        pk = block.indicator.pk
        for key, text in block.values.items():
            initial[field_name(pk, key)] = text
        if block.answer:
            initial[answer_name(pk)] = block.answer
    for source, line in page.financing.items():
        initial[financing_name(source, "planned")] = plain(line.planned)
        initial[financing_name(source, "spent")] = plain(line.spent)
    return initial


def _indicator_fields(number: int, block: IndicatorBlock) -> dict[str, forms.Field]:
    pk = block.indicator.pk
    prefix = _("Indicator %(number)d") % {"number": number}
    if not block.is_count:
        answer = forms.CharField(
            label=_("Answer"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        )
        answer.summary_label = f"{prefix}: {answer.label}"  # type: ignore[attr-defined]
        return {answer_name(pk): answer}
    found: dict[str, forms.Field] = {}
    for cell in block.spec.cells():
        label = ", ".join(cell.labels)
        found[field_name(pk, cell.key)] = _figure_field(label, f"{prefix}: {label}")
    total_label = str(_("Total"))
    found[field_name(pk, TOTAL)] = _figure_field(total_label, f"{prefix}: {total_label}", total=True)
    return found


# --- the disaggregation table ------------------------------------------------------------------------


@dataclass
class GridHeader:
    label: str
    header_id: str


@dataclass
class SourceCell:
    """What a figure source says for one cell, beside what the form holds there."""

    value: int
    # The form holds something else (a blank counts as zero).
    differs: bool
    dom_id: str


@dataclass
class FigureCell:
    field: BoundField
    source: SourceCell | None = None
    # The cell's column, named beside the box when a phone shows the table's rows one below another.
    column: GridHeader | None = None


@dataclass
class GridRow:
    header: GridHeader
    cells: list[FigureCell]


@dataclass
class Grid:
    """One table of an indicator's figures: rows by the second-last dimension, columns by the last
    (one column when there is one dimension); earlier dimensions make one table each."""

    index: int
    caption_id: str
    # The options of the earlier dimensions this table is for ("Internally displaced"), if any.
    part_of: str
    row_title: str
    col_title: str
    columns: list[GridHeader]
    rows: list[GridRow]

    @property
    def sums_rows(self) -> bool:
        return len(self.columns) > 1


@dataclass
class IndicatorView:
    block: IndicatorBlock
    number: int
    dom_id: str
    grids: list[Grid] = field(default_factory=list)
    total: BoundField | None = None
    total_source: SourceCell | None = None
    answer: BoundField | None = None

    @property
    def source(self) -> SourceFigures | None:
        return self.block.source

    @property
    def differences(self) -> int:
        """How many of the figures differ from what the source says."""
        cells = [cell.source for grid in self.grids for row in grid.rows for cell in row.cells]
        return sum(1 for found in [*cells, self.total_source] if found is not None and found.differs)


def differs(typed: Any, value: int) -> bool:
    """Whether a figure as the form holds it (text; a blank is zero) says something else than ``value``."""
    try:
        number = parse_number(str(typed or ""))
    except ValueError:
        return True
    return (number or 0) != value


def _source_cell(
    bound: BoundField, source: SourceFigures | None, key: str, *, blank_means: Any = None
) -> SourceCell | None:
    """What ``source`` says for the cell ``key`` of ``bound``; its note is linked to the input.
    ``blank_means`` is what a blank box stands for (a blank total is the sum of the parts)."""
    if source is None or key not in source.cells:
        return None
    value = source.cells[key]
    typed = bound.value()
    if blank_means is not None and not str(typed or "").strip():
        typed = blank_means
    found = SourceCell(value=value, differs=differs(typed, value), dom_id=f"{bound.auto_id}_source")
    bound.field.source_id = found.dom_id  # type: ignore[attr-defined]
    attrs = bound.field.widget.attrs
    if "figure-total" not in attrs.get("class", ""):  # the total's are set with its problems
        attrs["aria-describedby"] = found.dom_id
    return found


def _sum_of_parts(form: ReportForm, block: IndicatorBlock) -> str | None:
    """The sum of the parts typed in ``block``'s boxes (as text), which a blank total stands for; None
    when no part is typed or one is not a number."""
    total = None
    for cell in block.spec.cells():
        try:
            number = parse_number(str(form[field_name(block.indicator.pk, cell.key)].value() or ""))
        except ValueError:
            return None
        if number is not None:
            total = (total or 0) + number
    return None if total is None else str(total)


def _indicator_view(form: ReportForm, number: int, block: IndicatorBlock) -> IndicatorView:
    pk = block.indicator.pk
    view = IndicatorView(block=block, number=number, dom_id=f"indicator-{pk}")
    if not block.is_count:
        view.answer = form[answer_name(pk)]
        return view
    view.total = form[field_name(pk, TOTAL)]
    view.total_source = _source_cell(view.total, block.source, TOTAL, blank_means=_sum_of_parts(form, block))
    rows_dim, cols_dim = block.spec.grid()
    if rows_dim is None:
        return view
    leading = block.spec.dimensions[:-2] if cols_dim is not None else ()
    for index, combo in enumerate(itertools.product(*(d.options for d in leading))):
        pairs = [(d.code, o.code) for d, o in zip(leading, combo, strict=True)]
        view.grids.append(
            _grid(form, block, index, pairs, ", ".join(o.label for o in combo), rows_dim, cols_dim)
        )
    return view


def _grid(
    form: ReportForm,
    block: IndicatorBlock,
    index: int,
    pairs: list[tuple[str, str]],
    part_of: str,
    rows_dim: DimensionSpec,
    cols_dim: DimensionSpec | None,
) -> Grid:
    pk = block.indicator.pk
    base = f"g{pk}-{index}"
    caption_id = f"{base}-caption"
    columns_options: tuple[Option | None, ...] = cols_dim.options if cols_dim else (None,)
    columns = [
        GridHeader(option.label if option else str(_("Number")), f"{base}-c{j}")
        for j, option in enumerate(columns_options)
    ]
    rows = []
    for i, row_option in enumerate(rows_dim.options):
        header = GridHeader(row_option.label, f"{base}-r{i}")
        cells = []
        for j, col_option in enumerate(columns_options):
            key_pairs = [*pairs, (rows_dim.code, row_option.code)]
            if cols_dim is not None and col_option is not None:
                key_pairs.append((cols_dim.code, col_option.code))
            key = cell_key(key_pairs)
            bound = form[field_name(pk, key)]
            names = [caption_id] if pairs else []
            names += [header.header_id] + ([columns[j].header_id] if cols_dim else [])
            bound.field.widget.attrs.update(
                {
                    "aria-labelledby": " ".join(names),
                    "data-grid": str(index),
                    "data-row": str(i),
                    "data-col": str(j),
                    "data-cell": "",
                }
            )
            cells.append(FigureCell(bound, _source_cell(bound, block.source, key), columns[j]))
        rows.append(GridRow(header, cells))
    return Grid(
        index=index,
        caption_id=caption_id,
        part_of=part_of,
        row_title=rows_dim.label,
        col_title=cols_dim.label if cols_dim else "",
        columns=columns,
        rows=rows,
    )


# --- small forms -------------------------------------------------------------------------------------


class StartForm(forms.Form):
    """Which report to open: an activity (by key) in a period; the agency is the person's own."""

    activity = forms.CharField(max_length=64)
    period = forms.IntegerField(min_value=1)


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A PDF, image, office document or text file. Its content is checked, whatever its name says."
        ),
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The file is empty."),
        },
        widget=forms.FileInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "evidence_%s")
        super().__init__(*args, **kwargs)
