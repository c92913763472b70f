"""A registry's records as CSV or XLSX (issue 14): ``/exports/registries/<name>/?plan=&format=csv|xlsx``
with the list page's filters, under the kind's gate action ``registry.<name>.export`` and
``exports.table``; a long list is written by a background job (``table_jobs``). See ``registry_lists``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe

from wpsnap.accounts import permissions
from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.base import RegistryKind

from .table_views import _export


def export_view(kind: RegistryKind) -> Callable[..., HttpResponse | StreamingHttpResponse]:
    """The export of ``kind``'s records, gated by its ``export`` action."""

    @require_safe
    def registry_export(request: HttpRequest, **kwargs: Any) -> HttpResponse | StreamingHttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        permissions.require(request, kind.action("export"))
        data = request.GET.copy()
        data["registry"] = kind.name
        return _export(request, "registry", data)

    registry_export.gate_action = kind.action("export")  # type: ignore[attr-defined]
    return registry_export


def patterns() -> list[URLPattern]:
    """``registries/<name>/`` for every kind, named ``table_registry`` (reverse with ``kind=``)."""
    return [
        path(f"{kind.name}/", export_view(kind), {"kind": kind.name}, name="table_registry")
        for kind in catalogue.kinds()
    ]


app_name = "registry_exports"
urlpatterns = patterns()
