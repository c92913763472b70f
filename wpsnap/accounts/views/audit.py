"""The audit trail's pages, for coordinators: a searchable log, and the whole history of one object."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import forms, permissions, selectors

PAGE_SIZE = 50


@permissions.gate("audit.view", authenticated=True)
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    form = forms.AuditSearchForm(request.GET or None)
    # The page number is not a search field: a search is "bound" only when a filter was sent.
    searched = any(request.GET.get(name) for name in form.fields)
    valid = not searched or form.is_valid()
    page = None
    rows: list[selectors.EventRow] = []
    if valid:
        filters = form.filters() if searched else selectors.AuditFilters()
        page = Paginator(selectors.audit_search(filters), PAGE_SIZE).get_page(request.GET.get("page"))
        rows = selectors.event_rows(page.object_list)
    context = {"form": form, "page": page, "rows": rows, "searched": searched}
    return render(request, "accounts/audit/audit_log.html", context, status=200 if valid else 400)


@permissions.gate("audit.view", authenticated=True)
@require_safe
def audit_object(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    events = selectors.audit_for_object(object_type=object_type, object_id=object_id)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    if not page.object_list:
        raise Http404
    rows = selectors.event_rows(page.object_list)
    latest = rows[0].event
    types = dict(selectors.audit_object_types())
    context = {
        "page": page,
        "rows": rows,
        "object_type": object_type,
        "object_id": object_id,
        "object_label": latest.object_label,
        "type_label": types.get(object_type, object_type),
        "type_searchable": object_type in types,
        "is_user": object_type == selectors.USER_OBJECT_TYPE,
    }
    return render(request, "accounts/audit/audit_object.html", context)
