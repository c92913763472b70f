"""The audit trail: one function that writes it, and the receivers that feed it.

Every create, update and delete of a model with django-simple-history becomes an AuditEvent with
its changes; so do sign-ins, failed sign-ins, lock-outs and refused access. Nothing here reads
request bodies, and changes are recorded only for fields the models keep in history (passwords
and beneficiaries' personal data are excluded there).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import models

from .clientip import client_ip
from .models import AuditAction, AuditEvent

logger = logging.getLogger("wpsnap.audit")

_MAX_VALUE = 200


def _short(value: Any) -> Any:
    if isinstance(value, models.Model):
        value = value.pk
    if isinstance(value, str) and len(value) > _MAX_VALUE:
        return value[: _MAX_VALUE - 1] + "…"
    if isinstance(value, bool | int | float | type(None)):
        return value
    if isinstance(value, list | dict):
        text = str(value)
        return value if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"
    return str(value)


def _client_ip(request: Any) -> str | None:
    # The proxy's X-Forwarded-For counts only from a trusted proxy (core.clientip).
    return client_ip(request)


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    request: Any = None,
    changes: list[dict[str, Any]] | None = None,
    note: str = "",
    actor_label: str = "",
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    at: datetime | None = None,
) -> AuditEvent:
    """Append one line to the audit trail. ``at``: when it happened, if not now (a service given ``now``,
    ``wpsnap.core.clock``): the line is dated by one UPDATE right after its INSERT, inside the caller's
    transaction, since ``at`` takes the real clock on insert whatever it is given."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if getattr(user, "is_authenticated", False) else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)
    event = AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label or (actor.get_username() if actor is not None else ""),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:300],
        changes=changes or [],
        path=(request.path[:300] if request is not None else ""),
        ip_address=_client_ip(request),
        note=note,
    )
    if at is not None:
        AuditEvent.objects.filter(pk=event.pk).update(at=at)
        event.at = at
    # Ids only: a user name may be an e-mail address, and a failed sign-in's "name" may be a password
    # typed into the wrong box. The names stay in the database, behind the gate.
    logger.info(
        "audit %s actor=%s %s %s", event.action, event.actor_id or "-", event.object_type, event.object_id
    )
    return event


def record_repeated(
    action: str,
    *,
    request: Any,
    seconds: int,
    obj: models.Model | None = None,
    note: str = "",
) -> AuditEvent | None:
    """:func:`record`, for what one client repeats (an anonymous caller refused again and again): a like
    event (same action, note, caller and address) writes a line, and every other one in the ``seconds``
    after it adds one to that line's ``count`` instead of writing another. Returns the new line, or None
    when an existing one was counted.

    The one change an audit line ever gets, and only to its count, is this single atomic
    ``UPDATE ... SET count = count + 1``: the count is then exact at every moment, and nothing waits in a
    cache to be written later (where a restart or an eviction would lose it). Two first events at the same
    instant may each write a line; the counts still add up."""
    address = _client_ip(request)
    if address is None or seconds <= 0:
        return record(action, request=request, obj=obj, note=note)
    user: Any = getattr(request, "user", None)
    caller = user.pk if getattr(user, "is_authenticated", False) else ""
    digest = hashlib.sha256(f"{action}|{note}|{caller}|{address}".encode()).hexdigest()[:40]
    key = f"wpsnap:audit-repeat:{digest}"
    line = cache.get(key)
    if line is not None and AuditEvent.objects.filter(pk=line).update(count=models.F("count") + 1):
        return None
    # No line in the window, or it was rolled back with the transaction that wrote it: this one starts one.
    event = record(action, request=request, obj=obj, note=note)
    cache.set(key, event.pk, seconds)
    return event


# --- receivers ------------------------------------------------------------------------------------

_HISTORY_ACTIONS = {"+": AuditAction.CREATE, "~": AuditAction.UPDATE, "-": AuditAction.DELETE}


def on_history_record(sender: Any, instance: models.Model, history_instance: Any, **kwargs: Any) -> None:
    """simple-history wrote a historical row: mirror it as an audit event with the field changes."""
    kind = history_instance.history_type
    changes: list[dict[str, Any]] = []
    if kind == "~":
        previous = history_instance.prev_record
        if previous is not None:
            delta = history_instance.diff_against(previous)
            changes = [{"field": c.field, "old": _short(c.old), "new": _short(c.new)} for c in delta.changes]
            if not changes and not history_instance.history_change_reason:
                return  # a save that changed no recorded field (e.g. only last_login): nothing to say
    elif kind == "+":
        tracked = [f.attname for f in history_instance.instance_type._meta.fields]
        changes = [
            {"field": name, "new": _short(getattr(history_instance, name, None))}
            for name in tracked
            if hasattr(history_instance, name)
            and getattr(history_instance, name, None) not in (None, "", [], {})
            and name not in {"id", "created_at", "updated_at"}
        ]
    record(
        _HISTORY_ACTIONS[kind],
        actor=history_instance.history_user,
        obj=instance,
        changes=changes,
        note=history_instance.history_change_reason or "",
        # The history row's date when a service gave one (core.clock.dated), so both say the same time.
        at=history_instance.history_date if hasattr(instance, "_history_date") else None,
    )


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(AuditAction.LOGIN, actor=user, request=request, obj=user)


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(AuditAction.LOGOUT, actor=user, request=request, obj=user)


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # Only the name typed is kept; Django has already masked the password in `credentials`.
    record(AuditAction.LOGIN_FAILED, request=request, actor_label=str(credentials.get("username", ""))[:150])


def on_locked_out(sender: Any, request: Any = None, username: str | None = None, **kwargs: Any) -> None:
    record(AuditAction.LOCKED_OUT, request=request, actor_label=(username or "")[:150])
