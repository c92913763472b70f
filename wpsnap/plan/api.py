"""The REST API of plans: /api/v1/plans/ and /api/v1/organisations/ (the agencies of the plans).

Published plans are public; drafts are seen by coordinators and evaluators only
(``wpsnap.plan.permissions``). An unknown or hidden plan answers 404 either way.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from wpsnap.accounts import permissions
from wpsnap.accounts.models import Organisation, OrganisationKind
from wpsnap.core.api import errors

from .export import plan_export
from .models import Plan
from .permissions import plans_visible_to
from .serializers import OrganisationSerializer, PlanDocumentSerializer, PlanSummarySerializer


@extend_schema_view(
    list=extend_schema(
        summary=_("The plans the caller may see"),
        responses={200: PlanSummarySerializer, **errors(401)},
    ),
    retrieve=extend_schema(
        summary=_("A whole plan: pillars, objectives, priority areas, activities, indicators, agencies"),
        responses={200: PlanDocumentSerializer, **errors(401, 404)},
    ),
)
@extend_schema(tags=["plans"])
class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """National Action Plans. Adopted, active and closed plans are public; a draft is seen by
    coordinators and evaluators only (404 for everyone else)."""

    serializer_class = PlanSummarySerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    gate_actions = {"list": "plan.view", "retrieve": "plan.view"}

    def get_queryset(self) -> QuerySet[Plan]:
        return plans_visible_to(self.request.user).order_by("-start_year", "slug")

    def get_object(self) -> Plan:
        plan = permissions.get_or_refuse(self.request, self.get_queryset(), slug=self.kwargs["slug"])
        self.check_object_permissions(self.request, plan)
        return plan

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(plan_export(self.get_object()))


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = ["kind"]


@extend_schema_view(
    list=extend_schema(
        summary=_("The agencies of the plans the caller may see"),
        description=_("Implementing agencies, partners and coordinating bodies; filter with `?kind=`."),
        responses={200: OrganisationSerializer, **errors(400, 401)},
    ),
)
@extend_schema(tags=["plans"])
class OrganisationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The organisations that implement, coordinate or partner in the plans (public)."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    gate_actions = {"list": "organisation.view"}

    def get_queryset(self) -> QuerySet[Organisation]:
        plans = plans_visible_to(self.request.user)
        return (
            Organisation.objects.filter(Q(plans__in=plans) | Q(coordinated_plans__in=plans))
            .distinct()
            .order_by("name", "country", "key")
        )
