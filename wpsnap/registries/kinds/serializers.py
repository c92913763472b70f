"""What the API shows of a registry's records and what it accepts, made per kind from its declaration
(:func:`serializers_for`): one output serializer and one input serializer per kind, named after it
(``MediaItemsRecord``, ``MediaItemsRecordInput`` in the OpenAPI schema: a component per kind).

Every record shows ``record_id`` (its ``ref``), ``version`` (its ETag), ``plan`` (slug), ``owner``
(the keeping organisation's key), ``activities`` (codes), then each column under its header:
text, numbers and booleans as JSON has them, a date as ``YYYY-MM-DD``, an amount as a decimal string,
several codes as a list, an organisation by key, events by id, a record of another registry by its
``record_id``. The input takes the same names and forms (codes or labels, as the files do); the shape
is checked here (``StrictSerializer``: a field not named is refused), the values by
``columns.clean_values`` in the services, each problem named by header.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wpsnap.accounts.serializers import StrictSerializer

from .base import Column, ColumnType, RegistryKind
from .columns import LIST_TYPES, OWNER_COLUMN, file_columns, read_value

_MADE: dict[
    str, tuple[type[serializers.Serializer], type[serializers.Serializer], type[serializers.Serializer]]
] = {}


def camel(name: str) -> str:
    """``media-items`` as ``MediaItems`` (the kind's name in the schema's component names)."""
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def api_value(column: Column, value: Any) -> Any:
    """A column's stored value as the API shows it."""
    kind = column.data_type
    if kind in LIST_TYPES:
        if kind == ColumnType.ACTIVITIES:
            return [a.code or a.key for a in value or []]
        if kind == ColumnType.EVENTS:
            return [e.pk for e in value or []]
        return [str(v) for v in value or []]
    if value is None:
        return None
    if kind == ColumnType.ORGANISATION:
        return value.key
    if kind == ColumnType.RECORD:
        return str(value.ref)
    if kind == ColumnType.DECIMAL:
        return f"{Decimal(value).normalize():f}"
    if kind == ColumnType.DATE:
        return value.isoformat()
    if kind == ColumnType.BOOLEAN:
        return bool(value)
    return value


def _help(column: Column) -> str:
    parts = [str(column.label)]
    if column.data_type in (ColumnType.CHOICE, ColumnType.CHOICES) and column.choices is not None:
        parts.append(f"({', '.join(column.choices.values)})")
    if column.data_type == ColumnType.RECORD:
        parts.append(f"(record_id of a record of {column.target})")
    if column.help:
        parts.append(f"{column.help}")
    if column.personal:
        parts.append("[personal]")
    return " ".join(parts)


class _Value(serializers.Field):
    """A column's value as sent (text, a number, a boolean, null), passed on as it is: the services read
    it (``columns.clean_values``) and name every problem of the record at once by its column."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict | list):
            raise serializers.ValidationError(_("Give one value, not a list or an object."), code="invalid")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(OpenApiTypes.STR)
class TextValue(_Value):
    pass


@extend_schema_field(OpenApiTypes.INT)
class IntegerValue(_Value):
    pass


@extend_schema_field(OpenApiTypes.BOOL)
class BooleanValue(_Value):
    pass


@extend_schema_field(OpenApiTypes.DATE)
class DateValue(_Value):
    pass


@extend_schema_field(OpenApiTypes.UUID)
class RecordValue(_Value):
    pass


@extend_schema_field(OpenApiTypes.DECIMAL)
class DecimalValue(_Value):
    pass


def _field(column: Column, *, output: bool) -> serializers.Field:
    """The schema's (and the input's) field of ``column``."""
    kind = column.data_type
    common: dict[str, Any] = {"help_text": _help(column)}
    if output:
        common["read_only"] = True
    else:
        common["required"] = False
    if kind in LIST_TYPES:
        child: serializers.Field = (
            serializers.IntegerField() if kind == ColumnType.EVENTS and output else TextValue()
        )
        if kind == ColumnType.EVENTS and not output:
            child = IntegerValue()
        return serializers.ListField(child=child, **common)
    nullable = {"allow_null": True}
    value_class = {
        ColumnType.INTEGER: IntegerValue,
        ColumnType.YEAR: IntegerValue,
        ColumnType.BOOLEAN: BooleanValue,
        ColumnType.DATE: DateValue,
        ColumnType.RECORD: RecordValue,
        ColumnType.DECIMAL: DecimalValue,
    }.get(kind, TextValue)
    return value_class(**common, **nullable)


class RecordOutput(serializers.Serializer):
    """A record of a registry (a subclass per kind names its columns)."""

    kind: RegistryKind

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "record_id": str(instance.ref),
            "version": instance.version,
            "plan": instance.plan.slug,
        }
        for column in file_columns(self.kind):
            data[column.header] = api_value(column, read_value(instance, column))
        data["created_at"] = instance.created_at.isoformat() if instance.created_at else None
        data["updated_at"] = instance.updated_at.isoformat() if instance.updated_at else None
        return data


def serializers_for(
    kind: RegistryKind,
) -> tuple[type[serializers.Serializer], type[serializers.Serializer], type[serializers.Serializer]]:
    """(output, input for a change, input for a new record) serializers of ``kind``, made once."""
    if kind.name in _MADE:
        return _MADE[kind.name]
    name = camel(kind.name)
    out_fields: dict[str, Any] = {
        "record_id": serializers.UUIDField(read_only=True, help_text=gettext_lazy("The record's stable id.")),
        "version": serializers.IntegerField(
            read_only=True, help_text=gettext_lazy("Its version (the ETag).")
        ),
        "plan": serializers.CharField(read_only=True, help_text=gettext_lazy("The plan's slug.")),
    }
    in_fields: dict[str, Any] = {}
    for column in file_columns(kind):
        out_fields[column.header] = _field(column, output=True)
        if column.header != OWNER_COLUMN.header:
            in_fields[column.header] = _field(column, output=False)
    out_fields["created_at"] = serializers.DateTimeField(read_only=True)
    out_fields["updated_at"] = serializers.DateTimeField(read_only=True)
    output = type(
        f"{name}RecordSerializer",
        (RecordOutput,),
        {**out_fields, "kind": kind, "__doc__": f"{kind.label}: {kind.description}", "__module__": __name__},
    )
    changed = type(
        f"{name}RecordInputSerializer",
        (StrictSerializer,),
        {
            **in_fields,
            "__doc__": f"{kind.label}, as a client writes it (PATCH: a field left out is left as it is).",
            "__module__": __name__,
        },
    )
    new_fields = {
        **in_fields,
        "plan": serializers.CharField(
            max_length=64,
            required=False,
            help_text=gettext_lazy("The plan's slug; by default the latest plan the caller may see."),
        ),
        OWNER_COLUMN.header: serializers.CharField(
            max_length=64,
            required=False,
            help_text=gettext_lazy(
                "The keeping organisation's key: the caller's own by default; only coordinators name another."
            ),
        ),
    }
    created = type(
        f"{name}RecordCreateSerializer",
        (StrictSerializer,),
        {**new_fields, "__doc__": f"A new {kind.label}.", "__module__": __name__},
    )
    _MADE[kind.name] = (output, changed, created)
    return _MADE[kind.name]


class RecordImportSerializer(StrictSerializer):
    """A file made from the kind's template (CSV or XLSX, judged by its content)."""

    file = serializers.FileField()
    plan = serializers.CharField(max_length=64, required=False)
    allow_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("Import it even though the same file was imported before."),
    )


class RecordImportedSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
