"""What the REST API shows of plans and their agencies.

The plan's detail is :func:`wpsnap.plan.export.plan_export` as it stands (one contract for the command
line and the API); the ``Document*`` serializers below describe that document for the schema and are
kept in step with it by ``tests/api/test_api_plan.py``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wpsnap.accounts.models import Organisation, OrganisationKind

from .models import IndicatorKind, Plan, PlanStatus, Role


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as the enum ``enum_name``. The schema otherwise names enums after
    their fields, and an agency's ``role`` (implementer, recommended) would collide with a user's
    ``role``, an indicator's ``kind`` with an organisation's ``kind``."""

    def __init__(self, choices: Any, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        schema = {k: v for k, v in build_choice_field(self.target).items() if k != "x-spec-enum-id"}
        component = ResolvedComponent(
            name=self.target.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=self.target.enum_name,
            schema=schema,
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class BlankAsNullField(serializers.CharField):
    """Empty text as null, as the plan document has it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value: Any) -> str | None:
        return str(value) if value else None


# --- the plan list --------------------------------------------------------------------------------


class PlanPeriodSerializer(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()


class PlanSummarySerializer(serializers.ModelSerializer):
    short_title = BlankAsNullField()
    period = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(view_name="api:plan-detail", lookup_field="slug")

    class Meta:
        model = Plan
        fields = ["slug", "title", "short_title", "country", "status", "period", "url"]
        read_only_fields = fields

    @extend_schema_field(PlanPeriodSerializer(allow_null=True))
    def get_period(self, plan: Plan) -> dict[str, int] | None:
        if plan.start_year is None or plan.end_year is None:
            return None
        return {"start": plan.start_year, "end": plan.end_year}


class OrganisationSerializer(serializers.ModelSerializer):
    short_name = BlankAsNullField()
    member_kinds = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("For a collective implementer: the kinds of organisation it stands for."),
    )

    class Meta:
        model = Organisation
        fields = ["key", "name", "short_name", "kind", "member_kinds", "country"]
        read_only_fields = fields


# --- the plan document (plan_export), described for the schema ----------------------------------


class DocumentPeriodSerializer(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class DocumentSourceSerializer(serializers.Serializer):
    title = serializers.CharField()
    file = serializers.CharField(allow_null=True)
    sha256 = serializers.CharField(allow_null=True)


class DocumentCoordinatorSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField(allow_null=True)


class DocumentSectionSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()


class DocumentAgencySerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField(allow_null=True)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    member_kinds = serializers.ListField(child=serializers.CharField())


class DocumentAssignmentSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField(allow_null=True)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    role = NamedChoiceField(Role.choices, enum_name="AssignmentRoleEnum")


class DocumentIndicatorSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()
    kind = NamedChoiceField(IndicatorKind.choices, enum_name="IndicatorKindEnum")
    disaggregation = serializers.ListField(child=serializers.CharField())
    unit = serializers.CharField(allow_null=True)
    baseline = serializers.CharField(allow_null=True)
    target = serializers.CharField(allow_null=True)
    note = serializers.CharField(allow_null=True)
    counts_people = serializers.BooleanField(
        help_text=_("Whether a count indicator's figures count people (published under disclosure control).")
    )


class DocumentActivitySerializer(serializers.Serializer):
    key = serializers.CharField()
    code = serializers.CharField(allow_null=True, help_text=_("The number the document publishes, if any."))
    text = serializers.CharField()
    period = DocumentPeriodSerializer(allow_null=True)
    note = serializers.CharField(allow_null=True)
    indicators = DocumentIndicatorSerializer(many=True)


class DocumentPriorityAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    period = DocumentPeriodSerializer(allow_null=True)
    note = serializers.CharField(allow_null=True)
    agencies = DocumentAssignmentSerializer(many=True)
    activities = DocumentActivitySerializer(many=True)
    unpaired_indicators = DocumentIndicatorSerializer(many=True)


class DocumentPillarSerializer(serializers.Serializer):
    key = serializers.CharField()
    code = serializers.CharField()
    title = serializers.CharField()
    definition = serializers.CharField(allow_null=True)
    objective = DocumentSectionSerializer()
    priority_areas = DocumentPriorityAreaSerializer(many=True)


class PlanDocumentSerializer(serializers.Serializer):
    """The whole plan, as ``wpsnap plan export SLUG --json`` prints it."""

    slug = serializers.SlugField()
    country = serializers.CharField()
    title = serializers.CharField()
    short_title = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    languages = serializers.ListField(child=serializers.CharField())
    default_language = serializers.CharField()
    period = DocumentPeriodSerializer(allow_null=True)
    source = DocumentSourceSerializer(allow_null=True)
    coordinator = DocumentCoordinatorSerializer(allow_null=True)
    purpose = DocumentSectionSerializer(allow_null=True)
    financing = DocumentSectionSerializer(allow_null=True)
    expected_results = DocumentSectionSerializer(many=True)
    agencies = DocumentAgencySerializer(many=True)
    pillars = DocumentPillarSerializer(many=True)
