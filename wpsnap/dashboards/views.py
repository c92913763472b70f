"""Dashboard pages: thin views over the read model (``wpsnap.analytics``), through ``selectors``.

Each page reads the plan within the viewer's scope (a draft plan is 404 to those who may not see it), its
filters (``filters.read_filters``: a value that is not one of the choices answers 400 naming the
parameter) and renders what ``selectors`` builds. Signed-out visitors are sent to sign in.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from wpsnap.accounts.permissions import gate, get_or_refuse
from wpsnap.plan.models import Plan
from wpsnap.plan.permissions import plans_visible_to
from wpsnap.plan.selectors import plan_get_with_text, plans

from . import selectors
from .filters import FilterBar, read_filters


@gate("dashboard.view", authenticated=True)
@require_safe
def dashboard_start(request: HttpRequest) -> HttpResponse:
    """The newest plan's dashboard."""
    plan = plans_visible_to(request.user).order_by("-start_year", "-pk").only("slug").first()
    if plan is None:
        raise Http404
    return redirect("dashboards:plan", slug=plan.slug)


def _page(request: HttpRequest, slug: str, *, with_district: bool = False) -> tuple[Plan, FilterBar]:
    plan = plan_get_with_text(get_or_refuse(request, plans(request.user), slug=slug))
    return plan, read_filters(request.GET, plan=plan, viewer=request.user, with_district=with_district)


# The dashboard pages after the overview, in the sub-navigation's order: (url name, label).
PAGES = (
    ("people", gettext_lazy("People reached")),
    ("financing", gettext_lazy("Financing")),
    ("indicators", gettext_lazy("Indicators")),
    ("districts", gettext_lazy("Districts")),
)


def _pages(plan: Plan) -> list[dict[str, str]]:
    """The sub-navigation's pages that are served (a page being written is left out until it is)."""
    listed = []
    for name, label in PAGES:
        try:
            listed.append(
                {"name": name, "label": str(label), "href": reverse(f"dashboards:{name}", args=[plan.slug])}
            )
        except NoReverseMatch:
            continue
    return listed


def _context(plan: Plan, bar: FilterBar, here: str, **more: Any) -> dict[str, Any]:
    return {
        "plan": plan,
        "bar": bar,
        "filters": bar.filters,
        "here": here,
        "dashboard_pages": _pages(plan),
        **more,
    }


@gate("dashboard.view", authenticated=True)
@require_safe
def plan_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """The overview: implementation status, reporting compliance, the periods' timeline and the alert."""
    plan, bar = _page(request, slug)
    every = request.GET.get("alerts") == "all"
    page = selectors.overview(request.user, plan, bar, today=timezone.localdate(), all_alerts=every)
    more = f"?{bar.filters.query(alerts='all')}#alert"
    return render(
        request,
        "dashboards/overview.html",
        _context(plan, bar, _("Dashboard"), page=page, all_alerts_url=more),
    )


@gate("dashboard.view", authenticated=True)
@require_safe
def people(request: HttpRequest, slug: str) -> HttpResponse:
    """People reached by sex and age band per pillar and year, reported beside the events' participants."""
    plan, bar = _page(request, slug, with_district=True)
    page = selectors.people_page(request.user, plan, bar)
    return render(request, "dashboards/people.html", _context(plan, bar, _("People reached"), page=page))


@gate("dashboard.view", authenticated=True)
@require_safe
def financing(request: HttpRequest, slug: str) -> HttpResponse:
    """Financing planned and spent by source, per pillar and year."""
    plan, bar = _page(request, slug)
    page = selectors.financing_page(request.user, plan, bar)
    return render(request, "dashboards/financing.html", _context(plan, bar, _("Financing"), page=page))


@gate("dashboard.view", authenticated=True)
@require_safe
def indicators(request: HttpRequest, slug: str) -> HttpResponse:
    """Each indicator against its baseline and target, where they are numbers."""
    plan, bar = _page(request, slug)
    page = selectors.indicators_page(request.user, plan, bar)
    return render(request, "dashboards/indicators.html", _context(plan, bar, _("Indicators"), page=page))
