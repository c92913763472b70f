"""Releases: each publication of a plan's public figures (a static build of the portal) is stored with
its number, date, who made it, the notes, the languages, the changes computed since the release before,
and every figure it showed. Those figures are the next release's ``previous`` and, meanwhile, every live
public output's (``public.public_results`` reads them), so that disclosure control holds what the public
already knows (docs/disclosure.md, "The previous release"; docs/static-build.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from wpsnap.accounts import permissions
from wpsnap.analytics.scope import PUBLIC
from wpsnap.core import audit, params
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.core.models import AuditAction
from wpsnap.plan.models import Plan

from .models import Release, figures_published
from .public import PublicResults, public_results

# A release's notes: a few paragraphs of what changed and what was corrected.
NOTES_MAX = 10_000
# Who made a release when no person is named: the server's command line.
COMMAND = "command"

Published = dict[tuple[str, int], dict[str, Decimal]]


def latest_release(plan: Plan) -> Release | None:
    """The plan's latest release, or None before the first. One query."""
    return Release.objects.filter(plan=plan).order_by("-number").first()


def release_changes(previous: Published, current: PublicResults) -> dict[str, Any]:
    """What ``current`` shows that the release before (``previous``, ``PublicResults.published()``'s
    shape) did not: by indicator and period, figures added (shown now, not then), changed (a corrected
    or a later report: shown then and now with other values) and withdrawn (shown then, not now: a report
    taken down, or a figure suppressed since). Also the small figures an earlier release gave away
    (``PublicPeriod.exposed``): suppressed now, but known."""
    shown = current.published()
    periods: list[dict[str, Any]] = []
    exposed: list[dict[str, Any]] = []
    totals = {"added": 0, "changed": 0, "withdrawn": 0}
    for indicator in current.indicators:
        for period in indicator.periods:
            key = (indicator.indicator, period.period_id)
            before, now = previous.get(key, {}), shown.get(key, {})
            added = [{"cell": c, "value": _text(v)} for c, v in sorted(now.items()) if c not in before]
            changed = [
                {"cell": c, "old": _text(before[c]), "new": _text(v)}
                for c, v in sorted(now.items())
                if c in before and before[c] != v
            ]
            withdrawn = [{"cell": c, "old": _text(v)} for c, v in sorted(before.items()) if c not in now]
            if added or changed or withdrawn:
                periods.append(
                    {
                        "indicator": indicator.indicator,
                        "period_id": period.period_id,
                        "period": period.period,
                        "added": added,
                        "changed": changed,
                        "withdrawn": withdrawn,
                    }
                )
                totals["added"] += len(added)
                totals["changed"] += len(changed)
                totals["withdrawn"] += len(withdrawn)
            if period.exposed:
                exposed.append(
                    {
                        "indicator": indicator.indicator,
                        "period_id": period.period_id,
                        "period": period.period,
                        "cells": list(period.exposed),
                    }
                )
    # A figure of an indicator or period the plan no longer has is withdrawn too.
    current_keys = {(i.indicator, p.period_id) for i in current.indicators for p in i.periods}
    for (indicator_key, period_id), cells in sorted(previous.items()):
        if (indicator_key, period_id) not in current_keys and cells:
            withdrawn = [{"cell": c, "old": _text(v)} for c, v in sorted(cells.items())]
            periods.append(
                {
                    "indicator": indicator_key,
                    "period_id": period_id,
                    "period": "",
                    "added": [],
                    "changed": [],
                    "withdrawn": withdrawn,
                }
            )
            totals["withdrawn"] += len(withdrawn)
    return {**totals, "periods": periods, "exposed": exposed}


def figures_of(results: PublicResults) -> list[dict[str, Any]]:
    """What a release stores of ``results``: every figure shown, by indicator and period."""
    return [
        {
            "indicator": indicator.indicator,
            "period_id": period.period_id,
            "period": period.period,
            "cells": {
                figure.cell: _text(figure.value) for figure in period.figures() if figure.value is not None
            },
        }
        for indicator in results.indicators
        for period in indicator.periods
    ]


def release_create(
    *,
    plan: Plan,
    notes: str,
    languages: list[str] | tuple[str, ...],
    user: Any = None,
    results: PublicResults | None = None,
    after: int | None = None,
    now: Any = None,
) -> Release:
    """Store a release of ``plan``'s public figures: ``results`` (by default ``public_results(plan)``, which
    holds the latest release as known) with ``notes`` and the ``languages`` it was published in, the
    changes since the latest release computed and kept with it, numbered after it. ``user`` is the
    coordinator who made it; None for the server's command line (``made_by`` "command").

    ``after``: the number of the release ``results`` were computed against (0 for none): when another
    release was made since, the figures are stale and nothing is written. Refuses a draft plan, unknown or
    no languages and notes over ``NOTES_MAX`` characters, naming the field. Atomic; one audit line."""
    action = "publishing.release"
    if user is not None and not permissions.can(user, action, plan):
        permissions.refuse(None, action, plan)
    notes = params.text("notes", notes, max_length=NOTES_MAX, lines=True).strip()
    known = [code for code, _name in settings.LANGUAGES]
    problems: list[Problem] = []
    unknown = [code for code in languages if code not in known]
    if unknown or not languages:
        problems.append(
            Problem(
                "languages",
                "invalid",
                _("Choose one or more of these languages: %(codes)s.") % {"codes": ", ".join(known)},
            )
        )
    if not permissions.can(PUBLIC, "plan.view", plan):
        problems.append(
            Problem("plan", "draft", _("The plan is a draft: it is not public, so it cannot be released."))
        )
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        # One release at a time per plan: the plan's row is the lock.
        Plan.objects.select_for_update().filter(pk=plan.pk).exists()
        last = Release.objects.filter(plan=plan).aggregate(number=Max("number"))["number"] or 0
        if after is not None and after != last:
            raise InvalidInput(
                [
                    Problem(
                        "release",
                        "stale",
                        _(
                            "Release %(number)d was made while this one was being prepared: its figures "
                            "are out of date. Build again."
                        )
                        % {"number": last},
                    )
                ]
            )
        previous = Release.objects.get(plan=plan, number=last) if last else None
        if results is None:
            results = public_results(plan)
        changes = release_changes(figures_published(previous.figures) if previous else {}, results)
        release = Release.objects.create(
            plan=plan,
            number=last + 1,
            created_at=now or timezone.now(),
            created_by=user if getattr(user, "pk", None) else None,
            made_by=user.get_username() if user is not None else COMMAND,
            notes=notes,
            languages=list(dict.fromkeys(languages)),
            changes=changes,
            figures=figures_of(results),
        )
        audit.record(
            AuditAction.CREATE,
            actor=user,
            obj=release,
            actor_label="" if user is not None else COMMAND,
            changes=[
                {"field": name, "old": None, "new": changes[name]}
                for name in ("added", "changed", "withdrawn")
            ],
            note=notes[:1000],
        )
    return release


def _text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")
