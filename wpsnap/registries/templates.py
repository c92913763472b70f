"""The downloadable participant template: an Excel workbook whose first sheet has the header row the
import reads (``participants.COLUMNS``) with drop-down lists, a second sheet listing the values each
coded column accepts (the plan's own options), and a third saying how to fill it in; and a CSV
variant with the header row alone. Whatever the template offers, the import accepts."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from wpsnap.plan.models import Plan

from . import page_selectors
from .participants import COLUMNS, MAX_AGE

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# Rows of the first sheet that get the drop-down lists.
ROWS = 2000
# The coded columns: (column of the template, dimension whose options it takes).
CODED = (
    ("sex", "sex"),
    ("age_band", "age"),
    ("population_group", "population_group"),
    ("district", "district"),
)
CONSENT_VALUES = ("yes", "no")


def _sheet_name(text: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in str(text)).strip()
    return cleaned[:31] or "Sheet"


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _help() -> list[tuple[str, str]]:
    return [
        ("sex", _("Required. One of the values listed for sex.")),
        ("age", _("The age in years (0 to %(max)d), if known.") % {"max": MAX_AGE}),
        (
            "age_band",
            _("If the age is not known: one of the age bands listed. One of age or age_band is needed."),
        ),
        ("population_group", _("Optional. One of the population groups listed.")),
        ("district", _("Optional. The district the person comes from, as listed.")),
        ("organisation_or_position", _("Optional. Where the person works, or their position.")),
        ("name", _("Optional. Only with the person's consent; leave it blank otherwise.")),
        ("consent", _("yes if the person agreed that their name is kept, otherwise no or blank.")),
    ]


def participant_template_xlsx(plan: Plan) -> bytes:
    """The workbook for ``plan`` (one query, for the plan's options)."""
    labels = page_selectors.option_labels(plan)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _sheet_name(_("Participants"))
    values = workbook.create_sheet(_sheet_name(_("Allowed values")))
    guide = workbook.create_sheet(_sheet_name(_("How to fill it in")))

    bold = Font(bold=True)
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column) + 4)

    # The second sheet: for each coded column, the values to write and what they mean.
    lists: dict[str, str] = {}
    position = 1
    for column, dimension in CODED:
        options = labels.get(dimension, {})
        code_col, label_col = get_column_letter(position), get_column_letter(position + 1)
        values[f"{code_col}1"] = column
        values[f"{label_col}1"] = _("meaning")
        values[f"{code_col}1"].font = bold
        values[f"{label_col}1"].font = bold
        for row, (code, label) in enumerate(options.items(), start=2):
            values[f"{code_col}{row}"] = code
            values[f"{label_col}{row}"] = label
        values.column_dimensions[code_col].width = 18
        values.column_dimensions[label_col].width = 28
        if options:
            lists[column] = f"{_quoted(values.title)}!${code_col}$2:${code_col}${len(options) + 1}"
        position += 3
    consent_col = get_column_letter(position)
    values[f"{consent_col}1"] = "consent"
    values[f"{consent_col}1"].font = bold
    for row, word in enumerate(CONSENT_VALUES, start=2):
        values[f"{consent_col}{row}"] = word

    # Drop-down lists and checks on the first sheet (Excel's own; the import checks everything again).
    for column, formula in lists.items():
        _validate(
            sheet,
            column,
            DataValidation(type="list", formula1=formula, allow_blank=True),
            _("Choose a value from the list (see the sheet of allowed values)."),
        )
    _validate(
        sheet,
        "age",
        DataValidation(
            type="whole", operator="between", formula1="0", formula2=str(MAX_AGE), allow_blank=True
        ),
        _("The age is a whole number from 0 to %(max)d.") % {"max": MAX_AGE},
    )
    _validate(
        sheet,
        "consent",
        DataValidation(type="list", formula1='"' + ",".join(CONSENT_VALUES) + '"', allow_blank=True),
        _("Write yes or no."),
    )

    guide.append([_("column"), _("what to write")])
    for cell in guide[1]:
        cell.font = bold
    for column, text in _help():
        guide.append([column, text])
    guide.append([])
    guide.append(
        [
            _(
                "Keep the header row as it is. One row per person. Save as Excel (.xlsx) and upload it on the event's page."
            )
        ]
    )
    guide.column_dimensions["A"].width = 26
    guide.column_dimensions["B"].width = 90

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _validate(sheet: object, column: str, validation: DataValidation, message: str) -> None:
    letter = get_column_letter(COLUMNS.index(column) + 1)
    validation.error = message
    validation.errorTitle = _("Not accepted")
    validation.showErrorMessage = True
    validation.add(f"{letter}2:{letter}{ROWS + 1}")
    sheet.add_data_validation(validation)  # type: ignore[attr-defined]


def participant_template_csv() -> bytes:
    """The header row, as UTF-8 with a byte-order mark (so that spreadsheet programs read it as UTF-8)."""
    return ("\ufeff" + ",".join(COLUMNS) + "\r\n").encode("utf-8")
