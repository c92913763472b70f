"""Events' and participants' rules in the permission gate (see ``wpsnap.accounts.permissions``).

- An event (what, when, where, how many) is seen by coordinators, evaluators, and the people of the
  organising agency and of its partner organisations. The organising agency's focal points and NGO
  contributors record and change it.
- Participants are personal data: only the organising agency (focal points, approvers, NGO
  contributors) and coordinators see the list. Evaluators and partners see counts only.
- Names leave the platform (export) only by a coordinator's hand.
- Derivation rules (which events count for an indicator) are the coordinator's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from wpsnap.accounts.models import Role
from wpsnap.accounts.permissions import has_role, is_coordinator, register

from .models import Event, EventFile, Participant

WRITERS = (Role.FOCAL_POINT, Role.NGO_CONTRIBUTOR)
AGENCY_STAFF = (Role.FOCAL_POINT, Role.APPROVER, Role.NGO_CONTRIBUTOR)
READS_ALL = (Role.COORDINATOR, Role.EVALUATOR)


def _organisation_id(user: Any) -> int | None:
    return getattr(user, "organisation_id", None) or None


def _organises(user: Any, event: Event) -> bool:
    org = _organisation_id(user)
    return org is not None and event.organiser_id == org


def _partners(user: Any, event: Event) -> bool:
    org = _organisation_id(user)
    return org is not None and event.partners.filter(pk=org).exists()


@register("event.list")
def _event_list(user: Any, obj: Any) -> bool:
    return has_role(user, *READS_ALL, *AGENCY_STAFF)


@register("event.view")
def _event_view(user: Any, event: Any) -> bool:
    if event is None:
        return _event_list(user, None)
    if has_role(user, *READS_ALL):
        return True
    return has_role(user, *AGENCY_STAFF) and (_organises(user, event) or _partners(user, event))


@register("event.create")
def _event_create(user: Any, obj: Any) -> bool:
    # The organiser is always the writer's own agency (the service sets it).
    return has_role(user, *WRITERS) and _organisation_id(user) is not None


@register("event.edit")
def _event_edit(user: Any, event: Any) -> bool:
    """Change the event, its files, its participants and counts. Whether the period is locked is
    asked separately, by the services (``ensure_event_writable``)."""
    if event is None:
        return _event_create(user, None)
    return has_role(user, *WRITERS) and _organises(user, event)


@register("participant.view")
def _participant_view(user: Any, event: Any) -> bool:
    if event is None:
        return has_role(user, Role.COORDINATOR, *AGENCY_STAFF)
    return is_coordinator(user) or (has_role(user, *AGENCY_STAFF) and _organises(user, event))


@register("participant.export_names")
def _participant_export_names(user: Any, event: Any) -> bool:
    return is_coordinator(user)


@register("derivation.view")
def _derivation_view(user: Any, obj: Any) -> bool:
    return has_role(user, *READS_ALL, *AGENCY_STAFF)


@register("derivation.manage")
def _derivation_manage(user: Any, obj: Any) -> bool:
    return is_coordinator(user)


# --- scopes --------------------------------------------------------------------------------------


def events_visible_to(user: Any) -> QuerySet[Event]:
    qs = Event.objects.all()
    if has_role(user, *READS_ALL):
        return qs
    org = _organisation_id(user)
    if has_role(user, *AGENCY_STAFF) and org is not None:
        partnered = Event.partners.through.objects.filter(event_id=OuterRef("pk"), organisation_id=org)
        return qs.filter(Q(organiser_id=org) | Exists(partnered))
    return qs.none()


def events_with_participants_visible_to(user: Any) -> QuerySet[Event]:
    """The events whose participant lists ``user`` may see."""
    if is_coordinator(user):
        return Event.objects.all()
    org = _organisation_id(user)
    if has_role(user, *AGENCY_STAFF) and org is not None:
        return Event.objects.filter(organiser_id=org)
    return Event.objects.none()


def participants_visible_to(user: Any) -> QuerySet[Participant]:
    return Participant.objects.filter(event__in=events_with_participants_visible_to(user))


def event_files_visible_to(user: Any) -> QuerySet[EventFile]:
    return EventFile.objects.filter(event__in=events_visible_to(user))
