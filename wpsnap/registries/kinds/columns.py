"""A registry's values as text and back (issue 14): what a file cell, a pasted row, a form field or an API
value says (:func:`parse_value`), and what an export writes (:func:`format_value`), for every
:class:`~.base.ColumnType`. ``format_value`` writes what ``parse_value`` reads, so that an exported file
imports back into the same records.

:func:`clean_values` checks a whole record ({header: value}) and raises one ``InvalidInput`` naming every
problem by its column header. What parsing needs from the database (the plan's districts, sexes and age
bands, organisations, activities, events, records of another registry) is read once per :class:`Lookups`
(an import passes one for all its rows: a fixed number of queries for any number of rows).

Every record also has three generic columns (:func:`file_columns`): ``record_id`` (its ``ref``),
``owner`` (the organisation keeping it, by key) and ``activities`` (by code); a kind does not declare
them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wpsnap.core import params
from wpsnap.core.errors import InvalidInput, Problem, as_problem

from ..participants import NO, YES, normalise
from .base import Column, ColumnType, RegistryKind, RegistryRecord

__all__ = [
    "ACTIVITIES_COLUMN",
    "LIST_TYPES",
    "OWNER_COLUMN",
    "RECORD_ID",
    "Lookups",
    "clean_values",
    "file_columns",
    "format_value",
    "input_columns",
    "parse_value",
    "read_value",
]

# The separator of several values in one cell ("5.4.1.3; 5.4.1.1").
SEPARATOR = ";"
# The longest paragraph text (LONG_TEXT) a record may hold.
LONG_TEXT_MAX = 5000
INTEGER_MAX = 2_147_483_647
YEAR_MIN, YEAR_MAX = 1900, 2100

RECORD_ID = "record_id"
OWNER_COLUMN = Column("owner", "owner", gettext_lazy("Kept by"), ColumnType.ORGANISATION, in_list=True)
ACTIVITIES_COLUMN = Column("activities", "activities", gettext_lazy("Plan activities"), ColumnType.ACTIVITIES)
GENERIC_FIELDS = ("owner", "activities")

# Types whose value is a list (several per cell).
LIST_TYPES = frozenset({ColumnType.CHOICES, ColumnType.ACTIVITIES, ColumnType.EVENTS})


def input_columns(kind: RegistryKind) -> tuple[Column, ...]:
    """The columns a record's values are given in (:func:`clean_values`): its activities, then the kind's
    own. The owner is not among them: the services set it (a coordinator may choose it)."""
    own = tuple(c for c in kind.columns if c.field not in GENERIC_FIELDS)
    return (ACTIVITIES_COLUMN, *own)


def file_columns(kind: RegistryKind) -> tuple[Column, ...]:
    """The columns of the kind's files after ``record_id``: owner, activities, then its own."""
    return (OWNER_COLUMN, *input_columns(kind))


# --- what parsing reads from the database -----------------------------------------------------------


class Lookups:
    """What parsing a kind's values reads from the database, each read once, when first needed: the
    plan's vocabulary (districts, sexes, age bands), its country's organisations, its activities, the
    events the user may see, and the records of a RECORD column's registry the user may see."""

    def __init__(self, plan: Any, user: Any) -> None:
        self.plan = plan
        self.user = user
        self._records: dict[str, tuple[dict[str, list[Any]], dict[str, Any]]] = {}

    @cached_property
    def vocabulary(self) -> Any:
        from .. import selectors

        return selectors.vocabulary(self.plan)

    @cached_property
    def organisations(self) -> dict[str, Any]:
        from wpsnap.accounts.models import Organisation

        return {normalise(org.key): org for org in Organisation.objects.filter(country=self.plan.country)}

    @cached_property
    def activities(self) -> dict[str, Any]:
        from wpsnap.plan.models import Activity

        found: dict[str, Any] = {}
        for activity in Activity.objects.filter(plan=self.plan).order_by("position", "pk"):
            found.setdefault(activity.key.strip().lower(), activity)
            if activity.code:
                found[activity.code.strip().lower()] = activity
        return found

    @cached_property
    def events(self) -> dict[int, Any]:
        from ..permissions import events_visible_to

        return {e.pk: e for e in events_visible_to(self.user).filter(plan=self.plan).only("pk", "title")}

    def records(self, target: str) -> tuple[dict[str, list[Any]], dict[str, Any]]:
        """({normalised title: [records]}, {ref: record}) of the registry ``target`` in the plan, among
        those the user may see."""
        if target not in self._records:
            from . import catalogue
            from .selectors import records_visible_to

            kind = catalogue.kind_named(target)
            by_title: dict[str, list[Any]] = {}
            by_ref: dict[str, Any] = {}
            if kind is not None:
                for record in records_visible_to(kind, self.user).filter(plan=self.plan):
                    by_title.setdefault(normalise(str(getattr(record, kind.title_field))), []).append(record)
                    by_ref[str(record.ref)] = record
            self._records[target] = (by_title, by_ref)
        return self._records[target]


# --- text --------------------------------------------------------------------------------------------


def _as_text(value: Any) -> str:
    """A value as given (text, a number, a date, a list, an object) as the text a file cell says."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, list | tuple | set | frozenset):
        return f"{SEPARATOR} ".join(_as_text(item) for item in value)
    if isinstance(value, RegistryRecord):
        return str(value.ref)
    if isinstance(value, models.Model):
        meta = value._meta
        if meta.label_lower == "accounts.organisation":
            return str(value.key)  # type: ignore[attr-defined]
        if meta.label_lower == "plan.activity":
            return str(value.code or value.key)  # type: ignore[attr-defined]
        return str(value.pk)
    return str(value)


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _parts(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]


def _model_field(column: Column, model: type[models.Model] | None) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(column.field)
    except FieldDoesNotExist:
        return None


def _choice_names(choices: type[models.TextChoices]) -> dict[str, str]:
    """{normalised spelling: code}: each code and its label in every language of the site."""
    from django.conf import settings

    names: dict[str, str] = {}
    for code, label in zip(choices.values, choices.labels, strict=True):
        names[normalise(code)] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names.setdefault(normalise(str(label)), code)
    return names


_CHOICE_NAMES: dict[tuple[type[models.TextChoices], str], dict[str, str]] = {}


def choice_names(choices: type[models.TextChoices]) -> dict[str, str]:
    # Kept per class and active language (a catalogue refreshed at run time changes nothing here).
    key = (choices, translation.get_language() or "")
    if key not in _CHOICE_NAMES:
        _CHOICE_NAMES[key] = _choice_names(choices)
    return _CHOICE_NAMES[key]


class _Bad(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _shown(text: str) -> str:
    return params.shown(text)


def parse_value(
    column: Column,
    text: Any,
    *,
    plan: Any,
    user: Any,
    model: type[models.Model] | None = None,
    lookups: Lookups | None = None,
) -> Any:
    """The Python value of ``column`` that ``text`` says (a cell, a form field, an API value; text or a
    native value), or :class:`InvalidInput` naming the column's header. Blank is None (one value), ""
    (text) or [] (a list); whether blank is allowed is :func:`clean_values`' business. ``model`` (the
    kind's) gives text limits; ``lookups`` is shared by the values of one import or form."""
    lookups = lookups or Lookups(plan, user)
    try:
        return _parse(column, _as_text(text).strip(), model, lookups)
    except _Bad as bad:
        raise InvalidInput.one(column.header, bad.code, bad.message) from None


def _blank(column: Column) -> Any:
    if column.data_type in LIST_TYPES:
        return []
    if column.data_type in (ColumnType.TEXT, ColumnType.LONG_TEXT, ColumnType.URL, ColumnType.CHOICE):
        return ""
    if column.data_type in (ColumnType.DISTRICT, ColumnType.SEX, ColumnType.AGE_BAND):
        return ""
    return None


def _parse(column: Column, text: str, model: type[models.Model] | None, lookups: Lookups) -> Any:
    kind = column.data_type
    if not text:
        return _blank(column)
    field = _model_field(column, model)
    if kind in (ColumnType.TEXT, ColumnType.LONG_TEXT):
        lines = kind == ColumnType.LONG_TEXT
        limit = getattr(field, "max_length", None) or (LONG_TEXT_MAX if lines else 200)
        if params.has_control(text, lines=lines):
            raise _Bad("invalid", _("Holds control characters: type it again as plain text."))
        if len(text) > limit:
            raise _Bad("max_length", _("Longer than %(max)d characters.") % {"max": limit})
        return text
    if kind == ColumnType.INTEGER:
        try:
            return params.integer_of(text.replace(" ", ""), low=0, high=INTEGER_MAX)
        except params.Refused:
            raise _Bad("invalid", _("“%(value)s” is not a whole number.") % {"value": _shown(text)}) from None
    if kind == ColumnType.DECIMAL:
        return _decimal(text, field)
    if kind == ColumnType.DATE:
        return _date(text)
    if kind == ColumnType.YEAR:
        try:
            return params.integer_of(text, low=YEAR_MIN, high=YEAR_MAX)
        except params.Refused:
            raise _Bad(
                "invalid", _("“%(value)s” is not a year such as 2024.") % {"value": _shown(text)}
            ) from None
    if kind == ColumnType.BOOLEAN:
        word = text.lower()
        if word in YES:
            return True
        if word in NO:
            return False
        raise _Bad("invalid", _("Write yes or no."))
    if kind == ColumnType.CHOICE:
        return _choice(column, text)
    if kind == ColumnType.CHOICES:
        codes: list[str] = []
        for part in _parts(text):
            code = _choice(column, part)
            if code not in codes:
                codes.append(code)
        return codes
    if kind == ColumnType.URL:
        return _url(text, field)
    if kind == ColumnType.DISTRICT:
        return _option(
            lookups.vocabulary.districts, text, _("“%(value)s” is not one of the plan's districts.")
        )
    if kind == ColumnType.SEX:
        return _option(lookups.vocabulary.sexes, text, _("“%(value)s” is not one of the plan's sexes."))
    if kind == ColumnType.AGE_BAND:
        return _option(
            lookups.vocabulary.band_names, text, _("“%(value)s” is not one of the plan's age bands.")
        )
    if kind == ColumnType.ORGANISATION:
        org = lookups.organisations.get(normalise(text))
        if org is None:
            raise _Bad(
                "not_found", _("“%(value)s” is not the key of an organisation.") % {"value": _shown(text)}
            )
        return org
    if kind == ColumnType.ACTIVITIES:
        found = []
        for part in _parts(text):
            activity = lookups.activities.get(part.lower())
            if activity is None:
                raise _Bad(
                    "not_found", _("“%(value)s” is not an activity of this plan.") % {"value": _shown(part)}
                )
            if activity not in found:
                found.append(activity)
        return found
    if kind == ColumnType.EVENTS:
        events = []
        for part in _parts(text):
            number = params.digits(part)
            event = lookups.events.get(number) if number is not None else None
            if event is None:
                raise _Bad(
                    "not_found",
                    _("“%(value)s” is not the number of an event you can see.") % {"value": _shown(part)},
                )
            if event not in events:
                events.append(event)
        return events
    if kind == ColumnType.RECORD:
        return _record(column, text, lookups)
    raise _Bad("invalid", _("This column cannot be read."))  # pragma: no cover - every type is above


def _decimal(text: str, field: Any) -> Decimal:
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." not in cleaned and cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    bad = _Bad("invalid", _("“%(value)s” is not an amount such as 1500.50.") % {"value": _shown(text)})
    if not re.fullmatch(r"\d+(\.\d+)?", cleaned):
        raise bad
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise bad from None
    places = getattr(field, "decimal_places", None)
    digits = getattr(field, "max_digits", None)
    if places is not None and -value.as_tuple().exponent > places:  # type: ignore[operator]
        raise _Bad("invalid", _("Give at most %(n)d digits after the point.") % {"n": places})
    if digits is not None and places is not None and value >= Decimal(10) ** (digits - places):
        raise _Bad("invalid", _("“%(value)s” is too large.") % {"value": _shown(text)})
    return value


_DOTTED = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


def _date(text: str) -> date:
    day = text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}(T|\s|$)", text) else text
    try:
        if match := _DOTTED.match(day):
            return date(int(match[3]), int(match[2]), int(match[1]))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            return date.fromisoformat(day)
    except ValueError:
        pass
    raise _Bad("invalid", _("“%(value)s” is not a date such as 2024-03-31.") % {"value": _shown(text)})


def _choice(column: Column, text: str) -> str:
    assert column.choices is not None, f"{column.header}: a choice column names its choices"
    code = choice_names(column.choices).get(normalise(text))
    if code is None:
        raise _Bad(
            "invalid_choice",
            _("“%(value)s” is not one of: %(codes)s.")
            % {"value": _shown(text), "codes": ", ".join(column.choices.values)},
        )
    return code


def _url(text: str, field: Any) -> str:
    limit = getattr(field, "max_length", None) or 500
    if len(text) > limit:
        raise _Bad("max_length", _("Longer than %(max)d characters.") % {"max": limit})
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise _Bad("invalid", _("Give a web address starting with https:// or http://.")) from None
    return text


def _option(names: dict[str, str], text: str, message: str) -> str:
    code = names.get(normalise(text))
    if code is None:
        raise _Bad("invalid_choice", message % {"value": _shown(text)})
    return code


_TITLED_REF = re.compile(r"^(?P<title>.*)\[(?P<ref>[0-9a-fA-F-]{32,36})\]\s*$", re.S)


def _record(column: Column, text: str, lookups: Lookups) -> Any:
    assert column.target, f"{column.header}: a record column names its registry"
    by_title, by_ref = lookups.records(column.target)
    # "Title [record id]" as exports write it, a record id alone, or a title alone.
    ref = ""
    match = _TITLED_REF.match(text)
    if match:
        text, ref = match["title"].strip(), match["ref"]
    try:
        ref = str(uuid.UUID(ref or text))
    except ValueError:
        ref = ""
    if ref and ref in by_ref:
        return by_ref[ref]
    found = by_title.get(normalise(text), [])
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise _Bad(
            "ambiguous",
            _("More than one record is named “%(value)s”: give its record id instead.")
            % {"value": _shown(text)},
        )
    raise _Bad("not_found", _("No record named “%(value)s” that you can see.") % {"value": _shown(text)})


# --- back to text ----------------------------------------------------------------------------------


def format_value(column: Column, value: Any) -> str:
    """``value`` (as :func:`parse_value` gives it, or as read from a record) as a file cell says it;
    :func:`parse_value` reads it back to the same value."""
    kind = column.data_type
    if value is None:
        return ""
    if kind == ColumnType.BOOLEAN:
        return "yes" if value else "no"
    if value == "" or value == []:
        return ""
    if kind == ColumnType.RECORD:
        from . import catalogue

        # Its title for people, its record id for the import (two records may share a title).
        target = catalogue.kind_named(column.target or "")
        title = str(getattr(value, target.title_field)) if target is not None else ""
        return f"{title} [{value.ref}]" if title else str(value.ref)
    if kind == ColumnType.EVENTS:
        return f"{SEPARATOR} ".join(str(event.pk) for event in value)
    if kind == ColumnType.DECIMAL:
        return _decimal_text(Decimal(value))
    return _as_text(value)


def read_value(record: Any, column: Column) -> Any:
    """The value of ``column`` stored in ``record`` (a list for many-to-many fields: prefetch them)."""
    value = getattr(record, column.field)
    if column.data_type in (ColumnType.ACTIVITIES, ColumnType.EVENTS):
        return list(value.all())
    if column.data_type == ColumnType.CHOICES:
        return list(value or [])
    return value


# --- a whole record ---------------------------------------------------------------------------------


def clean_values(
    kind: RegistryKind,
    plan: Any,
    raw: Mapping[str, Any],
    *,
    user: Any,
    partial: bool = False,
    lookups: Lookups | None = None,
    prefix: str = "",
) -> dict[str, Any]:
    """``raw`` ({header: value}: a form, an API body, a file row) checked and typed as {model field:
    value} for the kind's :func:`input_columns`. Raises :class:`InvalidInput` with every problem named by
    its header (after ``prefix``, e.g. ``rows[3].``). ``partial``: only the headers given are checked
    (an update that changes some of them); otherwise a required column left blank or out is a problem.
    Headers ``record_id`` and ``owner`` are the caller's and are skipped here."""
    lookups = lookups or Lookups(plan, user)
    columns = input_columns(kind)
    known = {c.header for c in columns} | {RECORD_ID, OWNER_COLUMN.header}
    problems: list[Problem] = [
        Problem(f"{prefix}{key}", "unknown_field", _("Not a column of this registry."))
        for key in raw
        if key not in known
    ]
    values: dict[str, Any] = {}
    for column in columns:
        if column.header not in raw:
            if partial:
                continue
            given: Any = ""
        else:
            given = raw[column.header]
        try:
            value = parse_value(column, given, plan=plan, user=user, model=kind.model, lookups=lookups)
        except InvalidInput as refused:
            problems += [Problem(f"{prefix}{p.field}", p.code, p.message) for p in refused.problems]
            continue
        if column.required and value in (None, "", []):
            problems.append(Problem(f"{prefix}{column.header}", "required", _("This is required.")))
            continue
        if value is None and column.data_type == ColumnType.BOOLEAN:
            value = False  # a yes/no left blank where no answer is required: no
        values[column.field] = value
    if not problems and not partial:
        problems += [Problem(f"{prefix}{p.field}", p.code, p.message) for p in kind_validate(kind, values)]
    if problems:
        raise InvalidInput(problems)
    return values


def kind_validate(kind: RegistryKind, values: Mapping[str, Any]) -> list[Problem]:
    """The kind's own checks across columns (``RegistryKind.validate``, given the whole record's values by
    model field), each named by a column header."""
    if kind.validate is None:
        return []
    return [as_problem(p) for p in kind.validate(values)]


def headers_of(columns: Iterable[Column]) -> list[str]:
    return [column.header for column in columns]
