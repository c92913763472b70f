"""The forms of the registries' pages, generated from a kind's declaration (``RegistryKind.columns``).

A record's form has one field per column of the kind's files (``columns.file_columns``: the owner, only
for those who may choose it, the activities, then the kind's own columns), named by the column's
header, so that the services' problems (named by header) land next to their fields. Fields read text
(or a list of codes) and hand it on as it is: ``columns.clean_values`` judges it, the same way it judges
a file's row or an API body. The choices offered are the allowed values of the import template
(``templates_files.allowed_values``), so the form, the files and the import agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wpsnap.accounts.models import Organisation
from wpsnap.core import versions
from wpsnap.plan.models import Activity, Plan
from wpsnap.registries.forms import _Form, _style

from .base import Column, ColumnType, RegistryKind
from .columns import LIST_TYPES, OWNER_COLUMN, SEPARATOR, file_columns, format_value, read_value
from .templates_files import Allowed

OWNER = OWNER_COLUMN.header
# Rows for the text areas of long text.
TEXTAREA_ROWS = 4


def _choice_error() -> dict[str, Any]:
    return {"invalid_choice": gettext_lazy("“%(value)s” is not in the list. Choose one from the list.")}


def _field(column: Column, options: Sequence[tuple[str, str]]) -> forms.Field:
    """The form field of ``column``; its value is the column's text (or list of codes)."""
    kind = column.data_type
    common: dict[str, Any] = {"label": column.label, "required": False, "help_text": column.help}
    if kind in LIST_TYPES:
        return forms.MultipleChoiceField(
            choices=list(options),
            widget=forms.CheckboxSelectMultiple,
            error_messages=_choice_error(),
            **common,
        )
    if options or kind in (
        ColumnType.CHOICE,
        ColumnType.SEX,
        ColumnType.AGE_BAND,
        ColumnType.DISTRICT,
        ColumnType.ORGANISATION,
        ColumnType.BOOLEAN,
        ColumnType.RECORD,
    ):
        return forms.ChoiceField(
            choices=[("", _("Choose…") if column.required else _("None")), *options],
            error_messages=_choice_error(),
            **common,
        )
    widgets: dict[ColumnType, forms.Widget] = {
        ColumnType.LONG_TEXT: forms.Textarea(attrs={"rows": TEXTAREA_ROWS}),
        ColumnType.INTEGER: forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
        ColumnType.DECIMAL: forms.TextInput(attrs={"inputmode": "decimal"}),
        ColumnType.YEAR: forms.NumberInput(attrs={"min": 1900, "max": 2100, "step": 1}),
        ColumnType.DATE: forms.DateInput(attrs={"type": "date"}),
        ColumnType.URL: forms.URLInput(attrs={"inputmode": "url"}),
    }
    return forms.CharField(widget=widgets.get(kind, forms.TextInput()), strip=True, **common)


def activity_option(activity: Activity) -> tuple[str, str]:
    code = activity.code or activity.key
    return code, f"{code} · {Truncator(activity.tr('text')).words(14)}"


class RecordForm(_Form):
    """A record of ``kind``: the owner (for who may choose it), the activities it serves and the kind's
    own columns. ``record_options`` gives each RECORD column's choices ({header: [(ref, title)]}),
    ``event_options`` the events an EVENTS column may name ([(id, title)])."""

    def __init__(
        self,
        data: Any = None,
        *,
        kind: RegistryKind,
        allowed: Allowed,
        activities: Sequence[Activity],
        show_owner: bool,
        record_options: Mapping[str, Sequence[tuple[str, str]]] | None = None,
        event_options: Sequence[tuple[str, str]] = (),
        initial: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=dict(initial or {}), auto_id="id_%s")
        self.kind = kind
        self.columns: list[Column] = []
        for column in file_columns(kind):
            if column.header == OWNER:
                if not show_owner:
                    continue
                options: Sequence[tuple[str, str]] = allowed.get(OWNER)
            elif column.data_type == ColumnType.ACTIVITIES:
                options = [activity_option(a) for a in activities]
            elif column.data_type == ColumnType.RECORD:
                options = (record_options or {}).get(column.header, [])
            elif column.data_type == ColumnType.EVENTS:
                options = list(event_options)
            else:
                options = allowed.get(column.header)
            self.fields[column.header] = _field(column, options)
            self.columns.append(column)
        _style(self)

    def is_required(self, header: str) -> bool:
        column = next((c for c in self.columns if c.header == header), None)
        return bool(column is not None and column.required)

    def visible(self) -> list[tuple[Any, bool, bool]]:
        """(bound field, required, a group of choices) for the template, in the columns' order."""
        return [(self[c.header], c.required, c.data_type in LIST_TYPES) for c in self.columns]

    def raw(self, headers: Sequence[str] | None = None, *, with_owner: bool = False) -> dict[str, Any]:
        """What was typed, {header: text or list of codes}, for the services (after ``is_valid()``);
        only ``headers`` when given. The owner only ``with_owner`` (a change; a new record's owner is
        the services' ``owner``, see ``owner_key``)."""
        data = self.cleaned_data
        wanted = [c.header for c in self.columns if c.header != OWNER or with_owner]
        if headers is not None:
            wanted = [h for h in wanted if h in headers]
        return {header: data.get(header) or ("" if header not in self._lists() else []) for header in wanted}

    def owner_key(self) -> str:
        return str(self.cleaned_data.get(OWNER) or "") if OWNER in self.fields else ""

    def _lists(self) -> set[str]:
        return {c.header for c in self.columns if c.data_type in LIST_TYPES}

    # --- the version the form was shown at, and what it showed -------------------------------------

    def _posted_text(self, name: str) -> str:
        if name in self._lists():
            return SEPARATOR.join(sorted(cast(QueryDict, self.data).getlist(name)))
        return str(self.data.get(name, ""))

    def texts(self) -> dict[str, str]:
        """The text of every field as this (unbound) form shows it: the form's ``base``."""
        texts = {}
        for name in self.fields:
            value = self[name].value()
            if name in self._lists():
                texts[name] = SEPARATOR.join(sorted(str(item) for item in value or []))
            else:
                texts[name] = versions.as_text(value)
        return texts

    def changed_headers(self) -> list[str] | None:
        """The fields the person changed from what the form showed (its ``base``); None without one."""
        base = versions.posted_base(self.data)
        if base is None:
            return None
        return [name for name in self.fields if not versions.untouched(name, self._posted_text(name), base)]

    def rebased(self, current: Mapping[str, str]) -> Any:
        """The posted data of a refused stale form, each field the person left alone set to what is
        stored now (``current``), so that saving it again keeps the others' changes."""
        base = versions.posted_base(self.data)
        fresh = cast(QueryDict, self.data).copy()
        for name, text in current.items():
            if name in self.fields and versions.untouched(name, self._posted_text(name), base):
                if name in self._lists():
                    fresh.setlist(name, text.split(SEPARATOR) if text else [])
                else:
                    fresh[name] = text
        return fresh


def record_initial(kind: RegistryKind, record: Any) -> dict[str, Any]:
    """The form's initial values for ``record``: each column's text (a list of codes for several)."""
    initial: dict[str, Any] = {}
    for column in file_columns(kind):
        if column.header == OWNER:
            initial[OWNER] = record.owner.key
            continue
        value = read_value(record, column)
        if column.data_type == ColumnType.RECORD:
            initial[column.header] = str(value.ref) if value is not None else ""
        elif column.data_type == ColumnType.ACTIVITIES:
            initial[column.header] = [a.code or a.key for a in value]
        elif column.data_type == ColumnType.EVENTS:
            initial[column.header] = [str(e.pk) for e in value]
        elif column.data_type == ColumnType.CHOICES:
            initial[column.header] = [str(v) for v in value]
        elif column.data_type == ColumnType.DATE:
            initial[column.header] = value.isoformat() if value is not None else ""
        else:
            initial[column.header] = format_value(column, value)
    return initial


# --- the list's filters ------------------------------------------------------------------------------


class RecordFilterForm(_Form):
    """The list's filters: who keeps them, an activity they serve, a year, words in them."""

    owner = forms.ChoiceField(label=gettext_lazy("Kept by"), required=False)
    activity = forms.ChoiceField(label=gettext_lazy("Activity"), required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=gettext_lazy("Words"), required=False, max_length=100, strip=True)

    def __init__(
        self,
        data: Any,
        *,
        plan: Plan,
        owners: Sequence[Organisation],
        activities: Sequence[Activity],
        with_year: bool,
    ) -> None:
        super().__init__(data, auto_id="filter-%s")
        self.owners = {o.key: o for o in owners}
        self.activities = {(a.code or a.key): a for a in activities}
        choices: dict[str, list[tuple[Any, Any]]] = {
            "owner": [("", _("Every organisation")), *((o.key, o.label) for o in owners)],
            "activity": [("", _("All activities")), *(activity_option(a) for a in activities)],
            "year": [("", _("All years")), *((y, str(y)) for y in plan.years())],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options
            self.fields[name].error_messages["invalid_choice"] = _(
                "“%(value)s” is not in the list. Choose one from the list."
            )
        if not with_year:
            del self.fields["year"]
        _style(self)

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_bound else {}
        return {
            "owner": self.owners.get(data.get("owner") or ""),
            "activity": self.activities.get(data.get("activity") or ""),
            "year": data.get("year"),
            "q": data.get("q") or "",
        }

    @property
    def active(self) -> bool:
        return any(self.filters().values())


# --- the import -------------------------------------------------------------------------------------


class RecordImportForm(_Form):
    """A file made from the template, or rows pasted from a spreadsheet; "Add anyway" for a file that
    was imported before."""

    file = forms.FileField(
        label=gettext_lazy("File (Excel or CSV)"),
        required=False,
        help_text=gettext_lazy("Made from the template below. Its type is judged by its content."),
    )
    text = forms.CharField(
        label=gettext_lazy("Or paste the rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=gettext_lazy("Copy them from the spreadsheet with the header row."),
    )
    allow_duplicate = forms.BooleanField(
        label=gettext_lazy("Add anyway, even if the same rows were imported before"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file, or paste the rows."), code="required")
        if data.get("file") and (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste rows, not both."), code="both")
        return data


class RecordFileForm(_Form):
    """A file the record carries (its type judged by its content by the services)."""

    file = forms.FileField(
        label=gettext_lazy("File"),
        error_messages={"required": gettext_lazy("Choose a file.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
