"""Lists as CSV or XLSX (``?format=csv|xlsx&hxl=1``): the reports browser, the figures, the events, an
event's participants. Each takes its page's filters (a bad one answers 400 naming the parameter) and its
page's gate, plus ``exports.table``. A list longer than ``WPSNAP_EXPORT_SYNC_ROWS`` is written by a
background job (``table_jobs``), whose page offers the file when it is done. An export holding personal
data (participants) writes an audit line naming who, which list and how many rows, never the data.
Nothing here is cached (``Cache-Control: private, no-store``)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from wpsnap.accounts import permissions
from wpsnap.accounts.permissions import gate
from wpsnap.core import audit
from wpsnap.core.errors import InvalidInput
from wpsnap.core.models import AuditAction

from . import table_lists
from .tables import CSV_TYPE, XLSX_TYPE, csv_lines, write_xlsx


def sync_rows() -> int:
    """The most rows written while the person waits; more go to a background job."""
    return int(settings.WPSNAP_EXPORT_SYNC_ROWS)


def audit_export(
    table: table_lists.Table, *, user: object, rows: int, fmt: str, request: object = None
) -> None:
    """The audit line of an export that holds personal data: who (the actor), which list, how many rows."""
    if not table.personal:
        return
    note = f"{table.name} list, {rows} rows, {fmt}" + "".join(f", {n}" for n in table.notes)
    audit.record(AuditAction.EXPORT, actor=user, obj=table.subject, request=request, note=note)


def _headers[R: HttpResponse | StreamingHttpResponse](response: R, filename: str) -> R:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _encoded(lines: Iterator[str]) -> Iterator[bytes]:
    for line in lines:
        yield line.encode("utf-8")


def _export(request: HttpRequest, name: str, data: Any) -> HttpResponse | StreamingHttpResponse:
    permissions.require(request, "exports.table")
    opts = table_lists.options(request.GET)
    table = table_lists.table_for(name, request.user, data, request=request)
    if opts.hxl and not table.hxl:
        raise InvalidInput.one(
            "hxl",
            "not_offered",
            _(
                "This list has no HXL row: it is written in the import template's columns, to be imported again."
            ),
        )
    count = table.count()
    if count > sync_rows():
        from . import table_jobs

        job = table_jobs.start(request=request, name=name, data=data, opts=opts, table=table)
        return redirect("jobs:detail", job.pk)
    audit_export(table, user=request.user, rows=count, fmt=opts.format, request=request)
    if opts.format == "csv":
        response = StreamingHttpResponse(
            _encoded(csv_lines(table.columns, table.rows(), hxl=opts.hxl)), content_type=CSV_TYPE
        )
        return _headers(response, f"{table.filename}.csv")
    buffer = io.BytesIO()
    write_xlsx(table.columns, table.rows(), buffer, hxl=opts.hxl, title=table.title)
    return _headers(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), f"{table.filename}.xlsx")


@gate("report.browse", authenticated=True)
@require_safe
def reports_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The reports browser's list, whole, with its filters and sort."""
    return _export(request, "reports", request.GET)


@gate("results.view", authenticated=True)
@require_safe
def figures_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """A plan's figures (``?plan=SLUG``, by default the latest): indicator x period x cell."""
    return _export(request, "figures", request.GET)


@gate("event.list", authenticated=True)
@require_safe
def events_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The events list, whole, with its filters and drill-down."""
    return _export(request, "events", request.GET)


@gate("participant.view", authenticated=True)
@require_safe
def participants_export(request: HttpRequest, pk: int) -> HttpResponse | StreamingHttpResponse:
    """An event's participants (names only for those who may take them out), audited."""
    data = request.GET.copy()
    data["event"] = str(pk)
    return _export(request, "participants", data)
