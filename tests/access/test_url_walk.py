"""Every URL the platform answers passes the permission gate: no view is reachable by omission."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from wpsnap.accounts import permissions

# URLs that are not ours to gate, each with the reason.
ALLOWED_WITHOUT_GATE: dict[str, str] = {}


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _gate_of(route: str, callback: Any) -> list[str]:
    """The gate actions a view declares, or [] when it declares none."""
    if hasattr(callback, "gate_action"):
        return [callback.gate_action]
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:
        return []
    if getattr(view_class, "gate_action", None):
        return [view_class.gate_action]
    per_action = getattr(view_class, "gate_actions", {}) or {}
    routed = getattr(callback, "actions", None) or {}
    if routed:
        # A router-made view: every routed action must be gated.
        missing = [name for name in routed.values() if name not in per_action]
        return [] if missing else [per_action[name] for name in routed.values()]
    return list(per_action.values())


def test_every_url_is_gated() -> None:
    """Walking every URL pattern: each view names its gate action (the admin site asks the gate itself)."""
    ungated = []
    checked = 0
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") or route in ALLOWED_WITHOUT_GATE:
            continue
        actions = _gate_of(route, callback)
        checked += 1
        if not actions:
            ungated.append(route)
        for action in actions:
            assert action in permissions.actions(), f"{route}: gate action {action!r} has no rule"
    assert ungated == []
    assert checked >= 20


def test_admin_site_asks_the_gate() -> None:
    """The admin site's permission check is the gate's "admin.access" rule."""
    from django.contrib import admin
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = AnonymousUser()
    assert type(admin.site._wrapped).__name__ == "GatedAdminSite"  # type: ignore[attr-defined]
    assert admin.site.has_permission(request) is False


def test_unknown_action_is_refused() -> None:
    """An action no app registered is refused for everyone."""
    from django.contrib.auth.models import AnonymousUser

    assert permissions.can(AnonymousUser(), "nothing.registered") is False
