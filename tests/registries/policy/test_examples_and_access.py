"""Every kind's examples are valid records (read as an import reads them, stored, and written back to the
same text), and who reads and writes these staff registries (Visibility.STAFF)."""

from __future__ import annotations

from random import Random

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.accounts.permissions import can
from wpsnap.registries.kinds.base import ACTIONS
from wpsnap.registries.kinds.columns import clean_values, format_value, input_columns, read_value
from wpsnap.registries.policy.kinds import POLICY_RECOMMENDATIONS, POLICY_REVIEWS
from wpsnap.registries.resources.kinds import IDP_SETTLEMENTS, PROJECTS
from wpsnap.registries.workforce.kinds import WORKFORCE_COUNTS, WORKFORCE_REVIEWS

from .conftest import make_record

pytestmark = pytest.mark.django_db

KINDS = (
    POLICY_REVIEWS,
    POLICY_RECOMMENDATIONS,
    WORKFORCE_COUNTS,
    WORKFORCE_REVIEWS,
    PROJECTS,
    IDP_SETTLEMENTS,
)


def _example(kind, rng, plan, user):
    """The kind's example row; a recommendation's review is made first, from the review example."""
    assert kind.examples is not None
    row = kind.examples(rng)
    if kind is POLICY_RECOMMENDATIONS:
        review = POLICY_REVIEWS.examples(rng)
        make_record(POLICY_REVIEWS, plan, user, {**review, "document": row["review"]})
    return row


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32))
def test_examples_are_valid_records_and_round_trip(kind, events_plan, staff, seed) -> None:
    """Each example has exactly the kind's columns, is read without a problem, passes the model's checks
    and constraints, and once stored is written back as text that reads to the same values."""
    user = staff["coordinator"]
    with transaction.atomic():
        row = _example(kind, Random(seed), events_plan, user)
        assert set(row) == {c.header for c in kind.columns}
        record = make_record(kind, events_plan, user, row)
        record.full_clean()
        stored = type(record).objects.get(pk=record.pk)
        texts = {c.header: format_value(c, read_value(stored, c)) for c in input_columns(kind)}
        again = clean_values(kind, events_plan, texts, user=user)
        assert again == clean_values(kind, events_plan, {**row, "activities": ""}, user=user)
        transaction.set_rollback(True)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_who_reads_and_writes_a_staff_registry(kind, add, staff) -> None:
    """Staff of every agency, coordinators and evaluators read (and export, and see counts); writers are
    the owner's focal points and NGO contributors, and coordinators; an approver or an evaluator never
    writes; the public nothing."""
    from django.contrib.auth.models import AnonymousUser

    from wpsnap.accounts.models import Organisation

    mod = Organisation.objects.get(key="mod")
    record = _stored(kind, add, staff, mod)
    readers = ("focal", "other_focal", "approver", "coordinator", "evaluator", "ngo")
    for who in readers:
        user = staff[who]
        for verb in ("list", "view", "export", "counts"):
            assert can(user, kind.action(verb), record if verb == "view" else None), (who, verb)
    writers = {
        "focal": True,
        "other_focal": False,
        "approver": False,
        "coordinator": True,
        "evaluator": False,
    }
    for who, allowed in writers.items():
        assert can(staff[who], kind.action("edit"), record) is allowed, (who, "edit")
        assert can(staff[who], kind.action("delete"), record) is allowed, (who, "delete")
    for who in ("focal", "other_focal", "coordinator", "ngo"):
        assert can(staff[who], kind.action("create")), who
    for who in ("approver", "evaluator"):
        assert not can(staff[who], kind.action("create")), who
    for verb in ACTIONS:
        assert not can(AnonymousUser(), kind.action(verb), record), verb


def _stored(kind, add, staff, owner):
    """A record of ``kind`` kept by MoD, made from its example."""
    rng = Random(11)
    row = kind.examples(rng)
    if kind is POLICY_RECOMMENDATIONS:
        add(POLICY_REVIEWS, {**POLICY_REVIEWS.examples(rng), "document": row["review"]}, owner=owner)
    return add(kind, row, owner=owner)
