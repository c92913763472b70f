"""The review workflow as data: statuses, the transition table and who may take each step.

Pure: no database. ``services/workflow.py`` runs a transition (permission, period lock, audit,
notification); this module only says what is possible.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ENDORSED = "endorsed"
    RETURNED = "returned"
    APPROVED = "approved"
    PUBLISHED = "published"


STATUS_LABELS = {
    Status.DRAFT: _("Draft"),
    Status.SUBMITTED: _("Submitted, waiting for the agency's approver"),
    Status.ENDORSED: _("Endorsed, waiting for the coordinator"),
    Status.RETURNED: _("Returned for correction"),
    Status.APPROVED: _("Approved"),
    Status.PUBLISHED: _("Published"),
}

# Statuses in which the reporting agency may still change the report.
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
# Statuses whose figures count in totals (approved data only).
COUNTED = frozenset({Status.APPROVED, Status.PUBLISHED})


class Step(StrEnum):
    SUBMIT = "submit"
    ENDORSE = "endorse"
    RETURN = "return"
    APPROVE = "approve"
    PUBLISH = "publish"
    # Take a published report's figures down from the public pages again (coordinators, with a reason).
    UNPUBLISH = "unpublish"


@dataclass(frozen=True)
class Transition:
    step: Step
    source: Status
    target: Status
    # The gate action that decides who may take the step (see reporting/permissions.py).
    action: str
    needs_comment: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Step.SUBMIT, Status.DRAFT, Status.SUBMITTED, "report.submit"),
    Transition(Step.SUBMIT, Status.RETURNED, Status.SUBMITTED, "report.submit"),
    Transition(Step.ENDORSE, Status.SUBMITTED, Status.ENDORSED, "report.endorse"),
    Transition(Step.RETURN, Status.SUBMITTED, Status.RETURNED, "report.endorse", needs_comment=True),
    Transition(Step.APPROVE, Status.ENDORSED, Status.APPROVED, "report.approve"),
    Transition(Step.RETURN, Status.ENDORSED, Status.RETURNED, "report.approve", needs_comment=True),
    Transition(Step.RETURN, Status.APPROVED, Status.RETURNED, "report.approve", needs_comment=True),
    Transition(Step.PUBLISH, Status.APPROVED, Status.PUBLISHED, "report.publish"),
    Transition(Step.UNPUBLISH, Status.PUBLISHED, Status.APPROVED, "report.unpublish", needs_comment=True),
)


def transition_for(step: str, source: str) -> Transition | None:
    """The transition ``step`` from ``source``, or None when the table has no such step."""
    for transition in TRANSITIONS:
        if transition.step == step and transition.source == source:
            return transition
    return None


def steps_from(source: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source]


STEP_LABELS = {
    Step.SUBMIT: _("Submit"),
    Step.ENDORSE: _("Endorse"),
    Step.RETURN: _("Return for correction"),
    Step.APPROVE: _("Approve"),
    Step.PUBLISH: _("Publish"),
    Step.UNPUBLISH: _("Unpublish"),
}
