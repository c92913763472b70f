"""The files a registry's import reads, made from its declaration: an Excel workbook whose first sheet
has the header row the import reads (``file_headers``) with Excel's own drop-down lists and checks, a
second sheet listing the values each coded column accepts (with what they mean), and a third saying how
to fill each column in; and a CSV variant with the header row alone. Also the allowed values themselves
(``allowed_values``), which the record form offers as its choices, so that the form, the template and
the import agree.

The first three columns are every registry's: ``record_id`` (blank for a new record; an exported file
keeps it, so that importing it again updates those records instead of adding them), ``owner`` (the
keeping organisation's key: only a coordinator may name another organisation than their own) and
``activities`` (the plan activities it serves, by number, separated by ";").
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from wpsnap.accounts.models import Organisation
from wpsnap.plan.models import Activity, Plan
from wpsnap.registries import page_selectors

from .base import Column, ColumnType, RegistryKind
from .columns import OWNER_COLUMN, RECORD_ID, file_columns

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# Rows of the first sheet that get the drop-down lists and checks.
ROWS = 2000
OWNER = OWNER_COLUMN.header
YES_NO = ("yes", "no")
# The plan's dimension each coded column takes its options from.
DIMENSION = {ColumnType.SEX: "sex", ColumnType.AGE_BAND: "age", ColumnType.DISTRICT: "district"}
# Columns holding several values, separated by ";" (no drop-down: Excel's lists take one value).
MULTIPLE = (ColumnType.CHOICES, ColumnType.ACTIVITIES, ColumnType.EVENTS)
FIRST_YEAR, LAST_YEAR = 1990, 2100


def columns_of(kind: RegistryKind) -> list[Column]:
    """The columns of the kind's files after ``record_id``: owner, activities, then its own
    (``columns.file_columns``)."""
    return list(file_columns(kind))


def file_headers(kind: RegistryKind) -> list[str]:
    """The header row of the kind's files: ``record_id``, then :func:`columns_of`."""
    return [RECORD_ID, *(c.header for c in columns_of(kind))]


def kind_activities(kind: RegistryKind, plan: Plan) -> list[Activity]:
    """The plan's activities the kind serves (by its ``activity_codes``), in the plan's order; all the
    plan's activities when the plan has none of those codes (another plan numbers them otherwise)."""
    activities = list(
        Activity.objects.filter(plan=plan).order_by("priority_area__position", "position", "id")
    )
    served = [a for a in activities if a.code and a.code in kind.activity_codes]
    return served or activities


def activity_code(activity: Activity) -> str:
    return activity.code or activity.key


def organisations(plan: Plan) -> list[Organisation]:
    """The organisations that may keep records under ``plan``: those of its country."""
    return list(Organisation.objects.filter(country=plan.country).order_by("name"))


@dataclass
class Allowed:
    """The values the coded columns accept for one plan: {header: [(code, meaning)]} (one query per
    source, each read once: the plan's options, organisations, activities)."""

    values: dict[str, list[tuple[str, str]]]

    def get(self, header: str) -> list[tuple[str, str]]:
        return self.values.get(header, [])


def allowed_values(kind: RegistryKind, plan: Plan, *, orgs: Sequence[Organisation] | None = None) -> Allowed:
    """What each coded column of ``kind`` accepts under ``plan``, code first, meaning second."""
    found: dict[str, list[tuple[str, str]]] = {}
    cols = columns_of(kind)
    needs_options = any(c.data_type in DIMENSION for c in cols)
    labels = page_selectors.option_labels(plan) if needs_options else {}
    orgs = list(orgs) if orgs is not None else organisations(plan)
    org_values = [(o.key, o.label) for o in orgs]
    for column in cols:
        if column.data_type == ColumnType.ACTIVITIES:
            found[column.header] = [(activity_code(a), a.tr("text")) for a in kind_activities(kind, plan)]
        elif column.data_type in (ColumnType.CHOICE, ColumnType.CHOICES) and column.choices is not None:
            found[column.header] = [(str(code), str(label)) for code, label in column.choices.choices]
        elif column.data_type in DIMENSION:
            found[column.header] = list(labels.get(DIMENSION[column.data_type], {}).items())
        elif column.data_type == ColumnType.BOOLEAN:
            found[column.header] = [("yes", _("Yes")), ("no", _("No"))]
        elif column.data_type == ColumnType.ORGANISATION:
            found[column.header] = org_values
    return Allowed(found)


def what_to_write(kind: RegistryKind, column: Column | None, header: str) -> str:
    """One line saying what a column takes, for the guide sheet and the import page."""
    if column is None:  # record_id
        return _(
            "Leave blank for a new record. A file exported from the platform keeps it: importing "
            "that file again updates those records instead of adding new ones."
        )
    if column.header == OWNER:
        return _(
            "The key of the organisation that keeps the record (see the allowed values). Blank: "
            "your own organisation. Only a coordinator may name another one."
        )
    kinds = {
        ColumnType.TEXT: _("Text, one line."),
        ColumnType.LONG_TEXT: _("Text; it may be long."),
        ColumnType.INTEGER: _("A whole number, 0 or more."),
        ColumnType.DECIMAL: _("An amount, 0 or more, with a dot for decimals (1250.50)."),
        ColumnType.DATE: _("A date such as 2024-03-31 (or a date cell)."),
        ColumnType.YEAR: _("A year such as 2024."),
        ColumnType.BOOLEAN: _("yes or no."),
        ColumnType.CHOICE: _("One of the codes listed in the allowed values."),
        ColumnType.CHOICES: _("One or more codes listed in the allowed values, separated by “;”."),
        ColumnType.URL: _("A web address starting with https:// or http://."),
        ColumnType.DISTRICT: _("A district's code, as listed in the allowed values."),
        ColumnType.SEX: _("One of the codes listed for sex."),
        ColumnType.AGE_BAND: _("One of the age bands listed."),
        ColumnType.ORGANISATION: _("An organisation's key, as listed in the allowed values."),
        ColumnType.ACTIVITIES: _("The numbers of the plan's activities, separated by “;”."),
        ColumnType.EVENTS: _("The numbers (ids) of events recorded on the platform, separated by “;”."),
        ColumnType.RECORD: _(
            "A record of the registry “%(target)s”: its title as shown there, or as exported (the title "
            "with its record id in square brackets)."
        ),
    }
    text = str(kinds[column.data_type])
    if column.data_type == ColumnType.RECORD:
        text = text % {"target": column.target or ""}
    parts = [_("Required.") if column.required else _("Optional."), text]
    if column.personal:
        parts.append(_("Personal data: only with the person's consent."))
    if column.help:
        parts.append(str(column.help))
    return " ".join(parts)


def _sheet_name(text: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in str(text)).strip()
    return cleaned[:31] or "Sheet"


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def template_xlsx(kind: RegistryKind, plan: Plan) -> bytes:
    """The workbook for ``kind`` under ``plan``."""
    headers = file_headers(kind)
    by_header = {c.header: c for c in columns_of(kind)}
    allowed = allowed_values(kind, plan)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _sheet_name(str(kind.label_plural))
    values = workbook.create_sheet(_sheet_name(_("Allowed values")))
    guide = workbook.create_sheet(_sheet_name(_("How to fill it in")))
    bold = Font(bold=True)

    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(header) + 4)

    # The second sheet: per coded column, its codes and what they mean.
    lists: dict[str, str] = {}
    position = 1
    for header in headers:
        options = allowed.get(header)
        if not options:
            continue
        code_col, label_col = get_column_letter(position), get_column_letter(position + 1)
        values[f"{code_col}1"] = header
        values[f"{label_col}1"] = _("meaning")
        values[f"{code_col}1"].font = bold
        values[f"{label_col}1"].font = bold
        for row, (code, label) in enumerate(options, start=2):
            values[f"{code_col}{row}"] = code
            values[f"{label_col}{row}"] = label
        values.column_dimensions[code_col].width = 18
        values.column_dimensions[label_col].width = 40
        column = by_header.get(header)
        single = header == OWNER or (column is not None and column.data_type not in MULTIPLE)
        if single:
            lists[header] = f"{_quoted(values.title)}!${code_col}$2:${code_col}${len(options) + 1}"
        position += 3

    pick = _("Choose a value from the list (see the sheet of allowed values).")
    for header, formula in lists.items():
        _validate(
            sheet, headers, header, DataValidation(type="list", formula1=formula, allow_blank=True), pick
        )
    for header, column in by_header.items():
        check = _check(column)
        if check is not None:
            _validate(sheet, headers, header, *check)

    guide.append([_("column"), _("what it is"), _("what to write")])
    for cell in guide[1]:
        cell.font = bold
    for header in headers:
        column = by_header.get(header)
        label = str(column.label) if column is not None else _("Record id")
        guide.append([header, label, what_to_write(kind, column, header)])
    guide.append([])
    guide.append(
        [
            _(
                "Keep the header row as it is. One row per record. Save as Excel (.xlsx) or CSV UTF-8 and "
                "upload it on the registry's import page."
            )
        ]
    )
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 30
    guide.column_dimensions["C"].width = 90

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _check(column: Column) -> tuple[DataValidation, str] | None:
    """Excel's own check of a typed column (the import checks everything again)."""
    kind = column.data_type
    if kind == ColumnType.INTEGER:
        validation = DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
        )
        return validation, _("A whole number, 0 or more.")
    if kind == ColumnType.DECIMAL:
        validation = DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
        )
        return validation, _("An amount, 0 or more.")
    if kind == ColumnType.YEAR:
        validation = DataValidation(
            type="whole",
            operator="between",
            formula1=str(FIRST_YEAR),
            formula2=str(LAST_YEAR),
            allow_blank=True,
        )
        return validation, _("A year such as 2024.")
    if kind == ColumnType.DATE:
        validation = DataValidation(
            type="date",
            operator="between",
            formula1="DATE(1990,1,1)",
            formula2="DATE(2100,12,31)",
            allow_blank=True,
        )
        return validation, _("A date such as 2024-03-31.")
    return None


def _validate(
    sheet: Worksheet, headers: list[str], header: str, validation: DataValidation, message: Any
) -> None:
    letter = get_column_letter(headers.index(header) + 1)
    validation.error = str(message)
    validation.errorTitle = _("Not accepted")
    validation.showErrorMessage = True
    validation.add(f"{letter}2:{letter}{ROWS + 1}")
    sheet.add_data_validation(validation)


def template_csv(kind: RegistryKind) -> bytes:
    """The header row, as UTF-8 with a byte-order mark (spreadsheet programs then read it as UTF-8)."""
    return ("\ufeff" + ",".join(file_headers(kind)) + "\r\n").encode("utf-8")
