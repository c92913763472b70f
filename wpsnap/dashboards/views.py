"""Dashboard pages: thin views over the read model (``wpsnap.analytics``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from wpsnap.accounts.permissions import gate
from wpsnap.plan.models import Plan


@gate("dashboard.view", authenticated=True)
def dashboard_start(request: HttpRequest) -> HttpResponse:
    """The newest plan's dashboard."""
    plan = Plan.objects.order_by("-start_year", "-pk").only("slug").first()
    if plan is None:
        raise Http404
    return redirect("dashboards:plan", slug=plan.slug)
