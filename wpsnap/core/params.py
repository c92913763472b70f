"""One strict set of parsers for values that come from outside: query strings, JSON bodies, form fields.

Python's own conversions are too lenient for input: ``"²".isdigit()`` is true and ``int("²")`` fails;
``int("١٢")`` is 12; ``int("1e3")`` fails but ``float`` takes it; a year of 0 or 10**30 passes ``int()`` and
then breaks the date arithmetic of a ``__year`` lookup; a NUL character passes every check and is then
refused by PostgreSQL with a server error. Every value a request carries is therefore parsed here:

- whole numbers are ASCII digits only (an optional ``-`` where negatives make sense), within bounds;
  a float (``1.0``, ``1e3``) or a boolean is refused where a whole number is asked for;
- text carries no control characters (NUL included; tab, line feed and carriage return only where the
  text may span lines) and has a bounded length.

Each parser raises ``InvalidInput`` whose problem's field is the parameter's name, so that the API answers
400 ``{"problems": [{"field": "<name>", ...}]}`` and a page answers 400 with the message. ``ParamField``-based form fields and
the filters below put the same rules into Django forms and django-filter FilterSets.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import parsers

from .errors import InvalidInput, Problem, field_path

# The largest id we hand to a query: PostgreSQL's integer. Our ids are bigint, but no table of ours comes
# near two billion rows, and a bound known to every backend keeps the refusal the same on SQLite.
ID_MAX = 2**31 - 1
# Years a person may mean: a plan, a report, an event. Outside, date arithmetic breaks (year 0, 10**30).
YEAR_MIN, YEAR_MAX = 1900, 2100
# A query parameter's text: keys, slugs, labels, a search. Longer is never one of ours.
QUERY_TEXT_MAX = 200

_DIGITS = re.compile(r"-?[0-9]+", re.ASCII)
# C0 controls and DEL; tab, line feed and carriage return are allowed in text that spans lines.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Refused(ValueError):
    """A value refused, with the message to show beside its name."""


# --- the rules, without a name ----------------------------------------------------------------------


def integer_of(value: Any, *, low: int = 1, high: int = ID_MAX) -> int:
    """``value`` as a whole number between ``low`` and ``high``: a JSON integer or a text of ASCII digits
    (a ``-`` first only when ``low`` is negative). Floats, booleans and other digits are refused."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Refused(_("Give a whole number."))
    if isinstance(value, str):
        text = value.strip()
        if not _DIGITS.fullmatch(text) or (text.startswith("-") and low >= 0) or len(text) > 20:
            raise Refused(
                _("“%(value)s” is not a whole number written with the digits 0-9.") % {"value": shown(text)}
            )
        value = int(text)
    if not low <= value <= high:
        raise Refused(_("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
    return value


def text_of(value: Any, *, max_length: int = QUERY_TEXT_MAX, lines: bool = False) -> str:
    """``value`` as text of at most ``max_length`` characters without control characters (tab, line feed
    and carriage return allowed when ``lines``)."""
    if not isinstance(value, str):
        raise Refused(_("Give a text."))
    if (_CONTROL_IN_LINES if lines else _CONTROL).search(value):
        raise Refused(_("The text contains a control character (such as NUL), which is not allowed."))
    if len(value) > max_length:
        raise Refused(
            _("The text is %(length)d characters long; at most %(max)d are allowed.")
            % {"length": len(value), "max": max_length}
        )
    return value


def has_control(value: str, *, lines: bool = False) -> bool:
    """Whether ``value`` carries a control character (NUL included) that text of ours never holds."""
    return bool((_CONTROL_IN_LINES if lines else _CONTROL).search(value))


def shown(value: str, limit: int = 40) -> str:
    """``value`` as it may be quoted back in a message: shortened, control characters escaped."""
    cut = value if len(value) <= limit else value[: limit - 1] + "…"
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", cut)


# --- the same rules, naming the parameter -----------------------------------------------------------


def _named(name: str, refused: Refused) -> InvalidInput:
    return InvalidInput.one(name, "invalid", str(refused))


def integer(name: str, value: Any, *, low: int = 1, high: int = ID_MAX) -> int:
    """``integer_of``, refusing with ``InvalidInput`` that names ``name``."""
    try:
        return integer_of(value, low=low, high=high)
    except Refused as refused:
        raise _named(name, refused) from None


def identifier(name: str, value: Any) -> int:
    """An object's id: a whole number from 1 to ``ID_MAX``."""
    return integer(name, value, low=1, high=ID_MAX)


def year(name: str, value: Any) -> int:
    """A year from ``YEAR_MIN`` to ``YEAR_MAX``."""
    return integer(name, value, low=YEAR_MIN, high=YEAR_MAX)


def text(name: str, value: Any, *, max_length: int = QUERY_TEXT_MAX, lines: bool = False) -> str:
    """``text_of``, refusing with ``InvalidInput`` that names ``name``."""
    try:
        return text_of(value, max_length=max_length, lines=lines)
    except Refused as refused:
        raise _named(name, refused) from None


def digits(value: str) -> int | None:
    """``value`` as an id when it is written as one (ASCII digits, in range), else None: for parameters
    that name a thing by its key or label or, failing that, its id."""
    try:
        return integer_of(value, low=1, high=ID_MAX)
    except Refused:
        return None


def query_problems(pairs: Iterator[tuple[str, str]]) -> list[Problem]:
    """Problems of a query string's parameters (name, value): control characters, in names or values."""
    problems = []
    for key, value in pairs:
        if has_control(key):
            problems.append(
                Problem(
                    shown(key), "control_character", _("The parameter's name contains a control character.")
                )
            )
        elif has_control(value):
            problems.append(
                Problem(
                    key,
                    "control_character",
                    _("The value contains a control character (such as NUL), which is not allowed."),
                )
            )
    return problems


def unfit_values(data: Any, where: str = "") -> Iterator[str]:
    """Where (``rows[2].name``) a parsed body holds a key or a text with a NUL or another control
    character that is not a tab or a line break, or a number too large for a float (``1e400``)."""
    if isinstance(data, str):
        if has_control(data, lines=True):
            yield where or "body"
    elif isinstance(data, float):
        if not math.isfinite(data):
            yield where or "body"
    elif isinstance(data, MultiValueDict):
        for key, values in data.lists():
            place = field_path(where, str(key))
            if has_control(str(key)):
                yield shown(place)
            else:
                for value in values:
                    yield from unfit_values(getattr(value, "name", value), place)
    elif isinstance(data, Mapping):
        for key, value in data.items():
            place = field_path(where, key if isinstance(key, int) else str(key))
            if isinstance(key, str) and has_control(key):
                yield shown(place)
            else:
                yield from unfit_values(value, place)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from unfit_values(item, field_path(where, index))


def refuse_unfit(data: Any) -> Any:
    """``data`` (a parsed body) when it holds no value ``unfit_values`` finds, else ``InvalidInput``
    naming each place."""
    places = list(unfit_values(data))[:20]
    if places:
        message = _("A control character (such as NUL) or a number out of range, which is not allowed.")
        raise InvalidInput((place, "control_character", message) for place in places)
    return data


# --- the API's parsers ------------------------------------------------------------------------------
# Every body of the API is parsed by one of these (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES): a NUL in
# any text of any body is refused here, naming its place, before a serializer field (some of which, such
# as SlugRelatedField, query the database with it) sees it.


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return refuse_unfit(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return refuse_unfit(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        refuse_unfit(parsed.data)
        refuse_unfit(parsed.files)
        return parsed


# --- the same rules in Django forms and django-filter -----------------------------------------------


class IntegerField(forms.Field):
    """A whole number by ``integer_of``'s rules; ``forms.IntegerField`` takes other digits (``"١٢"``)."""

    widget = forms.NumberInput

    def __init__(self, *, low: int = 1, high: int = ID_MAX, **kwargs: Any) -> None:
        self.low, self.high = low, high
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        try:
            return integer_of(value, low=self.low, high=self.high)
        except Refused as refused:
            raise ValidationError(str(refused), code="invalid") from None


class TextField(forms.CharField):
    """One line of text without control characters, at most ``QUERY_TEXT_MAX`` characters by default."""

    def __init__(self, *, max_length: int = QUERY_TEXT_MAX, lines: bool = False, **kwargs: Any) -> None:
        self.lines = lines
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        if text and has_control(text, lines=self.lines):
            raise ValidationError(
                _("The text contains a control character (such as NUL), which is not allowed."),
                code="invalid",
            )
        return text


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(django_filters.Filter):
    """An id parameter of a FilterSet."""

    field_class = IntegerField


@extend_schema_field({"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX})
class YearFilter(django_filters.Filter):
    """A year parameter of a FilterSet (``lookup_expr="year"`` on a date field)."""

    field_class = IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("low", YEAR_MIN)
        kwargs.setdefault("high", YEAR_MAX)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "maxLength": QUERY_TEXT_MAX})
class TextFilter(django_filters.CharFilter):
    """A text parameter of a FilterSet: a key, a slug, a label, a search."""

    field_class = TextField
