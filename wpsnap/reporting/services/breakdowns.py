"""Changing how figures are broken down, without changing figures already reported.

A breakdown version that values use is never edited: adding an option to one of its dimensions
makes the next version (with the new option), and the indicators move to it; values keep the
version they were reported in. A version no value uses yet is simply updated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from wpsnap.accounts import permissions
from wpsnap.core.errors import InvalidInput
from wpsnap.plan.models import Plan

from ..models import (
    MAX_CELLS,
    Breakdown,
    BreakdownDimension,
    Dimension,
    DimensionOption,
    IndicatorBreakdown,
    IndicatorValue,
)


@dataclass
class OptionAdded:
    option: DimensionOption
    updated: list[Breakdown] = field(default_factory=list)  # versions changed in place (no data yet)
    versioned: list[tuple[Breakdown, Breakdown]] = field(default_factory=list)  # (old, new) versions


def dimension_option_add(
    *, actor: Any, plan: Plan, dimension_code: str, code: str, name: str, request: Any = None
) -> OptionAdded:
    """Add an option (an age band, a district) to a plan's dimension, versioning the breakdowns in use."""
    if not permissions.can(actor, "plan.manage", plan):
        permissions.refuse(request, "plan.manage", plan)
    dimension = Dimension.objects.filter(plan=plan, code=dimension_code).first()
    if dimension is None:
        raise InvalidInput.one(
            "dimension", "not_found", _("The plan has no dimension “%(code)s”.") % {"code": dimension_code}
        )
    if not code.strip() or not name.strip():
        raise InvalidInput.one("code", "required", _("Give the option a code and a name."))
    if dimension.options.filter(code=code).exists():
        raise InvalidInput.one(
            "code", "exists", _("The dimension already has an option “%(code)s”.") % {"code": code}
        )
    with transaction.atomic():
        position = dimension.options.count()
        option = DimensionOption.objects.create(
            dimension=dimension, code=code, name=name.strip(), position=position
        )
        result = OptionAdded(option=option)
        parts = BreakdownDimension.objects.filter(dimension=dimension).select_related("breakdown")
        latest = _latest_versions(plan)
        for part in parts:
            breakdown = part.breakdown
            if latest.get(breakdown.code) != breakdown.pk:
                continue  # an older version: frozen with its data
            new_options = [*part.options, code]
            _check_size(breakdown, part, new_options)
            if IndicatorValue.objects.filter(breakdown=breakdown).exists():
                result.versioned.append((breakdown, _next_version(breakdown, part, new_options)))
            else:
                part.options = new_options
                part.save(update_fields=["options"])
                result.updated.append(breakdown)
    return result


def _latest_versions(plan: Plan) -> dict[str, int]:
    latest: dict[str, int] = {}
    for breakdown in Breakdown.objects.filter(plan=plan).order_by("code", "version"):
        latest[breakdown.code] = breakdown.pk
    return latest


def _check_size(breakdown: Breakdown, changed: BreakdownDimension, new_options: list[str]) -> None:
    size = 1
    for part in breakdown.parts.all():
        size *= len(new_options) if part.pk == changed.pk else len(part.options)
    if size > MAX_CELLS:
        raise InvalidInput.one(
            "code",
            "too_large",
            _("%(breakdown)s would have %(size)d cells, more than the %(max)d a form can hold.")
            % {"breakdown": breakdown.code, "size": size, "max": MAX_CELLS},
        )


def _next_version(old: Breakdown, changed: BreakdownDimension, new_options: list[str]) -> Breakdown:
    new = Breakdown.objects.create(plan=old.plan, code=old.code, version=old.version + 1)
    BreakdownDimension.objects.bulk_create(
        [
            BreakdownDimension(
                breakdown=new,
                dimension_id=part.dimension_id,
                position=part.position,
                options=new_options if part.pk == changed.pk else list(part.options),
            )
            for part in old.parts.all()
        ]
    )
    for setting in IndicatorBreakdown.objects.filter(breakdown=old):
        setting.breakdown = new
        setting.save(update_fields=["breakdown", "updated_at"])
    return new
