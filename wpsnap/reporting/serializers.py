"""What the REST API shows of progress reports and periods, and what it accepts.

Every serializer names its fields; output serializers are read-only. Input serializers only check the
shape of a request (``StrictSerializer``: a field they do not name is refused, so ``status``,
``agency``, ``period`` or ``approved_by`` can never be set); figures are checked, and written, by
``wpsnap.reporting.services``, which names each problem by its cell.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from wpsnap.accounts.models import Organisation
from wpsnap.accounts.serializers import StrictSerializer
from wpsnap.plan.models import Activity
from wpsnap.plan.serializers import NamedChoiceField

from .disaggregation import TOTAL, parse_cell_key
from .models import (
    Comment,
    Evidence,
    FundingSource,
    IndicatorValue,
    ProgressReport,
    ProgressStatus,
    ReportingPeriod,
    ReportTransition,
    ReportVersion,
)
from .selectors import ValueRow
from .workflow import Status

STATUS_CHOICES = [(s.value, s.value) for s in Status]


def plain(value: Decimal | None) -> str | None:
    """A stored figure as text without trailing zeros ("20", "12.5"); None stays None."""
    return None if value is None else f"{value.normalize():f}"


def cell_options(cell: str) -> dict[str, str]:
    """{dimension: option} of a cell key; {} for the total."""
    return dict(parse_cell_key(cell))


# --- reading reports --------------------------------------------------------------------------------


class ActivityRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Activity
        fields = ["key", "code"]
        read_only_fields = fields


class AgencyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["key", "short_name"]
        read_only_fields = fields


class PeriodRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingPeriod
        fields = ["label", "start", "end"]
        read_only_fields = fields


class ValueSerializer(serializers.Serializer):
    """One figure: an indicator's cell ("" is the total)."""

    indicator = serializers.CharField(read_only=True, help_text=gettext_lazy("The indicator's key."))
    cell = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy('The cell\'s key, e.g. "sex:women|age:18-24"; "" is the total.'),
    )
    cell_options = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text=gettext_lazy("{dimension: option} of the cell; {} for the total."),
    )
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text=gettext_lazy('The figure, as text without trailing zeros ("20", "12.5").'),
    )

    def to_representation(self, instance: ValueRow) -> dict[str, Any]:
        # Written out rather than field by field: a page of 100 reports carries a thousand figures
        # or more, and this is the hot loop of the report list. The fields above document it.
        return {
            "indicator": instance.indicator,
            "cell": instance.cell,
            "cell_options": cell_options(instance.cell),
            "value": plain(instance.value),
        }


class AnswerSerializer(serializers.Serializer):
    indicator = serializers.CharField(read_only=True, help_text=gettext_lazy("The indicator's key."))
    text = serializers.CharField(read_only=True)


class FinancingSerializer(serializers.Serializer):
    """Money for the activity in the report's period from one source, in AZN."""

    source = NamedChoiceField(FundingSource.choices, enum_name="FundingSourceEnum", read_only=True)
    planned = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, read_only=True)
    spent = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, read_only=True)


class ReportSerializer(serializers.ModelSerializer):
    """A progress report with everything it says."""

    activity = ActivityRefSerializer(read_only=True)
    agency = AgencyRefSerializer(read_only=True)
    period = PeriodRefSerializer(read_only=True)
    status = NamedChoiceField(STATUS_CHOICES, enum_name="ReportStatusEnum", read_only=True)
    progress = NamedChoiceField(ProgressStatus.choices, enum_name="ProgressEnum", read_only=True)
    # Read for the whole page by ``selectors.reports_with_content``.
    values = ValueSerializer(many=True, read_only=True, source="content.values")
    answers = AnswerSerializer(many=True, read_only=True, source="content.answers")
    financing = FinancingSerializer(many=True, read_only=True, source="content.financing")

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "version",
            "activity",
            "agency",
            "period",
            "status",
            "progress",
            "done",
            "challenges",
            "next_steps",
            "started_on",
            "finished_on",
            "submitted_at",
            "approved_at",
            "published_at",
            "values",
            "answers",
            "financing",
        ]
        read_only_fields = fields


# --- writing reports --------------------------------------------------------------------------------


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}], "nullable": True})
class TypedFigureField(serializers.Field):
    """A figure as a number or as typed text ("1 200", "12,5"); null or "" clears it. Passed on as
    text: the services parse it and name a wrong entry by its cell."""

    default_error_messages = {
        "invalid": gettext_lazy("Enter a number or text such as “12”, or null to clear the figure.")
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, bool) or not isinstance(data, str | int | float | Decimal):
            self.fail("invalid")
        if isinstance(data, str) and len(data) > 40:
            self.fail("invalid")
        return str(data)

    def to_representation(self, value: Any) -> Any:
        return value


class ValueInputSerializer(StrictSerializer):
    indicator = serializers.CharField(max_length=64, help_text=gettext_lazy("The indicator's key."))
    cell = serializers.CharField(
        max_length=200,
        allow_blank=True,
        default=TOTAL,
        help_text=gettext_lazy('The cell\'s key, e.g. "sex:women|age:18-24"; "" (the default) is the total.'),
    )
    value = TypedFigureField()


class AnswerInputSerializer(StrictSerializer):
    indicator = serializers.CharField(max_length=64, help_text=gettext_lazy("The indicator's key."))
    text = serializers.CharField(
        allow_blank=True, help_text=gettext_lazy("The answer; an empty text clears it.")
    )


class FinancingInputSerializer(StrictSerializer):
    source = NamedChoiceField(FundingSource.choices, enum_name="FundingSourceEnum")
    planned = TypedFigureField(required=False, help_text=gettext_lazy("AZN; null clears it."))
    spent = TypedFigureField(required=False, help_text=gettext_lazy("AZN; null clears it."))


class ReportContentSerializer(StrictSerializer):
    """What a focal point writes in a report. A field left out is left as it was."""

    progress = NamedChoiceField(ProgressStatus.choices, enum_name="ProgressEnum", required=False)
    done = serializers.CharField(required=False, allow_blank=True)
    challenges = serializers.CharField(required=False, allow_blank=True)
    next_steps = serializers.CharField(required=False, allow_blank=True)
    started_on = serializers.DateField(required=False, allow_null=True)
    finished_on = serializers.DateField(required=False, allow_null=True)
    values = ValueInputSerializer(
        many=True,
        required=False,
        help_text=gettext_lazy("Figures by indicator and cell; a cell left out keeps its figure."),
    )
    answers = AnswerInputSerializer(many=True, required=False)
    financing = FinancingInputSerializer(many=True, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        twice: dict[str, list[str]] = {}
        for name, key in (("values", ("indicator", "cell")), ("answers", ("indicator",))):
            seen: set[tuple[str, ...]] = set()
            for item in attrs.get(name, []):
                ident = tuple(item[k] for k in key)
                if ident in seen:
                    twice.setdefault(name, []).append(
                        _("%(what)s is given twice.") % {"what": " ".join(ident)}
                    )
                seen.add(ident)
        sources = [line["source"] for line in attrs.get("financing", [])]
        for source in sorted({s for s in sources if sources.count(s) > 1}):
            twice.setdefault("financing", []).append(_("%(source)s is given twice.") % {"source": source})
        if twice:
            raise serializers.ValidationError(twice, code="duplicate")
        return attrs


class ReportCreateSerializer(ReportContentSerializer):
    """Start a report of the caller's agency, optionally with its first content."""

    activity = serializers.CharField(max_length=64, help_text=gettext_lazy("The activity's key."))
    period = serializers.CharField(
        max_length=60,
        help_text=gettext_lazy("The period's label (“2021”) or, when no period has that label, its id."),
    )


class CommentSerializer(StrictSerializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("A note kept with the step.")
    )


class ReturnSerializer(StrictSerializer):
    comment = serializers.CharField(
        allow_blank=True, help_text=gettext_lazy("What needs correcting (required).")
    )


class UnpublishSerializer(StrictSerializer):
    comment = serializers.CharField(
        allow_blank=True,
        help_text=gettext_lazy("Why the report is taken off the public pages (required; recorded)."),
    )


class NoInputSerializer(StrictSerializer):
    """Steps that take no input: any field sent is refused."""


# --- periods and results ----------------------------------------------------------------------------


class PeriodSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(
        source="plan.slug", read_only=True, help_text=gettext_lazy("The plan's slug.")
    )
    locked = serializers.BooleanField(source="is_locked", read_only=True)

    class Meta:
        model = ReportingPeriod
        fields = ["id", "plan", "label", "start", "end", "opens_on", "due_on", "locked", "locked_at"]
        read_only_fields = fields


# --- what a report keeps beside its content: evidence, comments, steps, versions ----------------------


class PersonField(serializers.CharField):
    """Who did it, by name as the pages show it; null once their account is gone."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value: Any) -> str | None:
        if value is None:
            return None
        return value.get_full_name() or value.get_username()


class EvidenceSerializer(serializers.ModelSerializer):
    """A file backing a report: what it is; the file itself is at ``file``."""

    report = serializers.IntegerField(source="report_id", read_only=True)
    name = serializers.CharField(
        source="download_name", read_only=True, help_text=gettext_lazy("The name it downloads as.")
    )
    kind = serializers.CharField(read_only=True, help_text=gettext_lazy("Its type, judged by its content."))
    size = serializers.IntegerField(read_only=True, help_text=gettext_lazy("In bytes."))
    sha256 = serializers.CharField(read_only=True)
    uploaded_by = PersonField()
    uploaded_at = serializers.DateTimeField(source="created_at", read_only=True)
    file = serializers.SerializerMethodField(help_text=gettext_lazy("Where to download it."))

    class Meta:
        model = Evidence
        fields = ["id", "report", "name", "kind", "size", "sha256", "uploaded_by", "uploaded_at", "file"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_file(self, evidence: Evidence) -> str:
        return reverse(
            "api:report-evidence-file",
            kwargs={"id": evidence.report_id, "evidence_id": evidence.pk},
            request=self.context.get("request"),
        )


class ReportCommentSerializer(serializers.ModelSerializer):
    """A comment on a report."""

    author = PersonField()

    class Meta:
        model = Comment
        fields = ["id", "author", "text", "at"]
        read_only_fields = fields


class TransitionSerializer(serializers.ModelSerializer):
    """One workflow step of a report: from which status to which, by whom, when, with its note."""

    source = NamedChoiceField(STATUS_CHOICES, enum_name="ReportStatusEnum", read_only=True)
    target = NamedChoiceField(STATUS_CHOICES, enum_name="ReportStatusEnum", read_only=True)
    actor = PersonField()

    class Meta:
        model = ReportTransition
        fields = ["id", "source", "target", "actor", "at", "note"]
        read_only_fields = fields


class VersionSerializer(serializers.ModelSerializer):
    """What the report said at one workflow step (its content at ``/versions/{number}/``)."""

    status = NamedChoiceField(STATUS_CHOICES, enum_name="ReportStatusEnum", read_only=True)
    actor = PersonField()

    class Meta:
        model = ReportVersion
        fields = ["number", "status", "actor", "at"]
        read_only_fields = fields


class VersionContentSerializer(VersionSerializer):
    """One version of a report, with what it said then."""

    content = serializers.DictField(
        read_only=True,
        help_text=gettext_lazy(
            "The report's text, figures (by indicator id and cell), answers and financing at that step."
        ),
    )

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "content"]
        read_only_fields = fields


# --- figures one by one (/api/v1/values/) ---------------------------------------------------------


class FigureSerializer(serializers.ModelSerializer):
    """One figure of one report: an indicator's cell ("" is the total), with the report it is in."""

    report = serializers.IntegerField(source="report_id", read_only=True)
    status = NamedChoiceField(
        STATUS_CHOICES, enum_name="ReportStatusEnum", source="report.status", read_only=True
    )
    period = serializers.CharField(
        source="report.period.label", read_only=True, help_text=gettext_lazy("The period's label.")
    )
    agency = serializers.CharField(
        source="report.agency.key", read_only=True, help_text=gettext_lazy("The agency's key.")
    )
    activity = serializers.CharField(
        source="report.activity.key", read_only=True, help_text=gettext_lazy("The activity's key.")
    )
    indicator = serializers.CharField(
        source="indicator.key", read_only=True, help_text=gettext_lazy("The indicator's key.")
    )
    cell = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy('The cell\'s key, e.g. "sex:women|age:18-24"; "" is the total.'),
    )
    cell_options = serializers.SerializerMethodField(
        help_text=gettext_lazy("{dimension: option} of the cell; {} for the total.")
    )
    value = serializers.SerializerMethodField(
        help_text=gettext_lazy('The figure, as text without trailing zeros ("20", "12.5").')
    )

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "report",
            "status",
            "period",
            "agency",
            "activity",
            "indicator",
            "cell",
            "cell_options",
            "value",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_cell_options(self, value: IndicatorValue) -> dict[str, str]:
        return cell_options(value.cell)

    @extend_schema_field(serializers.CharField())
    def get_value(self, value: IndicatorValue) -> str | None:
        return plain(value.value)
