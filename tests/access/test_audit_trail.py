"""The audit trail is append-only, says who did what, and never records a password."""

from __future__ import annotations

import pytest
from django.test import Client

from wpsnap.core.models import AuditAction, AuditEvent

from ..conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_audit_events_cannot_be_changed_or_deleted(make_user) -> None:
    """An audit line, once written, can be neither saved again nor deleted through the application."""
    user = make_user("focal_point")
    event = AuditEvent.objects.filter(object_id=str(user.pk)).first()
    assert event is not None and event.action == AuditAction.CREATE
    event.note = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).note == ""


def test_sign_in_writes_one_line_and_no_empty_change(make_user) -> None:
    """Signing in records a login event; the last_login update alone writes no 'changed' line."""
    user = make_user("focal_point")
    before = AuditEvent.objects.filter(object_id=str(user.pk)).count()
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    events = list(AuditEvent.objects.filter(object_id=str(user.pk)).order_by("id")[before:])
    assert [e.action for e in events] == [AuditAction.LOGIN]
    assert events[0].actor_id == user.pk


def test_failed_sign_in_records_the_name_but_never_the_password(make_user) -> None:
    """A failed sign-in keeps the name typed and no trace of the password."""
    user = make_user("focal_point")
    Client().post("/accounts/login/", {"username": user.username, "password": "wrong-secret-Zq81"})
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).latest("id")
    assert event.actor_label == user.username
    stored = " ".join(str(v) for v in (event.note, event.changes, event.object_label, event.path))
    assert "wrong-secret-Zq81" not in stored


def test_plan_changes_are_audited_with_their_fields(az_plan) -> None:
    """Loading the plan recorded each activity's creation with its fields."""
    activity = az_plan.activities.get(key="5.3.3-4")
    created = AuditEvent.objects.get(
        object_type="plan.activity", object_id=str(activity.pk), action=AuditAction.CREATE
    )
    fields = {change["field"] for change in created.changes}
    assert {"key", "text", "note"} <= fields


def test_log_lines_carry_ids_not_names(make_user, caplog) -> None:
    """What goes to the log names nobody: a failed sign-in (whose "name" may be a password typed in the
    wrong box) and a successful one leave no user name or typed text in any log record."""
    import logging

    user = make_user("focal_point", username="aysel.quliyeva@example.org")
    caplog.set_level(logging.DEBUG)
    Client().post("/accounts/login/", {"username": "Secret-typed-in-wrong-box", "password": "x"})
    Client().post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "audit login" in logged
    assert "Secret-typed-in-wrong-box" not in logged
    assert user.username not in logged
