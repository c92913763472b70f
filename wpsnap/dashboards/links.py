"""Where a dashboard's figures drill down to, by the shared contract: the reports browser
(``/reports/browse/``, filters ``period``, ``pillar``, ``area``, ``activity``, ``agency``, ``status``,
``progress``), a report's page, and the events list (``/events/``, filters ``period``, ``pillar``,
``activity``, ``agency``, ``district``, ``kind``). Built as plain addresses so that a page links to the
browser whether or not it is served yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from wpsnap.accounts.permissions import can
from wpsnap.core.charts import Link

REPORTS_BROWSE = "/reports/browse/"


def _query(values: dict[str, Any]) -> str:
    """``values`` as a query string, as ``urlencode`` writes it (None and "" dropped). The filters are
    mostly ids: a whole number needs no quoting, and a page builds hundreds of these."""
    parts = []
    for key, value in values.items():
        if value is None or value == "":
            continue
        parts.append(f"{key}={value}" if type(value) is int else urlencode([(key, value)]))
    return "&".join(parts)


def reports(**filters: Any) -> str:
    """The reports browser filtered by ``filters`` (None values dropped)."""
    query = _query(filters)
    return f"{REPORTS_BROWSE}?{query}" if query else REPORTS_BROWSE


def report(pk: int) -> str:
    return reverse("reporting:report_detail", args=[pk])


def events(**filters: Any) -> str:
    """The events list filtered by ``filters`` (None values dropped)."""
    base = reverse("registries:event_list")
    query = _query(filters)
    return f"{base}?{query}" if query else base


@dataclass(frozen=True)
class Drill:
    """The drill-down targets a viewer may open: the reports browser is for coordinators, evaluators and
    approvers (a focal point's reports are in their own workspace), the events list for whoever signs in.
    A target the viewer may not open gives None, and the figure is shown without a link."""

    browse: bool
    events_list: bool

    def reports(self, **filters: Any) -> str | None:
        return reports(**filters) if self.browse else None

    def events(self, **filters: Any) -> str | None:
        return events(**filters) if self.events_list else None


def drill_for(viewer: Any) -> Drill:
    return Drill(browse=can(viewer, "report.browse"), events_list=can(viewer, "event.list"))


def linked(text: str, href: str | None) -> Link | str:
    """``text`` linking to ``href``, or plain when there is nowhere to go."""
    return Link(text, href) if href else text
