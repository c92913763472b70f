"""The exports' rules in the permission gate (``wpsnap.accounts.permissions``)."""

from __future__ import annotations

from typing import Any

from wpsnap.accounts.models import Role
from wpsnap.accounts.permissions import can, has_role, is_coordinator, is_signed_in, register

# --- the annual report and the end-of-plan review (part "annual-pages") ------------------------------
# Who may do what:
# - the reports page of a plan: anyone signed in who may see the plan (the view reads the plan within
#   the viewer's scope: a draft plan is 404 to whoever may not see drafts);
# - the internal version (every approved figure): coordinators and evaluators, the people who read the
#   whole plan; evaluators build it read-only, never write its text;
# - the public version (published figures only, disclosure-controlled, through publishing): anyone
#   signed in who may see the plan: it holds nothing the public site does not show;
# - the coordinator's own text (summary, challenges, conclusions, recommendations, notes): coordinators.


def _plan_visible(user: Any, plan: Any) -> bool:
    return plan is None or can(user, "plan.view", plan)


@register("exports.report.list")
def _report_list(user: Any, plan: Any) -> bool:
    return is_signed_in(user) and _plan_visible(user, plan)


@register("exports.report.build_internal")
def _report_build_internal(user: Any, plan: Any) -> bool:
    return has_role(user, Role.COORDINATOR, Role.EVALUATOR) and _plan_visible(user, plan)


@register("exports.report.build_public")
def _report_build_public(user: Any, plan: Any) -> bool:
    return is_signed_in(user) and _plan_visible(user, plan)


@register("exports.narrative.edit")
def _narrative_edit(user: Any, plan: Any) -> bool:
    return is_coordinator(user) and _plan_visible(user, plan)


# --- lists as CSV and XLSX (part "tables") -------------------------------------------------------------
# Each export view is gated as its page (report.browse, results.view, event.list, participant.view, and
# the event's scope for participants) and by ``exports.table``: a list leaves the platform only in the
# hands of someone signed in (a person on the page sees the same rows).


@register("exports.table")
def _table_export(user: Any, obj: Any) -> bool:
    return is_signed_in(user)


# --- the public open-data downloads (issue 13) ---------------------------------------------------------
# Everyone, signed in or not: the files hold only what publishing releases (published reports' figures
# through disclosure control) of a plan that is not a draft (the view answers 404 for a draft).


@register("opendata.download")
def _open_data_download(user: Any, obj: Any) -> bool:
    return True
