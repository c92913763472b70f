"""Background jobs in the REST API (``wpsnap.core.jobs``): /api/v1/jobs/ (the caller's own, newest first),
/api/v1/jobs/{id}/ (its progress, and once done its file's address and where to go next) and
/api/v1/jobs/{id}/file/ (the file itself). A script that got 202 and a ``Location`` from an API that
started a job polls that address until ``status`` is done or failed.

The same rule as the pages (``job.view``): a job is its owner's only, and only while the gate still allows
them the action they started it with; anyone else's job answers 404, as if it did not exist, and the
attempt is audited."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wpsnap.core import jobs
from wpsnap.core.api import errors
from wpsnap.core.models import Job, JobStatus

from . import permissions
from .filters import PageNumberPagination

JOB_ID = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=_("The job's id (from the 202's Location).")
)

# The types of the files jobs make today (exports, reports, an import's receipt).
FILE_TYPES = (
    "text/csv",
    "text/plain",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/octet-stream",
)


class JobProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(help_text=_("How much is done, out of `total`."))
    total = serializers.IntegerField(help_text=_("Always 100: `done` is a percentage."))
    message = serializers.CharField(help_text=_("The step it is at (empty when none was said)."))


class JobResultSerializer(serializers.Serializer):
    label = serializers.CharField(help_text=_('What the link says, e.g. "Open the participant list".'))
    url = serializers.URLField(help_text=_("The page to go to next."))
    api = serializers.URLField(allow_null=True, help_text=_("The same thing in the API, where there is one."))


# A pattern, not an enum: a fourth choice set named "status" would rename the other APIs' status enums.
@extend_schema_field({"type": "string", "pattern": "^(" + "|".join(JobStatus.values) + ")$"})
class JobStatusField(serializers.CharField):
    pass


class JobSerializer(serializers.Serializer):
    """A background job as the API shows it (built from a Job by :func:`job_data`)."""

    id = serializers.UUIDField()
    kind = serializers.CharField(help_text=_('What it does, e.g. "registries.participants_import".'))
    label = serializers.CharField(help_text=_("What it makes, in the language it was started in."))
    status = JobStatusField(help_text=_("`queued`, `running`, then `done` or `failed`."))
    progress = JobProgressSerializer()
    created = serializers.DateTimeField()
    started = serializers.DateTimeField(allow_null=True)
    finished = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(allow_null=True, help_text=_("Why it failed (only when it failed)."))
    file = serializers.URLField(allow_null=True, help_text=_("Where to download its file (only when done)."))
    file_name = serializers.CharField(allow_null=True)
    content_type = serializers.CharField(allow_null=True)
    size = serializers.IntegerField(allow_null=True, help_text=_("The file's size in bytes."))
    result = JobResultSerializer(
        allow_null=True, help_text=_("Where to go next once done (e.g. the list it imported into), if any.")
    )
    url = serializers.URLField(help_text=_("This job in the API: poll it."))
    page = serializers.URLField(help_text=_("This job's page, for a person."))

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return job_data(instance, self.context["request"])


def job_data(job: Job, request: Request) -> dict[str, Any]:
    """What the API shows of ``job``: the file and the next page only once it is done."""
    done = job.status == JobStatus.DONE
    absolute = request.build_absolute_uri
    result = None
    if done and job.result_url:
        result = {
            "label": job.result_label,
            "url": absolute(job.result_url),
            "api": absolute(job.result_api_url) if job.result_api_url else None,
        }
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "label": job.label,
        "status": job.status,
        "progress": {"done": job.progress, "total": 100, "message": job.step},
        "created": _time(job.created_at),
        "started": _time(job.started_at),
        "finished": _time(job.finished_at),
        "error": (job.error or str(_("No reason was recorded."))) if job.status == JobStatus.FAILED else None,
        "file": absolute(reverse("api:job-file", args=[job.pk])) if done else None,
        "file_name": job.download_name if done else None,
        "content_type": job.content_type if done else None,
        "size": job.size if done else None,
        "result": result,
        "url": absolute(reverse("api:job-detail", args=[job.pk])),
        "page": absolute(reverse("jobs:detail", args=[job.pk])),
    }


def _time(value: Any) -> str | None:
    return serializers.DateTimeField().to_representation(value) if value else None


def _job_or_404(request: Request, pk: uuid.UUID) -> Job:
    """The job ``pk`` if the caller may see it, failed first if its worker stopped; else 404 (the refusal
    audited when it exists)."""
    job = Job.objects.filter(pk=pk).defer("params").first()
    if job is None:
        raise Http404
    if not permissions.can(request.user, "job.view", job):
        permissions.refuse(request, "job.view", job, hide=True)
    return jobs.job_fail_stale(job)


@extend_schema(
    summary=_("Your background jobs, newest first"),
    description=_(
        "The jobs you started (large imports and exports, reports) that you may still see: those whose "
        "permission you still have. Jobs are kept for WPSNAP_JOB_KEEP_DAYS days (7). 100 per page (`?page=`)."
    ),
    responses={200: JobSerializer, **errors(400, 401)},
    tags=["jobs"],
)
class JobList(generics.ListAPIView):
    """The caller's own jobs, newest first."""

    gate_action = "job.view"
    serializer_class = JobSerializer
    pagination_class = PageNumberPagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Job]:
        user = self.request.user
        mine = Job.objects.filter(owner_id=user.pk)
        # The rule of job.view, for the whole list at once: the actions its owner still may do.
        actions = set(mine.order_by().values_list("action", flat=True).distinct())
        allowed = [a for a in actions if a != "job.view" and permissions.can(user, a)]
        return mine.filter(action__in=allowed).defer("params").order_by("-created_at", "-pk")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # the API is always paginated
        rows = [job_data(jobs.job_fail_stale(job), request) for job in page]
        return self.get_paginated_response(rows)


@extend_schema(
    summary=_("One of your background jobs: its progress, then its file"),
    description=_(
        "Poll it (every few seconds) until `status` is `done` or `failed`. When done, `file` is where to "
        "download what it made and `result`, if any, where to go next; when failed, `error` says why. "
        "Someone else's job answers 404."
    ),
    parameters=[JOB_ID],
    responses={200: JobSerializer, **errors(401, 404)},
    tags=["jobs"],
)
class JobDetail(APIView):
    """One job of the caller's."""

    gate_action = "job.view"

    def get(self, request: Request, id: uuid.UUID) -> Response:
        job = _job_or_404(request, id)
        response = Response(job_data(job, request))
        response["Cache-Control"] = "private, no-store"
        return response


@extend_schema(
    summary=_("The file one of your background jobs made"),
    description=_(
        "The same file as the job's page offers, as a private attachment, never cached; 404 until the "
        "job is done."
    ),
    parameters=[JOB_ID],
    responses={
        **{
            (200, content_type): OpenApiResponse(
                OpenApiTypes.BINARY, description=_("The file, as an attachment.")
            )
            for content_type in FILE_TYPES
        },
        **{(code, "application/json"): response for code, response in errors(401, 404).items()},
    },
    tags=["jobs"],
)
class JobFile(APIView):
    """The job's file."""

    gate_action = "job.view"

    def get(self, request: Request, id: uuid.UUID) -> FileResponse:
        return jobs.job_file_response(_job_or_404(request, id))
