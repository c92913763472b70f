"""Every registry's rules in the permission gate (issue 14), from its declaration's ``visibility``: the
actions ``registry.<name>.<verb>`` for each verb of ``base.ACTIONS``, registered when the kind is
(``catalogue.register_kind`` calls :func:`register_kind_rules`).

Who reads the records (``list``, ``view``):

- ``STAFF``: coordinators, evaluators, and the staff (focal points, approvers, NGO contributors) of every
  organisation.
- ``OWNER``: coordinators and the staff of the organisation keeping the record. Evaluators: counts only.
- ``AUTHORITIES``: coordinators, and the staff of the organisations the plan names as implementers of
  the kind's activities (its ``activity_codes``; e.g. 5.2.1.2: MIA and MoD), and of the record's owner.
  Evaluators: counts only.

Who writes (``create``, ``import``; ``edit``, ``delete`` of a record): the focal points and NGO
contributors of the owner (for ``AUTHORITIES``, an authority of the plan), and coordinators for any owner.

``export`` (rows person by person): only when the kind allows it (``export_people``; never legal aid),
and for a personal kind only coordinators; otherwise whoever reads the records. ``counts``: whoever reads
the records, and evaluators. The public never: counts reach it only through ``publishing``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from wpsnap.accounts import permissions
from wpsnap.accounts.models import Role
from wpsnap.accounts.permissions import has_role, is_coordinator

from .base import ACTIONS, RegistryKind, Visibility

__all__ = ["authorities", "authority_plans", "may_own", "register_kind_rules"]

WRITERS = (Role.FOCAL_POINT, Role.NGO_CONTRIBUTOR)
AGENCY_STAFF = (Role.FOCAL_POINT, Role.APPROVER, Role.NGO_CONTRIBUTOR)
READS_ALL = (Role.COORDINATOR, Role.EVALUATOR)


def _org(user: Any) -> int | None:
    return getattr(user, "organisation_id", None) or None


def authorities(kind: RegistryKind, plan_id: int) -> frozenset[int]:
    """The organisations (ids) the plan ``plan_id`` names as implementers of the kind's activities:
    activity-level assignments, else the priority area's, collectives as their members (as reporting
    reads them). Empty for a kind without activity codes."""
    from wpsnap.plan.models import Activity
    from wpsnap.plan.models import Role as PlanRole
    from wpsnap.reporting.selectors import reporting_agencies

    if not kind.activity_codes:
        return frozenset()
    found: set[int] = set()
    activities = Activity.objects.filter(plan_id=plan_id, code__in=kind.activity_codes).select_related("plan")
    for activity in activities:
        found |= {org.pk for org in reporting_agencies(activity, role=PlanRole.IMPLEMENTER)}
    return frozenset(found)


def authority_plans(kind: RegistryKind, org_id: int | None) -> set[int]:
    """The plans (ids) in which ``org_id`` is an authority of the kind."""
    from wpsnap.plan.models import Activity

    if org_id is None or not kind.activity_codes:
        return set()
    plans = set(
        Activity.objects.filter(code__in=kind.activity_codes).values_list("plan_id", flat=True).distinct()
    )
    return {plan_id for plan_id in plans if org_id in authorities(kind, plan_id)}


def may_own(kind: RegistryKind, organisation: Any, plan: Any) -> bool:
    """Whether ``organisation`` may keep records of the kind in ``plan`` (any, except for AUTHORITIES
    kinds: one of the plan's authorities)."""
    if kind.visibility != Visibility.AUTHORITIES:
        return True
    return organisation is not None and organisation.pk in authorities(kind, plan.pk)


def _authority_plans(kind: RegistryKind, user: Any) -> set[int]:
    """:func:`authority_plans` for the user's organisation, kept on the user object (one request's)."""
    memo: dict[str, set[int]] | None = getattr(user, "_registry_authority_plans", None)
    if memo is None:
        memo = {}
        try:
            user._registry_authority_plans = memo
        except AttributeError:  # pragma: no cover - an object that takes no attributes
            return authority_plans(kind, _org(user))
    if kind.name not in memo:
        memo[kind.name] = authority_plans(kind, _org(user))
    return memo[kind.name]


def _reads(kind: RegistryKind, user: Any, record: Any) -> bool:
    if is_coordinator(user):
        return True
    if kind.visibility == Visibility.STAFF:
        return has_role(user, *READS_ALL, *AGENCY_STAFF)
    if not has_role(user, *AGENCY_STAFF) or _org(user) is None:
        return False
    org = _org(user)
    if kind.visibility == Visibility.OWNER:
        return record is None or record.owner_id == org
    # AUTHORITIES
    if record is None:
        return bool(_authority_plans(kind, user))
    return record.owner_id == org or org in authorities(kind, record.plan_id)


def _writes(kind: RegistryKind, user: Any, record: Any) -> bool:
    if is_coordinator(user):
        return True
    if not has_role(user, *WRITERS) or _org(user) is None:
        return False
    if record is not None:
        return bool(record.owner_id == _org(user))
    if kind.visibility == Visibility.AUTHORITIES:
        return bool(_authority_plans(kind, user))
    return True


def _exports(kind: RegistryKind, user: Any, record: Any) -> bool:
    if not kind.export_people:
        return False
    if kind.personal:
        return is_coordinator(user)
    return _reads(kind, user, None)


def _counts(kind: RegistryKind, user: Any, record: Any) -> bool:
    return has_role(user, Role.EVALUATOR) or _reads(kind, user, None)


def _rule(kind: RegistryKind, verb: str) -> permissions.Predicate:
    if verb in ("list", "view"):
        return lambda user, obj: _reads(kind, user, obj if verb == "view" else None)
    if verb in ("create", "import"):
        return lambda user, obj: _writes(kind, user, None)
    if verb in ("edit", "delete"):
        return lambda user, obj: _writes(kind, user, obj)
    if verb == "export":
        return lambda user, obj: _exports(kind, user, obj)
    if verb == "counts":
        return lambda user, obj: _counts(kind, user, obj)
    raise ValueError(verb)


_REGISTERED: set[str] = set()


def register_kind_rules(kind: RegistryKind) -> None:
    """Register the kind's actions in the gate (again is harmless)."""
    if kind.name in _REGISTERED:
        return
    for verb in ACTIONS:
        permissions.register(kind.action(verb))(_rule(kind, verb))
    _REGISTERED.add(kind.name)


def scope_q(kind: RegistryKind, user: Any) -> Q | None:
    """The records of the kind ``user`` may read, as a filter (None: all; ``Q(pk__in=[])``: none)."""
    if is_coordinator(user):
        return None
    if kind.visibility == Visibility.STAFF:
        return None if has_role(user, *READS_ALL, *AGENCY_STAFF) else Q(pk__in=[])
    org = _org(user)
    if not has_role(user, *AGENCY_STAFF) or org is None:
        return Q(pk__in=[])
    if kind.visibility == Visibility.OWNER:
        return Q(owner_id=org)
    return Q(owner_id=org) | Q(plan_id__in=sorted(_authority_plans(kind, user)))
