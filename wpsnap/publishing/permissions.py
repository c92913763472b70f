"""Publishing's rules in the permission gate (see ``wpsnap.accounts.permissions``)."""

from __future__ import annotations

from typing import Any

from wpsnap.accounts.permissions import can, is_coordinator, register


@register("publishing.public_statistics")
def _public_statistics(user: Any, indicator: Any) -> bool:
    """Marking an indicator as public statistics (its figures published whole, without suppression) is the
    coordinator's decision."""
    return is_coordinator(user)


@register("publishing.release")
def _release(user: Any, plan: Any) -> bool:
    """Making a release of a plan's public figures (a static build of the portal) is the coordinator's; the
    server's command line may make one without naming a person (``releases.release_create``)."""
    return is_coordinator(user)


@register("publishing.public_api")
def _public_api(user: Any, obj: Any) -> bool:
    """The public API (``/api/v1/public/``) is open to everyone, signed in or not: it serves plans that are
    not drafts and figures only as ``public_results`` releases them (issue 13)."""
    return True


# --- public versions of the annual reports on the portal (report_files.py) -------------------------------


def _plan_visible(user: Any, plan: Any) -> bool:
    return plan is None or can(user, "plan.view", plan)


@register("report_file.publish")
def _report_file_publish(user: Any, plan: Any) -> bool:
    """Putting a public version of an annual report or the review on the public portal (from one's own
    build) is the coordinator's, on a plan they may see."""
    return is_coordinator(user) and _plan_visible(user, plan)


@register("report_file.withdraw")
def _report_file_withdraw(user: Any, plan: Any) -> bool:
    """Taking it off the portal again (with a reason) likewise."""
    return is_coordinator(user) and _plan_visible(user, plan)
