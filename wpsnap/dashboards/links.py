"""Where a dashboard's figures drill down to, by the shared contract: the reports browser
(``/reports/browse/``, filters ``period``, ``pillar``, ``area``, ``activity``, ``agency``, ``status``,
``progress``), a report's page, and the events list (``/events/``, filters ``period``, ``pillar``,
``activity``, ``agency``, ``district``, ``kind``). Built as plain addresses so that a page links to the
browser whether or not it is served yet."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

REPORTS_BROWSE = "/reports/browse/"


def _query(values: dict[str, Any]) -> str:
    return urlencode([(k, v) for k, v in values.items() if v not in (None, "")])


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
