"""The public API under ``/api/v1/public/`` (issue 13): read-only, open to anonymous callers, serving the
plans the public may see, their structure and their published figures exactly as ``public_results`` gives
them (disclosure-controlled: a suppressed figure is ``null`` with ``suppressed: true``, never its value, nor
the reason). No personal data: no people, no report text.

- ``GET /api/v1/public/plans/``: the public plans (not drafts), newest first.
- ``GET /api/v1/public/plans/<slug>/``: one plan with its pillars, priority areas, activities and
  indicators (titles in the request's language where the plan has them, else its default text), when its
  figures were last updated, and the disclosure threshold.
- ``GET /api/v1/public/plans/<slug>/indicators/<key>/figures/``: a count indicator's published figures by
  period: the total and every cell of its table.
- ``GET /api/v1/public/plans/<slug>/reports/``: the public versions of the annual reports and the review a
  coordinator put on the portal, each with its download address.

A draft plan, an unknown plan or indicator, or an indicator without figures (qualitative, document) is 404
whoever asks. Throttled as every anonymous API request when ``WPSNAP_API_ANON_RATE`` is set.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wpsnap.analytics.results import last_published
from wpsnap.analytics.scope import PUBLIC
from wpsnap.core.api import errors
from wpsnap.plan.models import Activity, Indicator, IndicatorKind, Pillar, Plan, PlanStatus, PriorityArea
from wpsnap.reporting.disaggregation import TOTAL, parse_cell_key

from .disclosure import default_threshold
from .public import PublicFigure, PublicIndicator, PublicPeriod, public_results
from .report_files import live_report_files

SUPPRESSED_NOTE = _(
    "Not shown: fewer than %(threshold)d people, or a figure from which such a group could be worked out."
)

# --- serializers (for the schema; the views answer plain data) --------------------------------------------


class PublicPlanSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    country = serializers.CharField()
    status = serializers.CharField()
    start_year = serializers.IntegerField(allow_null=True)
    end_year = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(help_text=_("This plan in the public API."))


class PublicIndicatorSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()
    kind = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    counts_people = serializers.BooleanField()
    figures = serializers.CharField(
        allow_null=True,
        help_text=_("Its published figures in the public API; null for answers, not figures."),
    )


class PublicActivitySerializer(serializers.Serializer):
    key = serializers.CharField()
    code = serializers.CharField(allow_blank=True)
    text = serializers.CharField()
    indicators = PublicIndicatorSerializer(many=True)


class PublicAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    activities = PublicActivitySerializer(many=True)


class PublicPillarSerializer(serializers.Serializer):
    key = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    priority_areas = PublicAreaSerializer(many=True)


class PublicPlanDetailSerializer(PublicPlanSerializer):
    last_updated = serializers.DateTimeField(
        allow_null=True, help_text=_("When the latest published report was published.")
    )
    threshold = serializers.IntegerField(help_text=_("Counts of people below this are not shown."))
    pillars = PublicPillarSerializer(many=True)


class PublicFigureSerializer(serializers.Serializer):
    cell = serializers.DictField(
        child=serializers.CharField(),
        help_text=_('The options the figure fixes, by dimension ({"sex": "women"}); {} for the total.'),
    )
    value = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=False, allow_null=True)
    suppressed = serializers.BooleanField()


class PublicDimensionSerializer(serializers.Serializer):
    code = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField())


class PublicPeriodSerializer(serializers.Serializer):
    period = serializers.CharField()
    reports = serializers.IntegerField(help_text=_("How many published reports give a figure."))
    dimensions = PublicDimensionSerializer(many=True)
    total = PublicFigureSerializer(allow_null=True)
    cells = PublicFigureSerializer(many=True)
    cells_withheld = serializers.BooleanField(
        help_text=_("The reports' breakdowns do not make one table: only the total is published.")
    )


class PublicFiguresSerializer(serializers.Serializer):
    plan = serializers.CharField()
    indicator = serializers.CharField()
    text = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    counts_people = serializers.BooleanField()
    threshold = serializers.IntegerField()
    suppressed_note = serializers.CharField()
    last_updated = serializers.DateTimeField(allow_null=True)
    periods = PublicPeriodSerializer(many=True)


SLUG = OpenApiParameter("slug", str, OpenApiParameter.PATH, description=_("The plan's slug."))
KEY = OpenApiParameter("key", str, OpenApiParameter.PATH, description=_("The indicator's key."))


# --- views ----------------------------------------------------------------------------------------------


def _public_plans() -> QuerySet[Plan]:
    return Plan.objects.exclude(status=PlanStatus.DRAFT).order_by("-start_year", "slug")


def _plan(slug: str) -> Plan:
    plan = _public_plans().filter(slug=slug).first()
    if plan is None:
        raise Http404
    return plan


def _plan_summary(request: Request, plan: Plan) -> dict[str, Any]:
    return {
        "slug": plan.slug,
        "title": str(plan.tr("title")),
        "country": plan.country,
        "status": plan.status,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "url": request.build_absolute_uri(f"/api/v1/public/plans/{plan.slug}/"),
    }


class _PublicView(APIView):
    gate_action = "publishing.public_api"


@extend_schema(
    tags=["public"],
    summary=_("The public plans (no sign-in)"),
    description=_("Every plan that is not a draft, newest first."),
    responses={200: PublicPlanSerializer(many=True), **errors(400)},
)
class PublicPlansView(_PublicView):
    def get(self, request: Request) -> Response:
        return Response([_plan_summary(request, plan) for plan in _public_plans()])


@extend_schema(
    tags=["public"],
    summary=_("A public plan's structure (no sign-in)"),
    description=_(
        "Pillars, priority areas, activities and indicators, in the request's language where the plan has "
        "a translation (`Accept-Language`), else its default text; when its figures were last updated."
    ),
    parameters=[SLUG],
    responses={200: PublicPlanDetailSerializer, **errors(400, 404)},
)
class PublicPlanView(_PublicView):
    def get(self, request: Request, slug: str) -> Response:
        plan = _plan(slug)
        pillars = list(Pillar.objects.filter(plan=plan).order_by("position"))
        areas: dict[int, list[PriorityArea]] = {}
        for area in PriorityArea.objects.filter(plan=plan).order_by("position"):
            areas.setdefault(area.pillar_id, []).append(area)
        activities: dict[int, list[Activity]] = {}
        for activity in Activity.objects.filter(plan=plan).order_by("position"):
            activities.setdefault(activity.priority_area_id, []).append(activity)
        indicators: dict[int | None, list[Indicator]] = {}
        for indicator in Indicator.objects.filter(plan=plan).order_by("position"):
            indicators.setdefault(indicator.activity_id, []).append(indicator)

        def indicator_data(indicator: Indicator) -> dict[str, Any]:
            counts = indicator.kind == IndicatorKind.COUNT
            return {
                "key": indicator.key,
                "text": str(indicator.tr("text")),
                "kind": indicator.kind,
                "unit": indicator.unit,
                "counts_people": indicator.counts_people,
                "figures": (
                    request.build_absolute_uri(
                        f"/api/v1/public/plans/{plan.slug}/indicators/{indicator.key}/figures/"
                    )
                    if counts
                    else None
                ),
            }

        body = _plan_summary(request, plan) | {
            "last_updated": last_published(PUBLIC, plan=plan),
            "threshold": default_threshold(),
            "pillars": [
                {
                    "key": pillar.key,
                    "number": pillar.number,
                    "title": str(pillar.tr("title")),
                    "priority_areas": [
                        {
                            "code": area.code,
                            "title": str(area.tr("title")),
                            "activities": [
                                {
                                    "key": activity.key,
                                    "code": activity.code,
                                    "text": str(activity.tr("text")),
                                    "indicators": [
                                        indicator_data(i) for i in indicators.get(activity.pk, [])
                                    ],
                                }
                                for activity in activities.get(area.pk, [])
                            ],
                        }
                        for area in areas.get(pillar.pk, [])
                    ],
                }
                for pillar in pillars
            ],
        }
        return Response(PublicPlanDetailSerializer(body).data)


def _figure(figure: PublicFigure) -> dict[str, Any]:
    return {
        "cell": dict(parse_cell_key(figure.cell)) if figure.cell != TOTAL else {},
        "value": figure.value,
        "suppressed": figure.value is None,
    }


def _period(period: PublicPeriod) -> dict[str, Any]:
    return {
        "period": period.period,
        "reports": period.reports,
        "dimensions": [{"code": code, "options": list(options)} for code, options in period.dimensions],
        "total": _figure(period.total) if period.total is not None else None,
        "cells": [_figure(figure) for figure in period.cells],
        "cells_withheld": period.cells_withheld,
    }


@extend_schema(
    tags=["public"],
    summary=_("A count indicator's published figures (no sign-in)"),
    description=_(
        "By period: the total and every cell of the indicator's table as published, through disclosure "
        "control. A figure not shown has `value: null` and `suppressed: true`."
    ),
    parameters=[SLUG, KEY],
    responses={200: PublicFiguresSerializer, **errors(400, 404)},
)
class PublicFiguresView(_PublicView):
    def get(self, request: Request, slug: str, key: str) -> Response:
        plan = _plan(slug)
        indicator = Indicator.objects.filter(plan=plan, key=key, kind=IndicatorKind.COUNT).first()
        if indicator is None:
            raise Http404
        figures = public_results(plan)
        published: PublicIndicator | None = next(
            (i for i in figures.indicators if i.indicator_id == indicator.pk), None
        )
        threshold = figures.threshold
        body = {
            "plan": plan.slug,
            "indicator": indicator.key,
            "text": str(indicator.tr("text")),
            "unit": indicator.unit,
            "counts_people": indicator.counts_people,
            "threshold": threshold,
            "suppressed_note": str(SUPPRESSED_NOTE) % {"threshold": threshold},
            "last_updated": figures.last_updated,
            "periods": [_period(period) for period in published.periods] if published is not None else [],
        }
        return Response(PublicFiguresSerializer(body).data)


class PublicReportFileSerializer(serializers.Serializer):
    title = serializers.CharField(help_text=_("The report's title, in the request's language."))
    first_year = serializers.IntegerField()
    last_year = serializers.IntegerField()
    language = serializers.CharField(help_text=_("The report's language: az, en or ru."))
    format = serializers.CharField(help_text=_("pdf or docx."))
    size = serializers.IntegerField(help_text=_("Bytes."))
    sha256 = serializers.CharField(help_text=_("The file's SHA-256 checksum, to check a download."))
    built_at = serializers.DateTimeField(
        help_text=_("When it was built: it holds the figures published then.")
    )
    published_at = serializers.DateTimeField(help_text=_("When it was put on the portal."))
    url = serializers.CharField(help_text=_("Where to download it (no sign-in)."))


@extend_schema(
    tags=["public"],
    summary=_("A public plan's annual reports on the portal (no sign-in)"),
    description=_(
        "The public versions (published figures only) of the annual progress reports and the end-of-plan "
        "review that the coordinator put on the portal, one per report, language and format, with where to "
        "download each. Annual reports by year first, then the review."
    ),
    parameters=[SLUG],
    responses={200: PublicReportFileSerializer(many=True), **errors(400, 404)},
)
class PublicReportFilesView(_PublicView):
    def get(self, request: Request, slug: str) -> Response:
        plan = _plan(slug)
        body = []
        for file in live_report_files(plan):
            try:
                # exports' download, by its URL name (publishing does not import exports).
                path = reverse(
                    "exports:open_report",
                    args=[plan.slug, file.first_year, file.last_year, file.language, file.format],
                )
            except NoReverseMatch:
                continue
            body.append(
                {
                    "title": file.title,
                    "first_year": file.first_year,
                    "last_year": file.last_year,
                    "language": file.language,
                    "format": file.format,
                    "size": file.size,
                    "sha256": file.sha256,
                    "built_at": file.built_at,
                    "published_at": file.published_at,
                    "url": request.build_absolute_uri(path),
                }
            )
        return Response(PublicReportFileSerializer(body, many=True).data)
