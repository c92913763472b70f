"""The plan's rules in the permission gate (see ``wpsnap.accounts.permissions``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wpsnap.accounts.models import Role
from wpsnap.accounts.permissions import has_role, is_coordinator, register

from .models import Plan, PlanStatus


def _sees_drafts(user: Any) -> bool:
    return has_role(user, Role.COORDINATOR, Role.EVALUATOR)


@register("plan.view")
def _plan_view(user: Any, plan: Any) -> bool:
    """Adopted plans are public; a draft is seen by coordinators and evaluators only."""
    if plan is None:
        return True
    return plan.status != PlanStatus.DRAFT or _sees_drafts(user)


@register("plan.manage")
def _plan_manage(user: Any, plan: Any) -> bool:
    return is_coordinator(user)


def plans_visible_to(user: Any) -> QuerySet[Plan]:
    qs = Plan.objects.all()
    if _sees_drafts(user):
        return qs
    return qs.exclude(status=PlanStatus.DRAFT)


@register("plan.translate")
def _plan_translate(user: Any, plan: Any) -> bool:
    """The plan's content in other languages: coordinators only (the translation screen)."""
    return is_coordinator(user)
