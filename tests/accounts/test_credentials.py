"""No token outlives its role (issue 9, item 7): a change of a person's role or organisation ends their API
token and their sessions, whichever path makes it; tokens expire after WPSNAP_TOKEN_DAYS, and
`wpsnap token create` says when."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from wpsnap.accounts.models import Role, User
from wpsnap.core.models import AuditAction, AuditEvent

from ..api import organisation, person, token_client
from ..conftest import problems_of, sign_in

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
USERS = "/api/v1/users/"


@pytest.fixture
def coordinator() -> User:
    return person("cora", Role.COORDINATOR)


@pytest.fixture
def focal() -> User:
    return person("fred", Role.FOCAL_POINT)


def _sessions_of(user: User) -> int:
    return sum(str(s.get_decoded().get("_auth_user_id")) == str(user.pk) for s in Session.objects.all())


# --- role and organisation changes ----------------------------------------------------------------------


def test_a_focal_point_promoted_to_coordinator_loses_their_token(coordinator, focal) -> None:
    """The attack's reproduction: a focal point's token must not start acting as a coordinator's (listing
    people, with no second factor ever set up). After the promotion through the API the old token is
    refused with 401, and it no longer exists."""
    old = token_client(focal)
    assert old.get(USERS).status_code == 403
    response = token_client(coordinator).patch(
        f"{USERS}{focal.pk}/", {"role": Role.COORDINATOR}, format="json"
    )
    assert response.status_code == 200
    assert old.get(USERS).status_code == 401
    assert old.get(ME).status_code == 401
    assert not Token.objects.filter(user=focal).exists()


def test_a_role_change_on_the_page_ends_the_persons_sessions_and_token(client, coordinator, focal) -> None:
    """The people page's role change ends the person's browser sessions as well as their token: their
    browser is signed out, and its session is deleted on the server."""
    browser = sign_in(Client(), focal)
    token = token_client(focal)
    assert browser.get(ME).status_code == 200
    sign_in(client, coordinator)
    response = client.post(f"/accounts/users/{focal.pk}/role/", {"role": Role.APPROVER})
    assert response.status_code == 302
    assert _sessions_of(focal) == 0
    assert browser.get(ME).status_code == 401
    assert token.get(ME).status_code == 401


def test_a_role_changed_by_any_other_path_ends_the_session(focal) -> None:
    """Even a change that bypasses the services (a shell, a data fix) ends a session signed in under the
    old role: the session's hash covers the role."""
    browser = sign_in(Client(), focal)
    assert browser.get(ME).json()["role"] == Role.FOCAL_POINT
    # A role without a second factor, so that only the ended session can refuse the next request.
    User.objects.filter(pk=focal.pk).update(role=Role.EVALUATOR)
    assert browser.get(ME).status_code == 401


def test_an_organisation_changed_by_any_other_path_ends_the_session(focal) -> None:
    """The same for a move to another agency: the session signed in for the old one ends."""
    browser = sign_in(Client(), focal)
    other = organisation("ministry", key="test-other-ministry")
    User.objects.filter(pk=focal.pk).update(organisation=other)
    assert browser.get(ME).status_code == 401


def test_a_session_that_changes_nothing_stays_signed_in(focal) -> None:
    """Saving a person without changing their role or organisation (a new name) leaves their session."""
    browser = sign_in(Client(), focal)
    User.objects.filter(pk=focal.pk).update(first_name="Frederick")
    assert browser.get(ME).status_code == 200


def test_the_demo_loader_putting_back_a_role_ends_the_token(settings) -> None:
    """`wpsnap demo load` puts back a demo person's changed role and agency; the token made meanwhile,
    under the changed role, ends with it."""
    from wpsnap.demo.data import demo_load

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_load(password="demo-pass-2026", reports=False)
    User.objects.filter(username="mod.focal").update(role=Role.APPROVER)
    client = token_client(User.objects.get(username="mod.focal"))
    assert client.get(ME).json()["role"] == Role.APPROVER
    demo_load(password="demo-pass-2026", reports=False)
    assert client.get(ME).status_code == 401
    assert User.objects.get(username="mod.focal").role == Role.FOCAL_POINT


def test_the_demo_loader_leaves_unchanged_people_signed_in(settings) -> None:
    """A demo person whose role and agency are as the demo has them keeps their token across a load."""
    from wpsnap.demo.data import demo_load

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_load(password="demo-pass-2026", reports=False)
    client = token_client(User.objects.get(username="mod.focal"))
    demo_load(password="demo-pass-2026", reports=False)
    assert client.get(ME).status_code == 200


# --- expiry ---------------------------------------------------------------------------------------------


def _age(user: User, days: float) -> None:
    Token.objects.filter(user=user).update(created=timezone.now() - datetime.timedelta(days=days))


def test_a_token_older_than_its_lifetime_is_refused_and_audited(focal) -> None:
    """A token made more than WPSNAP_TOKEN_DAYS (90) days ago gets 401 saying it expired, and the refusal
    is in the audit trail as every wrong token's is."""
    client = token_client(focal)
    _age(focal, 90.01)
    response = client.get(ME)
    assert response.status_code == 401
    [problem] = problems_of(response)
    assert (problem["field"], problem["code"]) == ("", "authentication_failed")
    assert "expired" in problem["message"]
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, note="api.authenticate").count() == 1


def test_a_token_within_its_lifetime_works(focal) -> None:
    """A token a day short of its lifetime still works."""
    client = token_client(focal)
    _age(focal, 89)
    assert client.get(ME).status_code == 200


def test_the_lifetime_is_a_setting(settings, focal) -> None:
    """WPSNAP_TOKEN_DAYS sets the lifetime: with 7, an 8-day-old token is refused."""
    settings.WPSNAP_TOKEN_DAYS = 7
    client = token_client(focal)
    _age(focal, 8)
    assert client.get(ME).status_code == 401


def test_the_token_command_says_when_the_token_expires(focal) -> None:
    """`wpsnap token create` still prints only the key on standard output (for scripts), and says on
    standard error the day the token expires: 90 days on."""
    out, err = StringIO(), StringIO()
    call_command("token", "create", "fred", stdout=out, stderr=err)
    key = out.getvalue().strip()
    created = Token.objects.get(key=key).created
    expires = timezone.localtime(created + datetime.timedelta(days=90))
    assert f"expires on {expires:%Y-%m-%d %H:%M}" in err.getvalue()
    assert "90 days" in err.getvalue()
