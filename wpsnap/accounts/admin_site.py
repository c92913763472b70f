"""The admin site behind the permission gate: coordinators with a verified second factor only.

The admin is a read-only window on the data with its history. Every change goes through the
services (the plan through its plan file, people through the user pages), so that the rules and
the audit trail cannot be bypassed here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from . import permissions
from .throttle import signin_throttled


class GatedAdminSite(admin.AdminSite):
    site_header = _("wpsnap administration (read only)")
    site_title = _("wpsnap administration")
    index_title = _("Data and its history")

    def has_permission(self, request: HttpRequest) -> bool:
        return permissions.can(request.user, "admin.access")

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # Another way to try passwords: limited per address like the sign-in page.
        return signin_throttled(super().login)(request, extra_context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, never touch: viewing is decided by the gate; adding, changing and deleting are off."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.can(request.user, "admin.access")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can(request.user, "admin.access")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
