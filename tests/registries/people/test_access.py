"""Who sees and writes these registries (issue 14, "who sees what is written down per registry"):
individual peacebuilders, gender officers and publications are read by the staff of every agency,
coordinators and evaluators, never by the public (signed out: nothing, not even counts, which reach it
only through ``publishing``). Writers: the owner's focal points and NGO contributors, coordinators for
any owner. People's rows leave the platform (export) only by a coordinator's hand; publications (nothing
personal) by whoever reads them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from wpsnap.accounts.permissions import can
from wpsnap.registries.kinds.selectors import records_visible_to

pytestmark = pytest.mark.django_db

PERSONAL = ("peacebuilding-actors", "gender-officers")


@pytest.fixture
def users(people, make_user):
    return people | {
        "ngo": make_user("ngo_contributor", "test-ngo", "ngo"),
        "mia_approver": make_user("approver", "mia", "mia-approver"),
        "public": AnonymousUser(),
    }


READERS = ("coordinator", "evaluator", "focal", "approver", "other_focal", "ngo", "mia_approver")


@pytest.mark.parametrize("who", [*READERS, "public"])
def test_who_reads(kind, records, users, who):
    """Every role of every agency reads (list and a record), the public never."""
    user, record = users[who], records[kind.name]
    reads = who != "public"
    assert can(user, kind.action("list")) is reads
    assert can(user, kind.action("view"), record) is reads
    assert records_visible_to(kind, user).filter(pk=record.pk).exists() is reads


@pytest.mark.parametrize("who", [*READERS, "public"])
def test_counts_never_public(kind, users, who):
    assert can(users[who], kind.action("counts")) is (who != "public")


@pytest.mark.parametrize(
    ("who", "creates"),
    [
        ("coordinator", True),
        ("focal", True),
        ("other_focal", True),
        ("ngo", True),
        ("approver", False),
        ("evaluator", False),
        ("public", False),
    ],
)
def test_who_adds(kind, users, who, creates):
    assert can(users[who], kind.action("create")) is creates
    assert can(users[who], kind.action("import")) is creates


@pytest.mark.parametrize(
    ("who", "changes"),
    [
        ("coordinator", True),
        ("owner_focal", True),
        ("other_focal", False),  # another agency's record
        ("owner_approver", False),  # approvers read
        ("evaluator", False),
        ("public", False),
    ],
)
def test_who_changes(kind, records, users, make_user, who, changes):
    """Only the owner's writers and coordinators change or delete a record."""
    record = records[kind.name]
    owner = record.owner.key
    named = users | {
        "owner_focal": make_user("focal_point", owner, f"{owner}-writer"),
        "owner_approver": make_user("approver", owner, f"{owner}-reader"),
    }
    assert can(named[who], kind.action("edit"), record) is changes
    assert can(named[who], kind.action("delete"), record) is changes


@pytest.mark.parametrize("who", [*READERS, "public"])
def test_who_exports(kind, users, who):
    """People's rows (peacebuilders, officers) are exported by coordinators only; publications by whoever
    reads them; the public never."""
    if who == "public":
        expected = False
    elif kind.name in PERSONAL:
        expected = who == "coordinator"
    else:
        expected = True
    assert can(users[who], kind.action("export")) is expected


def test_personal_columns_declared():
    """The columns that name or reach a person are marked personal (never logged, cleared on erasure)."""
    from wpsnap.registries.kinds.catalogue import kind_named

    personal = {
        name: {c.header for c in kind_named(name).columns if c.personal}
        for name in ("peacebuilding-actors", "gender-officers", "publications")
    }
    assert personal == {
        "peacebuilding-actors": {"name", "affiliation", "contact"},
        "gender-officers": {"name", "contact"},
        "publications": set(),
    }
    assert kind_named("peacebuilding-actors").personal and kind_named("gender-officers").personal
    assert not kind_named("publications").personal
