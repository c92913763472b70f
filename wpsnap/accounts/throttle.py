"""Limits per client address on what an attacker repeats: failed sign-ins, and requests the permission
gate refuses (401, 403, 404). Beyond the limit the answer is 429 with ``Retry-After``, decided before
anything is written to the audit trail, so that a flood of refusals cannot flood the trail.

- The address is :func:`wpsnap.core.clientip.client_ip` (``X-Forwarded-For`` only from a trusted proxy).
  A request without one (a unix socket nobody declared a proxy) is not throttled: all such requests would
  share one count, and one person's typos would lock everyone out.
- Counts live in the cache every worker shares (the database cache, settings ``CACHES``), in windows of
  the rate's period that begin at an address's first counted event (``"10/minute"``: at most 10 in the
  minute from the first; the next one begins with the first after that). The database cache has no atomic
  increment, so the count is read, then written: two workers counting at the same instant count one. A
  flood sent to every worker at once can so get through up to about (workers x limit) in a window: still a
  bound, where there was none. An exact count would need a table of its own; the limits are not tight
  enough to need one.
- A throttled request costs one cache read. The request that first goes over the limit in a window is
  audited once, as a refusal noted ``throttled: <what>``, through :func:`wpsnap.core.audit.record_repeated`
  (so sustained abuse from one address is one line whose count is the number of windows it was throttled).
- Ordinary reads are not throttled: only sign-ins that fail and requests that are refused count.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from rest_framework import throttling
from rest_framework.exceptions import Throttled

from wpsnap.core import audit
from wpsnap.core.clientip import client_ip
from wpsnap.core.models import AuditAction

SIGNIN = "signin"
REFUSAL = "refusal"
_SETTINGS = {SIGNIN: "WPSNAP_SIGNIN_RATE", REFUSAL: "WPSNAP_REFUSAL_RATE"}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


def parse_rate(name: str, text: str | None) -> Rate | None:
    """``"10/minute"`` (or ``10/m``, ``/second``, ``/hour``, ``/day``) as a Rate; ``off`` or empty: None."""
    text = (text or "").strip().lower()
    if text in {"", "off", "none", "0"}:
        return None
    count, _slash, period = text.partition("/")
    if not (count.isascii() and count.isdigit()) or not period or period[0] not in _UNITS:
        raise ImproperlyConfigured(f'{name}: {text!r} is not a rate such as "10/minute" (or "off").')
    return Rate(int(count), _UNITS[period[0]])


def rate(scope: str) -> Rate | None:
    name = _SETTINGS[scope]
    return parse_rate(name, getattr(settings, name, None))


def check_rates() -> None:
    """Raise ImproperlyConfigured for a rate setting that is not one, at start-up rather than at the
    first sign-in."""
    for scope in _SETTINGS:
        rate(scope)


class TooManyRequests(Throttled):
    """429. DRF answers it in the API (``Retry-After`` included); on pages ``ThrottledMiddleware`` does."""

    def __init__(self, scope: str, wait: int) -> None:
        if scope == SIGNIN:
            message = _("Too many failed sign-ins from your address. Try again in %(seconds)d seconds.")
        else:
            message = _("Too many refused requests from your address. Try again in %(seconds)d seconds.")
        super().__init__(wait=wait, detail=message % {"seconds": wait})
        self.scope = scope


def _window(request: Any, scope: str) -> tuple[Rate, str, float, int, float] | None:
    """This address's window for ``scope``: the rate, the cache key, when the window began, how many it
    has counted, and the time now; None when nothing is limited (no rate, or no address)."""
    found, address = rate(scope), client_ip(request)
    if found is None or address is None:
        return None
    key = f"wpsnap:throttle:{scope}:{address}"
    now = time.time()
    began, counted = cache.get(key) or (now, 0)
    if now - began >= found.seconds:  # that window is over: a new one begins now
        began, counted = now, 0
    return found, key, began, counted, now


def check(request: Any, scope: str) -> None:
    """Raise :class:`TooManyRequests` if ``request``'s address has used up ``scope`` in its window (which
    begins at the first counted event and lasts the rate's period)."""
    window = _window(request, scope)
    if window is not None:
        _check(request, scope, window)


def _check(request: Any, scope: str, window: tuple[Rate, str, float, int, float]) -> None:
    found, key, began, counted, now = window
    if counted < found.limit:
        return
    wait = math.ceil(began + found.seconds - now)
    if counted == found.limit:
        # The first request over the limit in this window: say so in the audit trail, once.
        cache.set(key, (began, counted + 1), wait)
        audit.record_repeated(
            AuditAction.ACCESS_REFUSED,
            request=request,
            note=f"throttled: {scope}",
            seconds=settings.WPSNAP_AUDIT_REPEAT_SECONDS,
        )
    raise TooManyRequests(scope, wait)


def count(request: Any, scope: str) -> None:
    """One more failed sign-in or refused request from ``request``'s address, in its window."""
    window = _window(request, scope)
    if window is not None:
        _count(window)


def _count(window: tuple[Rate, str, float, int, float]) -> None:
    found, key, began, counted, now = window
    cache.set(key, (began, counted + 1), math.ceil(began + found.seconds - now))


def refusal(request: Any) -> None:
    """A refused request: 429 if the address has had its fill of refusals in this window, else counted
    (one cache read, one write). Called by the permission gate before it writes the refusal to the audit
    trail."""
    window = _window(request, REFUSAL)
    if window is not None:
        _check(request, REFUSAL, window)
        _count(window)


def signin_throttled(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a sign-in view: a POST from an address that has failed ``WPSNAP_SIGNIN_RATE`` times in this
    window gets 429 before any password is checked (or any failed sign-in audited); a POST that does not
    end signed in counts as a failure. Successful sign-ins do not count: a ministry behind one address
    signing in at nine o'clock is not an attack."""

    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        try:
            check(request, SIGNIN)
        except TooManyRequests as exc:
            from .middleware import too_many_requests_page

            return too_many_requests_page(request, exc)
        response = view(request, *args, **kwargs)
        if not request.user.is_authenticated:
            count(request, SIGNIN)
        return response

    return wrapped


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's limit on anonymous API requests (on only when ``WPSNAP_API_ANON_RATE`` is set), by the same
    address as everything else: DRF's own reading believes any client's ``X-Forwarded-For``."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        address = client_ip(request)
        if request.user.is_authenticated or address is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": address}
