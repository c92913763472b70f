"""Public versions of the annual reports on the public portal (docs/portal.md, "Annual reports").

A coordinator builds the public version of an annual progress report or of the end-of-plan review
(exports' background job ``exports.annual_report`` with ``public`` set: published figures only, through
disclosure control) and puts the finished PDF or DOCX on the portal: :func:`public_report_publish` copies
the job's file into a :class:`~wpsnap.publishing.models.PublicReportFile`, which anyone downloads.
:func:`public_report_withdraw` takes one off again, with a reason.

A file holds the figures published when it was built. So a build is refused when a report it covers (of
the plan, in its years) left the published state after the build started, and when a report leaves the
published state, :func:`reports_left_published` (a reporting hook, registered in ``apps.ready``) withdraws
every live file covering it in the same transaction. Publishing does not import exports: the job is
recognised by its kind and parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from wpsnap.accounts import permissions
from wpsnap.core import audit, files, params
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.core.jobs import job_dir
from wpsnap.core.models import AuditAction, Job, JobStatus
from wpsnap.plan.models import Plan, PlanStatus
from wpsnap.reporting.models import ProgressReport, ReportTransition
from wpsnap.reporting.workflow import Status, Step

from .models import PublicReportFile, ReportFileFormat

# The exports' job that builds a report (``wpsnap.exports.jobs``), named here by its kind only.
REPORT_JOB = "exports.annual_report"
# A report's file is at most this large (the national review as PDF is a few MB).
MAX_BYTES = 200 * 1024 * 1024
REASON_MAX = 1000
# The reasons the platform gives itself (stored as written: the row is a record, in the plan's language
# of record, English).
REPLACED = "replaced by a newer build"
UNPUBLISHED = "a report it showed was unpublished"


# --- reading -------------------------------------------------------------------------------------------


def live_report_files(plan: Plan) -> list[PublicReportFile]:
    """The files of ``plan`` on the portal now: annual reports by year, then the review; by language and
    format. One query."""
    rows = PublicReportFile.objects.filter(plan=plan, withdrawn_at__isnull=True).select_related(
        "published_by"
    )
    return sorted(rows, key=lambda r: (r.is_review, r.first_year, r.last_year, r.language, r.format))


def live_report_file(
    *, plan: Plan, first_year: int, last_year: int, language: str, fmt: str
) -> PublicReportFile | None:
    """The live file of that report, language and format, or None."""
    return PublicReportFile.objects.filter(
        plan=plan,
        first_year=first_year,
        last_year=last_year,
        language=language,
        format=fmt,
        withdrawn_at__isnull=True,
    ).first()


def publishable_jobs(user: Any, plan: Plan) -> QuerySet[Job]:
    """``user``'s own finished public builds of ``plan``'s reports as PDF or DOCX, newest first: what
    they may put on the portal."""
    return Job.objects.filter(
        owner=user,
        kind=REPORT_JOB,
        status=JobStatus.DONE,
        params__plan=plan.slug,
        params__public=True,
        params__format__in=ReportFileFormat.values,
    ).order_by("-finished_at")


# --- writing -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Build:
    plan: Plan
    first_year: int
    last_year: int
    language: str
    fmt: str


def _refuse(code: str, message: str) -> InvalidInput:
    return InvalidInput([Problem("job", code, message)])


def _build_of(job: Job) -> _Build:
    """What ``job`` built, or ``InvalidInput`` naming ``job`` when it is not a finished public build of a
    report as PDF or DOCX of a public plan."""
    params_ = job.params if isinstance(job.params, dict) else {}
    if job.kind != REPORT_JOB:
        raise _refuse("not_a_report", _("This task did not build an annual report or the review."))
    if job.status != JobStatus.DONE or not job.file_name or job.started_at is None:
        raise _refuse("not_finished", _("This report is not built yet (or its build failed)."))
    if params_.get("public") is not True:
        raise _refuse(
            "internal",
            _(
                "This is the internal version. Only the public version (published figures only) may go on the portal."
            ),
        )
    if params_.get("format") not in ReportFileFormat.values:
        raise _refuse(
            "format", _("Only a PDF or Word (DOCX) file may go on the portal. Build it as one of those.")
        )
    plan = Plan.objects.filter(slug=str(params_.get("plan", ""))).first()
    if plan is None or plan.status == PlanStatus.DRAFT:
        raise _refuse("plan", _("This report's plan is not public."))
    try:
        first_year, last_year = int(params_["first_year"]), int(params_["last_year"])
    except (KeyError, TypeError, ValueError):
        raise _refuse("years", _("This task does not say which years it covers.")) from None
    return _Build(plan, first_year, last_year, str(params_.get("language", "")), str(params_["format"]))


def _plan_of(job: Job) -> Plan | None:
    slug = job.params.get("plan") if isinstance(job.params, dict) else None
    return Plan.objects.filter(slug=str(slug or "")).first()


def _covered(plan: Plan, first_year: int, last_year: int) -> QuerySet[ProgressReport]:
    """The reports of ``plan`` that a report on ``first_year``..``last_year`` covers: those of the
    reporting periods whose first day falls in those years (as the builder counts them)."""
    return ProgressReport.objects.filter(
        plan=plan, period__start__year__gte=first_year, period__start__year__lte=last_year
    )


def public_report_publish(*, actor: Any, job: Job, request: Any = None) -> PublicReportFile:
    """Put the file of ``job`` (the actor's own finished public build of an annual report or the review,
    as PDF or DOCX) on the public portal. Refused (``InvalidInput`` naming ``job``) for anything else, when
    a report it covers was unpublished after the build started, when this build or a newer one is already
    there. A live file of the same report, language and format, built earlier, is withdrawn (replaced), its
    stored file deleted once this commits. Coordinators only; one audit line."""
    action = "report_file.publish"
    plan = _plan_of(job)
    if not permissions.can(actor, action, plan):
        permissions.refuse(request, action, plan)
    if job.owner_id != getattr(actor, "pk", None):
        raise _refuse("not_yours", _("Only the person who built a report may put it on the portal."))
    build = _build_of(job)
    started = job.started_at
    assert started is not None  # _build_of checked it
    # Read and checked by its content before the writing transaction (as every stored file).
    try:
        content = (job_dir() / job.file_name).read_bytes()
    except FileNotFoundError:
        raise _refuse(
            "gone", _("This build's file is gone (tasks are cleared after some days). Build it again.")
        ) from None
    try:
        upload = files.upload_check(name=job.download_name or "report", content=content, max_bytes=MAX_BYTES)
    except InvalidInput as refused:
        raise InvalidInput([Problem("job", p.code, p.message) for p in refused.problems]) from None
    if upload.kind != build.fmt:
        raise _refuse(
            "format",
            _("This build's file is not the %(format)s it should be.") % {"format": build.fmt.upper()},
        )
    now = timezone.now()
    with transaction.atomic():
        # The plan's row, exclusively: an unpublish of one of its reports (whose hook takes the same lock)
        # either committed before, and is seen below, or waits, and then withdraws this file.
        Plan.objects.select_for_update().filter(pk=build.plan.pk).first()
        left = ReportTransition.objects.filter(
            report__in=_covered(build.plan, build.first_year, build.last_year),
            source=Status.PUBLISHED,
            at__gte=started,
        )
        if left.exists():
            raise _refuse(
                "stale",
                _(
                    "A report this file covers was taken off the public pages after it was built, so the "
                    "file may show figures no longer public. Build it again."
                ),
            )
        live = (
            PublicReportFile.objects.select_for_update()
            .filter(
                plan=build.plan,
                first_year=build.first_year,
                last_year=build.last_year,
                language=build.language,
                format=build.fmt,
                withdrawn_at__isnull=True,
            )
            .first()
        )
        if live is not None:
            if live.job_id == job.pk:
                raise _refuse("already", _("This build is already on the public portal."))
            if live.built_at > started:
                raise _refuse(
                    "newer",
                    _("A newer build of this report, in this language and format, is already on the portal."),
                )
            _withdraw(live, actor=actor, reason=REPLACED, now=now, request=request)
        stored = PublicReportFile(
            plan=build.plan,
            first_year=build.first_year,
            last_year=build.last_year,
            language=build.language,
            format=build.fmt,
            job_id=job.pk,
            built_at=started,
            published_at=now,
            published_by=actor,
        )
        files.stored_file_save(stored=stored, upload=upload, actor=actor)
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=stored,
            request=request,
            object_label=_label(stored),
            note=f"put on the public portal (built {started.isoformat()}, job {job.pk})",
        )
    return stored


def public_report_withdraw(
    *, actor: Any, file: PublicReportFile, reason: str, request: Any = None
) -> PublicReportFile:
    """Take ``file`` off the public portal, with a ``reason`` (required, kept with it and in the audit
    trail); its stored file is deleted once this commits. Coordinators only."""
    action = "report_file.withdraw"
    if not permissions.can(actor, action, file.plan):
        permissions.refuse(request, action, file.plan)
    reason = params.text("reason", reason, max_length=REASON_MAX, lines=True).strip()
    if not reason:
        raise InvalidInput.one(
            "reason", "required", _("Say why it is taken off the portal; the reason is recorded.")
        )
    with transaction.atomic():
        locked = PublicReportFile.objects.select_for_update().get(pk=file.pk)
        if locked.withdrawn_at is not None:
            raise InvalidInput.one("file", "withdrawn", _("This file was already taken off the portal."))
        _withdraw(locked, actor=actor, reason=reason, now=timezone.now(), request=request)
    return locked


def _withdraw(row: PublicReportFile, *, actor: Any, reason: str, now: datetime, request: Any = None) -> None:
    """Mark ``row`` withdrawn (inside the caller's transaction), delete its file on commit, audit it."""
    row.withdrawn_at, row.withdrawn_by, row.withdrawn_reason = now, actor, reason
    row.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason", "updated_at"])
    row.delete_file_on_commit()
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=row,
        request=request,
        object_label=_label(row),
        changes=[{"field": "withdrawn_at", "old": None, "new": now.isoformat()}],
        note=f"taken off the public portal: {reason}",
        actor_label="" if actor is not None else "system",
    )


def _label(row: PublicReportFile) -> str:
    return f"{row.plan.slug} {row.first_year}-{row.last_year} {row.language} {row.format}"


# --- the reporting hook: a report leaving the published state -------------------------------------------


def reports_left_published(report_ids: Iterable[int]) -> None:
    """Withdraw every live file that may show figures of a report that just left the published state
    (unpublished), inside the writing transaction (``reporting.hooks``; the files deleted on commit).

    Reporting calls its hooks after saving the report's new status and before writing the step's
    ``ReportTransition``. So a report not published is leaving that state now when its latest transition
    still went *to* published, or, for a report written without transitions (bulk-loaded data), when it
    has none and its latest history row is the unpublish step: every live file covering it goes. Should
    the step be written first, a latest transition *from* published is that step: the files built before
    it go (a later call for the same report, on a change to its figures, finds no such file left)."""
    latest = ReportTransition.objects.filter(report=OuterRef("pk")).order_by("-at", "-id")
    history = ProgressReport.history.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    reports = (
        ProgressReport.objects.filter(pk__in=list(report_ids))
        .exclude(status=Status.PUBLISHED)
        .annotate(
            last_source=Subquery(latest.values("source")[:1]),
            last_target=Subquery(latest.values("target")[:1]),
            last_at=Subquery(latest.values("at")[:1]),
            last_reason=Subquery(history.values("history_change_reason")[:1]),
        )
        .select_related("period")
    )
    # (plan, year of the report's period, files built up to when; None: every one)
    leaving: list[tuple[int, int, datetime | None]] = []
    for row in reports:
        unpublished_now = row.last_target == Status.PUBLISHED or (
            row.last_target is None and str(row.last_reason or "").startswith(f"{Step.UNPUBLISH}:")
        )
        if unpublished_now:
            leaving.append((row.plan_id, row.period.start.year, None))
        elif row.last_source == Status.PUBLISHED:
            leaving.append((row.plan_id, row.period.start.year, row.last_at))
    if not leaving:
        return
    now = timezone.now()
    for plan_id in sorted({plan_id for plan_id, _year, _at in leaving}):
        Plan.objects.select_for_update().filter(pk=plan_id).first()  # as public_report_publish
    for plan_id, year, before in leaving:
        doomed = PublicReportFile.objects.select_for_update().filter(
            plan_id=plan_id,
            first_year__lte=year,
            last_year__gte=year,
            withdrawn_at__isnull=True,
        )
        if before is not None:
            doomed = doomed.filter(built_at__lte=before)
        for doomed_file in doomed.select_related("plan"):
            _withdraw(doomed_file, actor=None, reason=UNPUBLISHED, now=now)
