"""Publishing's pages: for coordinators, the plan's count indicators with what goes to the public as it is
(counts of things, from the plan file) and a form per indicator to mark it as public statistics, or no
longer (``services.indicator_set_public_statistics``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from wpsnap.accounts.permissions import gate, get_or_refuse
from wpsnap.core.errors import InvalidInput
from wpsnap.core.forms import add_problems
from wpsnap.plan.models import Indicator, IndicatorKind, Plan
from wpsnap.plan.permissions import plans_visible_to

from .forms import PublicStatisticsForm
from .services import indicator_set_public_statistics

ACTION = "publishing.public_statistics"


def _page_url(plan: Plan, indicator_id: int | None = None) -> str:
    url = f"{reverse('publishing:public_statistics')}?plan={plan.slug}"
    return f"{url}#indicator-{indicator_id}" if indicator_id else url


def _plans(request: HttpRequest) -> list[Plan]:
    return list(plans_visible_to(request.user).order_by("slug"))


def _render(
    request: HttpRequest,
    plan: Plan | None,
    plans: list[Plan],
    *,
    failed: PublicStatisticsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    indicators = (
        list(
            Indicator.objects.filter(plan=plan, kind=IndicatorKind.COUNT)
            .select_related("activity")
            .order_by("priority_area__position", "position")
        )
        if plan is not None
        else []
    )
    rows = [
        (
            indicator,
            failed
            if failed is not None and failed.indicator_id == indicator.pk
            else PublicStatisticsForm(indicator_id=indicator.pk),
        )
        for indicator in indicators
    ]
    context = {
        "plan": plan,
        "plans": plans,
        "rows": rows,
        "marked": sum(1 for indicator in indicators if indicator.public_statistics),
    }
    return render(request, "publishing/public_statistics.html", context, status=status)


@gate(ACTION, authenticated=True)
@require_safe
def public_statistics(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("plan") or None
    plans = _plans(request)
    plan = next((p for p in plans if p.slug == slug), None) if slug else next(iter(plans), None)
    if slug and plan is None:
        raise Http404
    return _render(request, plan, plans)


@gate(ACTION, authenticated=True)
@require_POST
def public_statistics_set(request: HttpRequest, indicator_pk: int) -> HttpResponse:
    """Mark the indicator as public statistics (``public=on``) or no longer (``public=off``)."""
    scope = Indicator.objects.filter(
        plan__in=plans_visible_to(request.user), kind=IndicatorKind.COUNT
    ).select_related("plan", "activity")
    indicator = get_or_refuse(request, scope, pk=indicator_pk)
    form = PublicStatisticsForm(request.POST, indicator_id=indicator.pk)
    public = request.POST.get("public") == "on"
    number = indicator.activity.code if indicator.activity and indicator.activity.code else indicator.key
    if form.is_valid():
        try:
            indicator_set_public_statistics(
                actor=request.user,
                indicator=indicator,
                public=public,
                reason=form.cleaned_data["reason"] or "",
                request=request,
            )
        except InvalidInput as exc:
            add_problems(form, exc.problems)
        else:
            if public:
                done = _("The figures of %(key)s are public statistics: they are published whole.")
            else:
                done = _("The figures of %(key)s are no longer public statistics: they are protected.")
            messages.success(request, done % {"key": number})
            return redirect(_page_url(indicator.plan, indicator.pk))
    messages.error(request, _("Nothing was changed: see the message next to the indicator."))
    return _render(request, indicator.plan, _plans(request), failed=form, status=400)
