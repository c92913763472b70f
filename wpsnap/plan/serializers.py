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
        fields = ["id", "key", "name", "short_name", "kind", "member_kinds", "country"]
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
    unofficial_translations = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_(
            "The languages whose translations of the plan's text are unofficial (no official text exists);"
            " left out when none is."
        ),
    )
    period = DocumentPeriodSerializer(allow_null=True)
    source = DocumentSourceSerializer(allow_null=True)
    coordinator = DocumentCoordinatorSerializer(allow_null=True)
    purpose = DocumentSectionSerializer(allow_null=True)
    financing = DocumentSectionSerializer(allow_null=True)
    expected_results = DocumentSectionSerializer(many=True)
    agencies = DocumentAgencySerializer(many=True)
    pillars = DocumentPillarSerializer(many=True)


# --- the plan's parts, one by one (/api/v1/pillars/, /activities/, ...) ----------------------------


class TranslatedField(serializers.CharField):
    """A text field in the request's language (the plan's translations), as the pages show it; empty
    text is null."""

    def __init__(self, field: str, **kwargs: Any) -> None:
        self.field_name_translated = field
        kwargs.setdefault("allow_null", True)
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str | None:
        text = value.tr(self.field_name_translated)
        return str(text) if text else None


class PlanRefField(serializers.SlugRelatedField):
    """The plan an element belongs to, by its slug."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="slug", read_only=True, **kwargs)


class YearsSerializer(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()


def _years(start: int | None, end: int | None) -> dict[str, int] | None:
    return None if start is None or end is None else {"start": start, "end": end}


class PillarSerializer(serializers.ModelSerializer):
    """A pillar of a plan, with its objective."""

    plan = PlanRefField()
    title = TranslatedField("title", allow_null=False)
    definition = TranslatedField("definition")
    objective = serializers.SerializerMethodField()

    class Meta:
        model = Pillar
        fields = ["id", "plan", "key", "number", "title", "definition", "position", "objective"]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text=_("The objective's id.")))
    def get_objective(self, pillar: Pillar) -> int | None:
        objective = getattr(pillar, "objective", None)
        return objective.pk if objective is not None else None


class ObjectiveSerializer(serializers.ModelSerializer):
    """A pillar's strategic objective."""

    plan = serializers.SlugRelatedField(slug_field="slug", source="pillar.plan", read_only=True)
    pillar = serializers.SlugRelatedField(slug_field="key", read_only=True)
    text = TranslatedField("text", allow_null=False)

    class Meta:
        model = Objective
        fields = ["id", "plan", "pillar", "code", "text"]
        read_only_fields = fields


class ExpectedResultSerializer(serializers.ModelSerializer):
    """One of the results the plan expects."""

    plan = PlanRefField()
    text = TranslatedField("text", allow_null=False)

    class Meta:
        model = ExpectedResult
        fields = ["id", "plan", "code", "text", "position"]
        read_only_fields = fields


class PriorityAreaSerializer(serializers.ModelSerializer):
    """A priority area of a pillar: its activities and indicators are listed at their own addresses."""

    plan = PlanRefField()
    pillar = serializers.SlugRelatedField(slug_field="key", read_only=True)
    title = TranslatedField("title", allow_null=False)
    note = TranslatedField("note")
    period = serializers.SerializerMethodField()

    class Meta:
        model = PriorityArea
        fields = ["id", "plan", "pillar", "code", "title", "note", "period", "position"]
        read_only_fields = fields

    @extend_schema_field(YearsSerializer(allow_null=True))
    def get_period(self, area: PriorityArea) -> dict[str, int] | None:
        return _years(area.start_year, area.end_year)


class ActivitySerializer(serializers.ModelSerializer):
    """An activity: what the agencies report on."""

    plan = PlanRefField()
    priority_area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    code = BlankAsNullField(help_text=_("The number the document publishes, if any."))
    text = TranslatedField("text", allow_null=False)
    note = TranslatedField("note")
    period = serializers.SerializerMethodField(
        help_text=_("Its own years, else its priority area's; null when neither has any.")
    )

    class Meta:
        model = Activity
        fields = ["id", "plan", "priority_area", "key", "code", "text", "note", "period", "position"]
        read_only_fields = fields

    @extend_schema_field(YearsSerializer(allow_null=True))
    def get_period(self, activity: Activity) -> dict[str, int] | None:
        return _years(activity.effective_start_year, activity.effective_end_year)


class IndicatorSerializer(serializers.ModelSerializer):
    """An indicator: what a report gives figures or an answer for."""

    plan = PlanRefField()
    priority_area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    activity = serializers.SlugRelatedField(
        slug_field="key",
        read_only=True,
        allow_null=True,
        help_text=_("The activity's key; null for an indicator the plan lists without one."),
    )
    text = TranslatedField("text", allow_null=False)
    kind = NamedChoiceField(IndicatorKind.choices, enum_name="IndicatorKindEnum", read_only=True)
    disaggregation = serializers.ListField(child=serializers.CharField(), read_only=True)
    unit = TranslatedField("unit")
    baseline = TranslatedField("baseline")
    target = TranslatedField("target")
    note = TranslatedField("note")
    counts_people = serializers.BooleanField(
        read_only=True,
        help_text=_("Whether a count indicator's figures count people (published under disclosure control)."),
    )

    class Meta:
        model = Indicator
        fields = [
            "id",
            "plan",
            "priority_area",
            "activity",
            "key",
            "text",
            "kind",
            "disaggregation",
            "unit",
            "baseline",
            "target",
            "note",
            "counts_people",
            "position",
        ]
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    """An agency's role on a priority area or, where the plan says so, on one activity."""

    plan = PlanRefField()
    agency = serializers.SlugRelatedField(slug_field="key", read_only=True)
    priority_area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    activity = serializers.SlugRelatedField(
        slug_field="key",
        read_only=True,
        allow_null=True,
        help_text=_("The activity's key; null for the whole priority area."),
    )
    role = NamedChoiceField(Role.choices, enum_name="AssignmentRoleEnum", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "plan", "agency", "priority_area", "activity", "role", "position"]
        read_only_fields = fields
