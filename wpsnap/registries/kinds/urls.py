"""The registries' pages, under /registries/ in the ``registry_kinds`` namespace: the index, and for each
registered kind its pages (``views.PAGES``), each gated by the kind's own action
(``registry.<name>.<verb>``), so that the URL walk and the access matrix see every registry.

Reverse a kind's page with its name: ``reverse("registry_kinds:list", kwargs={"kind": "media-items"})``,
``reverse("registry_kinds:detail", kwargs={"kind": "media-items", "ref": record.ref})``."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import catalogue, lifecycle_views, views

app_name = "registry_kinds"


def _patterns() -> list[URLPattern]:
    found = [path("", views.registry_index, name="index")]
    for kind in catalogue.kinds():
        for route, name, view in views.pages_of(kind) + lifecycle_views.pages_of(kind):
            found.append(path(f"{kind.name}/{route}", view, {"kind": kind.name}, name=name))
    return found


urlpatterns = _patterns()
