"""The API's shape of analytics' figures: read-only serializers of the selectors' dataclasses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from wpsnap.plan.models import IndicatorKind
from wpsnap.plan.serializers import NamedChoiceField
from wpsnap.reporting.serializers import STATUS_CHOICES, plain

from .results import PlanResults


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
