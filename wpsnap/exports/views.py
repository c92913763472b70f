"""The report pages: the annual progress reports and the end-of-plan review of a plan.

- ``/exports/plans/<slug>/reports/``: each report one can build (each year of the plan, then the plan's
  span), how much of the coordinator's text is written in each language, a form to build it (format,
  language, version) and, for coordinators, the link to write the text.
- ``/exports/plans/<slug>/reports/<first>-<last>/write/``: the coordinator's text of one report in one
  language (``?lang=az|en|ru``): summary, challenges, conclusions, recommendations, a note on each
  pillar and (folded away) on each activity. A save made on a text someone else changed since is refused (409) with their text shown beside
  what was typed, which is kept.
- ``/exports/plans/<slug>/reports/<first>-<last>/build/`` (POST): starts the job that builds the report
  (``jobs.py``) and sends the person to its page (progress bar, then the file).
- ``/exports/plans/<slug>/reports/<first>-<last>/publish/`` (POST, coordinators): puts one of the person's
  own finished public builds (PDF or DOCX) on the public portal (``publishing.report_files``);
  ``/exports/plans/<slug>/reports/files/<id>/withdraw/`` (POST, with a reason) takes one off. The list shows
  each report's files on the portal and, to coordinators, these two forms.

Who may do what (``permissions.py``): the page and the public version (published figures only) for
anyone signed in who may see the plan; the internal version (every approved figure) for coordinators and
evaluators; the text for coordinators. A draft plan is 404 to whoever may not see it.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from wpsnap.accounts import permissions
from wpsnap.accounts.permissions import gate, get_or_refuse
from wpsnap.core import params, versions
from wpsnap.core.errors import InvalidInput
from wpsnap.core.forms import add_problems
from wpsnap.core.models import Job
from wpsnap.plan.models import Plan
from wpsnap.plan.selectors import plan_get_with_text, plans
from wpsnap.publishing.models import PublicReportFile
from wpsnap.publishing.report_files import (
    live_report_files,
    public_report_publish,
    public_report_withdraw,
    publishable_jobs,
)

from . import narratives
from .forms import BuildForm, NarrativesForm
from .models import NarrativeLanguage, ReportNarrative
from .services import NarrativeStale, narratives_save

VERSION_PREFIX = "version:"


def _plan(request: HttpRequest, slug: str, action: str) -> Plan:
    plan = get_or_refuse(request, plans(request.user), slug=slug)
    permissions.require(request, action, plan)
    return plan_get_with_text(plan)


def _span(plan: Plan, first_year: int, last_year: int) -> narratives.ReportSpan:
    """The report named in the address, else 404 (an address, not a form's field)."""
    try:
        return narratives.check_period(plan, first_year, last_year)
    except InvalidInput:
        raise Http404 from None


def _build_versions(user: Any, plan: Plan) -> list[str]:
    found = []
    if permissions.can(user, "exports.report.build_internal", plan):
        found.append("internal")
    if permissions.can(user, "exports.report.build_public", plan):
        found.append("public")
    return found


def _default_language(plan: Plan) -> str:
    active = (translation.get_language() or "").split("-")[0]
    if active in NarrativeLanguage.values:
        return active
    return plan.default_language if plan.default_language in NarrativeLanguage.values else "az"


@gate("exports.report.list", authenticated=True)
@require_safe
def report_list(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug, "exports.report.list")
    written = narratives.written(plan)
    versions_allowed = _build_versions(request.user, plan)
    language = _default_language(plan)
    may_publish = permissions.can(request.user, "report_file.publish", plan)
    names = dict(NarrativeLanguage.choices)
    live: dict[tuple[int, int], list[dict[str, Any]]] = {}
    on_portal = set()
    for file in live_report_files(plan):
        on_portal.add(file.job_id)
        live.setdefault((file.first_year, file.last_year), []).append(
            {"file": file, "language": names.get(file.language, file.language)}
        )
    builds: dict[tuple[int, int], list[dict[str, Any]]] = {}
    if may_publish:
        for job in publishable_jobs(request.user, plan):
            if job.pk not in on_portal:
                key = (int(job.params.get("first_year", 0)), int(job.params.get("last_year", 0)))
                language = str(job.params.get("language", ""))
                builds.setdefault(key, []).append(
                    {
                        "job": job,
                        "language": names.get(language, language),
                        "format": str(job.params.get("format", "")).upper(),
                    }
                )
    rows = [
        {
            "span": span,
            "live": live.get((span.first_year, span.last_year), []),
            "builds": builds.get((span.first_year, span.last_year), []),
            "written": [
                (code, label, written.get((span.first_year, span.last_year), {}).get(code, 0))
                for code, label in NarrativeLanguage.choices
            ],
            "form": BuildForm(
                versions=versions_allowed, prefix=span.slug, initial={"language": language, "format": "pdf"}
            ),
        }
        for span in narratives.report_spans(plan)
    ]
    return render(
        request,
        "exports/report_list.html",
        {
            "plan": plan,
            "here": _("Annual reports and review"),
            "rows": rows,
            "may_write": permissions.can(request.user, "exports.narrative.edit", plan),
            "may_build_internal": "internal" in versions_allowed,
            "may_publish": may_publish,
            "sections_total": len(narratives.own_sections()),
        },
    )


@gate("exports.report.build_public", authenticated=True)
@require_POST
def report_build(request: HttpRequest, slug: str, first_year: int, last_year: int) -> HttpResponse:
    """Start building the report; the job's page follows its progress and offers the file."""
    from wpsnap.core.jobs import job_start

    plan = _plan(request, slug, "exports.report.build_public")
    span = _span(plan, first_year, last_year)
    chosen = BuildForm(request.POST, versions=["internal", "public"], prefix=span.slug).cleaned_or_refuse()
    public = chosen["version"] == "public"
    action = "exports.report.build_public" if public else "exports.report.build_internal"
    permissions.require(request, action, plan)
    label = _("%(report)s (%(format)s, %(language)s, %(version)s)") % {
        "report": span.title,
        "format": chosen["format"].upper(),
        "language": dict(NarrativeLanguage.choices)[chosen["language"]],
        "version": _("public") if public else _("internal"),
    }
    job = job_start(
        owner=request.user,
        kind="exports.annual_report",
        action=action,
        params={
            "plan": plan.slug,
            "first_year": span.first_year,
            "last_year": span.last_year,
            "format": chosen["format"],
            "language": chosen["language"],
            "public": public,
        },
        label=label,
    )
    return redirect("jobs:detail", job.pk)


def _back_to(plan: Plan, span: narratives.ReportSpan) -> HttpResponse:
    return redirect(f"{reverse('exports:reports', args=[plan.slug])}#report-{span.slug}")


def _refused(request: HttpRequest, refused: InvalidInput) -> None:
    for problem in refused.problems:
        messages.error(request, problem.message)


@gate("report_file.publish", authenticated=True)
@require_POST
def report_file_publish(request: HttpRequest, slug: str, first_year: int, last_year: int) -> HttpResponse:
    """Put one of the person's own finished public builds of this report on the public portal."""
    plan = _plan(request, slug, "report_file.publish")
    span = _span(plan, first_year, last_year)
    raw = params.text("job", request.POST.get("job", ""))
    try:
        job_id = uuid.UUID(raw)
    except ValueError:
        raise InvalidInput.one("job", "invalid", _("Choose one of your builds of this report.")) from None
    job = get_or_refuse(request, Job.objects.filter(owner_id=request.user.pk), pk=job_id)
    try:
        if (job.params.get("first_year"), job.params.get("last_year")) != (span.first_year, span.last_year):
            raise InvalidInput.one("job", "other_report", _("This build is of another report."))
        file = public_report_publish(actor=request.user, job=job, request=request)
    except InvalidInput as refused:
        _refused(request, refused)
    else:
        messages.success(
            request,
            _("%(report)s (%(language)s, %(format)s) is on the public portal: anyone may download it.")
            % {
                "report": span.title,
                "language": dict(NarrativeLanguage.choices).get(file.language, file.language),
                "format": file.get_format_display(),
            },
        )
    return _back_to(plan, span)


@gate("report_file.withdraw", authenticated=True)
@require_POST
def report_file_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Take a report's file off the public portal, with a reason."""
    plan = _plan(request, slug, "report_file.withdraw")
    file = get_or_refuse(request, PublicReportFile.objects.filter(plan=plan), pk=pk)
    span = narratives.ReportSpan(file.first_year, file.last_year)
    try:
        public_report_withdraw(
            actor=request.user, file=file, reason=request.POST.get("reason", ""), request=request
        )
    except InvalidInput as refused:
        _refused(request, refused)
    else:
        messages.success(
            request,
            _("%(report)s (%(language)s, %(format)s) is no longer on the public portal.")
            % {
                "report": span.title,
                "language": dict(NarrativeLanguage.choices).get(file.language, file.language),
                "format": file.get_format_display(),
            },
        )
    return _back_to(plan, span)


@gate("exports.narrative.edit", authenticated=True)
@require_http_methods(["GET", "HEAD", "POST"])
def report_write(request: HttpRequest, slug: str, first_year: int, last_year: int) -> HttpResponse:
    plan = _plan(request, slug, "exports.narrative.edit")
    span = _span(plan, first_year, last_year)
    source = request.POST if request.method == "POST" else request.GET
    language = params.text("lang", source.get("lang", "") or _default_language(plan))
    if language not in NarrativeLanguage.values:
        raise InvalidInput.one("lang", "invalid_choice", _("Choose az, en or ru."))
    sections = (
        narratives.own_sections() + narratives.pillar_sections(plan) + narratives.activity_sections(plan)
    )
    rows = {
        row.section: row
        for row in ReportNarrative.objects.filter(
            plan=plan, first_year=span.first_year, last_year=span.last_year, language=language
        ).select_related("updated_by")
    }
    stored = {key: rows[key].text if key in rows else "" for key, _label in sections}
    stored_versions = {key: rows[key].version if key in rows else 0 for key, _label in sections}
    status = 200
    conflicts: list[dict[str, str]] = []
    shown_versions = stored_versions
    shown_base = versions.encode_base(stored)
    if request.method == "POST":
        base = versions.posted_base(request.POST)
        posted_versions = {
            key: params.integer(f"{VERSION_PREFIX}{key}", raw, low=0)
            for key, _label in sections
            if (raw := request.POST.get(f"{VERSION_PREFIX}{key}")) is not None
        }
        texts = {
            key: text
            for key, _label in sections
            if (text := request.POST.get(key)) is not None and not versions.untouched(key, text, base)
        }
        form = NarrativesForm(request.POST, sections=sections)
        try:
            changed = narratives_save(
                viewer=request.user,
                plan=plan,
                first_year=span.first_year,
                last_year=span.last_year,
                language=language,
                texts=texts,
                base_versions={key: posted_versions.get(key) for key in texts},
                request=request,
            )
        except NarrativeStale as stale:
            # What they typed stays; what they left alone shows what is stored now; the form now carries
            # the versions and texts stored now, so that saving again keeps what they typed.
            status = 409
            labels = dict(sections)
            conflicts = [
                {
                    "anchor": f"id_{c.key}",
                    "label": labels.get(c.key, c.key),
                    "current": c.current,
                    "yours": "",
                }
                for c in stale.conflicts
            ]
            form = NarrativesForm(versions.rebased(request.POST, base, stored), sections=sections)
        except InvalidInput as refused:
            # Nothing saved: the form keeps what it was opened with, so a stale save is still caught.
            status = 400
            add_problems(form, refused.problems)
            shown_versions = {key: posted_versions.get(key, 0) for key in stored}
            shown_base = str(request.POST.get(versions.BASE_FIELD) or shown_base)
        else:
            if changed:
                messages.success(
                    request,
                    ngettext("Saved %(count)d section.", "Saved %(count)d sections.", len(changed))
                    % {"count": len(changed)},
                )
            else:
                messages.info(request, _("Nothing had changed, so nothing was saved."))
            url = reverse("exports:report_write", args=[plan.slug, span.first_year, span.last_year])
            return redirect(f"{url}?{urlencode({'lang': language})}")
    else:
        form = NarrativesForm(initial=stored, sections=sections)
    fields = [
        {
            "field": form[key],
            "version_name": f"{VERSION_PREFIX}{key}",
            "version": shown_versions.get(key, 0),
            "row": rows.get(key),
            "activity": key.startswith("activity:"),
        }
        for key, _label in sections
    ]
    response = render(
        request,
        "exports/report_write.html",
        {
            "plan": plan,
            "span": span,
            "here": _("Write: %(report)s") % {"report": span.title},
            "parent_url": reverse("exports:reports", args=[plan.slug]),
            "parent_label": _("Annual reports and review"),
            "form": form,
            "fields": fields,
            "language": language,
            "languages": NarrativeLanguage.choices,
            "base": shown_base,
            "conflicts": conflicts,
            "activity_notes_written": sum(
                1 for key in rows if key.startswith("activity:") and rows[key].text
            ),
        },
        status=status,
    )
    return response
