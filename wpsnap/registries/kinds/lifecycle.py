"""The personal-data lifecycle of the registries that hold personal data (``RegistryKind.personal``): a
retention date per record, a daily purge after it, withdrawal of consent, and erasure of a person on
request, each audited with counts and record numbers only, never with what the records said.

Decisions (docs/registries/lifecycle.md):

- A record is kept until its ``retain_until`` day (set when it is made: :func:`retain_until_for`, the
  kind's ``retention_days`` after that day) and deleted by the first purge after it. A record without the
  date is kept ``retention_days`` from its creation.
- Withdrawal of consent deletes the record, whole: consent was the ground for keeping it, and a record
  with its personal columns blanked (a candidate without a name) serves nobody. Figures already reported
  keep their reported values; the figures derived from the registry drop the record.
- Erasure on request deletes every record of the person the given record is about: in a kind whose
  people are counted by a personal column (legal aid's beneficiary code), all of the owner's records with
  the same value; otherwise the record itself. The reason is a code (:class:`ErasureReason`), never free
  text, so nothing a person types reaches the audit trail.
- Neither waits for a period's lock or a version: a person's right to erasure outranks the reports' lock,
  and a stale page must not keep a record its person asked to be rid of.

Who may (gate actions, :func:`register_rules`): ``registry.<name>.consent_withdraw``: coordinators and
the owning organisation's approvers, focal points and NGO contributors (whoever takes the person's call);
``registry.<name>.erase``: coordinators and the owning organisation's approvers. The purge is the
server's own job (``wpsnap registries purge``, daily), with no person behind it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wpsnap.accounts import permissions
from wpsnap.accounts.models import Role
from wpsnap.core import audit, files
from wpsnap.core.clock import moment
from wpsnap.core.errors import InvalidInput
from wpsnap.core.models import AuditAction

from . import catalogue
from .base import RegistryKind, RegistryRecord

__all__ = [
    "ErasureReason",
    "person_erase",
    "person_records",
    "record_consent_withdraw",
    "records_expired",
    "records_purge",
    "register_rules",
    "retain_until_for",
]

# The label the purge's audit lines carry as their actor: the server's daily job, not a person.
PURGE_ACTOR = "wpsnap registries purge"

CONSENT_WITHDRAW = "consent_withdraw"
ERASE = "erase"

# Who takes a person's call about her record at the owning organisation.
OWNER_STAFF = (Role.APPROVER, Role.FOCAL_POINT, Role.NGO_CONTRIBUTOR)


class ErasureReason(models.TextChoices):
    PERSON_REQUEST = "person_request", _("The person asked for her data to be erased")
    RECORDED_IN_ERROR = "recorded_in_error", _("Recorded by mistake")
    NO_LEGAL_BASIS = "no_legal_basis", _("Kept without a legal ground (no consent, wrong registry)")


# --- the gate -------------------------------------------------------------------------------------------


def _owner_id(record: Any) -> int | None:
    return getattr(record, "owner_id", None)


def _of_owner(user: Any, record: Any, roles: Iterable[str]) -> bool:
    organisation = getattr(user, "organisation_id", None)
    if not permissions.has_role(user, *roles) or organisation is None:
        return False
    return record is None or _owner_id(record) == organisation


def _consent_withdraw_rule(user: Any, record: Any) -> bool:
    return permissions.is_coordinator(user) or _of_owner(user, record, OWNER_STAFF)


def _erase_rule(user: Any, record: Any) -> bool:
    return permissions.is_coordinator(user) or _of_owner(user, record, (Role.APPROVER,))


def register_rules(kind: RegistryKind) -> None:
    """Register ``registry.<name>.erase`` (and ``.consent_withdraw`` when the kind records consent) for a
    personal kind; nothing for another. Called from the registry app's ``ready()``, which may run more
    than once: a rule already there is left as it is."""
    if not kind.personal:
        return
    known = set(permissions.actions())
    wanted = [(kind.action(ERASE), _erase_rule)]
    if kind.consent_field:
        wanted.append((kind.action(CONSENT_WITHDRAW), _consent_withdraw_rule))
    for action, rule in wanted:
        if action not in known:
            permissions.register(action)(rule)


def _check(actor: Any, kind: RegistryKind, verb: str, record: RegistryRecord, request: Any) -> None:
    """Refuse (audited) unless ``actor`` may ``verb`` the record: 404 when the record is outside what they
    may see at all (its existence says nothing), 403 when they see it but may not do this."""
    action = kind.action(verb)
    if permissions.can(actor, action, record):
        return
    hidden = not permissions.can(actor, kind.action("view"), record)
    permissions.refuse(request, action, record, hide=hidden)


# --- retention and the purge ----------------------------------------------------------------------------


def retain_until_for(kind: RegistryKind, *, on: date) -> date | None:
    """The day a record of ``kind`` made on ``on`` is kept until (None: kept, not a personal kind)."""
    if not kind.personal or kind.retention_days is None:
        return None
    return on + timedelta(days=kind.retention_days)


def _personal_kinds() -> list[RegistryKind]:
    return [kind for kind in catalogue.kinds() if kind.personal and kind.retention_days is not None]


def _expired(kind: RegistryKind, now: datetime) -> QuerySet[RegistryRecord]:
    today = timezone.localdate(now)
    assert kind.retention_days is not None
    undated_since = now - timedelta(days=kind.retention_days)
    return kind.model._default_manager.filter(
        Q(retain_until__lt=today) | Q(retain_until__isnull=True, created_at__lt=undated_since)
    )


def records_expired(*, now: datetime | None = None) -> dict[str, int]:
    """How many records of each personal kind the purge would delete at ``now`` (a dry run)."""
    at = moment(now)
    return {kind.name: _expired(kind, at).count() for kind in _personal_kinds()}


def records_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete every record of a personal kind whose retention has ended (its ``retain_until`` day is past),
    one transaction per kind, each with one audit line giving the number deleted. Returns ``{kind name:
    records deleted}`` for every personal kind, 0s included."""
    at = moment(now)
    deleted: dict[str, int] = {}
    for kind in _personal_kinds():
        with transaction.atomic():
            doomed = _expired(kind, at).select_for_update()
            ids = list(doomed.values_list("pk", flat=True))
            count = _delete(kind, ids)
            if count:
                audit.record(
                    AuditAction.DELETE,
                    actor_label=PURGE_ACTOR,
                    object_type=kind.model._meta.label_lower,
                    object_label=kind.name,
                    changes=[{"field": "records", "old": count, "new": 0}],
                    note="purge: retention ended",
                    at=now,
                )
        deleted[kind.name] = count
    return deleted


def _delete(kind: RegistryKind, ids: list[int]) -> int:
    """Delete the kind's records ``ids`` with their links to activities and the files they carry (the rows
    now, the stored files once the deletion commits). Returns the number of records deleted."""
    if not ids:
        return 0
    from ..models import RecordFile

    rows = kind.model._default_manager.filter(pk__in=ids)
    stored = list(RecordFile.objects.filter(kind=kind.name, record_ref__in=rows.values("ref")))
    files.delete_on_commit(stored)
    RecordFile.objects.filter(pk__in=[f.pk for f in stored]).delete()
    _total, by_model = rows.delete()
    return by_model.get(kind.model._meta.label, 0)


# --- consent and erasure ----------------------------------------------------------------------------------


def record_consent_withdraw(
    *,
    actor: Any,
    kind: RegistryKind,
    record: RegistryRecord,
    request: Any = None,
    now: datetime | None = None,
) -> None:
    """The person withdrew her consent: her record is deleted, whole, and the deletion audited by the
    record's number only."""
    if not kind.consent_field:
        # Said before the gate: it is about the registry, not the record.
        raise InvalidInput.one(
            "consent",
            "no_consent",
            gettext("This registry records no consent. To remove a person's records, erase them on request."),
        )
    _check(actor, kind, CONSENT_WITHDRAW, record, request)
    with transaction.atomic():
        label, record_id = str(record), record.pk
        locked = kind.model._default_manager.select_for_update().filter(pk=record.pk)
        count = _delete(kind, list(locked.values_list("pk", flat=True)))
        audit.record(
            AuditAction.DELETE,
            actor=actor,
            request=request,
            object_type=kind.model._meta.label_lower,
            object_id=str(record_id),
            object_label=label,
            changes=[{"field": "records", "old": count, "new": 0}],
            note="consent withdrawn",
            at=now,
        )


def person_records(kind: RegistryKind, record: RegistryRecord) -> QuerySet[RegistryRecord]:
    """The records of the person ``record`` is about: where the kind counts people by a personal column
    (a distinct count on it, e.g. the beneficiary code), every record of the same owner with the same value
    there; otherwise the record alone."""
    keys = {column.field for column in kind.columns if column.personal}
    person_fields = [count.distinct for count in kind.counts if count.distinct in keys]
    qs = kind.model._default_manager.filter(pk=record.pk)
    if person_fields:
        field = person_fields[0]
        qs = kind.model._default_manager.filter(owner_id=record.owner_id, **{field: getattr(record, field)})
    return qs


def person_erase(
    *,
    actor: Any,
    kind: RegistryKind,
    record: RegistryRecord,
    reason: str,
    request: Any = None,
    now: datetime | None = None,
) -> int:
    """Erase the person ``record`` is about, on request (:func:`person_records`): her records are deleted
    and the erasure audited with the number of records, the record's number and the reason's code. Returns
    the number of records erased."""
    _check(actor, kind, ERASE, record, request)
    if reason not in ErasureReason.values:
        raise InvalidInput.one("reason", "invalid_choice", gettext("Choose why the person's data is erased."))
    with transaction.atomic():
        label, record_id = str(record), record.pk
        ids = list(person_records(kind, record).select_for_update().values_list("pk", flat=True))
        count = _delete(kind, ids)
        audit.record(
            AuditAction.DELETE,
            actor=actor,
            request=request,
            object_type=kind.model._meta.label_lower,
            object_id=str(record_id),
            object_label=label,
            changes=[{"field": "records", "old": count, "new": 0}],
            note=f"erasure: {reason}",
            at=now,
        )
    return count
