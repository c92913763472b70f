"""What the events views share: finding an event within the user's scope, and file names safe to
send back."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from wpsnap.accounts import permissions
from wpsnap.plan.selectors import plan_get_with_text

from .. import page_selectors
from ..models import Event


def event_for(request: HttpRequest, pk: int, action: str = "") -> Event:
    """The event ``pk`` if the user may see it (else 404, audited), and may do ``action`` to it
    (else 403, audited)."""
    event = permissions.get_or_refuse(request, page_selectors.event_scope(request.user), pk=pk)
    if action:
        permissions.require(request, action, event)
    plan_get_with_text(event.plan)
    return event


def private(response: HttpResponse) -> HttpResponse:
    """Pages and files with personal data: never kept by a browser or a proxy."""
    response["Cache-Control"] = "private, no-store"
    return response
