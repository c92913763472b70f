"""The REST API of plans: /api/v1/plans/ and /api/v1/organisations/ (the agencies of the plans).

Published plans are public; drafts are seen by coordinators and evaluators only
(``wpsnap.plan.permissions``). An unknown or hidden plan answers 404 either way.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from wpsnap.accounts import permissions
from wpsnap.accounts.filters import PageNumberPagination, filter_backends
from wpsnap.accounts.models import Organisation, OrganisationKind
from wpsnap.core import params
from wpsnap.core.api import errors

from .export import plan_export
from .models import (
    Activity,
    Assignment,
    ExpectedResult,
    Indicator,
    IndicatorKind,
    Objective,
    Pillar,
    Plan,
    PlanStatus,
    PriorityArea,
    Role,
)
from .permissions import plans_visible_to
from .serializers import (
    ActivitySerializer,
    AssignmentSerializer,
    ExpectedResultSerializer,
    IndicatorSerializer,
    ObjectiveSerializer,
    OrganisationSerializer,
    PillarSerializer,
    PlanDocumentSerializer,
    PlanSummarySerializer,
    PriorityAreaSerializer,
)


class PlanListFilter(django_filters.FilterSet):
    country = params.TextFilter(help_text=_("The country's ISO code (AZ)."))
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)
    year = params.YearFilter(method="in_year", help_text=_("Running in this year."))

    class Meta:
        model = Plan
        fields = ["country", "status", "year"]

    def in_year(self, queryset: QuerySet[Plan], name: str, value: int) -> QuerySet[Plan]:
        return queryset.filter(start_year__lte=value, end_year__gte=value)


@extend_schema_view(
    list=extend_schema(
        summary=_("The plans the caller may see"),
        description=_(
            "Newest first; filter with `?country=`, `?status=`, `?year=`; 100 per page (`?page=`)."
        ),
        responses={200: PlanSummarySerializer, **errors(400, 401)},
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
    filterset_class = PlanListFilter
    pagination_class = PageNumberPagination
    filter_backends = filter_backends()
    orderings = {"slug": ("slug",), "-slug": ("-slug",)}
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
    key = params.TextFilter(help_text=_("The organisation's key."))
    country = params.TextFilter(help_text=_("The country's ISO code (AZ)."))
    plan = params.TextFilter(method="by_plan", help_text=_("A plan's slug: its agencies and coordinator."))

    class Meta:
        model = Organisation
        fields = ["kind", "key", "country", "plan"]

    def by_plan(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        return queryset.filter(Q(plans__slug=value) | Q(coordinated_plans__slug=value))


@extend_schema_view(
    list=extend_schema(
        summary=_("The agencies of the plans the caller may see"),
        description=_(
            "Implementing agencies, partners and coordinating bodies, by name; filter with `?kind=`, "
            "`?key=`, `?country=`, `?plan=`; 100 per page (`?page=`)."
        ),
        responses={200: OrganisationSerializer, **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary=_("One agency of the plans the caller may see"),
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: OrganisationSerializer, **errors(401, 404)},
    ),
)
@extend_schema(tags=["plans"])
class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The organisations that implement, coordinate or partner in the plans (public)."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    pagination_class = PageNumberPagination
    filter_backends = filter_backends()
    orderings = {"id": ("id",), "-id": ("-id",), "key": ("country", "key"), "-key": ("-country", "-key")}
    lookup_value_regex = r"[0-9]+"
    gate_actions = {"list": "organisation.view", "retrieve": "organisation.view"}

    def get_object(self) -> Organisation:
        found = permissions.get_or_refuse(self.request, self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, found)
        return found

    def get_queryset(self) -> QuerySet[Organisation]:
        plans = plans_visible_to(self.request.user)
        return (
            Organisation.objects.filter(Q(plans__in=plans) | Q(coordinated_plans__in=plans))
            .distinct()
            .order_by("name", "country", "key")
        )


# --- the plan's parts, one by one ---------------------------------------------------------------------

ELEMENT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("Its id."))
PAGED = _(
    "100 per page (`?page=`), in the plan's own order unless `?ordering=` says otherwise; only the plans "
    "the caller may see (a draft's parts for coordinators and evaluators only)."
)


class PlanPartViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What the parts of a plan share: public like their plan (a draft's for coordinators and evaluators
    only, else 404), paged, filtered, ordered by id or their key in the plan."""

    lookup_value_regex = r"[0-9]+"
    pagination_class = PageNumberPagination
    filter_backends = filter_backends()
    gate_actions = {"list": "plan.view", "retrieve": "plan.view"}
    plan_path = "plan"
    related: tuple[str, ...] = ("plan",)

    def get_queryset(self) -> QuerySet[Any]:
        model = self.get_serializer_class().Meta.model
        plans = plans_visible_to(self.request.user)
        return model.objects.filter(**{f"{self.plan_path}__in": plans}).select_related(*self.related)

    def get_object(self) -> Any:
        found = permissions.get_or_refuse(self.request, self.get_queryset(), pk=self.kwargs["pk"])
        # The gate's rule is the plan's (a draft's parts are seen by those who see drafts).
        plan = found
        for step in self.plan_path.split("__"):
            plan = getattr(plan, step)
        self.check_object_permissions(self.request, plan)
        return found


def _part_schema(name: Any, serializer: Any, filters: Any) -> Any:
    return extend_schema_view(
        list=extend_schema(
            summary=format_lazy(_("The {} of the plans the caller may see"), name),
            description=format_lazy("{} {}", filters, PAGED),
            responses={200: serializer, **errors(400, 401)},
        ),
        retrieve=extend_schema(
            summary=format_lazy(_("One of the {}"), name),
            parameters=[ELEMENT_ID],
            responses={200: serializer, **errors(401, 404)},
        ),
    )


class PlanFilter(django_filters.FilterSet):
    plan = params.TextFilter(field_name="plan__slug", help_text=_("The plan's slug."))


class PillarFilter(PlanFilter):
    key = params.TextFilter(help_text=_("The pillar's key."))

    class Meta:
        model = Pillar
        fields = ["plan", "key"]


@_part_schema(_("pillars"), PillarSerializer, _("Filter with `?plan=`, `?key=`."))
@extend_schema(tags=["plans"])
class PillarViewSet(PlanPartViewSet):
    """The pillars of the plans, each with its objective's id."""

    serializer_class = PillarSerializer
    filterset_class = PillarFilter
    related = ("plan", "objective")
    orderings = {"id": ("id",), "-id": ("-id",), "key": ("plan_id", "key"), "-key": ("-plan_id", "-key")}


class ObjectiveFilter(django_filters.FilterSet):
    plan = params.TextFilter(field_name="pillar__plan__slug", help_text=_("The plan's slug."))
    pillar = params.TextFilter(field_name="pillar__key", help_text=_("The pillar's key."))

    class Meta:
        model = Objective
        fields = ["plan", "pillar"]


@_part_schema(_("strategic objectives"), ObjectiveSerializer, _("Filter with `?plan=`, `?pillar=`."))
@extend_schema(tags=["plans"])
class ObjectiveViewSet(PlanPartViewSet):
    """The strategic objective of each pillar."""

    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilter
    plan_path = "pillar__plan"
    related = ("pillar", "pillar__plan")
    orderings = {"id": ("id",), "-id": ("-id",)}

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().order_by("pillar__plan__slug", "pillar__position")


class ExpectedResultFilter(PlanFilter):
    code = params.TextFilter(help_text=_("The result's code."))

    class Meta:
        model = ExpectedResult
        fields = ["plan", "code"]


@_part_schema(_("expected results"), ExpectedResultSerializer, _("Filter with `?plan=`, `?code=`."))
@extend_schema(tags=["plans"])
class ExpectedResultViewSet(PlanPartViewSet):
    """The results each plan expects."""

    serializer_class = ExpectedResultSerializer
    filterset_class = ExpectedResultFilter
    orderings = {
        "id": ("id",),
        "-id": ("-id",),
        "code": ("plan_id", "code"),
        "-code": ("-plan_id", "-code"),
    }


class PriorityAreaFilter(PlanFilter):
    pillar = params.TextFilter(field_name="pillar__key", help_text=_("The pillar's key."))
    code = params.TextFilter(help_text=_("The priority area's code."))
    year = params.YearFilter(method="in_year", help_text=_("Running in this year."))

    class Meta:
        model = PriorityArea
        fields = ["plan", "pillar", "code", "year"]

    def in_year(self, queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        return queryset.filter(start_year__lte=value, end_year__gte=value)


@_part_schema(
    _("priority areas"), PriorityAreaSerializer, _("Filter with `?plan=`, `?pillar=`, `?code=`, `?year=`.")
)
@extend_schema(tags=["plans"])
class PriorityAreaViewSet(PlanPartViewSet):
    """The priority areas of each pillar."""

    serializer_class = PriorityAreaSerializer
    filterset_class = PriorityAreaFilter
    related = ("plan", "pillar")
    orderings = {
        "id": ("id",),
        "-id": ("-id",),
        "code": ("plan_id", "code"),
        "-code": ("-plan_id", "-code"),
    }


class ActivityFilter(PlanFilter):
    pillar = params.TextFilter(field_name="priority_area__pillar__key", help_text=_("The pillar's key."))
    priority_area = params.TextFilter(
        field_name="priority_area__code", help_text=_("The priority area's code.")
    )
    key = params.TextFilter(help_text=_("The activity's key."))
    code = params.TextFilter(help_text=_("The activity's published number."))
    agency = params.TextFilter(
        method="by_agency",
        help_text=_("An agency's key: the activities it is assigned, itself or through its priority area."),
    )

    class Meta:
        model = Activity
        fields = ["plan", "pillar", "priority_area", "key", "code", "agency"]

    def by_agency(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        assigned = Assignment.objects.filter(agency__key=value)
        return queryset.filter(
            Q(pk__in=assigned.filter(activity__isnull=False).values("activity_id"))
            | Q(priority_area__in=assigned.filter(activity__isnull=True).values("priority_area_id"))
        )


@_part_schema(
    _("activities"),
    ActivitySerializer,
    _("Filter with `?plan=`, `?pillar=`, `?priority_area=`, `?key=`, `?code=`, `?agency=`."),
)
@extend_schema(tags=["plans"])
class ActivityViewSet(PlanPartViewSet):
    """The activities of the plans: what the agencies report on."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    related = ("plan", "priority_area")
    orderings = {"id": ("id",), "-id": ("-id",), "key": ("plan_id", "key"), "-key": ("-plan_id", "-key")}


class IndicatorFilter(PlanFilter):
    priority_area = params.TextFilter(
        field_name="priority_area__code", help_text=_("The priority area's code.")
    )
    activity = params.TextFilter(field_name="activity__key", help_text=_("The activity's key."))
    key = params.TextFilter(help_text=_("The indicator's key."))
    kind = django_filters.ChoiceFilter(choices=IndicatorKind.choices)

    class Meta:
        model = Indicator
        fields = ["plan", "priority_area", "activity", "key", "kind"]


@_part_schema(
    _("indicators"),
    IndicatorSerializer,
    _("Filter with `?plan=`, `?priority_area=`, `?activity=`, `?key=`, `?kind=`."),
)
@extend_schema(tags=["plans"])
class IndicatorViewSet(PlanPartViewSet):
    """The indicators of the plans: what reports give figures or answers for."""

    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    related = ("plan", "priority_area", "activity")
    orderings = {"id": ("id",), "-id": ("-id",), "key": ("plan_id", "key"), "-key": ("-plan_id", "-key")}


class AssignmentFilter(PlanFilter):
    agency = params.TextFilter(field_name="agency__key", help_text=_("The agency's key."))
    priority_area = params.TextFilter(
        field_name="priority_area__code", help_text=_("The priority area's code.")
    )
    activity = params.TextFilter(field_name="activity__key", help_text=_("The activity's key."))
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Assignment
        fields = ["plan", "agency", "priority_area", "activity", "role"]


@_part_schema(
    _("assignments"),
    AssignmentSerializer,
    _("Filter with `?plan=`, `?agency=`, `?priority_area=`, `?activity=`, `?role=`."),
)
@extend_schema(tags=["plans"])
class AssignmentViewSet(PlanPartViewSet):
    """Which agency does what: its role on a priority area or on one activity."""

    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    related = ("plan", "agency", "priority_area", "activity")
    orderings = {"id": ("id",), "-id": ("-id",)}
