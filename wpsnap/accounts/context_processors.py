"""What the navigation may offer the current user, asked of the permission gate (no queries)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import permissions


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
    }
