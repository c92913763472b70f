"""Releases (``publishing.releases``): what a release stores, the changes it computes since the one
before, who may make one, and that the latest release's figures feed ``public_results`` as ``previous``
(docs/disclosure.md, "The previous release"; docs/static-build.md)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from wpsnap.core.errors import InvalidInput
from wpsnap.core.models import AuditEvent
from wpsnap.plan.models import PlanStatus
from wpsnap.publishing.disclosure import Family
from wpsnap.publishing.models import Release
from wpsnap.publishing.public import public_results
from wpsnap.publishing.releases import COMMAND, latest_release, release_create
from wpsnap.reporting.workflow import Status

from ..analytics.conftest import Written, write_reports
from .attacker import recoverable_small_cells
from .conftest import PREVIOUS, THRESHOLD, TOTAL_ONLY, publish_dates
from .release import family_of, published_of
from .test_public import FIRST, indicator_of

pytestmark = pytest.mark.django_db

LANGS = ["az", "en", "ru"]


def test_a_release_stores_what_the_public_sees(world, settings) -> None:
    """Release 1 keeps every figure ``public_results`` shows (and nothing suppressed), the notes, the
    languages, who made it (the command line when nobody is named) and one audit line; all its figures are
    added since nothing was released before."""
    settings.WPSNAP_DISCLOSURE_THRESHOLD = THRESHOLD
    assert latest_release(world.plan) is None
    shown = public_results(world.plan)
    release = release_create(plan=world.plan, notes="  First release.  ", languages=LANGS)
    assert (release.number, release.made_by, release.created_by, release.notes) == (
        1,
        COMMAND,
        None,
        "First release.",
    )
    assert release.languages == LANGS
    assert release.published() == shown.published()
    suppressed = sum(f.value is None for i in shown.indicators for p in i.periods for f in p.figures())
    assert suppressed > 0
    shown_count = sum(len(cells) for cells in shown.published().values())
    assert release.changes["added"] == shown_count > 0
    assert (release.changes["changed"], release.changes["withdrawn"]) == (0, 0)
    assert latest_release(world.plan) == release
    line = AuditEvent.objects.get(object_type="publishing.release", object_id=str(release.pk))
    assert (line.action, line.actor_label, line.note) == ("create", COMMAND, "First release.")


def test_the_latest_release_is_previous_for_public_results(world) -> None:
    """After release 1, a later report adds men aged 60 and over. ``public_results`` without ``previous``
    holds release 1's figures as known, exactly as when given them: no small cell is recoverable from the
    two releases together (the same world without a stored release leaks the women's 18-24 cell: see
    test_public's previous-release test)."""
    first = [
        Written(PREVIOUS, "mod", 0, Status.PUBLISHED, values=(("", sum(FIRST.values())), *FIRST.items()))
    ]
    publish_dates(write_reports(world.plan, world.activities, first))
    before = public_results(world.plan, threshold=THRESHOLD)
    release_create(plan=world.plan, notes="", languages=["en"], results=before, after=0)
    later = {"sex:men|age:60-plus": 30}
    publish_dates(
        write_reports(
            world.plan,
            world.activities,
            [Written(PREVIOUS, "mia", 0, Status.PUBLISHED, values=(("", 30), *later.items()))],
        )
    )
    implied = public_results(world.plan, threshold=THRESHOLD)
    assert implied == public_results(world.plan, previous=before, threshold=THRESHOLD)
    period = indicator_of(implied, world, PREVIOUS).periods[0]
    truth = {key: FIRST[key] + later.get(key, 0) for key in FIRST} | {"": sum(FIRST.values()) + 30}
    known = published_of(indicator_of(before, world, PREVIOUS).periods[0])
    family = Family(tables=family_of(period, truth).tables, previous=known)
    assert recoverable_small_cells(family, published_of(period), THRESHOLD) == []


def test_release_two_lists_what_changed(world, people) -> None:
    """A report published after release 1 corrects a total (41 people in 2021 become 61): release 2, made
    by the coordinator, lists it as changed, old and new value, under its indicator and period."""
    release_create(plan=world.plan, notes="one", languages=LANGS, user=people["coordinator"])
    key = world.indicators[TOTAL_ONLY].key
    publish_dates(
        write_reports(
            world.plan,
            world.activities,
            [Written(TOTAL_ONLY, "moe", 1, Status.PUBLISHED, values=(("", 20),))],
        )
    )
    second = release_create(
        plan=world.plan, notes="MoE's late report.", languages=LANGS, user=people["coordinator"], after=1
    )
    assert (second.number, second.made_by, second.created_by) == (2, "coord", people["coordinator"])
    assert [
        (p["indicator"], p["changed"], p["added"], p["withdrawn"]) for p in second.changes["periods"]
    ] == [(key, [{"cell": "", "old": "41", "new": "61"}], [], [])]
    assert (second.changes["added"], second.changes["changed"], second.changes["withdrawn"]) == (0, 1, 0)


def test_refusals(world, people) -> None:
    """Only a coordinator (or the command line) releases; unknown languages, none, and a draft plan are
    refused naming the field; a release prepared against an older one is stale; nothing is written."""
    with pytest.raises(PermissionDenied):
        release_create(plan=world.plan, notes="", languages=LANGS, user=people["mod"])
    with pytest.raises(InvalidInput) as refused:
        release_create(plan=world.plan, notes="", languages=["fr"])
    assert [p.field for p in refused.value.problems] == ["languages"]
    with pytest.raises(InvalidInput):
        release_create(plan=world.plan, notes="", languages=[])
    release_create(plan=world.plan, notes="", languages=LANGS)
    with pytest.raises(InvalidInput) as stale:
        release_create(plan=world.plan, notes="", languages=LANGS, after=0)
    assert [p.code for p in stale.value.problems] == ["stale"]
    world.plan.status = PlanStatus.DRAFT
    world.plan.save(update_fields=["status"])
    with pytest.raises(InvalidInput) as draft:
        release_create(plan=world.plan, notes="", languages=LANGS)
    assert [p.field for p in draft.value.problems] == ["plan"]
    assert Release.objects.filter(plan=world.plan).count() == 1
