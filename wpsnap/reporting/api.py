"""The REST API of progress reporting: /api/v1/reports/ (and its workflow steps) and /api/v1/periods/
(a plan's results are analytics', ``wpsnap.analytics.api``).

Thin views: each names its action for the permission gate (``wpsnap.accounts.drf.Gate``), reads through
``wpsnap.reporting.selectors`` (scoped by ``reports_visible_to``) and writes through
``wpsnap.reporting.services``, which check the lock, the workflow table and the object-level rules.
A report outside the caller's scope answers 404; a locked period 409.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from wpsnap.accounts import permissions
from wpsnap.accounts.filters import PageNumberPagination, filter_backends
from wpsnap.accounts.models import Organisation
from wpsnap.core import keyset, params, versions
from wpsnap.core.api import ConflictSerializer, error, errors, if_match, problems_body
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.core.files import CONTENT_TYPES
from wpsnap.plan.models import Activity, Indicator
from wpsnap.plan.permissions import plans_visible_to

from . import form_selectors, selectors, services
from .disaggregation import field_name
from .models import (
    Comment,
    Evidence,
    FundingSource,
    IndicatorValue,
    ProgressReport,
    ReportingPeriod,
    ReportTransition,
    ReportVersion,
)
from .serializers import (
    CommentSerializer,
    EvidenceSerializer,
    FigureSerializer,
    NoInputSerializer,
    PeriodSerializer,
    ReportCommentSerializer,
    ReportContentSerializer,
    ReportCreateSerializer,
    ReportSerializer,
    ReturnSerializer,
    TransitionSerializer,
    UnpublishSerializer,
    VersionContentSerializer,
    VersionSerializer,
    plain,
)
from .services import ReportInput
from .services.reports import answer_key, financing_key
from .workflow import Status, Step

StrOrPromise = str | Promise

# --- errors (answered by wpsnap.core.api.exception_handler) -----------------------------------------

LOCKED = error(
    409,
    gettext_lazy("The period is approved and locked (code `locked`): nothing in it changes until re-opened."),
)
LOCKED_OR_STALE = error(
    409,
    gettext_lazy(
        "The period is approved and locked (code `locked`), or the request was made on an older version "
        "(If-Match) and changes what another write changed since (code `stale`, with `version` and "
        "`conflicts`): nothing was saved."
    ),
    ConflictSerializer,
)


def IF_MATCH(required: bool) -> OpenApiParameter:  # noqa: N802 (a parameter, named like the others)
    return OpenApiParameter(
        "If-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=required,
        description=gettext_lazy(
            'The ETag of the version this request changes, as a GET gave it (e.g. `"3"`); `*` for '
            "whatever is stored."
        ),
    )


# --- from the services' field keys to the API's names ----------------------------------------------


@dataclass
class FieldNames:
    """The field keys the services name problems and conflicts by (the report form's names:
    ``v12-sex-women--age-18-24``, ``a12``, ``fin-state_budget-spent``) as the API names the same things
    (``values[5.1.2-3-i1][sex:women|age:18-24]``, ``answers[5.1.2-3-i2]``, ``financing[state_budget].spent``):
    a table built from the same key functions the services use, so nothing is parsed back."""

    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        indicators: list[Indicator],
        sent: dict[int, dict[str, str]] | None = None,
        sources: Iterable[str] = (),
    ) -> FieldNames:
        found = cls()
        specs = selectors.indicator_specs(indicators)
        for indicator in indicators:
            cells = specs[indicator.pk][1].keys() | set((sent or {}).get(indicator.pk, {}))
            for cell in cells:
                label = cell or "total"
                found.names[field_name(indicator.pk, cell)] = f"values[{indicator.key}][{label}]"
            found.names[answer_key(indicator.pk)] = f"answers[{indicator.key}]"
        for source in {*FundingSource.values, *sources}:
            found.names[financing_key(source, "")] = f"financing[{source}]"
            for part in ("planned", "spent"):
                found.names[financing_key(source, part)] = f"financing[{source}].{part}"
        return found

    def api_name(self, name: str) -> str:
        return self.names.get(name, name)

    def problems(self, problems: list[Problem]) -> list[Problem]:
        return [problem.renamed(self.api_name) for problem in problems]


def report_input(content: dict[str, Any], activity: Activity) -> ReportInput:
    """The services' input from a validated ``ReportContentSerializer``; indicators are named by key
    and must be the activity's (else 400, and nothing is saved)."""
    indicators = {i.key: i.pk for i in Indicator.objects.filter(activity=activity)}
    unknown = [
        Problem(
            f"{name}[{index}].indicator",
            "not_found",
            _("%(key)s is not an indicator of activity %(activity)s.")
            % {"key": item["indicator"], "activity": activity.key},
        )
        for name in ("values", "answers")
        for index, item in enumerate(content.get(name, []))
        if item["indicator"] not in indicators
    ]
    if unknown:
        raise InvalidInput(unknown)
    values: dict[int, dict[str, str]] = defaultdict(dict)
    for item in content.get("values", []):
        values[indicators[item["indicator"]]][item["cell"]] = item["value"] or ""
    financing = {
        line["source"]: {part: line[part] or "" for part in ("planned", "spent") if part in line}
        for line in content.get("financing", [])
    }
    return ReportInput(
        progress=content.get("progress"),
        done=content.get("done"),
        challenges=content.get("challenges"),
        next_steps=content.get("next_steps"),
        started_on=content.get("started_on"),
        finished_on=content.get("finished_on"),
        dates_sent=frozenset(content) & {"started_on", "finished_on"},
        values=dict(values),
        answers={indicators[item["indicator"]]: item["text"] for item in content.get("answers", [])},
        financing=financing,
    )


def with_stored_cells(data: ReportInput, report: ProgressReport) -> ReportInput:
    """``data`` with the stored cells of each indicator it sends figures for, where it does not send
    them: the services check an indicator's cells together (the parts add up to the total), and a
    PATCH of one cell must be checked against the others as they stand."""
    if data.values:
        stored = IndicatorValue.objects.filter(report=report, indicator_id__in=list(data.values))
        for value in stored.only("indicator_id", "cell", "value"):
            data.values[value.indicator_id].setdefault(value.cell, plain(value.value) or "")
    return data


def _has_content(content: dict[str, Any]) -> bool:
    return bool(set(content) - {"activity", "period"})


# --- reports ----------------------------------------------------------------------------------------


class ReportFilter(django_filters.FilterSet):
    period = params.TextFilter(
        method="by_period",
        help_text=gettext_lazy("The period's label (“2021”) or, when no period has that label, its id."),
    )
    status = django_filters.ChoiceFilter(choices=[(s.value, s.value) for s in Status])
    agency = params.TextFilter(field_name="agency__key", help_text=gettext_lazy("The agency's key."))
    activity = params.TextFilter(field_name="activity__key", help_text=gettext_lazy("The activity's key."))
    plan = params.TextFilter(field_name="plan__slug", help_text=gettext_lazy("The plan's slug."))

    class Meta:
        model = ProgressReport
        fields = ["period", "status", "agency", "activity", "plan"]

    def by_period(
        self, queryset: QuerySet[ProgressReport], name: str, value: str
    ) -> QuerySet[ProgressReport]:
        pk = params.digits(value)
        if pk is None or ReportingPeriod.objects.filter(label=value).exists():
            return queryset.filter(period__label=value)
        return queryset.filter(period_id=pk)


# --- paging: keyset (cursor) on indexed keys ----------------------------------------------------------

# The list's orders, each served by an index (the primary key; reporting migration 0004's
# (updated_at, id) and (agency, updated_at, id)). The first is the default.
API_ORDERINGS = (
    keyset.Ordering("id", ("id",), False, gettext_lazy("oldest report first (the default)")),
    keyset.Ordering("-id", ("id",), True, gettext_lazy("newest report first")),
    keyset.Ordering("updated", ("updated_at", "id"), False, gettext_lazy("changed longest ago first")),
    keyset.Ordering("-updated", ("updated_at", "id"), True, gettext_lazy("last changed first")),
)
PAGING = gettext_lazy(
    "Paged by cursor, 100 reports a page: `next` and `previous` are the addresses of the pages after and "
    "before this one (null at either end); follow them as given (the `cursor` inside is opaque). A page "
    "is read by where the last one ended, never by an offset, so its cost does not depend on how far "
    "into the list it is, and a report added while you walk the list never appears twice nor shifts "
    "the others; a report changed meanwhile moves in the `updated` orders (walk the default order, the "
    "id, to see every report exactly once). There is no total count."
)


class ReportCursorPagination(BasePagination):
    """Keyset paging for the report list (``core.keyset``): ``?cursor=`` from ``next``/``previous``,
    ``?ordering=`` one of ``API_ORDERINGS``. A cursor or ordering that does not fit answers 400 naming it."""

    page_size = 100
    orderings: tuple[keyset.Ordering, ...] = API_ORDERINGS

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any]:
        if "page" in request.query_params:
            # A client still counting pages would get the first page forever: say so instead.
            raise InvalidInput.one(
                "page",
                "invalid",
                _("This list is paged by cursor: follow the addresses in next and previous instead."),
            )
        ordering = keyset.ordering_named("ordering", request.query_params.get("ordering"), self.orderings)
        cursor = params.text("cursor", request.query_params.get("cursor", "")) or None
        self.request = request
        self.page = keyset.paginate(queryset, ordering, cursor, self.page_size)
        return self.page.items

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "cursor", cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": str(gettext_lazy("The page, as `next` or `previous` gave it.")),
                "schema": {"type": "string", "maxLength": 200},
            },
            {
                "name": "ordering",
                "required": False,
                "in": "query",
                "description": str(
                    gettext_lazy("The order (indexed keys only): %(orders)s.")
                    % {"orders": "; ".join(f"`{o.key}`: {o.label}" for o in self.orderings)}
                ),
                "schema": {"type": "string", "enum": [o.key for o in self.orderings]},
            },
        ]


REPORT_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=gettext_lazy("The report's id.")
)


def _step_schema(summary: StrOrPromise, description: StrOrPromise, request: Any) -> Any:
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[REPORT_ID, IF_MATCH(False)],
        request=request,
        responses={200: ReportSerializer, **errors(400, 401, 403, 404), 409: LOCKED_OR_STALE},
    )


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("The progress reports the caller may see, with their figures"),
        description=format_lazy(
            "{}\n\n{}",
            gettext_lazy(
                "Coordinators and evaluators see every report; an agency's focal points, approvers and NGO "
                "contributors see their agency's. Filter with `?period=`, `?status=`, `?agency=`, "
                "`?activity=`; order with `?ordering=` (`id`, the default, `-id`, `updated`, `-updated`)."
            ),
            PAGING,
        ),
        responses={200: ReportSerializer, **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One progress report"),
        parameters=[REPORT_ID],
        responses={200: ReportSerializer, **errors(401, 403, 404)},
    ),
    create=extend_schema(
        summary=gettext_lazy("Start a report of the caller's agency (focal points, NGO contributors)"),
        description=gettext_lazy(
            "Opens the draft of the caller's agency on the activity for the period (201), or answers the "
            "existing report (200). It may carry its first content, as in PATCH. When some of that "
            "content is refused, the answer is 400 naming each problem by its field; the draft exists "
            "all the same, with the valid parts saved (its address is in the `Location` header). "
            "The agency, the status and the people are never set through the API."
        ),
        request=ReportCreateSerializer,
        responses={201: ReportSerializer, 200: ReportSerializer, **errors(400, 401, 403), 409: LOCKED},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change a draft or returned report (its agency's focal points)"),
        description=gettext_lazy(
            "Only the fields named here can be sent; any other (status, agency, period, approved_by, "
            "...) is refused with 400 and nothing changes. A field left out is left as it was; a figure "
            'sent as null or "" is cleared. Figures that are refused (text, negative, a cell the '
            "indicator does not have) are named in the 400 answer, e.g. the problem "
            '`{"field": "values[5.1.2-3-i1][sex:men|age:18-24]", "code": "number", "message": "Enter a '
            'number, for example 12."}`, and **the valid parts of the '
            "request are saved all the same**, so that nothing typed is lost; a total that is not the "
            "sum of its parts is saved and named, and stops the report from being submitted. A report "
            "that is no longer editable answers 403; a locked period 409.\n\n"
            "`If-Match` is required (428 without it): the `ETag` of the version you read. When the report "
            "changed since, your change is merged if the other writes left the fields you send alone; "
            "otherwise nothing is saved and the answer is 409, naming each field in conflict with the "
            "value stored now and yours. The answer's `ETag` is the new version."
        ),
        parameters=[REPORT_ID, IF_MATCH(True)],
        request=ReportContentSerializer,
        responses={200: ReportSerializer, **errors(400, 401, 403, 404, 428), 409: LOCKED_OR_STALE},
    ),
    submit=_step_schema(
        gettext_lazy("Submit a report to the agency's approver (its focal points)"),
        gettext_lazy(
            "From draft or returned. Refused with 400 while the report has problems (each named by "
            "its field)."
        ),
        None,
    ),
    endorse=_step_schema(
        gettext_lazy("Endorse a submitted report (the agency's approvers)"),
        gettext_lazy("Passes the report on to the coordinator; an optional comment is kept."),
        CommentSerializer,
    ),
    approve=_step_schema(
        gettext_lazy("Approve an endorsed report (coordinators)"),
        gettext_lazy("Its figures then count in the results; an optional comment is kept."),
        CommentSerializer,
    ),
    return_=_step_schema(
        gettext_lazy("Return a report for correction, with a comment"),
        gettext_lazy(
            "The agency's approvers return submitted reports; coordinators endorsed or approved ones. "
            "The comment is required and goes to the focal point."
        ),
        ReturnSerializer,
    ),
    publish=_step_schema(
        gettext_lazy("Publish an approved report (coordinators)"),
        gettext_lazy("Its figures then leave the platform: the public results include them."),
        None,
    ),
    unpublish=_step_schema(
        gettext_lazy("Unpublish a published report, with a reason (coordinators)"),
        gettext_lazy(
            "Back to approved: its figures leave the public pages, open data and the public API at once. "
            "The reason is required and recorded in the audit trail."
        ),
        UnpublishSerializer,
    ),
)
@extend_schema(tags=["reports"])
class ReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Progress reports: one agency's report on one activity for one period, with its figures by
    indicator and cell, its answers and its financing."""

    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    pagination_class = ReportCursorPagination
    lookup_value_regex = r"[0-9]+"
    # View-level checks (who may try at all); the services decide on the report itself.
    gate_actions = {
        "list": "report.list",
        "retrieve": "report.view",
        "create": "report.create",
        "partial_update": "report.edit",
        "submit": "report.submit",
        "endorse": "report.endorse",
        "approve": "report.approve",
        "return_": "report.list",
        "publish": "report.publish",
        "unpublish": "report.unpublish",
    }

    def get_queryset(self) -> QuerySet[ProgressReport]:
        # The list's order is the paging's (an indexed key, ReportCursorPagination); no sort here.
        return selectors.report_queryset(self.request.user).order_by()

    def get_object(self) -> ProgressReport:
        report = permissions.get_or_refuse(self.request, self.get_queryset(), pk=self.kwargs["pk"])
        if self.action == "retrieve":
            self.check_object_permissions(self.request, report)
        return report

    def _answer(self, report: ProgressReport, code: int = status.HTTP_200_OK, **kwargs: Any) -> Response:
        fresh = selectors.report_queryset(self.request.user).get(pk=report.pk)
        response = Response(
            ReportSerializer(selectors.reports_with_content([fresh])[0]).data, status=code, **kwargs
        )
        response["ETag"] = versions.etag(fresh)
        return response

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None  # the API is always paginated
        return self.get_paginated_response(
            ReportSerializer(selectors.reports_with_content(page), many=True).data
        )

    def retrieve(self, request: Request, pk: str) -> Response:
        report = self.get_object()
        response = Response(ReportSerializer(selectors.reports_with_content([report])[0]).data)
        response["ETag"] = versions.etag(report)
        return response

    def _location(self, report: ProgressReport) -> str:
        return reverse("api:report-detail", kwargs={"pk": report.pk}, request=self.request)

    def create(self, request: Request) -> Response:
        form = ReportCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        activity, period = _activity_and_period(request, form.validated_data)
        agency = getattr(request.user, "organisation", None)
        if not isinstance(agency, Organisation):
            permissions.refuse(request, "report.create")
            raise PermissionDenied  # refuse() has raised already; this tells the type checker
        data = report_input(form.validated_data, activity) if _has_content(form.validated_data) else None
        existed = ProgressReport.objects.filter(activity=activity, agency=agency, period=period).exists()
        report = services.report_start(
            actor=request.user, activity=activity, agency=agency, period=period, request=request
        )
        headers = {"Location": self._location(report)}
        if data is not None:
            data = with_stored_cells(data, report)
            result = services.report_save(actor=request.user, report=report, data=data, request=request)
            if not result.ok:
                # Not raised: the draft and the valid parts are saved, and the answer says where.
                names = FieldNames.of(list(Indicator.objects.filter(activity=activity)), data.values)
                return Response(
                    problems_body(names.problems(result.problems)),
                    status=status.HTTP_400_BAD_REQUEST,
                    headers=headers,
                )
        return self._answer(
            report, status.HTTP_200_OK if existed else status.HTTP_201_CREATED, headers=headers
        )

    def partial_update(self, request: Request, pk: str) -> Response:
        """Change what is sent, on the version named by ``If-Match`` (required): a stale version merges
        when the writes since left the sent fields alone, and is otherwise refused (409)."""
        report = self.get_object()
        # Who may not write here is told so (403, or 409 for a locked period) by the service, before
        # being asked for a version.
        writable = permissions.can(request.user, "report.edit", report) and not report.period.is_locked
        version = if_match(request, report) if writable or request.headers.get("If-Match") else None
        form = ReportContentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = with_stored_cells(report_input(form.validated_data, report.activity), report)
        data.version = version
        indicators = list(Indicator.objects.filter(activity_id=report.activity_id))
        try:
            result = services.report_save(actor=request.user, report=report, data=data, request=request)
        except versions.StaleWrite as exc:
            raise exc.renamed(FieldNames.of(indicators, data.values).api_name) from exc
        if not result.ok:
            # Not raised: the valid parts are saved (nothing typed is lost), and the answer says where.
            names = FieldNames.of(indicators, data.values, data.financing)
            return Response(
                problems_body(names.problems(result.problems)), status=status.HTTP_400_BAD_REQUEST
            )
        return self._answer(report)

    def _step(self, request: Request, step: Step, form_class: type[serializers.Serializer]) -> Response:
        report = self.get_object()
        form = form_class(data=request.data)
        form.is_valid(raise_exception=True)
        # Optional on a step: with it, a step on a version older than the report's is refused (409).
        version = if_match(request, report) if request.headers.get("If-Match") else None
        names = FieldNames.of(list(Indicator.objects.filter(activity_id=report.activity_id)))
        try:
            report = services.report_transition(
                actor=request.user,
                report=report,
                step=step,
                comment=form.validated_data.get("comment", ""),
                version=version,
                request=request,
            )
        except InvalidInput as exc:
            raise exc.renamed(names.api_name) from exc
        except versions.StaleWrite as exc:
            raise exc.renamed(names.api_name) from exc
        return self._answer(report)

    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        return self._step(request, Step.SUBMIT, NoInputSerializer)

    @action(detail=True, methods=["post"])
    def endorse(self, request: Request, pk: str) -> Response:
        return self._step(request, Step.ENDORSE, CommentSerializer)

    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._step(request, Step.APPROVE, CommentSerializer)

    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        return self._step(request, Step.RETURN, ReturnSerializer)

    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        return self._step(request, Step.PUBLISH, NoInputSerializer)

    @action(detail=True, methods=["post"])
    def unpublish(self, request: Request, pk: str) -> Response:
        return self._step(request, Step.UNPUBLISH, UnpublishSerializer)


def _activity_and_period(request: Request, data: dict[str, Any]) -> tuple[Activity, ReportingPeriod]:
    """The activity (by key) and period (by label, else id) named in a new report, in one plan the
    caller may see."""
    plans = plans_visible_to(request.user)
    activities = list(Activity.objects.filter(plan__in=plans, key=data["activity"]))
    label = data["period"]
    periods = list(ReportingPeriod.objects.filter(plan__in=plans, label=label))
    if not periods and (pk := params.digits(label)) is not None:
        periods = list(ReportingPeriod.objects.filter(plan__in=plans, pk=pk))
    problems = []
    if not activities:
        problems.append(
            Problem(
                "activity", "not_found", _("No activity has the key %(key)s.") % {"key": data["activity"]}
            )
        )
    if not periods:
        problems.append(
            Problem("period", "not_found", _("No reporting period is labelled %(label)s.") % {"label": label})
        )
    pairs = [(a, p) for a in activities for p in periods if a.plan_id == p.plan_id]
    if activities and periods and not pairs:
        problems.append(
            Problem("period", "invalid", _("The period belongs to another plan than the activity."))
        )
    if len(pairs) > 1:
        problems.append(
            Problem(
                "period",
                "ambiguous",
                _("Several plans have a period labelled %(label)s; give its id.") % {"label": label},
            )
        )
    if problems:
        raise InvalidInput(problems)
    return pairs[0]


# --- periods ----------------------------------------------------------------------------------------


class PeriodFilter(django_filters.FilterSet):
    plan = params.TextFilter(field_name="plan__slug", help_text=gettext_lazy("The plan's slug."))
    label = params.TextFilter(help_text=gettext_lazy("The period's label (“2021”)."))
    locked = django_filters.BooleanFilter(
        field_name="locked_at", lookup_expr="isnull", exclude=True, help_text=gettext_lazy("Locked or not.")
    )
    year = params.YearFilter(
        field_name="start", lookup_expr="year", help_text=gettext_lazy("Starting in this year.")
    )

    class Meta:
        model = ReportingPeriod
        fields = ["plan", "label", "locked", "year"]


@extend_schema(
    summary=gettext_lazy("The reporting periods of the plans, with their lock (signed-in callers)"),
    description=gettext_lazy(
        "By plan and start; filter with `?plan=`, `?label=`, `?locked=`, `?year=`; 100 per page (`?page=`)."
    ),
    responses={200: PeriodSerializer, **errors(400, 401)},
    tags=["reports"],
)
class PeriodList(generics.ListAPIView):
    """The periods agencies report for; a locked period is approved and takes no more changes."""

    gate_action = "period.view"
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilter
    pagination_class = PageNumberPagination
    filter_backends = filter_backends()
    orderings = {"id": ("id",), "-id": ("-id",)}

    def get_queryset(self) -> QuerySet[ReportingPeriod]:
        return (
            ReportingPeriod.objects.filter(plan__in=plans_visible_to(self.request.user))
            .select_related("plan")
            .order_by("plan__slug", "start")
        )


class PeriodDetail(generics.RetrieveAPIView):
    """One reporting period, with its lock."""

    gate_action = "period.view"
    serializer_class = PeriodSerializer

    @extend_schema(
        summary=gettext_lazy("One reporting period (signed-in callers)"),
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=gettext_lazy("The period's id.")
            )
        ],
        responses={200: PeriodSerializer, **errors(401, 403, 404)},
        tags=["reports"],
    )
    def get(self, request: Request, id: int) -> Response:
        scope = ReportingPeriod.objects.filter(plan__in=plans_visible_to(request.user)).select_related("plan")
        period = permissions.get_or_refuse(request, scope, pk=id)
        return Response(PeriodSerializer(period).data)


# --- what a report keeps beside its content ----------------------------------------------------------

REPORT_PATH_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=gettext_lazy("The report's id.")
)
EVIDENCE_ID = OpenApiParameter(
    "evidence_id", OpenApiTypes.INT, OpenApiParameter.PATH, description=gettext_lazy("The file's id.")
)
VERSION_NUMBER = OpenApiParameter(
    "number", OpenApiTypes.INT, OpenApiParameter.PATH, description=gettext_lazy("The version's number.")
)
WHO_READS = gettext_lazy(
    "Whoever may read the report: coordinators and evaluators every report, the agency's people their "
    "agency's (another agency's report answers 404)."
)


def _visible_report(request: Request, report_id: int) -> ProgressReport:
    """The report ``report_id`` among those the caller may see, else 404 (audited when it exists)."""
    report = permissions.get_or_refuse(request, selectors.report_queryset(request.user), pk=report_id)
    permissions.require(request, "report.view", report)
    return report


class ReportPartList(generics.GenericAPIView):
    """A list of what a report keeps (its evidence, comments, steps, versions), paged, oldest first."""

    gate_action = "report.view"
    pagination_class = PageNumberPagination
    filter_backends = filter_backends()
    orderings: dict[str, tuple[str, ...]] = {}

    def rows(self, report: ProgressReport) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        # Only for the schema (the model of the filters); the rows are ``rows(report)``.
        return self.get_serializer_class().Meta.model.objects.none()

    def get(self, request: Request, id: int) -> Response:
        report = _visible_report(request, id)
        page = self.paginate_queryset(self.filter_queryset(self.rows(report)))
        assert page is not None  # the API is always paginated
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _part_list_schema(summary: StrOrPromise, serializer: Any) -> Any:
    return extend_schema(
        summary=summary,
        description=format_lazy("{} {}", WHO_READS, gettext_lazy("100 per page (`?page=`).")),
        parameters=[REPORT_PATH_ID],
        responses={200: serializer, **errors(400, 401, 403, 404)},
        tags=["reports"],
    )


class ReportEvidenceList(ReportPartList):
    """The files backing a report."""

    serializer_class = EvidenceSerializer
    orderings = {"id": ("id",), "-id": ("-id",)}

    def rows(self, report: ProgressReport) -> QuerySet[Any]:
        return (
            Evidence.objects.filter(report=report).select_related("uploaded_by").order_by("created_at", "id")
        )

    @_part_list_schema(gettext_lazy("A report's evidence: what each file is"), EvidenceSerializer(many=True))
    def get(self, request: Request, id: int) -> Response:
        return super().get(request, id)


def _evidence(request: Request, report_id: int, evidence_id: int) -> Evidence:
    report = _visible_report(request, report_id)
    scope = form_selectors.evidence_visible_to(request.user).select_related("uploaded_by")
    return permissions.get_or_refuse(request, scope, pk=evidence_id, report_id=report.pk)


class ReportEvidenceDetail(generics.GenericAPIView):
    """One file backing a report: what it is."""

    gate_action = "report.view"
    serializer_class = EvidenceSerializer

    @extend_schema(
        summary=gettext_lazy("One evidence file of a report: what it is"),
        description=WHO_READS,
        parameters=[REPORT_PATH_ID, EVIDENCE_ID],
        responses={200: EvidenceSerializer, **errors(401, 403, 404)},
        tags=["reports"],
    )
    def get(self, request: Request, id: int, evidence_id: int) -> Response:
        return Response(self.get_serializer(_evidence(request, id, evidence_id)).data)


FILE_TYPES = sorted({content_type.split(";")[0] for content_type in CONTENT_TYPES.values()})


def file_responses(*codes: int) -> dict[Any, Any]:
    """A download's documented answers: the file, in one of the types stored files are, or an error."""
    return {
        **{
            (200, content_type): OpenApiResponse(
                OpenApiTypes.BINARY,
                description=gettext_lazy("The file, as an attachment, of the type its content was judged."),
            )
            for content_type in FILE_TYPES
        },
        **{(code, "application/json"): response for code, response in errors(*codes).items()},
    }


class ReportEvidenceFile(APIView):
    """The evidence file itself."""

    gate_action = "report.view"

    @extend_schema(
        summary=gettext_lazy("Download an evidence file of a report"),
        description=format_lazy(
            "{} {}", WHO_READS, gettext_lazy("Sent as a private attachment; never cached.")
        ),
        parameters=[REPORT_PATH_ID, EVIDENCE_ID],
        responses=file_responses(401, 403, 404),
        tags=["reports"],
    )
    def get(self, request: Request, id: int, evidence_id: int) -> Any:
        return _evidence(request, id, evidence_id).as_attachment()


class ReportCommentList(ReportPartList):
    """The comments on a report, oldest first."""

    serializer_class = ReportCommentSerializer
    orderings = {"id": ("id",), "-id": ("-id",)}

    def rows(self, report: ProgressReport) -> QuerySet[Any]:
        return Comment.objects.filter(report=report).select_related("author").order_by("at", "id")

    @_part_list_schema(gettext_lazy("The comments on a report"), ReportCommentSerializer(many=True))
    def get(self, request: Request, id: int) -> Response:
        return super().get(request, id)


class ReportTransitionList(ReportPartList):
    """The workflow steps of a report, oldest first."""

    serializer_class = TransitionSerializer
    orderings = {"id": ("id",), "-id": ("-id",)}

    def rows(self, report: ProgressReport) -> QuerySet[Any]:
        return ReportTransition.objects.filter(report=report).select_related("actor").order_by("at", "id")

    @_part_list_schema(
        gettext_lazy("A report's workflow steps: who moved it from which status to which, when"),
        TransitionSerializer(many=True),
    )
    def get(self, request: Request, id: int) -> Response:
        return super().get(request, id)


class ReportVersionList(ReportPartList):
    """The versions of a report, one per workflow step, oldest first."""

    serializer_class = VersionSerializer
    orderings = {"number": ("number",), "-number": ("-number",)}

    def rows(self, report: ProgressReport) -> QuerySet[Any]:
        return (
            ReportVersion.objects.filter(report=report)
            .select_related("actor")
            .defer("content")
            .order_by("number")
        )

    @_part_list_schema(
        gettext_lazy("A report's versions: one at each workflow step (what each said is at its address)"),
        VersionSerializer(many=True),
    )
    def get(self, request: Request, id: int) -> Response:
        return super().get(request, id)


class ReportVersionDetail(generics.GenericAPIView):
    """What a report said at one workflow step."""

    gate_action = "report.view"
    serializer_class = VersionContentSerializer

    @extend_schema(
        summary=gettext_lazy("One version of a report, with what it said"),
        description=WHO_READS,
        parameters=[REPORT_PATH_ID, VERSION_NUMBER],
        responses={200: VersionContentSerializer, **errors(401, 403, 404)},
        tags=["reports"],
    )
    def get(self, request: Request, id: int, number: int) -> Response:
        report = _visible_report(request, id)
        scope = ReportVersion.objects.filter(report=report).select_related("actor")
        version = permissions.get_or_refuse(request, scope, number=number)
        return Response(self.get_serializer(version).data)


# --- figures, one row per cell -------------------------------------------------------------------------

VALUE_ORDERINGS = (
    keyset.Ordering("id", ("id",), False, gettext_lazy("oldest figure first (the default)")),
    keyset.Ordering("-id", ("id",), True, gettext_lazy("newest figure first")),
)


class ValueCursorPagination(ReportCursorPagination):
    """Keyset paging of the figures, 500 a page, by id."""

    page_size = 500
    orderings = VALUE_ORDERINGS


class ValueFilter(django_filters.FilterSet):
    plan = params.TextFilter(field_name="report__plan__slug", help_text=gettext_lazy("The plan's slug."))
    period = params.TextFilter(
        method="by_period",
        help_text=gettext_lazy("The period's label (“2021”) or, when no period has that label, its id."),
    )
    status = django_filters.ChoiceFilter(
        field_name="report__status",
        choices=[(s.value, s.value) for s in Status],
        help_text=gettext_lazy("The report's status."),
    )
    agency = params.TextFilter(field_name="report__agency__key", help_text=gettext_lazy("The agency's key."))
    activity = params.TextFilter(
        field_name="report__activity__key", help_text=gettext_lazy("The activity's key.")
    )
    indicator = params.TextFilter(field_name="indicator__key", help_text=gettext_lazy("The indicator's key."))
    total = django_filters.BooleanFilter(
        method="totals", help_text=gettext_lazy("Give true for the totals only, false for the cells only.")
    )

    class Meta:
        model = IndicatorValue
        fields = ["plan", "period", "status", "agency", "activity", "indicator", "total"]

    def by_period(
        self, queryset: QuerySet[IndicatorValue], name: str, value: str
    ) -> QuerySet[IndicatorValue]:
        pk = params.digits(value)
        if pk is None or ReportingPeriod.objects.filter(label=value).exists():
            return queryset.filter(report__period__label=value)
        return queryset.filter(report__period_id=pk)

    def totals(self, queryset: QuerySet[IndicatorValue], name: str, value: bool) -> QuerySet[IndicatorValue]:
        return queryset.filter(cell="") if value else queryset.exclude(cell="")


@extend_schema(
    summary=gettext_lazy("The figures of the reports the caller may see, one row per indicator and cell"),
    description=format_lazy(
        "{}\n\n{}",
        gettext_lazy(
            "Every figure of every report in the caller's scope, whatever its status (filter with "
            "`?status=approved` for the approved ones; the results, approved figures summed, are at "
            "/api/v1/results/). Coordinators and evaluators see every agency's; an agency's people their "
            "agency's. Filter with `?plan=`, `?period=`, `?status=`, `?agency=`, `?activity=`, "
            "`?indicator=`, `?total=`; order with `?ordering=` (`id`, the default, or `-id`)."
        ),
        gettext_lazy(
            "Paged by cursor, 500 figures a page: follow `next` and `previous` as given; there is no "
            "total count."
        ),
    ),
    responses={200: FigureSerializer(many=True), **errors(400, 401, 403)},
    tags=["reports"],
)
class ValueList(generics.ListAPIView):
    """The reports' figures one by one, for those who would rather not unpack reports."""

    gate_action = "report.list"
    serializer_class = FigureSerializer
    filterset_class = ValueFilter
    pagination_class = ValueCursorPagination

    def get_queryset(self) -> QuerySet[IndicatorValue]:
        reports = selectors.report_queryset(self.request.user).order_by().values("pk")
        return (
            IndicatorValue.objects.filter(report__in=reports)
            .select_related("indicator", "report__period", "report__agency", "report__activity")
            .order_by()
        )
