"""A coordinator signs in with a password and a TOTP code, and invites a focal point; a focal point
who changes an id in the address reaches nothing of another agency's."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from wpsnap.accounts.models import Organisation, User
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.demo import data as demo

from .conftest import PHONE

pytestmark = pytest.mark.browser

PASSWORD = "demo-pass-2026"


def _sign_in(page, base: str, username: str, next_path: str = "/") -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_coordinator_signs_in_with_totp_and_invites_a_focal_point(az_live, open_page) -> None:
    """Password, then the second factor, then People: the invitation is sent and the person is listed."""
    demo.demo_load(password=PASSWORD, reports=False)
    page = open_page(PHONE)
    _sign_in(page, az_live, "coordinator", "/accounts/users/")
    page.wait_for_url(re.compile(r"/accounts/two-factor/"))
    page.get_by_label("Code from your authenticator app").fill(demo.demo_totp("coordinator"))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/accounts/users/$"))
    assert page.get_by_role("heading", level=1).inner_text().strip() != ""

    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("E-mail address").fill("sevinj.hasanova@example.org")
    page.get_by_label("First name").fill("Sevinj")
    page.get_by_label("Last name").fill("Hasanova")
    moj = Organisation.objects.get(country="AZ", key="moj")
    page.get_by_label("Organisation").select_option(str(moj.pk))
    page.get_by_label("Role").select_option("focal_point")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_url(re.compile(r"/accounts/users/\d+/$"))

    invited = User.objects.get(email="sevinj.hasanova@example.org")
    assert (invited.role, invited.organisation.key) == ("focal_point", "moj")
    assert [m.to for m in mail.outbox] == [["sevinj.hasanova@example.org"]]
    assert AuditEvent.objects.filter(action=AuditAction.INVITE, object_id=str(invited.pk)).exists()
    assert page.problems.all(page) == []


def test_focal_point_cannot_reach_another_agency_by_changing_an_id(az_live, open_page) -> None:
    """A focal point typing another person's id gets the not-found page, and the attempt is logged."""
    demo.demo_load(password=PASSWORD, reports=False)
    other = User.objects.get(username="mia.focal")
    page = open_page()
    _sign_in(page, az_live, "mod.focal")
    page.wait_for_url(re.compile(r"/$"))
    response = page.goto(f"{az_live}/accounts/users/{other.pk}/")
    assert response is not None and response.status == 404
    assert other.email not in page.content()
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_REFUSED, object_id=str(other.pk), actor__username="mod.focal"
    ).exists()
