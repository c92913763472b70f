"""Reads for the people and audit pages. Each list is scoped by the permission gate's scope functions
and fetches what its page shows in a fixed number of queries, however many rows there are."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext

from wpsnap.core.models import AuditEvent

from . import permissions
from .models import Organisation, OrganisationKind, User

USER_HISTORY_LENGTH = 50
USER_OBJECT_TYPE = User._meta.label_lower


# --- people -----------------------------------------------------------------------------------------


def user_list(*, actor: Any, organisation: Organisation | None = None, role: str = "") -> QuerySet[User]:
    """The people ``actor`` may see, with their organisation, optionally of one organisation or role."""
    qs = permissions.users_visible_to(actor)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("organisation__name", "last_name", "first_name", "username")


def organisations_with_people() -> QuerySet[Organisation]:
    """Organisations a person can belong to: every kind except collective implementers, which stand
    for a group of organisations and have no staff of their own."""
    return Organisation.objects.exclude(kind=OrganisationKind.COLLECTIVE).order_by("name")


def invitation_user(*, uidb64: str, token: str) -> User | None:
    """The invited person an invitation link is for, or None when the link is malformed, expired,
    already used (the password changed) or the account is deactivated."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


# --- the audit trail ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any
    has_old: bool


@dataclass(frozen=True)
class EventRow:
    """An audit event ready to show: the kind of object and the field changes in words."""

    event: AuditEvent
    object_type_label: str
    changes: list[Change]


@dataclass(frozen=True)
class AuditFilters:
    q: str = ""
    action: str = ""
    object_type: str = ""
    actor: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def audit_object_types() -> list[tuple[str, str]]:
    """The kinds of object the trail can name: wpsnap's own models (not their history tables), with
    their names in words. Read from the code, not the table, so the search form costs no query."""
    found: list[tuple[str, str]] = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if not model.__module__.startswith("wpsnap.") or model is AuditEvent:
            continue
        if model.__name__.startswith("Historical"):
            continue
        found.append((label, force_str(model._meta.verbose_name).capitalize()))
    return sorted(found, key=lambda item: item[1])


def audit_search(filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Audit events matching every filter given, latest first. Dates are days in the site's time zone."""
    qs = AuditEvent.objects.all()
    if filters.q:
        qs = qs.filter(
            Q(object_label__icontains=filters.q)
            | Q(actor_label__icontains=filters.q)
            | Q(note__icontains=filters.q)
        )
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.actor:
        qs = qs.filter(actor_label__icontains=filters.actor)
    # Days become a range of instants, so that the index on ``at`` serves the search.
    if filters.date_from is not None:
        qs = qs.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to is not None:
        qs = qs.filter(at__lt=_start_of(filters.date_to + datetime.timedelta(days=1)))
    return qs.order_by("-at", "-id")


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the site's time zone (Asia/Baku)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_for_object(*, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """Everything the trail holds about one object, latest first."""
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).order_by("-at", "-id")


def user_history(user: User, *, limit: int = USER_HISTORY_LENGTH) -> list[EventRow]:
    """The latest events about ``user`` and by ``user``."""
    events = AuditEvent.objects.filter(
        Q(object_type=USER_OBJECT_TYPE, object_id=str(user.pk)) | Q(actor_id=user.pk)
    ).order_by("-at", "-id")[:limit]
    return event_rows(events)


def event_rows(events: Any) -> list[EventRow]:
    """Put a page of events into words. Uses the models' field names and choices, never the database."""
    types = dict(audit_object_types())
    return [
        EventRow(
            event=event,
            object_type_label=types.get(event.object_type, event.object_type),
            changes=_changes(event),
        )
        for event in events
    ]


def _changes(event: AuditEvent) -> list[Change]:
    model = _model_for(event.object_type)
    rows = []
    for change in event.changes or []:
        if not isinstance(change, dict) or "field" not in change:
            continue
        name = str(change["field"])
        label, display = _field_words(model, name)
        rows.append(
            Change(
                field=label,
                old=display(change.get("old")),
                new=display(change.get("new")),
                has_old="old" in change,
            )
        )
    return rows


def _model_for(object_type: str) -> type[Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field_words(model: type[Model] | None, name: str) -> tuple[str, Any]:
    """The field's name in words and a function showing a stored value in words (choices' labels)."""

    def plain(value: Any) -> Any:
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        return value

    if model is None:
        return name, plain
    try:
        field = model._meta.get_field(name)  # a name or an attname ("organisation_id")
    except FieldDoesNotExist:
        return name, plain
    label = force_str(getattr(field, "verbose_name", name))
    choices = dict(getattr(field, "flatchoices", None) or [])
    if not choices:
        return label, plain

    def chosen(value: Any) -> Any:
        return force_str(choices.get(value, value)) if value not in (None, "") else plain(value)

    return label, chosen
