"""What the navigation may offer the current user, asked of the permission gate (no queries)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import permissions
from .views.auth import landing_url


def access(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "nav_people": permissions.can(user, "user.list"),
        "nav_audit": permissions.can(user, "audit.view"),
        "nav_reports": permissions.can(user, "report.create"),
        "nav_queue": permissions.can(user, "report.review"),
        "nav_periods": permissions.can(user, "period.manage"),
        "nav_events": permissions.can(user, "event.list"),
        "nav_publishing": permissions.can(user, "publishing.public_statistics"),
        "nav_dashboard": permissions.can(user, "dashboard.view"),
        "nav_browse": permissions.can(user, "report.browse"),
        # The person's own work (where they land after signing in), for the way back from a refusal;
        # a callable, so that only the pages that show it pay for it.
        "workspace_url": lambda: landing_url(user),
    }
