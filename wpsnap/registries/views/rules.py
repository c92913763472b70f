"""Which indicators are counted from event data: the plan's count indicators with their bindings, and
for coordinators a form per indicator to bind it (which event types and topics count, and whether
participants or events are counted) or to unbind it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from wpsnap.accounts import permissions
from wpsnap.accounts.permissions import gate, get_or_refuse
from wpsnap.core.errors import InvalidInput
from wpsnap.core.forms import add_problems
from wpsnap.plan.models import Indicator, IndicatorKind, Plan
from wpsnap.plan.selectors import plan_get_with_text

from .. import page_selectors
from ..forms import RegistryRuleForm, RuleForm
from ..models import Measure
from ..services import rules as services


def _rules_url(plan: Plan, indicator_id: int | None = None) -> str:
    url = f"{reverse('registries:rule_list')}?plan={plan.slug}"
    return f"{url}#indicator-{indicator_id}" if indicator_id else url


def _render(
    request: HttpRequest,
    plan: Plan,
    plans: list[Plan],
    *,
    failed: RuleForm | RegistryRuleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    rows = page_selectors.rules_page(plan)
    may_manage = permissions.can(user, "derivation.manage")
    topics = page_selectors.topics() if may_manage else []
    counts = services.registry_counts() if may_manage else []
    for row in rows:
        row.registry_form = None  # type: ignore[attr-defined]
        if may_manage and row.rule is None:
            if isinstance(failed, RegistryRuleForm) and failed.indicator_id == row.indicator.pk:
                row.registry_form = failed  # type: ignore[attr-defined]
            else:
                chosen = (
                    {"count": f"{row.registry_rule.kind}:{row.registry_rule.count}"}
                    if row.registry_rule
                    else {}
                )
                row.registry_form = RegistryRuleForm(  # type: ignore[attr-defined]
                    indicator_id=row.indicator.pk, counts=counts, initial=chosen
                )
        if not may_manage or row.registry_rule is not None:
            row.form = None  # type: ignore[attr-defined]
        elif isinstance(failed, RuleForm) and failed.indicator_id == row.indicator.pk:
            row.form = failed  # type: ignore[attr-defined]
        else:
            initial: dict[str, Any] = {"measure": Measure.PARTICIPANTS}
            if row.rule is not None:
                initial = {
                    "measure": row.rule.measure,
                    "kinds": list(row.rule.kinds),
                    "topics": [str(t.pk) for t in row.rule.topics.all()],
                }
            row.form = RuleForm(indicator_id=row.indicator.pk, topics=topics, initial=initial)  # type: ignore[attr-defined]
    context = {
        "plan": plan,
        "plans": plans,
        "rows": rows,
        "bound": sum(1 for row in rows if row.rule is not None),
        "may_manage": may_manage,
    }
    return render(request, "registries/rule_list.html", context, status=status)


@gate("derivation.view", authenticated=True)
@require_safe
def rule_list(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("plan") or None
    plans, plan = page_selectors.choose_plan(request.user, slug)
    if plan is None:
        if slug:
            raise Http404
        return render(request, "registries/rule_list.html", {"plan": None, "plans": plans, "rows": []})
    return _render(request, plan, plans)


def _count_indicator(request: HttpRequest, indicator_pk: int) -> tuple[Indicator, Any, str]:
    """The count indicator a binding form names (within the plans the person may bind), its plan with
    its texts, and its number as people know it (the activity's code, else the indicator's key)."""
    scope = Indicator.objects.filter(
        plan__in=page_selectors.event_plans(request.user), kind=IndicatorKind.COUNT
    ).select_related("plan", "activity")
    indicator = get_or_refuse(request, scope, pk=indicator_pk)
    plan = plan_get_with_text(indicator.plan)
    number = indicator.activity.code if indicator.activity and indicator.activity.code else indicator.key
    return indicator, plan, number


@gate("derivation.manage", authenticated=True)
@require_POST
def rule_set(request: HttpRequest, indicator_pk: int) -> HttpResponse:
    """Bind the indicator to event data (``action=set``) or unbind it (``action=remove``)."""
    indicator, plan, number = _count_indicator(request, indicator_pk)
    if request.POST.get("action") == "remove":
        services.rule_remove(actor=request.user, indicator=indicator, request=request)
        messages.success(
            request, _("The indicator of %(key)s is no longer counted from events.") % {"key": number}
        )
        return redirect(_rules_url(plan, indicator.pk))
    form = RuleForm(request.POST, indicator_id=indicator.pk, topics=page_selectors.topics())
    if form.is_valid():
        try:
            services.rule_set(
                actor=request.user,
                indicator=indicator,
                measure=form.cleaned_data["measure"],
                kinds=form.cleaned_data["kinds"],
                topics=form.chosen_topics(),
                request=request,
            )
        except InvalidInput as exc:
            add_problems(form, exc.problems)
        else:
            messages.success(
                request, _("The indicator of %(key)s is now counted from events.") % {"key": number}
            )
            return redirect(_rules_url(plan, indicator.pk))
    messages.error(request, _("Nothing was changed: see the message next to the indicator."))
    plans, _plan = page_selectors.choose_plan(request.user, plan.slug)
    return _render(request, plan, plans, failed=form, status=400)


@gate("derivation.manage", authenticated=True)
@require_POST
def registry_rule_set(request: HttpRequest, indicator_pk: int) -> HttpResponse:
    """Bind the indicator to a registry's count (``action=set``) or unbind it (``action=remove``)."""
    indicator, plan, number = _count_indicator(request, indicator_pk)
    if request.POST.get("action") == "remove":
        services.registry_rule_remove(actor=request.user, indicator=indicator, request=request)
        messages.success(
            request, _("The indicator of %(key)s is no longer counted from a registry.") % {"key": number}
        )
        return redirect(_rules_url(plan, indicator.pk))
    form = RegistryRuleForm(request.POST, indicator_id=indicator.pk, counts=services.registry_counts())
    if form.is_valid():
        try:
            services.registry_rule_set(
                actor=request.user, indicator=indicator, count=form.cleaned_data["count"], request=request
            )
        except InvalidInput as exc:
            add_problems(form, exc.problems)
        else:
            messages.success(
                request, _("The indicator of %(key)s is now counted from a registry.") % {"key": number}
            )
            return redirect(_rules_url(plan, indicator.pk))
    messages.error(request, _("Nothing was changed: see the message next to the indicator."))
    plans, _plan = page_selectors.choose_plan(request.user, plan.slug)
    return _render(request, plan, plans, failed=form, status=400)
