"""Keyset (cursor) paging: a list read a page at a time by where the last page ended, never by an offset.

A page is the first ``size`` rows after (or, going back, before) the boundary row's sort key, in a query
that an index on the sort key serves (``WHERE (updated_at, id) < (%s, %s) ORDER BY updated_at DESC, id
DESC LIMIT size + 1``): its cost does not grow with the number of rows before it, no ``COUNT`` is made,
and a row inserted meanwhile is never shown twice nor shifts the rows after it. Each ordering is a tuple of
fields, all in one direction, whose last field is unique (the id), so that the sort key names one row.

The cursor is opaque to clients: base64url of ``[ordering key, direction, boundary values]``. A cursor
that does not decode, or that was made for another ordering, is refused naming the parameter
(``InvalidInput``: 400 in pages and the API).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .errors import InvalidInput

NEXT, PREVIOUS = "n", "p"
_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,400}")


@dataclass(frozen=True)
class Ordering:
    """A sort order served by an index: ``fields`` (the last one unique), all ascending or descending."""

    key: str  # the public name, e.g. "-updated"
    fields: tuple[str, ...]  # model fields, e.g. ("updated_at", "id")
    descending: bool = False
    label: str | Promise = ""

    def order_by(self, *, reverse: bool = False) -> list[str]:
        down = self.descending != reverse
        return [f"-{name}" if down else name for name in self.fields]


@dataclass(frozen=True)
class Page[T]:
    items: list[T]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def encode(ordering: Ordering, direction: str, values: Sequence[Any]) -> str:
    raw = json.dumps([ordering.key, direction, [_plain(v) for v in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _refused(name: str) -> InvalidInput:
    return InvalidInput.one(
        name, "invalid", _("This is not a cursor this list gave; start again from the first page.")
    )


def decode(
    name: str, cursor: str, ordering: Ordering, model: type[models.Model]
) -> tuple[str, tuple[Any, ...]]:
    """The direction and boundary values of ``cursor``; refused (naming ``name``) unless it is one this
    ordering made."""
    if not _CURSOR.fullmatch(cursor):
        raise _refused(name)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key, direction, values = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise _refused(name) from None
    if key != ordering.key or direction not in (NEXT, PREVIOUS) or not isinstance(values, list):
        raise _refused(name)
    if len(values) != len(ordering.fields):
        raise _refused(name)
    parsed: list[Any] = []
    for field_name, value in zip(ordering.fields, values, strict=True):
        field = model._meta.get_field(field_name)
        try:
            if isinstance(field, models.DateTimeField):
                if not isinstance(value, str):
                    raise ValueError(value)
                moment = datetime.fromisoformat(value)
                if moment.tzinfo is None:
                    raise ValueError(value)
                parsed.append(moment)
            elif isinstance(field, (models.AutoField, models.BigAutoField, models.IntegerField)):
                if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63:
                    raise ValueError(value)
                parsed.append(value)
            else:
                if not isinstance(value, str) or len(value) > 200:
                    raise ValueError(value)
                parsed.append(value)
        except ValueError:
            raise _refused(name) from None
    return direction, tuple(parsed)


def paginate[M: models.Model](
    queryset: QuerySet[M], ordering: Ordering, cursor: str | None, size: int, *, name: str = "cursor"
) -> Page[M]:
    """One page of ``queryset`` in ``ordering``: the first page without ``cursor``, else the page after
    (or before) the row the cursor names. One query of ``size + 1`` rows."""
    direction, boundary = (NEXT, ()) if not cursor else decode(name, cursor, ordering, queryset.model)
    backwards = direction == PREVIOUS
    qs = queryset
    if boundary:
        columns = Tuple(*(F(field) for field in ordering.fields))
        # Going forward in a descending order, and back in an ascending one, means smaller keys.
        smaller = ordering.descending != backwards
        lookup = TupleLessThan if smaller else TupleGreaterThan
        qs = qs.filter(lookup(columns, boundary))
    rows = list(qs.order_by(*ordering.order_by(reverse=backwards))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    def key(row: M) -> list[Any]:
        return [getattr(row, field) for field in ordering.fields]

    has_next = more if not backwards else bool(boundary)
    has_previous = bool(boundary) if not backwards else more
    return Page(
        items=rows,
        next_cursor=encode(ordering, NEXT, key(rows[-1])) if rows and has_next else None,
        previous_cursor=encode(ordering, PREVIOUS, key(rows[0])) if rows and has_previous else None,
    )


def ordering_named(name: str, value: str | None, orderings: Sequence[Ordering]) -> Ordering:
    """The ordering whose key is ``value`` (the first when empty); another value is refused naming
    ``name``."""
    if not value:
        return orderings[0]
    for ordering in orderings:
        if ordering.key == value:
            return ordering
    raise InvalidInput.one(
        name,
        "invalid",
        _("Sort by one of: %(keys)s.") % {"keys": ", ".join(o.key for o in orderings)},
    )
