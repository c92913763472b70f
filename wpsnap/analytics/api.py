"""The REST API's figures: /api/v1/results/ (a plan's results) and /api/v1/derived/ (an agency's events
beside its reports). Thin views: each names its action for the permission gate, finds the plan, period
or agency in the caller's scope, calls one selector and serializes its dataclasses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404
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
from wpsnap.plan.permissions import plans_visible_to
from wpsnap.registries.serializers import DerivedSerializer
from wpsnap.reporting.models import ReportingPeriod

from .figures import IndicatorFigures, reported_and_derived
from .results import results
from .serializers import ResultsSerializer

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
