"""Analytics' rule in the permission gate (see ``wpsnap.accounts.permissions``).

``analytics.view``: the figures the dashboards show, through /api/v1/analytics/. Whoever may list
reports may ask: coordinators and evaluators see the whole plan, an agency's focal points, approvers and
NGO contributors their own agency's part (``scope.py`` narrows every figure to it); nobody else.
"""

from __future__ import annotations

from typing import Any

from wpsnap.accounts.permissions import can, register


@register("analytics.view")
def _analytics_view(user: Any, obj: Any) -> bool:
    return can(user, "report.list")
