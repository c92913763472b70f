"""The API's shape of analytics' figures: read-only serializers of the selectors' dataclasses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from wpsnap.plan.models import IndicatorKind
from wpsnap.plan.serializers import NamedChoiceField
from wpsnap.reporting.models import FundingSource, ProgressStatus
from wpsnap.reporting.serializers import STATUS_CHOICES, plain

from .compliance import Compliance
from .districts import DistrictFigures
from .financing import Financing
from .people import PeopleReached
from .progress import IndicatorProgress, LeftOutReason
from .results import PlanResults
from .status import ActivityPeriodStatus, ActivityStatus
from .timeline import PeriodOnTimeline, Stage


class PlainDecimalField(serializers.DecimalField):
    """A figure as text without trailing zeros ("20", "12.5"), as the API has always given sums."""

    def to_representation(self, value: Decimal) -> str | None:
        return plain(value)


class ResultCellSerializer(serializers.Serializer):
    cell = serializers.CharField()
    cell_options = serializers.DictField(child=serializers.CharField())
    value = PlainDecimalField(max_digits=20, decimal_places=2)


class ResultPeriodSerializer(serializers.Serializer):
    period = serializers.CharField(help_text=gettext_lazy("The period's label."))
    reports = serializers.IntegerField(help_text=gettext_lazy("How many counted reports give a total."))
    total = PlainDecimalField(max_digits=20, decimal_places=2, allow_null=True)
    cells = ResultCellSerializer(many=True)


class ResultIndicatorSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text=gettext_lazy("The indicator's key."))
    kind = NamedChoiceField(IndicatorKind.choices, enum_name="IndicatorKindEnum")
    periods = ResultPeriodSerializer(many=True)


class ResultsSerializer(serializers.Serializer):
    """``analytics.results.PlanResults``. The fields document the shape (the schema); the representation
    is built directly, because through DRF's fields a plan's 1,500 cells take about three times as long
    (17 against 6 ms), most of the request. A test holds the two to the same output."""

    plan = serializers.CharField(help_text=gettext_lazy("The plan's slug."))
    counted = serializers.ListField(
        child=NamedChoiceField(STATUS_CHOICES, enum_name="ReportStatusEnum"),
        help_text=gettext_lazy("The statuses of the reports whose figures are summed."),
    )
    indicators = ResultIndicatorSerializer(many=True)

    def to_representation(self, instance: PlanResults) -> dict[str, Any]:
        return {
            "plan": instance.plan,
            "counted": list(instance.counted),
            "indicators": [
                {
                    "indicator": indicator.indicator,
                    "kind": indicator.kind,
                    "periods": [
                        {
                            "period": period.period,
                            "reports": period.reports,
                            "total": plain(period.total),
                            "cells": [
                                {"cell": c.cell, "cell_options": c.cell_options, "value": plain(c.value)}
                                for c in period.cells
                            ],
                        }
                        for period in indicator.periods
                    ],
                }
                for indicator in instance.indicators
            ],
        }


# --- the dashboards' figures (/api/v1/analytics/...) ---------------------------------------------------
# Each serializer documents the shape (the schema) and builds the representation directly from the
# selector's dataclasses, as ``ResultsSerializer`` does: DRF's fields would cost more than the query.

COUNTED_HELP = gettext_lazy("The statuses of the reports whose figures are summed.")


def _counted_field() -> serializers.ListField:
    return serializers.ListField(
        child=NamedChoiceField(STATUS_CHOICES, enum_name="ReportStatusEnum"), help_text=COUNTED_HELP
    )


def _decimal(**kwargs: Any) -> PlainDecimalField:
    return PlainDecimalField(max_digits=20, decimal_places=6, **kwargs)


class AgencyPartSerializer(serializers.Serializer):
    agency_id = serializers.IntegerField()
    agency = serializers.CharField(help_text=gettext_lazy("The agency's key."))
    progress = NamedChoiceField(
        ProgressStatus.choices,
        enum_name="ProgressEnum",
        allow_null=True,
        help_text=gettext_lazy("The progress its report gives; null when it has no report that counts."),
    )
    report_status = NamedChoiceField(
        STATUS_CHOICES,
        enum_name="ReportStatusEnum",
        allow_null=True,
        help_text=gettext_lazy(
            "Its report's review status, whether or not it counts; null without a report."
        ),
    )
    optional = serializers.BooleanField(
        help_text=gettext_lazy("A recommended partner's contribution: shown, never part of the status.")
    )


class ActivityStatusSerializer(serializers.Serializer):
    activity_id = serializers.IntegerField()
    activity = serializers.CharField(help_text=gettext_lazy("The activity's key."))
    code = serializers.CharField(help_text=gettext_lazy("Its published number; empty when it has none."))
    period_id = serializers.IntegerField()
    period = serializers.CharField(help_text=gettext_lazy("The period's label."))
    status = NamedChoiceField([(s.value, s.value) for s in ActivityStatus], enum_name="ActivityStatusEnum")
    expected = serializers.IntegerField(help_text=gettext_lazy("Agencies expected to report."))
    reported = serializers.IntegerField(
        help_text=gettext_lazy("Of those, how many have a report that counts.")
    )
    agencies = AgencyPartSerializer(
        many=True, required=False, help_text=gettext_lazy("Each agency's part; left out with parts=none.")
    )


class AnalyticsStatusSerializer(serializers.Serializer):
    """``analytics.status.activity_status``: every activity running in each period, with its status."""

    plan = serializers.CharField(help_text=gettext_lazy("The plan's slug."))
    activities = ActivityStatusSerializer(many=True)

    def __init__(self, *args: Any, parts: bool = True, **kwargs: Any) -> None:
        # ``parts=False`` (``?parts=none``) leaves each activity's agencies out.
        self.parts = parts
        super().__init__(*args, **kwargs)

    def to_representation(self, instance: tuple[str, tuple[ActivityPeriodStatus, ...]]) -> dict[str, Any]:
        plan, found = instance
        activities = []
        for s in found:
            row: dict[str, Any] = {
                "activity_id": s.activity_id,
                "activity": s.activity,
                "code": s.code,
                "period_id": s.period_id,
                "period": s.period,
                "status": str(s.status),
                "expected": s.expected,
                "reported": s.reported,
            }
            if self.parts:
                row["agencies"] = [
                    {
                        "agency_id": a.agency_id,
                        "agency": a.agency,
                        "progress": a.progress,
                        "report_status": a.report_status,
                        "optional": a.optional,
                    }
                    for a in s.agencies
                ]
            activities.append(row)
        return {"plan": plan, "activities": activities}


class ComplianceRowSerializer(serializers.Serializer):
    agency_id = serializers.IntegerField()
    agency = serializers.CharField(help_text=gettext_lazy("The agency's key."))
    period_id = serializers.IntegerField()
    period = serializers.CharField(help_text=gettext_lazy("The period's label."))
    due_on = serializers.DateField()
    expected = serializers.IntegerField(help_text=gettext_lazy("Reports the agency owes."))
    submitted = serializers.IntegerField(help_text=gettext_lazy("Gone to review and not returned."))
    approved = serializers.IntegerField(help_text=gettext_lazy("Approved or published."))
    overdue = serializers.IntegerField(help_text=gettext_lazy("Past the due date and not submitted."))
    missing = serializers.IntegerField(help_text=gettext_lazy("Not started."))
    contributions = serializers.IntegerField(
        help_text=gettext_lazy("Reports a recommended partner submitted without owing them.")
    )


class AnalyticsComplianceSerializer(serializers.Serializer):
    """``analytics.compliance.reporting_compliance``: per agency and period."""

    plan = serializers.CharField(help_text=gettext_lazy("The plan's slug."))
    today = serializers.DateField(help_text=gettext_lazy("The day that decides what is overdue."))
    agencies = ComplianceRowSerializer(many=True)

    def to_representation(self, instance: tuple[str, date, tuple[Compliance, ...]]) -> dict[str, Any]:
        plan, today, found = instance
        return {
            "plan": plan,
            "today": today.isoformat(),
            "agencies": [
                {
                    "agency_id": c.agency_id,
                    "agency": c.agency,
                    "period_id": c.period_id,
                    "period": c.period,
                    "due_on": c.due_on.isoformat(),
                    "expected": c.expected,
                    "submitted": c.submitted,
                    "approved": c.approved,
                    "overdue": c.overdue,
                    "missing": c.missing,
                    "contributions": c.contributions,
                }
                for c in found
            ],
        }


class PeopleRowSerializer(serializers.Serializer):
    pillar_id = serializers.IntegerField()
    pillar = serializers.CharField(help_text=gettext_lazy("The pillar's key."))
    year = serializers.IntegerField()
    sex = serializers.CharField(help_text=gettext_lazy("An option code of the sex dimension."))
    age = serializers.CharField(help_text=gettext_lazy("An option code of the age dimension."))
    reported = _decimal(help_text=gettext_lazy("The sum of the reported cells."))
    participants = serializers.IntegerField(help_text=gettext_lazy("The events' participants."))


class AnalyticsPeopleSerializer(serializers.Serializer):
    """``analytics.people.people_reached``: per pillar, year, sex and age band."""

    plan = serializers.CharField(help_text=gettext_lazy("The plan's slug."))
    people = PeopleRowSerializer(many=True)

    def to_representation(self, instance: tuple[str, tuple[PeopleReached, ...]]) -> dict[str, Any]:
        plan, found = instance
        return {
            "plan": plan,
            "people": [
                {
                    "pillar_id": p.pillar_id,
                    "pillar": p.pillar,
                    "year": p.year,
                    "sex": p.sex,
                    "age": p.age,
                    "reported": plain(p.reported),
                    "participants": p.participants,
                }
                for p in found
            ],
        }


class FinancingRowSerializer(serializers.Serializer):
    pillar_id = serializers.IntegerField()
    pillar = serializers.CharField(help_text=gettext_lazy("The pillar's key."))
    activity_id = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("Null by pillar."))
    activity = serializers.CharField(allow_null=True, help_text=gettext_lazy("The activity's key."))
    year = serializers.IntegerField()
    source = NamedChoiceField(FundingSource.choices, enum_name="FundingSourceEnum")
    planned = _decimal(allow_null=True, help_text=gettext_lazy("Null when no report gives an amount."))
    spent = _decimal(allow_null=True, help_text=gettext_lazy("Null when no report gives an amount."))
    lines = serializers.IntegerField(help_text=gettext_lazy("How many reports' lines are summed."))


class AnalyticsFinancingSerializer(serializers.Serializer):
    """``analytics.financing.financing``: per activity (or pillar), year and source."""

    plan = serializers.CharField(help_text=gettext_lazy("The plan's slug."))
    by = serializers.ChoiceField([("activity", "activity"), ("pillar", "pillar")])
    counted = _counted_field()
    financing = FinancingRowSerializer(many=True)

    def to_representation(self, instance: tuple[str, str, tuple[str, ...], tuple[Financing, ...]]) -> Any:
        plan, by, counted, found = instance
        return {
            "plan": plan,
            "by": by,
            "counted": list(counted),
            "financing": [
                {
                    "pillar_id": f.pillar_id,
                    "pillar": f.pillar,
                    "activity_id": f.activity_id,
                    "activity": f.activity,
                    "year": f.year,
                    "source": f.source,
                    "planned": plain(f.planned),
                    "spent": plain(f.spent),
                    "lines": f.lines,
                }
                for f in found
            ],
        }


class PeriodAchievedSerializer(serializers.Serializer):
    period_id = serializers.IntegerField()
    period = serializers.CharField(help_text=gettext_lazy("The period's label."))
    achieved = _decimal(allow_null=True, help_text=gettext_lazy("The sum of the counted totals."))
    reports = serializers.IntegerField(help_text=gettext_lazy("How many counted reports give a total."))
    cumulative = _decimal(allow_null=True, help_text=gettext_lazy("The sum up to this period."))


class IndicatorAgainstTargetSerializer(serializers.Serializer):
    indicator_id = serializers.IntegerField()
    indicator = serializers.CharField(help_text=gettext_lazy("The indicator's key."))
    text = serializers.CharField()
    unit = serializers.CharField()
    pillar_id = serializers.IntegerField()
    priority_area_id = serializers.IntegerField()
    activity = serializers.CharField(allow_null=True, help_text=gettext_lazy("Its activity's key."))
    baseline_text = serializers.CharField(help_text=gettext_lazy("As the plan writes it."))
    target_text = serializers.CharField(help_text=gettext_lazy("As the plan writes it."))
    baseline = _decimal(allow_null=True, help_text=gettext_lazy("Null when not a number."))
    target = _decimal(allow_null=True, help_text=gettext_lazy("Null when not a number."))
    periods = PeriodAchievedSerializer(many=True)
    achieved = _decimal(allow_null=True, help_text=gettext_lazy("Cumulated up to the period asked for."))
    share = _decimal(
        allow_null=True, help_text=gettext_lazy("Achieved divided by the target, to four places.")
    )


class LeftOutSerializer(serializers.Serializer):
    indicator_id = serializers.IntegerField()
    indicator = serializers.CharField(help_text=gettext_lazy("The indicator's key."))
    baseline_text = serializers.CharField()
    target_text = serializers.CharField()
    reason = NamedChoiceField([(r.value, r.value) for r in LeftOutReason], enum_name="LeftOutReasonEnum")


class AnalyticsIndicatorsSerializer(serializers.Serializer):
    """``analytics.progress.indicator_progress``: indicators against numeric baselines and targets."""

    plan = serializers.CharField(help_text=gettext_lazy("The plan's slug."))
    period = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("The period asked for; null for every period.")
    )
    counted = _counted_field()
    indicators = IndicatorAgainstTargetSerializer(many=True)
    left_out = LeftOutSerializer(many=True)

    def to_representation(self, instance: IndicatorProgress) -> dict[str, Any]:
        return {
            "plan": instance.plan,
            "period": instance.period_id,
            "counted": list(instance.counted),
            "indicators": [
                {
                    "indicator_id": i.indicator_id,
                    "indicator": i.indicator,
                    "text": i.text,
                    "unit": i.unit,
                    "pillar_id": i.pillar_id,
                    "priority_area_id": i.priority_area_id,
                    "activity": i.activity,
                    "baseline_text": i.baseline_text,
                    "target_text": i.target_text,
                    "baseline": plain(i.baseline),
                    "target": plain(i.target),
                    "periods": [
                        {
                            "period_id": p.period_id,
                            "period": p.period,
                            "achieved": plain(p.achieved),
                            "reports": p.reports,
                            "cumulative": plain(p.cumulative),
                        }
                        for p in i.periods
                    ],
                    "achieved": plain(i.achieved),
                    "share": plain(i.share),
                }
                for i in instance.indicators
            ],
            "left_out": [
                {
                    "indicator_id": o.indicator_id,
                    "indicator": o.indicator,
                    "baseline_text": o.baseline_text,
                    "target_text": o.target_text,
                    "reason": str(o.reason),
                }
                for o in instance.left_out
            ],
        }


class PeriodOnTimelineSerializer(serializers.Serializer):
    period_id = serializers.IntegerField()
    period = serializers.CharField(help_text=gettext_lazy("The period's label."))
    start = serializers.DateField()
    end = serializers.DateField()
    opens_on = serializers.DateField(help_text=gettext_lazy("When reporting opens."))
    due_on = serializers.DateField(help_text=gettext_lazy("When reports are due."))
    locked_at = serializers.DateTimeField(allow_null=True, help_text=gettext_lazy("Null while open."))
    stage = NamedChoiceField([(s.value, s.value) for s in Stage], enum_name="PeriodStageEnum")
    expected = serializers.IntegerField()
    submitted = serializers.IntegerField()
    approved = serializers.IntegerField()
    overdue = serializers.IntegerField()
    missing = serializers.IntegerField()
    is_overdue = serializers.BooleanField(
        help_text=gettext_lazy("Past its due date with a report owed and not submitted.")
    )


class AnalyticsTimelineSerializer(serializers.Serializer):
    """``analytics.timeline.period_timeline``: the periods in order."""

    plan = serializers.CharField(help_text=gettext_lazy("The plan's slug."))
    today = serializers.DateField(help_text=gettext_lazy("The day that decides what is overdue."))
    periods = PeriodOnTimelineSerializer(many=True)

    def to_representation(self, instance: tuple[str, date, tuple[PeriodOnTimeline, ...]]) -> dict[str, Any]:
        plan, today, found = instance
        locked = serializers.DateTimeField()
        return {
            "plan": plan,
            "today": today.isoformat(),
            "periods": [
                {
                    "period_id": p.period_id,
                    "period": p.period,
                    "start": p.start.isoformat(),
                    "end": p.end.isoformat(),
                    "opens_on": p.opens_on.isoformat(),
                    "due_on": p.due_on.isoformat(),
                    "locked_at": locked.to_representation(p.locked_at) if p.locked_at else None,
                    "stage": str(p.stage),
                    "expected": p.expected,
                    "submitted": p.submitted,
                    "approved": p.approved,
                    "overdue": p.overdue,
                    "missing": p.missing,
                    "is_overdue": p.is_overdue,
                }
                for p in found
            ],
        }


class ParticipantsBySexSerializer(serializers.Serializer):
    sex = serializers.CharField(
        help_text=gettext_lazy("An option code of the sex dimension; empty where not recorded.")
    )
    participants = serializers.IntegerField()


class DistrictRowSerializer(serializers.Serializer):
    district = serializers.CharField(
        help_text=gettext_lazy(
            "An option code of the plan's district dimension; empty for events without one."
        )
    )
    events = serializers.IntegerField(help_text=gettext_lazy("The events held in the district."))
    participants = serializers.IntegerField(
        help_text=gettext_lazy("Their participants, listed and counted, by the event's district.")
    )
    participants_by_sex = ParticipantsBySexSerializer(many=True)
    reported = _decimal(
        allow_null=True,
        help_text=gettext_lazy(
            "The sum of the counted reports' figures of count indicators in the district's cells; null when "
            "none gives one."
        ),
    )
    figures = serializers.IntegerField(help_text=gettext_lazy("How many reported figures make that sum."))


class AnalyticsDistrictsSerializer(serializers.Serializer):
    """``analytics.districts.by_district``: per district code."""

    plan = serializers.CharField(help_text=gettext_lazy("The plan's slug."))
    districts = DistrictRowSerializer(many=True)

    def to_representation(self, instance: tuple[str, tuple[DistrictFigures, ...]]) -> dict[str, Any]:
        plan, found = instance
        return {
            "plan": plan,
            "districts": [
                {
                    "district": d.district,
                    "events": d.events,
                    "participants": d.participants,
                    "participants_by_sex": [{"sex": s, "participants": n} for s, n in d.participants_by_sex],
                    "reported": plain(d.reported) if d.reported is not None else None,
                    "figures": d.figures,
                }
                for d in found
            ],
        }
