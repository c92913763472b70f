"""Participants: the list (names shown to those who may see them), adding them from a file or pasted
rows, the template to fill in, removing them, and the CSV export (names only by a coordinator's hand,
audited). Pages and files with participants are never cached (``Cache-Control: private, no-store``),
and participants never reach a URL, a log line or an audit note."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from wpsnap.accounts import permissions
from wpsnap.accounts.permissions import gate, get_or_refuse
from wpsnap.core import audit
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.core.idempotency import KeyReused
from wpsnap.core.middleware import max_body
from wpsnap.core.models import AuditAction
from wpsnap.core.tables import neutralise
from wpsnap.plan.selectors import plan_get_with_text

from .. import page_selectors, templates
from ..forms import ParticipantImportForm
from ..models import Event, Participant, Participation
from ..participants import COLUMNS
from ..permissions import events_with_participants_visible_to, participants_visible_to
from ..selectors import locked_message
from ..services import participants as services
from ..services.events import EventLockedError
from ..services.participants import max_bytes
from .common import event_for, private


def _with_participants(request: HttpRequest, pk: int) -> Event:
    """The event ``pk`` if the user may see its participants; else 404 (audited)."""
    scope = events_with_participants_visible_to(request.user).select_related("plan", "organiser")
    event = get_or_refuse(request, scope, pk=pk)
    plan_get_with_text(event.plan)
    return event


def _added_message(rows: int) -> str:
    return ngettext("%(n)d participant added.", "%(n)d participants added.", rows) % {"n": rows}


# --- the list ------------------------------------------------------------------------------------


@gate("participant.view", authenticated=True)
@require_safe
def participant_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = _with_participants(request, pk)
    page = page_selectors.participant_list_page(event, request.GET.get("page"))
    may_edit = permissions.can(request.user, "event.edit", event)
    locked = page_selectors.locked_period(event) if may_edit else None
    context = {
        "plan": event.plan,
        "event": event,
        "page": page,
        "is_counts": event.participation == Participation.COUNTS,
        "writable": may_edit and locked is None,
        "locked": locked,
        "names_in_export": permissions.can(request.user, "participant.export_names", event),
    }
    return private(render(request, "registries/participant_list.html", context))


@gate("event.edit", authenticated=True)
@require_POST
def participant_delete(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    event = event_for(request, pk, "event.edit")
    participant = get_or_refuse(
        request, participants_visible_to(request.user), pk=participant_pk, event_id=event.pk
    )
    participant.event = event
    number = Participant.objects.filter(event=event, pk__lt=participant.pk).count() + 1
    try:
        services.participant_delete(actor=request.user, participant=participant, request=request)
    except EventLockedError as exc:
        messages.error(request, f"{exc} {_('Nothing was deleted.')}")
        return private(redirect("registries:participant_list", pk=event.pk))
    messages.success(request, _("Participant no. %(n)d is removed from the list.") % {"n": number})
    return private(redirect("registries:participant_list", pk=event.pk))


@gate("event.edit", authenticated=True)
@require_http_methods(["GET", "HEAD", "POST"])
def participants_clear(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the event's whole list."""
    event = event_for(request, pk, "event.edit")
    context: dict[str, Any] = {
        "plan": event.plan,
        "event": event,
        "participants": page_selectors.participant_count(event),
    }
    if request.method != "POST":
        return private(render(request, "registries/participants_clear.html", context))
    try:
        removed = services.participants_clear(actor=request.user, event=event, request=request)
    except EventLockedError as exc:
        context["notice"] = f"{exc} {_('Nothing was deleted.')}"
        return private(render(request, "registries/participants_clear.html", context, status=409))
    messages.success(
        request,
        ngettext(
            "The list is emptied: %(n)d participant removed.",
            "The list is emptied: %(n)d participants removed.",
            removed,
        )
        % {"n": removed},
    )
    return private(redirect("registries:participant_list", pk=event.pk))


# --- adding participants -------------------------------------------------------------------------


def _render_import(
    request: HttpRequest,
    event: Event,
    form: ParticipantImportForm,
    *,
    problems: list[Problem] | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    form.mark_problems()
    locked = page_selectors.locked_period(event)
    labels = page_selectors.option_labels(event.plan)
    context = {
        "plan": event.plan,
        "event": event,
        "form": form,
        "problems": problems or [],
        "notice": notice or (locked_message(locked) if locked is not None else ""),
        "readonly": locked is not None,
        "is_counts": event.participation == Participation.COUNTS,
        "current": page_selectors.participant_count(event),
        "columns": COLUMNS,
        "allowed": [
            ("sex", list(labels.get("sex", {}).items())),
            ("age_band", list(labels.get("age", {}).items())),
            ("population_group", list(labels.get("population_group", {}).items())),
        ],
        "max_mb": max_bytes() // (1024 * 1024),
        "sync_rows": services.sync_rows(),
    }
    return private(render(request, "registries/participant_import.html", context, status=status))


@max_body("WPSNAP_PARTICIPANTS_MAX_BYTES")
@gate("event.edit", authenticated=True)
@require_http_methods(["GET", "HEAD", "POST"])
def participant_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Adds a file's or pasted rows' participants while the person waits; more rows than
    ``WPSNAP_IMPORT_SYNC_ROWS`` go to a background job, whose page this sends the person to."""
    event = event_for(request, pk, "event.edit")
    if request.method != "POST":
        return _render_import(request, event, ParticipantImportForm())
    form = ParticipantImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_import(request, event, form, status=400)
    data = form.cleaned_data
    upload = data.get("file")
    options = {
        "actor": request.user,
        "event": event,
        "replace": data["replace"],
        "allow_duplicate": data["allow_duplicate"],
        "idempotency_key": data["token"],
        "request": request,
    }
    try:
        if upload:
            content = upload.read(max_bytes() + 1)
            rows = services.rows_estimate(content) if len(content) <= max_bytes() else 0
            if rows > services.sync_rows():
                job = services.participants_import_start(
                    name=upload.name or "", content=content, source="file", rows=rows, **options
                )
                return private(redirect("jobs:detail", job.pk))
            result = services.participants_import_file(name=upload.name or "", content=content, **options)
        else:
            text = data["text"]
            rows = text.count("\n") + 1
            if rows > services.sync_rows():
                job = services.participants_import_start(
                    name="", content=text.encode("utf-8"), source="paste", rows=rows, **options
                )
                return private(redirect("jobs:detail", job.pk))
            result = services.participants_import_text(text=text, **options)
    except EventLockedError as exc:
        return _render_import(request, event, form, notice=f"{exc} {_('Nothing was saved.')}", status=409)
    except KeyReused:
        # This page's form was already used for another import (the browser's back button kept it):
        # the form again, with what was pasted and a fresh token, for the person to send once more.
        fresh = ParticipantImportForm(initial={"text": data["text"], "replace": data["replace"]})
        notice = _(
            "This form was already used to add participants. Nothing was added now: check the list, "
            "then send the form again if these participants are still missing."
        )
        return _render_import(request, event, fresh, notice=notice, status=422)
    except services.DuplicateImport as exc:
        notice = exc.problems[0].message
        if upload:
            notice += " " + _("The file is not kept: choose it again, with one of these choices ticked.")
        return _render_import(request, event, form, notice=notice, status=409)
    except InvalidInput as exc:
        return _render_import(request, event, form, problems=exc.problems, status=400)
    if result.replayed:
        messages.info(
            request,
            ngettext(
                "The form was sent twice: its %(n)d participant was added once.",
                "The form was sent twice: its %(n)d participants were added once.",
                result.rows,
            )
            % {"n": result.rows},
        )
    else:
        messages.success(request, _added_message(result.rows))
    return private(redirect("registries:participant_list", pk=event.pk))


# --- the template --------------------------------------------------------------------------------


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return private(response)


@gate("event.edit", authenticated=True)
@require_safe
def participant_template_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "event.edit")
    return _download(
        templates.participant_template_xlsx(event.plan), templates.XLSX_TYPE, "participants-template.xlsx"
    )


@gate("event.edit", authenticated=True)
@require_safe
def participant_template_csv(request: HttpRequest, pk: int) -> HttpResponse:
    event_for(request, pk, "event.edit")
    return _download(templates.participant_template_csv(), templates.CSV_TYPE, "participants-template.csv")


# --- the export ----------------------------------------------------------------------------------


def safe_cell(value: str) -> str:
    """A cell no spreadsheet runs as a formula, split on commas or on semicolons: the leading quote of
    ``core.tables.neutralise`` (CSV injection), which the platform's imports take off again."""
    return neutralise(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _export_rows(event: Event, with_names: bool) -> Iterator[str]:
    columns = [c for c in COLUMNS if with_names or c != "name"]
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(columns)
    fields = ["sex", "age", "age_band", "population_group", "district", "affiliation"]
    if with_names:
        fields.append("name")
    fields.append("consent")
    rows = Participant.objects.filter(event=event).order_by("id").values_list(*fields)
    for row in rows.iterator(chunk_size=2000):
        cells = ["" if value is None else str(value) for value in row[:-1]]
        yield writer.writerow([safe_cell(cell) for cell in cells] + ["yes" if row[-1] else "no"])


@gate("participant.view", authenticated=True)
@require_safe
def participant_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The list as CSV, in the template's columns (so that it can be imported again); with names only
    for those who may take names out of the platform (coordinators)."""
    event = _with_participants(request, pk)
    with_names = permissions.can(request.user, "participant.export_names", event)
    audit.record(
        AuditAction.EXPORT,
        actor=request.user,
        obj=event,
        request=request,
        note="with names" if with_names else "without names",
    )
    response = StreamingHttpResponse(_export_rows(event, with_names), content_type=templates.CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-participants.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
