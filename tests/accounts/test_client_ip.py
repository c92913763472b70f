"""The client's address (issue 9, item 8): X-Forwarded-For counts only when the request comes from a
trusted proxy, and then its right-most address that is not one of our proxies is the client; the audit
trail, django-axes and the throttles all use that one address."""

from __future__ import annotations

import pytest
from axes.helpers import get_client_ip_address
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from wpsnap.core.clientip import client_ip
from wpsnap.core.models import AuditAction, AuditEvent

PROXY = "10.0.0.5"
ATTACKER = "203.0.113.66"
LOGIN = "/accounts/login/"


def _ip(remote_addr: str, forwarded: str | None = None) -> str | None:
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings) -> None:
    """Nobody is trusted by default: a client's own X-Forwarded-For changes nothing."""
    settings.WPSNAP_TRUSTED_PROXIES = []
    assert _ip(ATTACKER, "198.51.100.1") == ATTACKER


def test_a_header_from_an_untrusted_address_is_ignored(settings) -> None:
    """Only the declared proxy's header is read; anyone else's is theirs to invent."""
    settings.WPSNAP_TRUSTED_PROXIES = [PROXY]
    assert _ip(ATTACKER, "198.51.100.1") == ATTACKER


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.1", "198.51.100.1"),  # the proxy saw 198.51.100.1
        ("1.2.3.4, 198.51.100.1", "198.51.100.1"),  # the client claimed 1.2.3.4: ignored
        ("1.2.3.4, 198.51.100.1, 10.0.0.9", "198.51.100.1"),  # two of our proxies in a row
        ("not-an-address, 198.51.100.1", "198.51.100.1"),
        ("::ffff:198.51.100.1", "198.51.100.1"),  # IPv4 seen through an IPv6 socket
        ("2001:db8::1", "2001:db8::1"),
        ("", PROXY),  # an empty header: the proxy itself
        ("garbage", PROXY),  # nothing our proxy would write: stop at the proxy
    ],
)
def test_a_trusted_proxys_header_is_read_from_the_right(settings, forwarded, expected) -> None:
    """From a trusted proxy, the right-most address that is not one of our proxies is the client."""
    settings.WPSNAP_TRUSTED_PROXIES = [PROXY, "10.0.0.8/30"]
    assert _ip(PROXY, forwarded) == expected


def test_a_proxy_on_a_unix_socket_is_trusted_only_when_declared(settings) -> None:
    """Over a unix socket REMOTE_ADDR is empty: without `unix` in the list there is no address at all
    (and so nothing to throttle by); with it, the proxy's header is read."""
    settings.WPSNAP_TRUSTED_PROXIES = []
    assert _ip("", "198.51.100.1") is None
    settings.WPSNAP_TRUSTED_PROXIES = ["unix"]
    assert _ip("", "198.51.100.1") == "198.51.100.1"


def test_axes_uses_the_same_address(settings) -> None:
    """django-axes asks our function (AXES_CLIENT_IP_CALLABLE), so its records agree with the audit."""
    settings.WPSNAP_TRUSTED_PROXIES = [PROXY]
    request = RequestFactory().post(LOGIN, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert get_client_ip_address(request) == "198.51.100.1"


@pytest.mark.django_db
def test_the_audit_trail_records_the_client_behind_a_trusted_proxy(settings) -> None:
    """A refusal that came through the proxy is recorded with the client's address, not the proxy's."""
    settings.WPSNAP_TRUSTED_PROXIES = [PROXY]
    response = APIClient(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1").get(
        "/api/v1/users/"
    )
    assert response.status_code == 401
    line = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).latest("id")
    assert line.ip_address == "198.51.100.1"


@pytest.mark.django_db
def test_clients_behind_the_proxy_each_have_their_own_sign_in_limit(settings) -> None:
    """Behind a trusted proxy, one client's failed sign-ins do not hold back another: the limit follows
    the forwarded address."""
    settings.WPSNAP_TRUSTED_PROXIES = [PROXY]
    settings.WPSNAP_SIGNIN_RATE = "3/minute"
    first = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert [first.post(LOGIN, {"username": "x", "password": "y"}).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    assert second.post(LOGIN, {"username": "x", "password": "y"}).status_code == 200


@pytest.mark.django_db
def test_inventing_forwarded_addresses_does_not_escape_the_limit(settings) -> None:
    """From an untrusted address, a new X-Forwarded-For on every try changes nothing: the fourth
    failure is still refused with 429."""
    settings.WPSNAP_TRUSTED_PROXIES = [PROXY]
    settings.WPSNAP_SIGNIN_RATE = "3/minute"
    statuses = [
        Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        .post(LOGIN, {"username": "x", "password": "y"})
        .status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
