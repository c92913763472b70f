"""The public plan pages. Thin: validate the query string, call a selector, render.

The plan page's filter is a plain GET form that works without JavaScript; htmx enhances it to
swap only the results region (an htmx request gets the ``results`` partial alone).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from wpsnap.accounts.models import Organisation
from wpsnap.accounts.permissions import can, gate, get_or_refuse

from . import records, selectors
from .models import Pillar, Plan
from .translations import translatable_languages


class PlanFilterForm(forms.Form):
    """The plan page's filters. Every choice comes from the plan, so an unknown value is an error
    that names its field, never a server error."""

    agency = forms.ChoiceField(label=_("Agency"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    pillar = forms.ChoiceField(label=_("Pillar"), required=False)

    def __init__(self, data: Any, *, plan: Plan, agencies: list[Organisation], pillars: list[Pillar]) -> None:
        super().__init__(data)
        self.agencies = {org.key: org for org in agencies}
        self.pillars = {p.key: p for p in pillars}
        choices: dict[str, list[tuple[Any, Any]]] = {
            "agency": [("", _("All agencies")), *((org.key, str(org)) for org in agencies)],
            "year": [("", _("All years")), *((y, str(y)) for y in plan.years())],
            "pillar": [("", _("All pillars")), *((p.key, p.tr("title")) for p in pillars)],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options
        messages = {
            "agency": _("There is no agency “%(value)s” in this plan. Choose one from the list."),
            "year": _("The plan does not run in “%(value)s”. Choose one of its years from the list."),
            "pillar": _("There is no pillar “%(value)s” in this plan. Choose one from the list."),
        }
        for name, message in messages.items():
            self.fields[name].error_messages["invalid_choice"] = message
            self.fields[name].widget.attrs["class"] = "form-select"

    def filters(self, agencies: list[Organisation]) -> selectors.PlanFilters:
        data = self.cleaned_data
        return selectors.plan_filters(
            agencies=agencies,
            agency=self.agencies.get(data.get("agency") or ""),
            year=data.get("year"),
            pillar=self.pillars.get(data.get("pillar") or ""),
        )


@gate("plan.view")
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "plan/home.html", {"plans": selectors.plan_list(request.user)})


@gate("plan.view")
@require_safe
def plan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    plan = selectors.plan_get_with_text(get_or_refuse(request, selectors.plans(request.user), slug=slug))
    pillars = selectors.plan_pillars(plan)
    agencies = selectors.plan_agency_list(plan)
    form = PlanFilterForm(request.GET or None, plan=plan, agencies=agencies, pillars=pillars)
    filters: selectors.PlanFilters | None
    if not form.is_bound:
        filters = selectors.PlanFilters()
    elif form.is_valid():
        filters = form.filters(agencies)
    else:
        filters = None  # the form shows what is wrong; the results region shows nothing
    page = selectors.plan_page(plan, pillars=pillars, agencies=agencies, filters=filters)
    context = {
        "plan": plan,
        "page": page,
        "form": form,
        # The translation screen's languages, for the coordinator's links (docs/languages.md).
        "translate_into": translatable_languages(plan) if can(request.user, "plan.translate", plan) else [],
    }
    partial = request.htmx and not request.htmx.history_restore_request  # type: ignore[attr-defined]
    template = "plan/plan_detail.html#htmx_results" if partial else "plan/plan_detail.html"
    response = render(request, template, context, status=400 if filters is None else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


@gate("plan.view")
@require_safe
def activity_detail(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    plan = selectors.plan_get_with_text(get_or_refuse(request, selectors.plans(request.user), slug=slug))
    activity = get_object_or_404(selectors.plan_activities(plan), key=key)
    page = selectors.activity_page(activity)
    # The registries serving it, with the records the viewer may see (none for the public).
    registries = records.for_activity(activity, request.user)
    return render(
        request, "plan/activity_detail.html", {"plan": plan, "page": page, "registries": registries}
    )


@gate("plan.view")
@require_safe
def agency_list(request: HttpRequest, slug: str) -> HttpResponse:
    plan = selectors.plan_get_with_text(get_or_refuse(request, selectors.plans(request.user), slug=slug))
    rows = selectors.agency_list_page(plan)
    return render(request, "plan/agency_list.html", {"plan": plan, "rows": rows})


@gate("plan.view")
@require_safe
def agency_detail(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    plan = selectors.plan_get_with_text(get_or_refuse(request, selectors.plans(request.user), slug=slug))
    agency = get_object_or_404(selectors.plan_agencies(plan), key=key)
    page = selectors.agency_page(plan, agency)
    return render(request, "plan/agency_detail.html", {"plan": plan, "page": page})


@gate("plan.view")
@require_safe
def timeline(request: HttpRequest, slug: str) -> HttpResponse:
    plan = selectors.plan_get_with_text(get_or_refuse(request, selectors.plans(request.user), slug=slug))
    page = selectors.timeline_page(plan)
    return render(request, "plan/timeline.html", {"plan": plan, "page": page})
