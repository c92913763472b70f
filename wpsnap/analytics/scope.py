"""Whose figures a viewer sees. Every selector reads through these, so that the permission gate's scopes
(``reports_visible_to``, ``events_visible_to``) decide once what any figure may include:

- coordinators and evaluators (who may see the whole plan's results, ``results.view``): every agency;
- an agency's focal points, approvers and NGO contributors: their own agency's figures only (reports it
  made, events it organised: an event it was a partner of counts for its organiser, not for it);
- anyone else, the anonymous visitor included: nothing;
- ``PUBLIC``, the public as the publishing module asks for it: published reports only, and no events
  (events have no publication step yet). Publishing passes these through disclosure control before
  anything leaves; nothing else may ask with ``PUBLIC``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from wpsnap.accounts.permissions import can
from wpsnap.registries.models import Event
from wpsnap.registries.permissions import events_visible_to
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.permissions import reports_visible_to
from wpsnap.reporting.workflow import Status

# A User, an AnonymousUser or PUBLIC.
Viewer = Any


class PublicViewer(AnonymousUser):
    """The public: an anonymous viewer whose scope is what has been published. The gate treats it as any
    anonymous visitor; only this module's scopes know it."""

    def __str__(self) -> str:
        return "the public"


PUBLIC = PublicViewer()


def is_public(viewer: Viewer) -> bool:
    return isinstance(viewer, PublicViewer)


def agencies(viewer: Viewer) -> frozenset[int] | None:
    """The ids of the agencies whose figures ``viewer`` sees; None for every agency."""
    if is_public(viewer):
        return None
    if can(viewer, "results.view"):
        return None
    organisation_id = getattr(viewer, "organisation_id", None)
    if organisation_id and can(viewer, "report.list"):
        return frozenset({organisation_id})
    return frozenset()


def reports(viewer: Viewer) -> QuerySet[ProgressReport]:
    """The reports whose figures ``viewer`` sees."""
    if is_public(viewer):
        return ProgressReport.objects.filter(status=Status.PUBLISHED)
    return reports_visible_to(viewer)


def events(viewer: Viewer) -> QuerySet[Event]:
    """The events whose figures ``viewer`` sees: visible to them, and organised by an agency whose figures
    they see."""
    if is_public(viewer):
        return Event.objects.none()
    visible = events_visible_to(viewer)
    scope = agencies(viewer)
    if scope is None:
        return visible
    return visible.filter(organiser_id__in=sorted(scope)) if scope else visible.none()
