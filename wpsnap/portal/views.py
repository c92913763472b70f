"""The public portal's pages, under ``/<lang>/`` (``az``, ``en``, ``ru``). Thin: look the plan up among the
adopted ones, read its structure and its published figures (``selectors``), render.

Every view goes through the gate (``portal.view``, open to all) and renders inside
``translation.override`` of the path's language, whoever reads it; a link stays inside that language.
Figures come only from ``publishing.public.public_results`` (through ``selectors.plan_results``): a
suppressed figure is shown as the one mark (a multiplication sign) with its note, never with its reason.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from importlib import import_module
from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from wpsnap.accounts.permissions import gate
from wpsnap.core import charts
from wpsnap.core.views import page_not_found
from wpsnap.plan.models import Activity, Indicator, IndicatorKind, Plan
from wpsnap.publishing.public import PublicIndicator, PublicResults
from wpsnap.publishing.report_files import live_report_files

from . import selectors
from .converters import DEFAULT_LANGUAGE, PORTAL_LANGUAGES

SUPPRESSED = "\u00d7"  # the one mark of a figure not shown (docs/disclosure.md)

# The open-data licences an installation is likely to choose (SPDX identifiers), with their names and deeds.
LICENCES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0 International (CC BY 4.0)",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC0-1.0": ("Creative Commons Zero 1.0 (CC0)", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": (
        "Open Data Commons Open Database License (ODbL)",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
    "PDDL-1.0": (
        "Open Data Commons Public Domain Dedication and License (PDDL)",
        "https://opendatacommons.org/licenses/pddl/1-0/",
    ),
}


def licence() -> dict[str, str]:
    code = settings.WPSNAP_OPEN_DATA_LICENCE
    name, url = LICENCES.get(code, (code, ""))
    return {"code": code, "name": name, "url": url}


def suppression_note(threshold: int) -> str:
    """What the one mark means (docs/disclosure.md, "What a reader sees"): never which cells are small."""
    # The mark itself, a multiplication sign, opens the message (ruff's RUF001 takes it for an x).
    return _(
        "× not shown: fewer than %(threshold)s people, or a figure from which such a group could be worked out."  # noqa: RUF001
    ) % {"threshold": threshold}


# --- the language of the path ----------------------------------------------------------------------------


def portal_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A portal view: gated (``portal.view``), GET or HEAD only, rendered in the path's language."""

    @wraps(view)
    def wrapped(
        request: HttpRequest, *args: Any, lang: str = DEFAULT_LANGUAGE, **kwargs: Any
    ) -> HttpResponse:
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            try:
                response = view(request, *args, lang=lang, **kwargs)
            except Http404 as exc:
                response = page_not_found(request, exc)
            response.headers["Content-Language"] = lang
        return response

    return gate("portal.view")(require_safe(wrapped))


def _alternates(request: HttpRequest, lang: str) -> list[dict[str, Any]]:
    """The same page in each portal language (the switcher and ``<link rel=alternate>``)."""
    path = request.path
    prefix = f"/{lang}/"
    rest = path[len(prefix) - 1 :] if path.startswith(prefix) else "/"
    query = request.META.get("QUERY_STRING", "")
    found = []
    for code in PORTAL_LANGUAGES:
        info = get_language_info(code)
        href = f"/{code}{rest}" + (f"?{query}" if query else "")
        found.append({"code": code, "name": info["name_local"], "href": href, "current": code == lang})
    return found


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], *, lang: str, status: int = 200
) -> HttpResponse:
    context = {
        **context,
        "lang": lang,
        "alternates": _alternates(request, lang),
        "licence": licence(),
    }
    return render(request, template, context, status=status)


# --- figures as the pages show them -------------------------------------------------------------------


def _attach_progress(structure: selectors.Structure, results: PublicResults) -> None:
    """Each activity's ``published``: its count indicators, each with its latest period that has a
    published figure (None when none has)."""
    by_key = selectors.results_by_key(results)
    for activity in structure.activities:
        activity.published = [  # type: ignore[attr-defined]
            (indicator, selectors.latest(by_key.get(indicator.key)))
            for indicator in structure.indicators_of.get(activity.pk, [])
            if indicator.kind == IndicatorKind.COUNT
        ]


def _indicator_chart(
    indicator: Indicator, public: PublicIndicator | None, threshold: int
) -> charts.Chart | None:
    """The indicator's totals by period: bars for the figures shown, the table with the mark where a total is
    not shown, and the one-sentence summary."""
    if public is None:
        return None
    periods = [p for p in public.periods if p.total is not None]
    if not periods:
        return None
    series = _("Total")
    rows = [(p.period, series, p.total.value if p.total else None) for p in periods]
    last = periods[-1]
    assert last.total is not None
    if last.total.value is None:
        summary = _("The latest total, for %(period)s, is not shown (see the note below the table).") % {
            "period": last.period
        }
    else:
        summary = _("The latest published total, for %(period)s, is %(total)s.") % {
            "period": last.period,
            "total": _number(last.total.value),
        }
    title = _("Total by period")
    chart = charts.grouped_bars(
        key=f"indicator-{indicator.pk}",
        title=title,
        summary=summary,
        rows=rows,
        series=[series],
        group_label=_("Period"),
        value_label=indicator.unit or _("Total"),
        notes=[suppression_note(threshold)],
    )
    table = charts.Table(
        caption=title,
        columns=(_("Period"), series),
        rows=tuple((p, SUPPRESSED if v is None else v) for p, _s, v in rows),
    )
    return replace(chart, table=table)


def _number(value: Any) -> str:
    from django.utils.formats import number_format

    value = selectors.figure_value(value)
    return number_format(value, use_l10n=True, force_grouping=True)


# --- pages ---------------------------------------------------------------------------------------------


@portal_page
def home(request: HttpRequest, *, lang: str) -> HttpResponse:
    plans = list(selectors.public_plans())
    glance = []
    for plan in plans:
        results = selectors.plan_results(plan)
        published = sum(1 for indicator in results.indicators if selectors.latest(indicator) is not None)
        glance.append({"plan": plan, "results": results, "with_figures": published})
    return _render(request, "portal/home.html", {"glance": glance}, lang=lang)


def _plan_page(slug: str) -> tuple[Plan, selectors.Structure, PublicResults]:
    plan = selectors.public_plan(slug)
    structure = selectors.plan_structure(plan)
    results = selectors.plan_results(plan)
    _attach_progress(structure, results)
    return plan, structure, results


@portal_page
def plan_detail(request: HttpRequest, slug: str, *, lang: str) -> HttpResponse:
    plan, structure, results = _plan_page(slug)
    return _render(
        request, "portal/plan.html", {"plan": plan, "structure": structure, "results": results}, lang=lang
    )


@portal_page
def pillar_detail(request: HttpRequest, slug: str, key: str, *, lang: str) -> HttpResponse:
    plan, structure, results = _plan_page(slug)
    pillar = structure.pillar(key)
    context = {"plan": plan, "structure": structure, "results": results, "pillar": pillar}
    return _render(request, "portal/pillar.html", context, lang=lang)


@portal_page
def area_detail(request: HttpRequest, slug: str, code: str, *, lang: str) -> HttpResponse:
    plan, structure, results = _plan_page(slug)
    area = structure.area(code)
    pillar = next(p for p in structure.pillars if p.pk == area.pillar_id)
    context = {
        "plan": plan,
        "structure": structure,
        "results": results,
        "area": area,
        "pillar": pillar,
        "activities": structure.activities_of.get(area.pk, []),
        "area_indicators": structure.area_indicators.get(area.pk, []),
    }
    return _render(request, "portal/area.html", context, lang=lang)


def _indicator_blocks(indicators: list[Indicator], results: PublicResults) -> list[dict[str, Any]]:
    by_key = selectors.results_by_key(results)
    return [
        {
            "indicator": indicator,
            "public": by_key.get(indicator.key),
            "periods": [p for p in by_key[indicator.key].periods if p.total is not None]
            if indicator.key in by_key
            else [],
        }
        for indicator in indicators
    ]


@portal_page
def activity_detail(request: HttpRequest, slug: str, key: str, *, lang: str) -> HttpResponse:
    plan, structure, results = _plan_page(slug)
    activity = structure.activity(key)
    area = next(a for a in structure.areas if a.pk == activity.priority_area_id)
    pillar = next(p for p in structure.pillars if p.pk == area.pillar_id)
    context = {
        "plan": plan,
        "results": results,
        "activity": activity,
        "area": area,
        "pillar": pillar,
        "agencies": structure.agencies_of.get(activity.pk, []),
        "blocks": _indicator_blocks(structure.indicators_of.get(activity.pk, []), results),
        "note": suppression_note(results.threshold),
    }
    return _render(request, "portal/activity.html", context, lang=lang)


@portal_page
def indicator_detail(request: HttpRequest, slug: str, key: str, *, lang: str) -> HttpResponse:
    plan, structure, results = _plan_page(slug)
    indicator = structure.indicator(key)
    area = next(a for a in structure.areas if a.pk == indicator.priority_area_id)
    activity: Activity | None = next((a for a in structure.activities if a.pk == indicator.activity_id), None)
    public = selectors.results_by_key(results).get(indicator.key)
    tables = []
    if public is not None and any(p.total is not None for p in public.periods):
        names = selectors.labels(plan)
        tables = [
            selectors.period_table(period, names, _("All"))
            for period in public.periods
            if period.total is not None
        ]
    agencies = (
        structure.agencies_of.get(activity.pk, [])
        if activity is not None
        else sorted(
            {
                a.pk: a
                for act in structure.activities_of.get(area.pk, [])
                for a in structure.agencies_of.get(act.pk, [])
            }.values(),
            key=str,
        )
    )
    context = {
        "plan": plan,
        "results": results,
        "indicator": indicator,
        "activity": activity,
        "area": area,
        "public": public,
        "tables": tables,
        "chart": _indicator_chart(indicator, public, results.threshold),
        "agencies": agencies,
        "note": suppression_note(results.threshold),
    }
    return _render(request, "portal/indicator.html", context, lang=lang)


def _indicator_download(slug: str, key: str) -> tuple[Plan, Indicator, PublicResults, PublicIndicator | None]:
    plan = selectors.public_plan(slug)
    indicator = Indicator.objects.filter(plan=plan, key=key).first()
    if indicator is None:
        raise Http404
    results = selectors.plan_results(plan)
    return plan, indicator, results, selectors.results_by_key(results).get(key)


def figures_json(
    plan: Plan, indicator: Indicator, results: PublicResults, public: PublicIndicator | None
) -> dict[str, Any]:
    """An indicator's published figures as the JSON download gives them: every period with its dimensions
    and figures, ``value`` null where a figure is not shown (never why)."""
    return {
        "plan": plan.slug,
        "indicator": indicator.key,
        "unit": indicator.unit,
        "licence": settings.WPSNAP_OPEN_DATA_LICENCE,
        "threshold": results.threshold,
        "last_updated": results.last_updated.isoformat() if results.last_updated else None,
        "not_shown": suppression_note(results.threshold),
        "periods": [
            {
                "period": period.period,
                "reports": period.reports,
                "dimensions": [
                    {"code": code, "options": list(options)} for code, options in period.dimensions
                ],
                "figures": [
                    {"cell": figure.cell, "value": selectors.figure_value(figure.value)}
                    for figure in period.figures()
                ],
            }
            for period in (public.periods if public is not None else ())
            if period.total is not None
        ],
    }


@portal_page
def indicator_json(request: HttpRequest, slug: str, key: str, *, lang: str) -> HttpResponse:
    plan, indicator, results, public = _indicator_download(slug, key)
    body = json.dumps(figures_json(plan, indicator, results, public), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{plan.slug}-{indicator.key}.json"'
    return response


CSV_COLUMNS = ("plan", "indicator", "period", "cell", "value", "shown")


@portal_page
def indicator_csv(request: HttpRequest, slug: str, key: str, *, lang: str) -> HttpResponse:
    plan, indicator, _results, public = _indicator_download(slug, key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for period in public.periods if public is not None else ():
        for figure in period.figures():
            value = selectors.figure_value(figure.value)
            writer.writerow(
                (
                    plan.slug,
                    indicator.key,
                    period.period,
                    figure.cell,
                    "" if value is None else value,
                    "no" if value is None else "yes",
                )
            )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{plan.slug}-{indicator.key}.csv"'
    return response


def _url_or_none(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@portal_page
def open_data(request: HttpRequest, slug: str, *, lang: str) -> HttpResponse:
    plan = selectors.public_plan(slug)
    results = selectors.plan_results(plan)
    downloads = [
        (label, _url_or_none(name, plan.slug))
        for label, name in (
            (_("All figures (CSV)"), "exports:open_csv"),
            (_("All figures (Excel, XLSX)"), "exports:open_xlsx"),
            (_("Data package (Frictionless, for software)"), "exports:open_datapackage"),
            (_("IATI activity file (XML)"), "exports:open_iati"),
        )
    ]
    context = {
        "plan": plan,
        "results": results,
        "downloads": [(label, url) for label, url in downloads if url],
        "note": suppression_note(results.threshold),
    }
    return _render(request, "portal/open_data.html", context, lang=lang)


def _report_files(plan: Plan) -> list[dict[str, Any]]:
    """The public versions of the annual reports and the review that a coordinator put on the portal, each
    with its download address (exports' ``open_report``, by its URL name) and its language's own name.
    None when the downloads are not installed."""
    found = []
    for file in live_report_files(plan):
        url = _url_or_none(
            "exports:open_report", plan.slug, file.first_year, file.last_year, file.language, file.format
        )
        if url is None:
            continue
        try:
            language = get_language_info(file.language)["name_local"]
        except KeyError:
            language = file.language
        found.append({"file": file, "url": url, "language": language})
    return found


@portal_page
def reports(request: HttpRequest, slug: str, *, lang: str) -> HttpResponse:
    plan, structure, results = _plan_page(slug)
    listed = selectors.published_reports(plan, {a.pk: a for a in structure.activities})
    context = {"plan": plan, "results": results, "reports": listed, "report_files": _report_files(plan)}
    return _render(request, "portal/reports.html", context, lang=lang)


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search the plans"), max_length=200, required=False, strip=True)


def _hit_url(lang: str, hit: Any) -> str | None:
    routes = {
        "plan": ("portal:plan", (hit.plan_slug,)),
        "pillar": ("portal:pillar", (hit.plan_slug, hit.key)),
        "priority_area": ("portal:area", (hit.plan_slug, hit.key)),
        "activity": ("portal:activity", (hit.plan_slug, hit.key)),
        "indicator": ("portal:indicator", (hit.plan_slug, hit.key)),
        "report": ("portal:reports", (hit.plan_slug,)),
    }
    if hit.kind not in routes:
        return None
    name, args = routes[hit.kind]
    return _url_or_none(name, lang, *args)


def _search(query: str, lang: str) -> list[Any] | None:
    """``publishing.search.public_search``; None where search is not installed."""
    try:
        module = import_module("wpsnap.publishing.search")
    except ImportError:
        return None
    found: list[Any] = module.public_search(query, language=lang, limit=50)
    return found


@portal_page
def search(request: HttpRequest, *, lang: str) -> HttpResponse:
    form = SearchForm(request.GET or None)
    hits: list[dict[str, Any]] = []
    available = True
    query = ""
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"]
        if query:
            found = _search(query, lang)
            available = found is not None
            hits = [{"hit": hit, "url": _hit_url(lang, hit)} for hit in found or []]
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {"form": form, "query": query, "hits": hits, "available": available}
    return _render(request, "portal/search.html", context, lang=lang, status=status)
