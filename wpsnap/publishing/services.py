"""Publishing's writes: the coordinator's decisions about what is published. Each checks the gate first,
is atomic and leaves an audit line with its reason."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from wpsnap.accounts import permissions
from wpsnap.core import audit, params
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.core.models import AuditAction
from wpsnap.plan.models import Indicator, IndicatorKind

# A reason is a sentence or a short paragraph (the law or decision that makes the figures public).
REASON_MAX = 1000

# The history row's reason (its column holds 100 characters); the audit line carries the person's reason.
HISTORY_REASON = "public statistics"


def indicator_set_public_statistics(
    *, actor: Any, indicator: Indicator, public: bool, reason: str, request: Any = None
) -> Indicator:
    """Mark ``indicator`` as public statistics (``public``), or no longer: its published figures are then
    shown whole, without disclosure control's suppression (docs/disclosure.md). Coordinators only; the
    ``reason`` (the law or decision that makes the figures public, or why that no longer holds) is
    required and kept in the audit trail with the old and new value. Setting what is already set writes
    nothing."""
    action = "publishing.public_statistics"
    if not permissions.can(actor, action, indicator):
        permissions.refuse(request, action, indicator)
    reason = params.text("reason", reason, max_length=REASON_MAX, lines=True).strip()
    problems = []
    if not reason:
        problems.append(
            Problem(
                "reason", "required", _("Say why: the reason is kept with the decision in the audit trail.")
            )
        )
    if indicator.kind != IndicatorKind.COUNT:
        problems.append(
            Problem("indicator", "not_a_count", _("Only a count indicator has figures to publish."))
        )
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
        if locked.public_statistics == public:
            return locked
        locked.public_statistics = public
        locked._history_user = actor  # type: ignore[attr-defined]
        locked._change_reason = HISTORY_REASON  # type: ignore[attr-defined]
        locked.save(update_fields=["public_statistics", "updated_at"])
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=locked,
            request=request,
            changes=[{"field": "public_statistics", "old": not public, "new": public}],
            note=reason,
        )
    return locked
