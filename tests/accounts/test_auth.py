"""Signing in, the second factor, lock-out, session limits and passwords (ASVS 6.2, 6.3, 7.2-7.4)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from wpsnap.accounts.middleware import SESSION_LAST_SEEN, SESSION_SIGNED_IN_AT
from wpsnap.accounts.models import Organisation, Role, User
from wpsnap.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "a long passphrase nobody guesses 42"
PLAN_PAGE = "/plans/az-2020-2023/"
LOGIN_URL = "/accounts/login/"
TWO_FACTOR_URL = "/accounts/two-factor/"

ORGANISATION_KIND = {
    Role.COORDINATOR: "state_committee",
    Role.APPROVER: "state_committee",
    Role.FOCAL_POINT: "ministry",
    Role.NGO_CONTRIBUTOR: "ngo",
    Role.EVALUATOR: "evaluator",
}


def make_user(username: str, role: str = Role.FOCAL_POINT) -> User:
    kind = ORGANISATION_KIND[Role(role)]
    organisation, _ = Organisation.objects.get_or_create(
        country="AZ", key=f"test-{kind}", defaults={"name": f"Test {kind}", "kind": kind}
    )
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, organisation=organisation
    )


def sign_in(
    client: Client, username: str, password: str = PASSWORD, *, follow: bool = False, **extra: Any
) -> Any:
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra}, follow=follow)


def signed_in_user_id(client: Client) -> Any:
    return client.session.get(SESSION_KEY)


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{totp.token():0{device.digits}d}"


def without_token_and_name(html: str, username: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)
    return html.replace(username, "USERNAME")


# --- signing in ---------------------------------------------------------------------------------------


def test_right_password_signs_a_focal_point_in_and_reaches_their_reports(client: Client) -> None:
    """A focal point with the right password is signed in and lands on their work, /reports/ (issue 11:
    it was the home page); no second factor is asked of them."""
    user = make_user("focal")
    response = sign_in(client, "focal", follow=True)
    assert response.redirect_chain == [("/reports/", 302)]
    assert response.status_code == 200
    assert response.wsgi_request.user == user
    assert str(user.pk) == signed_in_user_id(client)


def test_the_sign_in_page_is_labelled_for_password_managers_and_screen_readers(client: Client) -> None:
    """The sign-in page labels its inputs and marks them for password managers."""
    response = client.get(LOGIN_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="form-label" for="id_username">' in html
    assert '<label class="form-label" for="id_password">' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html


def test_a_wrong_password_is_refused_next_to_the_form_and_linked_to_the_fields(client: Client) -> None:
    """A wrong password does not sign in; the message is shown and linked to both inputs."""
    make_user("focal")
    response = sign_in(client, "focal", password="not the password at all")
    html = response.content.decode()
    assert response.status_code == 200
    assert signed_in_user_id(client) is None
    assert 'id="signin-error"' in html
    assert html.count('aria-describedby="signin-error"') == 2
    assert "The username or password is not right." in html


def test_an_empty_field_gets_its_own_message_linked_to_it(client: Client) -> None:
    """Leaving the password empty puts a message under the password input, linked by id."""
    response = client.post(LOGIN_URL, {"username": "someone", "password": ""})
    html = response.content.decode()
    assert 'id="id_password_error"' in html
    assert 'aria-describedby="id_password_error"' in html


def test_unknown_username_and_wrong_password_get_the_same_answer(client: Client) -> None:
    """Whether a username exists cannot be learnt from the sign-in page: an unknown name and a known
    name with a wrong password get the same page, word for word."""
    make_user("focal")
    known = sign_in(client, "focal", password="wrong password here")
    unknown = sign_in(Client(), "nobody", password="wrong password here")
    assert known.status_code == unknown.status_code == 200
    assert without_token_and_name(known.content.decode(), "focal") == without_token_and_name(
        unknown.content.decode(), "nobody"
    )


def test_a_safe_next_page_is_followed_and_an_outside_one_is_not(client: Client) -> None:
    """After signing in, ``next`` is followed when it stays on the site and ignored when it leaves."""
    make_user("focal")
    make_user("other")
    inside = sign_in(client, "focal", next=PLAN_PAGE)
    outside = sign_in(Client(), "other", next="https://evil.example.com/")
    assert inside["Location"] == PLAN_PAGE
    # An outside ``next`` is ignored: the person lands on their work instead.
    assert outside["Location"] == "/reports/"


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.FOCAL_POINT, "/reports/"),
        (Role.NGO_CONTRIBUTOR, "/reports/"),
        (Role.APPROVER, "/reports/queue/"),
        (Role.COORDINATOR, "/dashboard/"),
        (Role.EVALUATOR, "/dashboard/"),
    ],
)
def test_each_role_lands_on_its_work_unless_next_says_otherwise(
    client: Client, role: str, landing: str
) -> None:
    """Without ``next``, focal points and NGO contributors land on their reports, approvers on their
    review queue, coordinators and evaluators on the dashboard (after the second factor where the role
    needs one); a safe ``next`` still wins; a person already signed in who opens the sign-in page is sent
    to the same place."""
    user = make_user("someone", role)
    response = sign_in(client, "someone")
    if user.needs_second_factor:
        assert response["Location"] == f"{TWO_FACTOR_URL}?next={landing.replace('/', '%2F')}"
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        response = client.post(TWO_FACTOR_URL, {"code": code_for(device), "next": landing})
    assert response["Location"] == landing
    assert client.get(LOGIN_URL)["Location"] == landing
    # A fresh sign-in with a safe next goes there, through the second factor where the role needs one.
    through = f"{TWO_FACTOR_URL}?next=%2Fplans%2Faz-2020-2023%2F" if user.needs_second_factor else PLAN_PAGE
    assert sign_in(Client(), "someone", next=PLAN_PAGE)["Location"] == through


def test_the_expired_flag_shows_why_the_person_was_signed_out(client: Client) -> None:
    """``?expired=1`` explains that the session ended after inactivity."""
    response = client.get(f"{LOGIN_URL}?expired=1")
    assert "Your session ended after inactivity; please sign in again." in response.content.decode()


def test_the_session_cookie_is_http_only(client: Client) -> None:
    """The session cookie set at sign-in cannot be read by scripts (HttpOnly)."""
    make_user("focal")
    response = sign_in(client, "focal")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert "HttpOnly" in cookie.output()


# --- lock-out ------------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client: Client) -> None:
    """Five wrong passwords lock the account: the sixth attempt, with the right password, is refused
    with the lock-out page (429), and the audit trail has the failures and the lock-out."""
    make_user("focal")
    failures = [sign_in(client, "focal", password=f"wrong password {n}").status_code for n in range(5)]
    sixth = sign_in(client, "focal")
    assert failures == [200, 200, 200, 200, 429]
    assert sixth.status_code == 429
    assert "This account is locked for an hour" in sixth.content.decode()
    assert signed_in_user_id(client) is None
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_label="focal").count() >= 5
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT, actor_label="focal").exists()
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN, actor_label="focal").exists()


def test_locking_one_account_leaves_another_alone(client: Client) -> None:
    """A lock-out is per account: from the same address, another person still signs in."""
    make_user("focal")
    other = make_user("other")
    for n in range(5):
        sign_in(client, "focal", password=f"wrong password {n}")
    response = sign_in(client, "other")
    assert response.status_code == 302
    assert str(other.pk) == signed_in_user_id(client)


def test_an_unknown_username_is_locked_out_like_a_real_one(client: Client) -> None:
    """Lock-out does not reveal which accounts exist: an unknown name is locked out the same way."""
    make_user("focal")
    for n in range(5):
        sign_in(client, "focal", password=f"wrong password {n}")
        sign_in(client, "nobody", password=f"wrong password {n}")
    known = sign_in(client, "focal", password="wrong again")
    unknown = sign_in(client, "nobody", password="wrong again")
    assert known.status_code == unknown.status_code == 429
    assert without_token_and_name(known.content.decode(), "focal") == without_token_and_name(
        unknown.content.decode(), "nobody"
    )


# --- the second factor ---------------------------------------------------------------------------------


def test_a_coordinator_sets_up_totp_before_reaching_any_page_and_a_code_works_once(client: Client) -> None:
    """A coordinator signed in with a password only is sent to set up two-factor sign-in; a right code
    confirms the app and lets them through, and is written to the audit trail. Signing in again, the
    same code is refused (a code works once) and a newer one is accepted."""
    coordinator = make_user("coord", Role.COORDINATOR)

    signed_in = sign_in(client, "coord", next=PLAN_PAGE)
    assert signed_in["Location"] == f"{TWO_FACTOR_URL}?next=%2Fplans%2Faz-2020-2023%2F"
    blocked = client.get(PLAN_PAGE)
    assert blocked.status_code == 302
    assert blocked["Location"] == f"{TWO_FACTOR_URL}?next={PLAN_PAGE}"

    setup = client.get(blocked["Location"])
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    html = setup.content.decode()
    assert setup.status_code == 200
    assert "<svg" in html
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    assert "no-store" in setup["Cache-Control"]

    code = code_for(device)
    wrong = client.post(
        TWO_FACTOR_URL, {"code": "000000" if code != "000000" else "111111", "next": PLAN_PAGE}
    )
    assert wrong.status_code == 200
    assert 'aria-describedby="id_code_helptext id_code_error"' in wrong.content.decode()
    # A wrong code makes the device wait a second before the next try (django-otp's throttle).
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()
    confirmed = client.post(TWO_FACTOR_URL, {"code": code, "next": PLAN_PAGE})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == PLAN_PAGE
    assert client.get(PLAN_PAGE).status_code == 200
    device.refresh_from_db()
    assert device.confirmed is True
    assert AuditEvent.objects.filter(action=AuditAction.SECOND_FACTOR, actor=coordinator).count() == 1

    client.post(reverse("accounts:logout"))
    second = Client()
    sign_in(second, "coord")
    verify_page = second.get(TWO_FACTOR_URL)
    assert "Enter your sign-in code" in verify_page.content.decode()
    replayed = second.post(TWO_FACTOR_URL, {"code": code, "next": PLAN_PAGE})
    assert replayed.status_code == 200
    assert "used already" in replayed.content.decode()
    assert second.get(PLAN_PAGE)["Location"] == f"{TWO_FACTOR_URL}?next={PLAN_PAGE}"
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor=coordinator).count() == 1

    device.refresh_from_db()
    # A device's throttle would slow a brute force; reset it so the next, newer code is judged on its merits.
    device.throttle_reset()
    newer = second.post(TWO_FACTOR_URL, {"code": code_for(device, steps_ahead=1), "next": PLAN_PAGE})
    assert newer["Location"] == PLAN_PAGE
    assert second.get(PLAN_PAGE).status_code == 200


def test_a_totp_code_is_refused_the_second_time_by_the_device_itself(client: Client) -> None:
    """django-otp remembers the time step of the last accepted code, so the same code fails twice."""
    coordinator = make_user("coord", Role.COORDINATOR)
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    code = code_for(device)
    assert device.verify_token(code) is True
    device.throttle_reset()
    assert device.verify_token(code) is False


def test_wrong_codes_slow_down_the_next_try(client: Client, settings: Any) -> None:
    """After a wrong code the device refuses every code, even the right one, for a while (django-otp's
    throttle), so that six digits cannot be guessed by trying them all."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    coordinator = make_user("coord", Role.COORDINATOR)
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    sign_in(client, "coord")
    code = code_for(device)
    client.post(TWO_FACTOR_URL, {"code": "000000" if code != "000000" else "111111"})
    response = client.post(TWO_FACTOR_URL, {"code": code})
    assert response.status_code == 200
    assert "Too many wrong codes in a row." in response.content.decode()
    assert client.get(PLAN_PAGE).status_code == 302


def test_the_session_key_changes_when_the_second_factor_is_confirmed(client: Client) -> None:
    """Passing the second factor gives the session a new key, as signing in does."""
    coordinator = make_user("coord", Role.COORDINATOR)
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    sign_in(client, "coord")
    before = client.session.session_key
    client.post(TWO_FACTOR_URL, {"code": code_for(device)})
    assert client.session.session_key != before
    assert not SessionStore().exists(before)


def test_an_approver_needs_the_second_factor_too(client: Client) -> None:
    """An agency approver signed in with a password only is sent to the two-factor page."""
    make_user("approver", Role.APPROVER)
    sign_in(client, "approver")
    response = client.get(PLAN_PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{TWO_FACTOR_URL}?next={PLAN_PAGE}"


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.NGO_CONTRIBUTOR, Role.EVALUATOR])
def test_other_roles_need_no_second_factor(client: Client, role: str) -> None:
    """Focal points, NGO contributors and evaluators reach pages with their password alone, and the
    two-factor page just sends them on."""
    make_user("person", role)
    sign_in(client, "person")
    assert client.get(PLAN_PAGE).status_code == 200
    assert client.get(f"{TWO_FACTOR_URL}?next={PLAN_PAGE}")["Location"] == PLAN_PAGE
    assert not TOTPDevice.objects.exists()


def test_the_two_factor_page_needs_a_signed_in_person(client: Client) -> None:
    """Without a session the two-factor page sends people to sign in first."""
    response = client.get(TWO_FACTOR_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


@pytest.mark.parametrize("name", ["login", "logout", "two_factor"])
def test_every_sign_in_page_passes_the_permission_gate(name: str) -> None:
    """The sign-in pages are public by a rule of the permission gate, not by leaving the gate out."""
    from django.urls import resolve

    assert resolve(reverse(f"accounts:{name}")).func.gate_action == "account.signin"  # type: ignore[attr-defined]


# --- sessions ------------------------------------------------------------------------------------------


def test_idle_session_ends_after_the_configured_minutes(client: Client, settings: Any) -> None:
    """A session unused for longer than WPSNAP_SESSION_IDLE_MINUTES is signed out on its next
    request, which goes to the sign-in page saying why."""
    settings.WPSNAP_SESSION_IDLE_MINUTES = 30
    make_user("focal")
    sign_in(client, "focal")
    session = client.session
    session[SESSION_LAST_SEEN] = time.time() - 31 * 60
    session.save()
    response = client.get(PLAN_PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={PLAN_PAGE}&expired=1"
    assert signed_in_user_id(client) is None
    assert client.get(PLAN_PAGE).wsgi_request.user.is_authenticated is False


def test_a_recently_used_session_stays_signed_in(client: Client, settings: Any) -> None:
    """A session used 29 minutes ago, within the idle limit, is still signed in."""
    settings.WPSNAP_SESSION_IDLE_MINUTES = 30
    user = make_user("focal")
    sign_in(client, "focal")
    session = client.session
    session[SESSION_LAST_SEEN] = time.time() - 29 * 60
    session.save()
    response = client.get(PLAN_PAGE)
    assert response.status_code == 200
    assert response.wsgi_request.user == user


def test_a_session_ends_after_its_absolute_lifetime_however_busy(client: Client, settings: Any) -> None:
    """WPSNAP_SESSION_MAX_HOURS after signing in, the session ends even if it was used a moment ago."""
    settings.WPSNAP_SESSION_MAX_HOURS = 10
    make_user("focal")
    sign_in(client, "focal")
    session = client.session
    session[SESSION_SIGNED_IN_AT] = time.time() - 11 * 3600
    session[SESSION_LAST_SEEN] = time.time() - 10
    session.save()
    response = client.get(PLAN_PAGE)
    assert response["Location"] == f"{LOGIN_URL}?next={PLAN_PAGE}&expired=1"
    assert signed_in_user_id(client) is None


def test_the_session_key_changes_at_sign_in(client: Client) -> None:
    """A session key planted before sign-in is not the one used after it (no session fixation), and
    the old key no longer exists on the server."""
    make_user("focal")
    planted = client.session
    planted["planted"] = True
    planted.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    response = sign_in(client, "focal")
    new_key = response.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key
    assert new_key != planted.session_key
    assert not SessionStore().exists(planted.session_key)


def test_signing_out_by_post_ends_the_session_on_the_server(client: Client) -> None:
    """After signing out, replaying the old session cookie is not signed in."""
    make_user("focal")
    sign_in(client, "focal")
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert replay.get("/").wsgi_request.user.is_authenticated is False
    assert not SessionStore().exists(old_key)
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor_label="focal").count() == 1


def test_signing_out_by_get_only_asks(client: Client) -> None:
    """A GET of the sign-out address shows a confirmation form and leaves the person signed in."""
    user = make_user("focal")
    sign_in(client, "focal")
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 200
    assert f'action="{reverse("accounts:logout")}"' in response.content.decode()
    assert str(user.pk) == signed_in_user_id(client)


# --- passwords -----------------------------------------------------------------------------------------


def test_short_and_common_passwords_are_refused() -> None:
    """A 7-character password and "password123" fail the password validators."""
    with pytest.raises(ValidationError):
        validate_password("k7#pQz!")
    with pytest.raises(ValidationError):
        validate_password("password123")


def test_a_64_character_passphrase_is_accepted() -> None:
    """Long passphrases are welcome: 64 characters pass every validator."""
    passphrase = "correct horse battery staple under the caspian sky at dawn, 2024"
    assert len(passphrase) == 64
    assert validate_password(passphrase) is None


def test_passwords_are_hashed_with_argon2() -> None:
    """Argon2 is the first hasher, so new and changed passwords are stored as Argon2 hashes."""
    user = make_user("focal")
    user.set_password("another long passphrase for argon")
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert user.password.startswith("argon2")
