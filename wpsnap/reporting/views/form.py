"""The focal point's screens: "my activities this period", starting a report, the report form with
its htmx autosave, and evidence files.

Thin: every view passes the permission gate, reads reports only through the scope of
``reports_visible_to`` (``get_or_refuse``: another agency's report answers 404 and is audited) and
changes them only through ``wpsnap.reporting.services``. A locked period or a report no longer
editable answers 409 with the reason, and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from wpsnap.accounts import permissions
from wpsnap.accounts.models import Organisation, Role
from wpsnap.core import params, versions
from wpsnap.core.errors import InvalidInput
from wpsnap.core.forms import add_problems
from wpsnap.core.middleware import max_body

from .. import form_selectors, services
from ..forms import EvidenceForm, ReportForm, StartForm, with_source_figures
from ..models import Evidence, ProgressReport
from ..services import LockedError

FORM_TEMPLATE = "reporting/report_form.html"
STATUS_TEMPLATE = "reporting/partials/form_status.html"
TAKEN_TEMPLATE = "reporting/partials/form_taken.html"


def _url(name: str, *args: Any) -> str | None:
    """The address of a page another part of the platform may not have yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _detail_url(report: ProgressReport) -> str | None:
    return _url("reporting:report_detail", report.pk)


def _report(request: HttpRequest, pk: int) -> ProgressReport:
    return permissions.get_or_refuse(request, form_selectors.reports_for_form(request.user), pk=pk)


def _not_editable(report: ProgressReport) -> str | None:
    """Why ``report`` cannot change now, or None when it can (the services check again, under lock)."""
    if report.period.is_locked:
        return _("The period %(period)s is approved and locked: ask a coordinator to re-open it.") % {
            "period": report.period
        }
    if not report.is_editable:
        return _("This report is “%(status)s” and can no longer be changed by the agency.") % {
            "status": report.get_status_display()
        }
    return None


# --- my activities ---------------------------------------------------------------------------------


def _period_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("period") or request.POST.get("period") or ""
    if raw == "":
        return None
    # Only ids written in ASCII digits name a period ("²".isdigit() is true, and int("²") fails).
    pk = params.digits(raw)
    if pk is None:
        raise Http404
    return pk


def _activities(
    request: HttpRequest, period_id: int | None, *, error: str = "", status: int = 200
) -> HttpResponse:
    page = form_selectors.my_activities_page(request.user, period_id=period_id, today=timezone.localdate())
    if page is None:
        raise Http404
    for row in page.rows:
        if row.report is not None:
            row.view_url = _detail_url(row.report) or reverse("reporting:report_edit", args=[row.report.pk])
    context = {
        "page": page,
        "plan": page.shown[0].plan if page.shown else None,
        "queue_url": _url("reporting:queue") or "/reports/queue/",
        "reviews": permissions.can(request.user, "report.endorse")
        or permissions.can(request.user, "report.approve"),
        "error": error,
    }
    return render(request, "reporting/my_activities.html", context, status=status)


@permissions.gate("report.list", authenticated=True)
@require_safe
def my_activities(request: HttpRequest) -> HttpResponse:
    """The agency's workspace. Coordinators and evaluators report on nothing of their own: their list of
    reports is the browser, where they are sent."""
    if permissions.has_role(request.user, Role.COORDINATOR, Role.EVALUATOR):
        return redirect("reporting:browse")
    return _activities(request, _period_id(request))


@permissions.gate("report.create", authenticated=True)
@require_POST
def report_start(request: HttpRequest) -> HttpResponse:
    form = StartForm(request.POST)
    if not form.is_valid():
        return _activities(
            request, None, error=_("Choose an activity and a period from the list."), status=400
        )
    period = get_object_or_404(form_selectors.reporting_periods(request.user), pk=form.cleaned_data["period"])
    activity = get_object_or_404(form_selectors.period_activities(period), key=form.cleaned_data["activity"])
    agency: Organisation | None = getattr(request.user, "organisation", None)
    if agency is None:  # a writer without an agency has nothing to report for
        permissions.refuse_quietly(request, "report.create")
        raise PermissionDenied
    try:
        report = services.report_start(
            actor=request.user, activity=activity, agency=agency, period=period, request=request
        )
    except LockedError as exc:
        return _activities(request, period.pk, error=str(exc), status=409)
    except InvalidInput as exc:
        # The choice is the activity and period, which the page names: the messages say what is wrong.
        problems = [problem.message for problem in exc.problems]
        return _activities(request, period.pk, error=" ".join(problems), status=400)
    return redirect("reporting:report_edit", pk=report.pk)


# --- the report form -------------------------------------------------------------------------------


def _render_form(
    request: HttpRequest,
    page: form_selectors.ReportFormPage,
    form: ReportForm,
    *,
    evidence_form: EvidenceForm | None = None,
    status: int = 200,
    notice: str = "",
    readonly: bool = False,
    conflicts: list[dict[str, str]] | None = None,
) -> HttpResponse:
    form.mark_problems()
    report = page.report
    context = {
        "sync": _sync(report, form),
        "conflicts": conflicts or [],
        "page": page,
        "report": report,
        "activity_text": report.activity.tr("text"),
        "plan": report.plan,
        "form": form,
        "evidence_form": evidence_form or EvidenceForm(),
        "readonly": readonly,
        "notice": notice,
        "detail_url": _detail_url(report),
        "max_mb": settings.WPSNAP_EVIDENCE_MAX_BYTES // (1024 * 1024),
    }
    return render(request, FORM_TEMPLATE, context, status=status)


def _texts(report: ProgressReport, form: ReportForm) -> dict[str, str]:
    """What is stored now, as text by field of ``form`` (empty fields included)."""
    return dict.fromkeys(form.fields, "") | services.report_texts(report)


def _sync(report: ProgressReport, form: ReportForm, **kwargs: Any) -> versions.Sync:
    """The version and base a page's form carries: an unbound form shows what was just read; a form
    shown again after a save (problems, a clash) carries what is stored now."""
    if not form.is_bound:
        return versions.sync_of(report, form.texts(), **kwargs)
    fresh = ProgressReport.objects.only("version").get(pk=report.pk)
    report.version = fresh.version
    return versions.sync_of(report, _texts(report, form), **kwargs)


def _conflict_rows(form: ReportForm, exc: versions.StaleWrite) -> list[dict[str, str]]:
    rows = []
    for conflict in exc.conflicts:
        field = form.fields.get(conflict.key)
        label = getattr(field, "summary_label", None) or (field.label if field else None)
        if conflict.key == "status":
            label = _("Review status")
        rows.append(
            {
                "label": str(label or conflict.key),
                "anchor": form[conflict.key].auto_id if field else "report-form",
                "current": conflict.current,
                "yours": conflict.yours,
            }
        )
    return rows


def _conflict(
    request: HttpRequest, report: ProgressReport, form: ReportForm, exc: versions.StaleWrite
) -> HttpResponse:
    """A stale form whose changes clash with a save it did not see: shown again with what the person
    typed kept, everything else as it is stored now, and each clash named (409). Saving it again keeps
    the person's entries, knowingly."""
    page = form_selectors.report_form_page(report)
    data = versions.rebased(request.POST, versions.posted_base(request.POST), _texts(report, form))
    fresh_form = ReportForm(data, page=page)
    return _render_form(
        request,
        page,
        fresh_form,
        notice=str(exc),
        status=409,
        conflicts=_conflict_rows(form, exc),
    )


def _save(request: HttpRequest, report: ProgressReport, form: ReportForm) -> services.SaveResult:
    """Save what the form holds into the draft, and put every problem next to its field."""
    form.is_valid()  # the form's own checks (dates); the services judge the figures
    result = services.report_save(actor=request.user, report=report, data=form.to_input(), request=request)
    add_problems(form, result.problems)
    return result


@permissions.gate("report.edit", authenticated=True)
@require_http_methods(["GET", "HEAD", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    page = form_selectors.report_form_page(report)
    blocked = _not_editable(report)
    if request.method != "POST":
        if blocked is None:
            return _render_form(request, page, ReportForm(page=page))
        detail = _detail_url(report)
        if detail:
            return redirect(detail)
        return _render_form(request, page, ReportForm(page=page), notice=blocked, readonly=True)
    form = ReportForm(request.POST, page=page)
    if blocked is not None:
        return _render_form(
            request, page, form, notice=blocked + " " + _("Nothing was saved."), readonly=True, status=409
        )
    submit = request.POST.get("action") == "submit"
    try:
        _save(request, report, form)
        if submit and not form.errors:
            services.report_submit(actor=request.user, report=report, request=request)
    except LockedError as exc:
        return _render_form(
            request, page, form, notice=f"{exc} {_('Nothing was saved.')}", readonly=True, status=409
        )
    except versions.StaleWrite as exc:
        return _conflict(request, report, form, exc)
    except InvalidInput as exc:
        add_problems(form, exc.problems)
    if form.errors:
        if submit:
            notice = _(
                "The report was not submitted: correct the entries marked below. Everything else you typed is saved in the draft."
            )
        else:
            notice = _(
                "Some entries need attention (marked below). Everything else you typed is saved in the draft."
            )
        return _render_form(request, page, form, notice=notice, status=400)
    if submit:
        messages.success(
            request,
            _("The report on %(activity)s is submitted: it now waits for your agency's approver.")
            % {"activity": report.activity.code or report.activity.key},
        )
        return redirect(f"{reverse('reporting:my_activities')}?period={report.period_id}")
    messages.success(
        request,
        _("Draft saved at %(time)s.") % {"time": formats.time_format(timezone.localtime(), "H:i")},
    )
    return redirect("reporting:report_edit", pk=report.pk)


@permissions.gate("report.edit", authenticated=True)
@require_POST
def report_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """The form posts itself here while someone types (htmx): the same save as "Save draft", never a
    submit. Answers the small status region the page shows."""
    report = _report(request, pk)
    blocked = _not_editable(report)
    context: dict[str, Any] = {"report": report, "autosave": True}
    if blocked is not None:
        context["message"] = blocked + " " + _("Nothing was saved.")
        return render(request, STATUS_TEMPLATE, context, status=409)
    page = form_selectors.report_form_layout(report)
    form = ReportForm(request.POST, page=page)
    try:
        result = _save(request, report, form)
    except LockedError as exc:
        context["message"] = f"{exc} {_('Nothing was saved.')}"
        return render(request, STATUS_TEMPLATE, context, status=409)
    except versions.StaleWrite as exc:
        # Not saved, and the page keeps its version: "Save draft" shows the clash and resolves it.
        labels = ", ".join(row["label"] for row in _conflict_rows(form, exc))
        context["message"] = " ".join(
            [
                str(exc),
                _("Changed by both: %(fields)s.") % {"fields": labels},
                _("Use “Save draft” to see them."),
            ]
        )
        return render(request, STATUS_TEMPLATE, context, status=409)
    texts = _texts(result.report, form)
    posted = versions.posted_version(request.POST)
    # The fields others changed since this page was rendered: the page shows their values now.
    merged = (
        {
            key: texts.get(key, "")
            for key in versions.changed_since(result.report, posted)
            if key not in result.changed and key in form.fields
        }
        if posted is not None
        else {}
    )
    context.update(
        {
            "saved_at": formats.time_format(timezone.localtime(), "H:i"),
            "problems": form.problem_count,
            "form": form,
            "sync": versions.sync_of(result.report, texts, merged=merged, oob=True),
        }
    )
    return render(request, STATUS_TEMPLATE, context, status=400 if form.errors else 200)


@permissions.gate("report.edit", authenticated=True)
@require_POST
def report_take(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    """The button "Use the figures from events": one indicator's figures become what the figure
    sources (the events) say, saved with whatever else the form posted through the same save as
    "Save draft" (the lock and the validation apply). htmx swaps the indicator (and the save status)
    in place; without script the form posts here and comes back with them."""
    report = _report(request, pk)
    page = form_selectors.report_form_page(report)
    block = next((b for b in page.indicators if b.indicator.pk == indicator_pk), None)
    if block is None or block.source is None or not block.source.cells:
        raise Http404
    blocked = _not_editable(report)
    form = ReportForm(with_source_figures(request.POST, block), page=page)
    if blocked is None:
        try:
            _save(request, report, form)
        except LockedError as exc:
            blocked = str(exc)
        except versions.StaleWrite as exc:
            if request.htmx:  # type: ignore[attr-defined]
                # The page is older than the report: reload it, which shows the others' entries.
                response = HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
                response["HX-Refresh"] = "true"
                return response
            return _conflict(request, report, form, exc)
        except InvalidInput as exc:
            add_problems(form, exc.problems)
    if blocked is not None:
        notice = f"{blocked} {_('Nothing was saved.')}"
        if request.htmx:  # type: ignore[attr-defined]
            # The page is out of date (the period was locked meanwhile): load it again, read-only.
            response = HttpResponse(notice, status=409, content_type="text/plain; charset=utf-8")
            response["HX-Refresh"] = "true"
            return response
        return _render_form(
            request, page, ReportForm(request.POST, page=page), notice=notice, readonly=True, status=409
        )
    status = 400 if form.errors else 200
    if request.htmx:  # type: ignore[attr-defined]
        form.mark_problems()
        view = next(v for v in form.indicator_views if v.block is block)
        context = {
            "view": view,
            "report": report,
            "form": form,
            "readonly": False,
            "autosave": True,
            "saved_at": formats.time_format(timezone.localtime(), "H:i"),
            "problems": form.problem_count,
        }
        response = render(request, TAKEN_TEMPLATE, context, status=status)
        patch_vary_headers(response, ["HX-Request"])
        return response
    if form.errors:
        notice = _(
            "The figures from events are in, but some entries need attention (marked below). Everything else you typed is saved in the draft."
        )
        return _render_form(request, page, form, notice=notice, status=400)
    messages.success(
        request,
        _("The figures from events are in the draft (saved at %(time)s).")
        % {"time": formats.time_format(timezone.localtime(), "H:i")},
    )
    return redirect(reverse("reporting:report_edit", args=[report.pk]) + f"#indicator-{block.indicator.pk}")


# --- evidence --------------------------------------------------------------------------------------


def _evidence_page(
    request: HttpRequest,
    report: ProgressReport,
    evidence_form: EvidenceForm,
    *,
    status: int,
    notice: str = "",
) -> HttpResponse:
    page = form_selectors.report_form_page(report)
    blocked = _not_editable(report)
    return _render_form(
        request,
        page,
        ReportForm(page=page),
        evidence_form=evidence_form,
        status=status,
        notice=notice,
        readonly=blocked is not None,
    )


@max_body("WPSNAP_EVIDENCE_MAX_BYTES")
@permissions.gate("report.edit", authenticated=True)
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    blocked = _not_editable(report)
    if blocked is not None:
        return _evidence_page(
            request, report, form, status=409, notice=blocked + " " + _("Nothing was saved.")
        )
    if form.is_valid():
        upload = form.cleaned_data["file"]
        # One byte over the limit is enough for the service to refuse a file that is too large.
        content = upload.read(settings.WPSNAP_EVIDENCE_MAX_BYTES + 1)
        try:
            evidence = services.evidence_add(
                actor=request.user, report=report, name=upload.name or "", content=content, request=request
            )
        except LockedError as exc:
            return _evidence_page(
                request, report, form, status=409, notice=f"{exc} {_('Nothing was saved.')}"
            )
        except InvalidInput as exc:
            add_problems(form, exc.problems)
        else:
            messages.success(
                request, _("“%(name)s” is added to the evidence.") % {"name": evidence.original_name}
            )
            return redirect(reverse("reporting:report_edit", args=[report.pk]) + "#evidence")
    return _evidence_page(request, report, form, status=400)


@permissions.gate("report.edit", authenticated=True)
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = permissions.get_or_refuse(request, form_selectors.evidence_visible_to(request.user), pk=pk)
    report = _report(request, evidence.report_id)
    blocked = _not_editable(report)
    if blocked is not None:
        return _evidence_page(
            request, report, EvidenceForm(), status=409, notice=blocked + " " + _("Nothing was deleted.")
        )
    try:
        services.evidence_delete(actor=request.user, evidence=evidence, request=request)
    except LockedError as exc:
        return _evidence_page(
            request, report, EvidenceForm(), status=409, notice=f"{exc} {_('Nothing was deleted.')}"
        )
    messages.success(
        request, _("“%(name)s” is removed from the evidence.") % {"name": evidence.original_name}
    )
    return redirect(reverse("reporting:report_edit", args=[report.pk]) + "#evidence")


# Characters that have no place in a file name sent back in a header.
@permissions.gate("report.view", authenticated=True)
@require_safe
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file, as an attachment, to those who may see its report."""
    evidence: Evidence = permissions.get_or_refuse(
        request, form_selectors.evidence_visible_to(request.user), pk=pk
    )
    permissions.require(request, "report.view", evidence.report)
    return evidence.as_attachment()
