"""The admin site is behind the permission gate, and read only."""

from __future__ import annotations

import pytest

from wpsnap.plan.models import Activity

from ..conftest import sign_in

pytestmark = pytest.mark.django_db


def test_verified_coordinator_reads_the_admin(client, make_user) -> None:
    """A coordinator with a verified second factor sees the admin index and an activity's page."""
    sign_in(client, make_user("coordinator"))
    assert client.get("/admin/").status_code == 200
    activity = Activity.objects.get(key="5.1.1-1")
    page = client.get(f"/admin/plan/activity/{activity.pk}/change/")
    assert page.status_code == 200
    assert "Perform assessments" in page.text


@pytest.mark.parametrize("role", ["approver", "focal_point", "ngo_contributor", "evaluator"])
def test_other_roles_are_kept_out_of_the_admin(client, make_user, role: str) -> None:
    """Everyone but coordinators is sent to the admin's sign-in page, and sees no data."""
    sign_in(client, make_user(role))
    response = client.get("/admin/plan/activity/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_coordinator_without_second_factor_cannot_reach_the_admin(client, make_user) -> None:
    """A coordinator signed in with a password only is sent to the second factor first."""
    client.force_login(make_user("coordinator"))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")


def test_the_admin_changes_nothing(client, make_user) -> None:
    """Even a coordinator cannot add, change or delete through the admin (changes go through services)."""
    sign_in(client, make_user("coordinator"))
    activity = Activity.objects.get(key="5.1.1-1")
    assert client.get("/admin/plan/activity/add/").status_code == 403
    response = client.post(
        f"/admin/plan/activity/{activity.pk}/change/", {"text": "Changed", "key": activity.key}
    )
    assert response.status_code == 403
    assert client.post(f"/admin/plan/activity/{activity.pk}/delete/", {"post": "yes"}).status_code == 403
    activity.refresh_from_db()
    assert activity.text.startswith("Perform assessments")


def test_token_and_device_admins_are_not_registered(client, make_user) -> None:
    """API tokens and second-factor devices have no admin pages (they are made through audited services)."""
    sign_in(client, make_user("coordinator"))
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
