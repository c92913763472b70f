"""The exports' background jobs (``wpsnap.core.jobs``): building the annual progress report and the
end-of-plan review, started by the report pages (``views.report_build``)."""

from __future__ import annotations

from importlib import import_module
from typing import Any, BinaryIO

from django.urls import reverse
from django.utils.translation import gettext as _

from wpsnap.accounts import permissions
from wpsnap.core.errors import WpsnapError
from wpsnap.core.jobs import JobOutput, JobResult, Progress, job_kind
from wpsnap.plan.models import Plan

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


class ReportRefused(WpsnapError):
    """The report can no longer be built for this person (the plan is gone, or their access changed)."""


@job_kind("exports.annual_report")
def annual_report_job(job: Any, progress: Progress, out: BinaryIO) -> JobOutput:
    """Build the report the job's ``params`` name (plan slug, first and last year, format, language,
    public) for its owner, asking the gate again first: the owner may have lost the access they had when
    they asked."""
    params = job.params
    plan = Plan.objects.filter(slug=params["plan"]).first()
    if plan is None or not permissions.can(job.owner, job.action, plan):
        raise ReportRefused(_("This report can no longer be built for you: the plan or your access changed."))
    progress(2, _("Starting"))
    # The builder is its own part (``wpsnap.exports.annual``), loaded only when a report is built.
    report_build = import_module("wpsnap.exports.annual").report_build
    name = report_build(
        plan=plan,
        first_year=int(params["first_year"]),
        last_year=int(params["last_year"]),
        fmt=params["format"],
        language=params["language"],
        public=bool(params["public"]),
        viewer=job.owner,
        out=out,
        progress=progress,
    )
    progress(100, _("Done"))
    result = None
    if (
        params["public"]
        and params["format"] in ("pdf", "docx")
        and permissions.can(job.owner, "report_file.publish", plan)
    ):
        # The next step a coordinator may take with a public PDF or DOCX: the report's card on the reports
        # page, whose form puts it on the public portal.
        page = reverse("exports:reports", args=[plan.slug])
        result = JobResult(
            url=f"{page}#report-{params['first_year']}-{params['last_year']}",
            label=_("Put it on the public portal"),
        )
    return JobOutput(name=str(name), content_type=CONTENT_TYPES[params["format"]], result=result)
