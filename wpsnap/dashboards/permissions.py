"""Dashboards' rules in the permission gate (see ``wpsnap.accounts.permissions``)."""

from __future__ import annotations

from typing import Any

from wpsnap.accounts.permissions import is_signed_in, register


@register("dashboard.view")
def _dashboard_view(user: Any, plan: Any) -> bool:
    """Anyone signed in sees the dashboards; what they show is the viewer's scope (analytics/scope.py):
    coordinators and evaluators the whole plan, an agency's people their agency's part, read-only."""
    return is_signed_in(user)


@register("districts.boundaries")
def _districts_boundaries(user: Any, obj: Any) -> bool:
    """The maps' district boundaries (/geo/districts.geojson) are public geometry (CC BY-SA), open to all
    like /healthz: they say nothing of anyone's data."""
    return True
