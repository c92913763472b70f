"""The REST API's figures: /api/v1/results/ (a plan's results), /api/v1/derived/ (an agency's events
beside its reports) and the dashboards' figures under /api/v1/analytics/ (status, compliance, people,
financing, indicators, timeline; results and derived served there too). Thin views: each names its
action for the permission gate, finds the plan, period or agency in the caller's scope, calls one
selector and serializes its dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wpsnap.accounts import permissions
from wpsnap.accounts.models import Organisation
from wpsnap.core import params
from wpsnap.core.api import errors
from wpsnap.core.errors import InvalidInput
from wpsnap.plan.models import Pillar, Plan
from wpsnap.plan.permissions import plans_visible_to
from wpsnap.registries.selectors import district_names
from wpsnap.registries.serializers import DerivedSerializer
from wpsnap.reporting.models import ReportingPeriod
from wpsnap.reporting.workflow import COUNTED

from . import scope
from .compliance import reporting_compliance
from .districts import by_district
from .figures import IndicatorFigures, reported_and_derived
from .financing import financing
from .people import people_reached
from .progress import indicator_progress
from .results import results
from .serializers import (
    AnalyticsComplianceSerializer,
    AnalyticsDistrictsSerializer,
    AnalyticsFinancingSerializer,
    AnalyticsIndicatorsSerializer,
    AnalyticsPeopleSerializer,
    AnalyticsStatusSerializer,
    AnalyticsTimelineSerializer,
    ResultsSerializer,
)
from .status import activity_status
from .timeline import period_timeline

# --- results ----------------------------------------------------------------------------------------

PLAN_PARAMETER = OpenApiParameter(
    "plan",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description=gettext_lazy("The plan's slug; by default the latest plan the caller may see."),
)


@extend_schema(
    summary=gettext_lazy("A plan's results: every indicator's totals and cells, by period"),
    description=gettext_lazy(
        "Sums over the reports that count (approved and published), for coordinators and evaluators. "
        "Figures of people are not public here: small cells could point at a person, so public results "
        "will come only through the publishing module, with disclosure control. Every indicator of the "
        "plan is listed with every period; a period without figures has a null total."
    ),
    parameters=[PLAN_PARAMETER],
    responses={200: ResultsSerializer, **errors(401, 403, 404)},
    tags=["reports"],
)
class ResultsView(APIView):
    """The whole plan's results in one response."""

    gate_action = "results.view"

    def get(self, request: Request) -> Response:
        plans = plans_visible_to(request.user).order_by("-start_year", "slug")
        slug = request.query_params.get("plan")
        plan = permissions.get_or_refuse(request, plans, slug=slug) if slug else plans.first()
        if plan is None:
            raise Http404
        return Response(ResultsSerializer(results(request.user, plan=plan)).data)


# --- derived values ---------------------------------------------------------------------------------


def _plain(value: Decimal | None) -> int | Decimal | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value.normalize()


def derived_data(
    agency: Organisation, period: ReportingPeriod, found: tuple[IndicatorFigures, ...]
) -> dict[str, Any]:
    """``DerivedSerializer``'s shape of one agency's figures for one period."""
    return {
        "agency": {"key": agency.key, "short_name": agency.short_name},
        "period": {"label": period.label, "start": period.start, "end": period.end},
        "indicators": [
            {"indicator": f.indicator, "measure": f.measure, "events": f.events, "total_only": f.total_only}
            for f in found
        ],
        "values": [
            {"indicator": f.indicator, "cell": c.cell, "derived": c.derived, "reported": _plain(c.reported)}
            for f in found
            for c in f.cells
        ],
    }


@extend_schema(
    summary=gettext_lazy("What an agency's events say for each bound indicator, beside its reports"),
    description=gettext_lazy(
        "For the period and agency given: every indicator bound to event data, with the value its "
        "events give (`derived`) and the value the agency's reports for the period give (`reported`, "
        "null where they give none), cell by cell. Coordinators and evaluators ask about any agency; "
        "an agency's focal points, approvers and NGO contributors about their own (403 otherwise)."
    ),
    parameters=[
        OpenApiParameter(
            "period",
            OpenApiTypes.INT,
            OpenApiParameter.QUERY,
            required=True,
            description=gettext_lazy("The reporting period's id (see /api/v1/periods/)."),
        ),
        OpenApiParameter(
            "agency",
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            required=True,
            description=gettext_lazy("The agency's key or id."),
        ),
    ],
    responses={200: DerivedSerializer, **errors(400, 401, 403, 404)},
    tags=["events"],
)
class DerivedView(APIView):
    """Derived indicator values, side by side with the reported ones."""

    gate_action = "derivation.view"

    def get(self, request: Request) -> Response:
        period_id = request.query_params.get("period", "")
        agency_name = request.query_params.get("agency", "")
        problems = []
        if not period_id:
            problems.append(("period", "required", _("Give the reporting period's id.")))
        if not agency_name:
            problems.append(("agency", "required", _("Give the agency's key or id.")))
        if problems:
            raise InvalidInput(problems)
        pk = params.identifier("period", period_id)
        agency_name = params.text("agency", agency_name)
        periods = ReportingPeriod.objects.filter(plan__in=plans_visible_to(request.user)).select_related(
            "plan"
        )
        period = permissions.get_or_refuse(request, periods, pk=pk)
        agency_pk = params.digits(agency_name)
        named = Q(key=agency_name) | (Q(pk=agency_pk) if agency_pk is not None else Q(pk__in=[]))
        agency = Organisation.objects.filter(named, country=period.plan.country).first()
        if agency is None:
            raise Http404
        own = agency.pk == getattr(request.user, "organisation_id", None)
        if not (permissions.can(request.user, "results.view") or own):
            permissions.refuse(request, "results.view", agency)
        found = reported_and_derived(request.user, plan=period.plan, period=period, agency=agency)
        return Response(derived_data(agency, period, found))


# --- the dashboards' figures: /api/v1/analytics/... ----------------------------------------------------
# GET only, gate ``analytics.view``: coordinators and evaluators get the whole plan, an agency's people
# their agency's part (the selectors scope by the caller). Filters are parsed strictly: a value that is
# not a whole number, or names no period, pillar, agency or district of the plan, answers 400 naming the
# parameter; an agency outside the caller's scope answers 403.


@dataclass(frozen=True)
class Filters:
    plan: Plan
    period: ReportingPeriod | None = None
    pillar: int | None = None
    agency: int | None = None
    district: str | None = None

    @property
    def period_id(self) -> int | None:
        return self.period.pk if self.period is not None else None


def _unknown(name: str, message: str, value: str) -> InvalidInput:
    return InvalidInput.one(name, "invalid_choice", message % {"value": params.shown(value)})


def _given(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "")
    return value if value != "" else None


def read_filters(
    request: Request, *, uses: frozenset[str] = frozenset({"period", "pillar", "agency"})
) -> Filters:
    """The plan (``plan``: a slug the caller may see, by default the latest), and of the filters the
    endpoint ``uses``, ``period``, ``pillar``, ``agency`` (ids) and ``district`` (a code), each checked
    against the plan: at most one query each. Filters an endpoint does not use are not read."""
    plans = plans_visible_to(request.user).order_by("-start_year", "slug")
    slug = _given(request, "plan")
    plan = (
        permissions.get_or_refuse(request, plans, slug=params.text("plan", slug)) if slug else plans.first()
    )
    if plan is None:
        raise Http404
    found = Filters(plan)
    raw = _given(request, "period") if "period" in uses else None
    if raw is not None:
        pk = params.identifier("period", raw)
        period = ReportingPeriod.objects.filter(plan=plan, pk=pk).first()
        if period is None:
            message = _("There is no reporting period “%(value)s” in this plan.")
            raise _unknown("period", message, raw)
        found = replace(found, period=period)
    raw = _given(request, "pillar") if "pillar" in uses else None
    if raw is not None:
        pk = params.identifier("pillar", raw)
        if not Pillar.objects.filter(plan=plan, pk=pk).exists():
            raise _unknown("pillar", _("There is no pillar “%(value)s” in this plan."), raw)
        found = replace(found, pillar=pk)
    raw = _given(request, "agency") if "agency" in uses else None
    if raw is not None:
        pk = params.identifier("agency", raw)
        agency = Organisation.objects.filter(country=plan.country, pk=pk).first()
        if agency is None:
            raise _unknown("agency", _("There is no agency “%(value)s” in this plan's country."), raw)
        visible = scope.agencies(request.user)
        if visible is not None and pk not in visible:
            permissions.refuse(request, "analytics.view", agency)
        found = replace(found, agency=pk)
    raw = _given(request, "district") if "district" in uses else None
    if raw is not None:
        code = params.text("district", raw)
        if code not in district_names(plan):
            raise _unknown("district", _("There is no district “%(value)s” in this plan."), raw)
        found = replace(found, district=code)
    return found


def _filter(name: str, kind: Any, description: Any) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, required=False, description=description)


ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": params.ID_MAX}
PLAN_FILTER = _filter(
    "plan",
    {"type": "string", "maxLength": params.QUERY_TEXT_MAX},
    gettext_lazy("The plan's slug; by default the latest plan the caller may see."),
)
PERIOD_FILTER = _filter("period", ID_SCHEMA, gettext_lazy("A reporting period's id (see /api/v1/periods/)."))
PILLAR_FILTER = _filter("pillar", ID_SCHEMA, gettext_lazy("A pillar's id (see /api/v1/plans/{slug}/)."))
AGENCY_FILTER = _filter(
    "agency",
    ID_SCHEMA,
    gettext_lazy("An organisation's id (see /api/v1/organisations/); an agency's own people give theirs."),
)
DISTRICT_FILTER = _filter(
    "district",
    {"type": "string", "maxLength": params.QUERY_TEXT_MAX},
    gettext_lazy("A district's code: narrows the figures derived from events."),
)
TODAY_NOTE = gettext_lazy("What is overdue is decided on today's date (Asia/Baku).")
SCOPE_NOTE = gettext_lazy(
    "Coordinators and evaluators see the whole plan; an agency's focal points, approvers and NGO "
    "contributors see their own agency's part, and are refused (403) when they ask for another agency."
)


def analytics_schema(summary: Any, description: Any, serializer: Any, *filters: OpenApiParameter) -> Any:
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[PLAN_FILTER, *filters],
        responses={200: serializer, **errors(400, 401, 403, 404)},
        tags=["analytics"],
    )


class AnalyticsView(APIView):
    """A GET of one selector's figures under the ``analytics.view`` gate."""

    gate_action = "analytics.view"


@analytics_schema(
    gettext_lazy("Implementation status of every activity, period by period"),
    format_lazy(
        "{} {}",
        gettext_lazy(
            "Each activity running in a period, with the status its expected agencies' counted reports "
            "give (completed, in progress, delayed, not started, cancelled, not reported, no agency) and "
            "each agency's part."
        ),
        SCOPE_NOTE,
    ),
    AnalyticsStatusSerializer,
    PERIOD_FILTER,
    PILLAR_FILTER,
    AGENCY_FILTER,
    _filter(
        "parts",
        {"type": "string", "enum": ["all", "none"]},
        gettext_lazy(
            "all (the default): each activity with every agency's part; none: without the parts "
            "(no agencies field), the statuses and counts alone, a twentieth of the answer for a whole plan."
        ),
    ),
)
class StatusView(AnalyticsView):
    def get(self, request: Request) -> Response:
        parts = _given(request, "parts") or "all"
        if parts not in ("all", "none"):
            raise _unknown("parts", _("“%(value)s” is neither all nor none."), parts)
        f = read_filters(request)
        found = activity_status(request.user, plan=f.plan, period=f.period, pillar=f.pillar, agency=f.agency)
        return Response(AnalyticsStatusSerializer((f.plan.slug, found), parts=parts == "all").data)


@analytics_schema(
    gettext_lazy("Reporting compliance per agency and period"),
    format_lazy(
        "{} {} {}",
        gettext_lazy(
            "For each agency and period: the reports it owes, has submitted, has had approved, has left "
            "overdue and has not started, and the reports recommended partners contributed."
        ),
        TODAY_NOTE,
        SCOPE_NOTE,
    ),
    AnalyticsComplianceSerializer,
    PERIOD_FILTER,
    PILLAR_FILTER,
    AGENCY_FILTER,
)
class ComplianceView(AnalyticsView):
    def get(self, request: Request) -> Response:
        f = read_filters(request)
        today = timezone.localdate()
        found = reporting_compliance(
            request.user, plan=f.plan, period=f.period, pillar=f.pillar, agency=f.agency, today=today
        )
        return Response(AnalyticsComplianceSerializer((f.plan.slug, today, found)).data)


@analytics_schema(
    gettext_lazy("People reached by sex and age band, per pillar and year"),
    format_lazy(
        "{} {}",
        gettext_lazy(
            "What counted reports say (cells of count indicators with a sex and an age dimension) beside "
            "the events' participants. The district narrows the participants."
        ),
        SCOPE_NOTE,
    ),
    AnalyticsPeopleSerializer,
    PERIOD_FILTER,
    PILLAR_FILTER,
    AGENCY_FILTER,
    DISTRICT_FILTER,
)
class PeopleView(AnalyticsView):
    def get(self, request: Request) -> Response:
        f = read_filters(request, uses=PEOPLE_FILTERS)
        found = people_reached(
            request.user,
            plan=f.plan,
            period=f.period,
            pillar=f.pillar,
            agency=f.agency,
            district=f.district,
        )
        return Response(AnalyticsPeopleSerializer((f.plan.slug, found)).data)


PEOPLE_FILTERS = frozenset({"period", "pillar", "agency", "district"})
FINANCING_BY = _filter(
    "by",
    {"type": "string", "enum": ["activity", "pillar"]},
    gettext_lazy("Sum per activity (the default) or per pillar."),
)


@analytics_schema(
    gettext_lazy("Financing planned and spent by source"),
    format_lazy(
        "{} {}",
        gettext_lazy(
            "The counted reports' financing lines summed per activity (or pillar), year and source; "
            "planned and spent are null where no report gives an amount."
        ),
        SCOPE_NOTE,
    ),
    AnalyticsFinancingSerializer,
    FINANCING_BY,
    PERIOD_FILTER,
    PILLAR_FILTER,
    AGENCY_FILTER,
)
class FinancingView(AnalyticsView):
    def get(self, request: Request) -> Response:
        by = _given(request, "by") or "activity"
        if by not in ("activity", "pillar"):
            raise _unknown("by", _("“%(value)s” is neither activity nor pillar."), by)
        f = read_filters(request)
        found = financing(
            request.user,
            plan=f.plan,
            by="pillar" if by == "pillar" else "activity",
            period=f.period,
            pillar=f.pillar,
            agency=f.agency,
        )
        counted = tuple(sorted(str(s) for s in COUNTED))
        return Response(AnalyticsFinancingSerializer((f.plan.slug, by, counted, found)).data)


@analytics_schema(
    gettext_lazy("Each indicator against its baseline and target"),
    format_lazy(
        "{} {}",
        gettext_lazy(
            "Count indicators whose baseline or target the plan gives as a number: what the counted "
            "reports achieved per period and cumulated up to the period asked for (else the last), and "
            "the share of the target reached. The others are listed in left_out with the reason."
        ),
        SCOPE_NOTE,
    ),
    AnalyticsIndicatorsSerializer,
    PERIOD_FILTER,
    PILLAR_FILTER,
    AGENCY_FILTER,
)
class IndicatorsView(AnalyticsView):
    def get(self, request: Request) -> Response:
        f = read_filters(request)
        found = indicator_progress(
            request.user, plan=f.plan, period=f.period, pillar=f.pillar, agency=f.agency
        )
        return Response(AnalyticsIndicatorsSerializer(found).data)


@analytics_schema(
    gettext_lazy("The implementation periods with their reports"),
    format_lazy(
        "{} {} {}",
        gettext_lazy(
            "Every period in order: its dates, when reporting opens and reports are due, whether it is "
            "locked, and its reports expected, submitted, approved, overdue and missing."
        ),
        TODAY_NOTE,
        SCOPE_NOTE,
    ),
    AnalyticsTimelineSerializer,
    AGENCY_FILTER,
)
class TimelineView(AnalyticsView):
    def get(self, request: Request) -> Response:
        f = read_filters(request, uses=frozenset({"agency"}))
        today = timezone.localdate()
        found = period_timeline(request.user, plan=f.plan, today=today, agency=f.agency)
        return Response(AnalyticsTimelineSerializer((f.plan.slug, today, found)).data)


@analytics_schema(
    gettext_lazy("Events, people reached and reported figures by district"),
    format_lazy(
        "{} {}",
        gettext_lazy(
            "Per district code: the events held there, their participants by sex (listed and counted), and "
            "the sum of the counted reports' figures in district cells of count indicators. Events without "
            "a district are under an empty code."
        ),
        SCOPE_NOTE,
    ),
    AnalyticsDistrictsSerializer,
    PERIOD_FILTER,
    PILLAR_FILTER,
    AGENCY_FILTER,
)
class DistrictsView(AnalyticsView):
    def get(self, request: Request) -> Response:
        f = read_filters(request)
        found = by_district(request.user, plan=f.plan, period=f.period_id, pillar=f.pillar, agency=f.agency)
        return Response(AnalyticsDistrictsSerializer((f.plan.slug, found)).data)
