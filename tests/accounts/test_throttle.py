"""Limits per client address (issue 9, item 8): failed sign-ins across user names, and requests the
permission gate refuses, answer 429 beyond their rate, before anything is written to the audit trail;
an anonymous caller's repeated refusals are one audit line with a count; ordinary reads are not limited."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from rest_framework.test import APIClient

from wpsnap.accounts import throttle
from wpsnap.accounts.models import Role
from wpsnap.core.models import AuditAction, AuditEvent

from ..api import person, token_client
from ..conftest import problems_of, sign_in

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
ATTACKER = "198.51.100.7"
NEIGHBOUR = "198.51.100.8"
PASSWORD = "correct horse battery staple"  # the password tests.api.person gives everyone


@pytest.fixture
def limits(settings):
    """The production defaults: 10 failed sign-ins and 30 refusals per address in a minute."""
    settings.WPSNAP_SIGNIN_RATE = "10/minute"
    settings.WPSNAP_REFUSAL_RATE = "30/minute"
    return settings


def _refusals(**lookup) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, **lookup).order_by("id"))


# --- signing in ----------------------------------------------------------------------------------------


def test_thirty_sign_ins_with_different_names_from_one_address_are_cut_off_at_the_limit(limits) -> None:
    """The attack's reproduction: 30 attempts with 30 user names from one address. The first 10 are
    answered (wrong password); the rest get 429 with Retry-After and a page saying how long to wait, and
    no password is checked for them: 10 failed sign-ins in the audit trail, plus one line saying the
    address was throttled."""
    client = Client(REMOTE_ADDR=ATTACKER)
    statuses = [
        client.post(LOGIN, {"username": f"user{n}", "password": "guess"}).status_code for n in range(30)
    ]
    assert statuses == [200] * 10 + [429] * 20
    throttled = client.post(LOGIN, {"username": "user30", "password": "guess"})
    assert 0 < int(throttled["Retry-After"]) <= 61
    assert "Too many failed sign-ins from your address" in throttled.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 10
    (line,) = _refusals(note="throttled: signin")
    assert line.ip_address == ATTACKER


def test_a_throttled_address_is_refused_even_with_the_right_password(limits) -> None:
    """While an address is throttled, nobody signs in from it: the password is not even looked at."""
    person("ada", Role.FOCAL_POINT)
    client = Client(REMOTE_ADDR=ATTACKER)
    for n in range(10):
        client.post(LOGIN, {"username": f"nobody{n}", "password": "guess"})
    response = client.post(LOGIN, {"username": "ada", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_successful_sign_ins_do_not_count(limits) -> None:
    """A ministry behind one address signing in at nine o'clock is not an attack: 15 successful
    sign-ins from one address all get in."""
    people = [person(f"clerk{n}", Role.FOCAL_POINT) for n in range(15)]
    for user in people:
        response = Client(REMOTE_ADDR=ATTACKER).post(LOGIN, {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, user.username


def test_another_address_is_not_held_back_by_an_attackers_failures(limits) -> None:
    """The limit is per address: after one address is throttled, a neighbour still signs in."""
    person("ada", Role.FOCAL_POINT)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for n in range(11):
        attacker.post(LOGIN, {"username": f"nobody{n}", "password": "guess"})
    response = Client(REMOTE_ADDR=NEIGHBOUR).post(LOGIN, {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302


def test_the_limit_lifts_when_its_window_ends(settings) -> None:
    """A window lasts the rate's period from its first refusal: with a limit of 2 a second, the third
    refusal within the second gets 429, and a request after the second is answered again."""
    settings.WPSNAP_REFUSAL_RATE = "2/second"
    client = APIClient(REMOTE_ADDR=ATTACKER)
    statuses = [client.get("/api/v1/users/").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    time.sleep(1.05)
    assert client.get("/api/v1/users/").status_code == 401


def test_the_admins_sign_in_is_limited_too(limits) -> None:
    """/admin/login/ is another place to try passwords: the same limit per address applies there."""
    client = Client(REMOTE_ADDR=ATTACKER)
    statuses = [
        client.post(ADMIN_LOGIN, {"username": f"user{n}", "password": "guess"}).status_code for n in range(12)
    ]
    assert statuses == [200] * 10 + [429] * 2


# --- refused requests -----------------------------------------------------------------------------------


def test_three_hundred_anonymous_api_requests_write_a_bounded_audit(limits) -> None:
    """The attack's reproduction: 300 anonymous requests for the people list. The first 30 get 401 and
    are one audit line with the count 30; the other 270 get 429 in the API's error shape with
    Retry-After, and write one more line, saying the address was throttled."""
    client = APIClient(REMOTE_ADDR=ATTACKER)
    responses = [client.get("/api/v1/users/") for _ in range(300)]
    assert [r.status_code for r in responses] == [401] * 30 + [429] * 270
    last = responses[-1]
    [problem] = problems_of(last)
    assert (problem["field"], problem["code"]) == ("", "throttled")
    assert "Too many refused requests from your address" in problem["message"]
    assert 0 < int(last["Retry-After"]) <= 61
    refused, throttled = _refusals()
    assert (refused.note, refused.count, refused.ip_address) == ("user.list", 30, ATTACKER)
    assert (throttled.note, throttled.count) == ("throttled: refusal", 1)


def test_wrong_tokens_count_as_refusals(limits) -> None:
    """Guessing tokens: each wrong token is a refusal (401, on one counted line); beyond the limit, 429
    without an audit write."""
    client = APIClient(REMOTE_ADDR=ATTACKER)
    statuses = []
    for n in range(32):
        client.credentials(HTTP_AUTHORIZATION=f"Token guess{n:036d}")
        statuses.append(client.get("/api/v1/me/").status_code)
    assert statuses == [401] * 30 + [429] * 2
    refused, throttled = _refusals()
    assert (refused.note, refused.count) == ("api.authenticate", 30)
    assert throttled.note == "throttled: refusal"


def test_each_action_refused_to_an_anonymous_caller_has_its_own_counted_line(limits) -> None:
    """Anonymous refusals are summed per action: people and the audit trail, asked for three times
    each, are two lines with the count 3."""
    client = APIClient(REMOTE_ADDR=ATTACKER)
    for _ in range(3):
        assert client.get("/api/v1/users/").status_code == 401
        assert client.get("/api/v1/audit/").status_code == 401
    assert sorted((line.note, line.count) for line in _refusals()) == [("audit.view", 3), ("user.list", 3)]


def test_a_signed_in_persons_refusals_each_keep_their_own_line(limits) -> None:
    """A person's refusals name them and are not summed: a focal point refused the people list five
    times leaves five lines, each with the count 1."""
    client = token_client(person("fred", Role.FOCAL_POINT))
    for _ in range(5):
        assert client.get("/api/v1/users/").status_code == 403
    lines = _refusals()
    assert [(line.actor_label, line.count) for line in lines] == [("fred", 1)] * 5


def test_refused_pages_are_limited_too(limits, client) -> None:
    """A signed-in focal point who keeps opening the people page gets 403 thirty times, then a 429
    page with Retry-After; the 429s are not audited beyond the one line saying so."""
    sign_in(client, person("fred", Role.FOCAL_POINT))
    statuses = [client.get("/accounts/users/").status_code for _ in range(32)]
    assert statuses == [403] * 30 + [429] * 2
    response = client.get("/accounts/users/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many refused requests from your address" in response.content.decode()
    assert len(_refusals(note="user.list")) == 30
    assert len(_refusals(note="throttled: refusal")) == 1


def test_ordinary_public_reads_are_not_limited(limits) -> None:
    """The public portal's reads are never throttled: 100 anonymous reads of the plans and
    organisations, and of a public plan page, all answer 200 and write nothing."""
    api = APIClient(REMOTE_ADDR=ATTACKER)
    page = Client(REMOTE_ADDR=ATTACKER)
    before = AuditEvent.objects.count()
    for _ in range(50):
        assert api.get("/api/v1/plans/").status_code == 200
        assert api.get("/api/v1/organisations/").status_code == 200
    for _ in range(10):
        assert page.get("/plans/az-2020-2023/").status_code == 200
    assert AuditEvent.objects.count() == before


def test_the_audit_trail_shows_the_count(limits, client) -> None:
    """A counted line says how many times, in the API (``count``) and on the audit page."""
    anonymous = APIClient(REMOTE_ADDR=ATTACKER)
    for _ in range(4):
        anonymous.get("/api/v1/users/")
    coordinator = person("cora", Role.COORDINATOR)
    rows = token_client(coordinator).get("/api/v1/audit/", {"action": "access_refused"}).json()["results"]
    assert [(row["note"], row["count"]) for row in rows] == [("user.list", 4)]
    sign_in(client, coordinator)
    page = client.get("/accounts/audit/", {"action": "access_refused"}).content.decode()
    assert "4 times" in page


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10/minute", (10, 60)),
        ("30/m", (30, 60)),
        ("2/second", (2, 1)),
        ("5/hour", (5, 3600)),
        ("1/day", (1, 86400)),
    ],
)
def test_a_rate_is_a_count_per_period(text, expected) -> None:
    """Rates are written as DRF writes them: a count, a slash and a period (only its first letter counts)."""
    found = throttle.parse_rate("WPSNAP_SIGNIN_RATE", text)
    assert (found.limit, found.seconds) == expected


@pytest.mark.parametrize("text", ["off", "", "0"])
def test_a_rate_can_be_turned_off(text) -> None:
    """`off` (or nothing) turns a limit off."""
    assert throttle.parse_rate("WPSNAP_REFUSAL_RATE", text) is None


@pytest.mark.parametrize("text", ["ten/minute", "10", "10/fortnight", "¹/minute"])
def test_a_rate_that_is_not_one_stops_start_up_naming_the_setting(text) -> None:
    """A mistyped rate is refused at start-up, naming the variable, rather than at the first sign-in."""
    with pytest.raises(ImproperlyConfigured, match="WPSNAP_SIGNIN_RATE"):
        throttle.parse_rate("WPSNAP_SIGNIN_RATE", text)
