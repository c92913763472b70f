"""The clock services are given (``wpsnap.core.clock``): a time given dates the history row, the audit
line and the automatic stamps of a write; none given is the real clock, with nothing left over from an
earlier call. No installed app patches Django's clock (or anything else) to make its own time."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from wpsnap.accounts.models import Organisation
from wpsnap.core import clock
from wpsnap.core.models import AuditEvent

PACKAGE = Path(__file__).resolve().parents[2] / "wpsnap"
THEN = datetime(2021, 5, 4, 10, 30, tzinfo=UTC)


def test_no_installed_app_patches_anything() -> None:
    """No module of the platform imports unittest.mock: the demo gives the services their time (``now``)
    instead of patching ``django.utils.timezone.now`` around them."""
    patching = re.compile(
        r"^\s*(?:from unittest import mock|import unittest\.mock|from unittest\.mock import)", re.M
    )
    offenders = [
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py") if patching.search(path.read_text())
    ]
    assert offenders == []


def test_moment_is_the_time_given_or_the_real_clock() -> None:
    before = timezone.now()
    assert clock.moment(THEN) == THEN
    assert before <= clock.moment(None) <= timezone.now()


@pytest.mark.django_db
def test_a_dated_write_carries_its_time_into_history_audit_and_stamps() -> None:
    """Saved with a time, an organisation's history row and audit line say that time, and ``stamp``
    writes it over ``created_at``/``updated_at``; saved again without one, the real clock, not the time
    left on the instance."""
    organisation = Organisation(country="AZ", key="clock-test", name="Clock test", kind="ministry")
    clock.dated(organisation, THEN).save()
    clock.stamp(organisation, THEN, "created_at", "updated_at")
    organisation.refresh_from_db()
    assert (organisation.created_at, organisation.updated_at) == (THEN, THEN)
    assert organisation.history.get().history_date == THEN
    line = AuditEvent.objects.get(object_type="accounts.organisation", object_id=str(organisation.pk))
    assert line.at == THEN

    before = timezone.now()
    organisation.name = "Clock test, renamed"
    clock.dated(organisation, None).save()
    clock.stamp(organisation, None, "updated_at")  # the real clock: nothing to do
    organisation.refresh_from_db()
    latest = organisation.history.first()
    assert latest is not None and latest.history_date >= before
    assert organisation.updated_at >= before
    changed = AuditEvent.objects.filter(object_type="accounts.organisation", object_id=str(organisation.pk))
    assert changed.filter(at__gte=before).count() == 1
