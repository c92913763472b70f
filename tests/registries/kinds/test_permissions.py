"""Who reads and writes each registry, from its declared visibility (kinds/permissions.py), through the
gate and the scope (records_visible_to): STAFF kinds are read by every agency's staff and evaluators;
OWNER kinds by the owner's staff and coordinators (evaluators: counts); AUTHORITIES kinds by the plan's
implementers of the kind's activities and coordinators (evaluators: counts). Never the public."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.contrib.auth.models import AnonymousUser

from wpsnap.accounts.permissions import can
from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.base import ACTIONS, Visibility
from wpsnap.registries.kinds.permissions import register_kind_rules
from wpsnap.registries.kinds.selectors import records_visible_to
from wpsnap.registries.kinds.services import record_create

from .conftest import example_row, kind_params

pytestmark = pytest.mark.django_db

MEDIA = catalogue.kind_named("media-items")
# The media items declared three ways (test kinds on the same model, registered in the gate only).
AS = {
    visibility: replace(
        MEDIA, name=f"test-media-{visibility.value}", visibility=visibility, activity_codes=("5.2.1.2",)
    )
    for visibility in Visibility
}
for _kind in AS.values():
    register_kind_rules(_kind)


@pytest.fixture
def cast(people, make_user):
    return {
        **people,
        "mia_approver": make_user("approver", "mia", "mia-approver"),
        "outsider": make_user("focal_point", "scwd", "scwd-focal"),
        "ngo": make_user("ngo_contributor", "test-ngo", "ngo"),
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def record(events_plan, people, rng):
    # Kept by MoD (an implementer of 5.2.1.2, as is MIA).
    return record_create(
        kind=MEDIA,
        actor=people["focal"],
        plan=events_plan,
        values=example_row(MEDIA, rng, events_plan, people["focal"]),
    )


EXPECTED = {
    # who: (staff kind, owner kind, authorities kind) may view MoD's record
    "coordinator": (True, True, True),
    "evaluator": (True, False, False),
    "focal": (True, True, True),
    "approver": (True, True, True),
    "other_focal": (True, False, True),  # MIA: an authority of 5.2.1.2
    "mia_approver": (True, False, True),
    "outsider": (True, False, False),
    "ngo": (True, False, False),
    "anonymous": (False, False, False),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_who_reads(who, cast, record):
    user = cast[who]
    for visibility, expected in zip(Visibility, EXPECTED[who], strict=True):
        kind = AS[visibility]
        assert can(user, kind.action("view"), record) is expected, (who, visibility)
        scope = records_visible_to(kind, user) if user.is_authenticated else kind.model.objects.none()
        assert scope.filter(pk=record.pk).exists() is expected, (who, visibility)
        # Evaluators count what they may not read; the public counts nothing.
        if who in ("evaluator", "anonymous"):
            assert can(user, kind.action("counts")) is (who == "evaluator"), (who, visibility)
            assert can(user, kind.action("list")) is expected, (who, visibility)


@pytest.mark.parametrize("visibility", list(Visibility))
def test_who_writes(visibility, cast, record):
    kind = AS[visibility]
    assert can(cast["focal"], kind.action("edit"), record)
    assert can(cast["coordinator"], kind.action("delete"), record)
    for who in ("approver", "evaluator", "other_focal", "outsider", "anonymous"):
        assert not can(cast[who], kind.action("edit"), record), who
    assert can(cast["other_focal"], kind.action("create")) is True
    assert can(cast["outsider"], kind.action("create")) is (visibility != Visibility.AUTHORITIES)
    assert not can(cast["evaluator"], kind.action("create"))


PERSONAL = replace(MEDIA, name="test-media-personal", personal=True)
NEVER = replace(MEDIA, name="test-media-never", export_people=False)
register_kind_rules(PERSONAL)
register_kind_rules(NEVER)


def test_export_of_people(cast):
    assert can(cast["focal"], MEDIA.action("export"))
    assert can(cast["evaluator"], MEDIA.action("export"))
    # People leave the platform only by a coordinator's hand; some registries never person by person.
    assert can(cast["coordinator"], PERSONAL.action("export"))
    assert not can(cast["focal"], PERSONAL.action("export"))
    for who in ("coordinator", "focal", "evaluator"):
        assert not can(cast[who], NEVER.action("export")), who
        assert can(cast[who], NEVER.action("counts")), who


@pytest.mark.parametrize("kind", kind_params())
def test_every_kind_has_its_actions_and_no_public_access(kind, cast):
    for verb in ACTIONS:
        assert not can(cast["anonymous"], kind.action(verb)), verb
    assert can(cast["coordinator"], kind.action("list"))
    assert can(cast["evaluator"], kind.action("counts"))
    assert can(cast["evaluator"], kind.action("list")) is (kind.visibility == Visibility.STAFF)
    if not kind.export_people:
        assert not can(cast["coordinator"], kind.action("export"))
    elif kind.personal:
        assert can(cast["coordinator"], kind.action("export"))
        assert not can(cast["focal"], kind.action("export"))
