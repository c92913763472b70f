"""Events: the list with its filters, recording an event, its page, changing and deleting it, its files,
and (for events without a list of participants) its counts by sex and age band."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from wpsnap.accounts import permissions
from wpsnap.accounts.permissions import gate, get_or_refuse
from wpsnap.core import versions
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.core.forms import add_problems
from wpsnap.core.middleware import max_body
from wpsnap.plan.models import Activity, Plan

from .. import page_selectors, selectors
from ..forms import CountsForm, EventFileForm, EventFilterForm, EventForm
from ..models import Event, Participation
from ..permissions import event_files_visible_to
from ..selectors import locked_message
from ..services import events as services
from ..services.events import EventLockedError
from .common import event_for


def _nothing_saved() -> str:
    return _("Nothing was saved.")


# --- the list ------------------------------------------------------------------------------------


@gate("event.list", authenticated=True)
@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    slug = request.GET.get("plan") or None
    plans, plan = page_selectors.choose_plan(user, slug)
    if plan is None:
        if slug:
            raise Http404
        return render(request, "registries/event_list.html", {"plan": None, "plans": plans})
    activities, organisers = page_selectors.filter_choices(user, plan)
    data = request.GET.copy()
    for name in ("plan", "page", *page_selectors.DRILL_DOWN):
        data.pop(name, None)
    # The dashboards' drill-down (period, pillar, agency, district, an activity by key): bad values are
    # named, 400.
    problems: list[Problem] = []
    drill = page_selectors.DrillDown({}, [])
    try:
        drill = page_selectors.drill_down(plan, request.GET)
    except InvalidInput as exc:
        problems = exc.problems
    if drill.activity_id:
        data["activity"] = drill.activity_id
        activities += [a for a in Activity.objects.filter(pk=drill.activity_id) if a not in activities]
    if any(p.field == "activity" for p in problems):
        data.pop("activity", None)
    form = EventFilterForm(data or None, plan=plan, activities=activities, organisers=organisers)
    page = None
    if not problems and (not form.is_bound or form.is_valid()):
        chosen = form.filters() if form.is_bound else {}
        filters = page_selectors.EventFilters(**(chosen | drill.filters))
        page = page_selectors.event_list_page(user, plan, filters, request.GET.get("page"))
    context = {
        "plan": plan,
        "plans": plans,
        "form": form,
        "drill_problems": problems,
        "drill_labels": drill.labels,
        "page": page,
        "may_create": permissions.can(user, "event.create"),
        "may_see_rules": permissions.can(user, "derivation.view"),
    }
    partial = request.htmx and not request.htmx.history_restore_request  # type: ignore[attr-defined]
    template = "registries/event_list.html#htmx_results" if partial else "registries/event_list.html"
    response = render(request, template, context, status=200 if page is not None else 400)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- recording and changing an event -------------------------------------------------------------


def _form_choices(plan: Plan, user: Any, event: Event | None = None) -> dict[str, Any]:
    organiser = event.organiser if event is not None else getattr(user, "organisation", None)
    activities = page_selectors.reportable_activities(plan, organiser)
    if event is not None:
        # Keep the event's own activities on offer even if the plan's assignments changed since.
        offered = {a.pk for a in activities}
        activities += [a for a in event.activities.all() if a.pk not in offered]
    return {
        "activities": activities,
        "topics": page_selectors.topics(),
        "partners": page_selectors.partner_choices(plan, organiser),
        "districts": selectors.district_names(plan),
    }


def _render_form(
    request: HttpRequest,
    plan: Plan,
    form: EventForm,
    *,
    event: Event | None = None,
    notice: str = "",
    readonly: bool = False,
    status: int = 200,
    conflicts: list[dict[str, str]] | None = None,
) -> HttpResponse:
    form.mark_problems()
    context = {
        "sync": _sync(event, form) if event is not None else None,
        "conflicts": conflicts or [],
        "plan": plan,
        "event": event,
        "form": form,
        "notice": notice,
        "readonly": readonly,
        "no_activities": not form.fields["activities"].choices,  # type: ignore[attr-defined]
    }
    return render(request, "registries/event_form.html", context, status=status)


def _sync(event: Event, form: EventForm) -> versions.Sync:
    """The version and base the edit form carries: what it shows, or (a form shown again) what is
    stored now."""
    if not form.is_bound:
        return versions.sync_of(event, form.texts())
    fresh = Event.objects.get(pk=event.pk)
    return versions.sync_of(fresh, services.event_texts(fresh))


def _conflict_rows(form: EventForm, exc: versions.StaleWrite) -> list[dict[str, str]]:
    rows = []
    for conflict in exc.conflicts:
        field = form.fields.get(conflict.key)
        rows.append(
            {
                "label": str(field.label if field else conflict.key),
                "anchor": form[conflict.key].auto_id if field else "event-form",
                "current": conflict.current,
                "yours": conflict.yours,
            }
        )
    return rows


@gate("event.create", authenticated=True)
@require_http_methods(["GET", "HEAD", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    slug = request.GET.get("plan") or None
    _plans, plan = page_selectors.choose_plan(user, slug)
    if plan is None:
        raise Http404
    choices = _form_choices(plan, user)
    if request.method != "POST":
        return _render_form(request, plan, EventForm(**choices))
    form = EventForm(request.POST, **choices)
    if form.is_valid():
        try:
            event = services.event_create(actor=user, plan=plan, data=form.to_input(), request=request)
        except EventLockedError as exc:
            return _render_form(request, plan, form, notice=f"{exc} {_nothing_saved()}", status=409)
        except InvalidInput as exc:
            add_problems(form, exc.problems)
        else:
            messages.success(
                request,
                _("The event “%(title)s” is recorded. Now add its participants.") % {"title": event.title},
            )
            return redirect("registries:event_detail", pk=event.pk)
    return _render_form(request, plan, form, status=400)


@gate("event.edit", authenticated=True)
@require_http_methods(["GET", "HEAD", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "event.edit")
    plan = event.plan
    choices = _form_choices(plan, request.user, event)
    locked = page_selectors.locked_period(event)
    if request.method != "POST":
        notice = str(locked_message(locked)) if locked else ""
        return _render_form(
            request,
            plan,
            EventForm(event=event, **choices),
            event=event,
            notice=notice,
            readonly=bool(locked),
        )
    form = EventForm(request.POST, event=event, **choices)
    if form.is_valid():
        try:
            event = services.event_update(
                actor=request.user, event=event, data=form.to_input(), request=request
            )
        except versions.StaleWrite as exc:
            # Shown again with what the person changed kept and the rest as stored now (409).
            fresh = Event.objects.get(pk=event.pk)
            again = EventForm(form.rebased(services.event_texts(fresh)), event=fresh, **choices)
            return _render_form(
                request,
                plan,
                again,
                event=fresh,
                notice=str(exc),
                status=409,
                conflicts=_conflict_rows(form, exc),
            )
        except EventLockedError as exc:
            return _render_form(
                request,
                plan,
                form,
                event=event,
                notice=f"{exc} {_nothing_saved()}",
                readonly=True,
                status=409,
            )
        except InvalidInput as exc:
            add_problems(form, exc.problems)
        else:
            messages.success(request, _("The changes to “%(title)s” are saved.") % {"title": event.title})
            return redirect("registries:event_detail", pk=event.pk)
    return _render_form(request, plan, form, event=event, status=400)


@gate("event.edit", authenticated=True)
@require_http_methods(["GET", "HEAD", "POST"])
def event_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the event with its participants, counts and files."""
    event = event_for(request, pk, "event.edit")
    plan = event.plan
    participants = selectors.event_totals([event]).get(event.pk, 0)
    context: dict[str, Any] = {
        "plan": plan,
        "event": event,
        "participants": participants,
        "files": event.files.count(),
    }
    locked = page_selectors.locked_period(event)
    if locked is not None:
        context["notice"] = locked_message(locked)
    if request.method != "POST":
        return render(request, "registries/event_delete.html", context)
    try:
        services.event_delete(actor=request.user, event=event, request=request)
    except EventLockedError as exc:
        context["notice"] = f"{exc} {_('Nothing was deleted.')}"
        return render(request, "registries/event_delete.html", context, status=409)
    messages.success(request, _("The event “%(title)s” is deleted.") % {"title": event.title})
    return redirect(f"{reverse('registries:event_list')}?plan={plan.slug}")


# --- one event -----------------------------------------------------------------------------------


def render_detail(
    request: HttpRequest,
    event: Event,
    *,
    file_form: EventFileForm | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    page = page_selectors.event_detail_page(event)
    may_edit = permissions.can(user, "event.edit", event)
    file_form = file_form or EventFileForm()
    file_form.mark_problems()
    context = {
        "plan": event.plan,
        "event": event,
        "page": page,
        "summary": page.summary,
        "may_edit": may_edit,
        "writable": may_edit and page.locked is None,
        "may_see_participants": permissions.can(user, "participant.view", event),
        "file_form": file_form,
        "notice": notice or (locked_message(page.locked) if page.locked is not None and may_edit else ""),
        "max_mb": settings.WPSNAP_EVIDENCE_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "registries/event_detail.html", context, status=status)


@gate("event.view", authenticated=True)
@require_safe
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, event_for(request, pk))


# --- files ---------------------------------------------------------------------------------------


@max_body("WPSNAP_EVIDENCE_MAX_BYTES")
@gate("event.edit", authenticated=True)
@require_POST
def event_file_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request, pk, "event.edit")
    form = EventFileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        # One byte over the limit is enough for the service to refuse a file that is too large.
        content = upload.read(settings.WPSNAP_EVIDENCE_MAX_BYTES + 1)
        try:
            stored = services.event_file_add(
                actor=request.user,
                event=event,
                name=upload.name or "",
                content=content,
                purpose=form.cleaned_data["purpose"],
                request=request,
            )
        except EventLockedError as exc:
            return render_detail(
                request, event, file_form=form, notice=f"{exc} {_nothing_saved()}", status=409
            )
        except InvalidInput as exc:
            add_problems(form, exc.problems)
        else:
            messages.success(
                request, _("“%(name)s” is added to the event's files.") % {"name": stored.original_name}
            )
            return redirect(reverse("registries:event_detail", args=[event.pk]) + "#files")
    return render_detail(request, event, file_form=form, status=400)


@gate("event.view", authenticated=True)
@require_safe
def event_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """The file, as an attachment, to those who may see its event."""
    event = event_for(request, pk)
    stored = get_or_refuse(request, event_files_visible_to(request.user), pk=file_pk, event_id=event.pk)
    return stored.as_attachment()


@gate("event.edit", authenticated=True)
@require_POST
def event_file_delete(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    event = event_for(request, pk, "event.edit")
    stored = get_or_refuse(request, event_files_visible_to(request.user), pk=file_pk, event_id=event.pk)
    try:
        services.event_file_delete(actor=request.user, event_file=stored, request=request)
    except EventLockedError as exc:
        return render_detail(request, event, notice=f"{exc} {_('Nothing was deleted.')}", status=409)
    messages.success(
        request, _("“%(name)s” is removed from the event's files.") % {"name": stored.original_name}
    )
    return redirect(reverse("registries:event_detail", args=[event.pk]) + "#files")


# --- counts --------------------------------------------------------------------------------------


@gate("event.edit", authenticated=True)
@require_http_methods(["GET", "HEAD", "POST"])
def event_counts(request: HttpRequest, pk: int) -> HttpResponse:
    """For an event without a list: the number of participants by sex and age band."""
    event = event_for(request, pk, "event.edit")
    spec = selectors.count_cells(event.plan)
    existing = dict(event.counts.values_list("cell", "value"))
    form = CountsForm(request.POST if request.method == "POST" else None, spec=spec, counts=existing)
    locked = page_selectors.locked_period(event)
    context: dict[str, Any] = {
        "plan": event.plan,
        "event": event,
        "form": form,
        "is_list": event.participation == Participation.LIST,
        "readonly": locked is not None,
        "notice": locked_message(locked) if locked is not None else "",
        # The version the table was shown at: counts someone else saved meanwhile are not overwritten.
        "version": event.version,
    }
    if request.method != "POST":
        return render(request, "registries/event_counts.html", context)
    form.is_valid()
    try:
        saved = services.counts_save(
            actor=request.user,
            event=event,
            counts=form.counts(),
            version=versions.posted_version(request.POST),
            request=request,
        )
    except versions.StaleWrite as exc:
        # Shown again with what the person typed, and the new version: saving again keeps theirs.
        context.update(
            notice=_(
                "Someone else saved other counts for this event while you were typing: %(total)d "
                "participants in all. Nothing was saved. Check the event, then save again to keep yours."
            )
            % {"total": sum(event.counts.values_list("value", flat=True))},
            version=exc.current_version,
        )
        return render(request, "registries/event_counts.html", context, status=409)
    except EventLockedError as exc:
        context.update(notice=f"{exc} {_nothing_saved()}", readonly=True)
        return render(request, "registries/event_counts.html", context, status=409)
    except InvalidInput as exc:
        form.add_service_problems(exc.problems)
        return render(request, "registries/event_counts.html", context, status=400)
    total = sum(saved.values())
    messages.success(
        request,
        ngettext(
            "The counts are saved: %(total)d participant in all.",
            "The counts are saved: %(total)d participants in all.",
            total,
        )
        % {"total": total},
    )
    return redirect("registries:event_detail", pk=event.pk)
