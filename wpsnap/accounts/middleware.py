"""Session time limits and the second factor, enforced on every request; the page of a throttled request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation

from .language import PUBLIC_PREFIXES

SESSION_SIGNED_IN_AT = "wpsnap_signed_in_at"
SESSION_LAST_SEEN = "wpsnap_last_seen"


class SessionTimeoutMiddleware:
    """Sign out after WPSNAP_SESSION_IDLE_MINUTES without a request, and WPSNAP_SESSION_MAX_HOURS after
    sign-in whatever happens (ASVS 7.3.1, 7.3.2). Token-authenticated API calls carry no session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            signed_in_at = request.session.get(SESSION_SIGNED_IN_AT)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            if signed_in_at is None:
                request.session[SESSION_SIGNED_IN_AT] = signed_in_at = now
            idle = now - last_seen > settings.WPSNAP_SESSION_IDLE_MINUTES * 60
            too_long = now - signed_in_at > settings.WPSNAP_SESSION_MAX_HOURS * 3600
            if idle or too_long:
                logout(request)
                return redirect(
                    f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path, 'expired': 1}, safe='/')}"
                )
            # Write at most once a minute, so that every page view does not rewrite the session row.
            if now - last_seen > 60 or SESSION_LAST_SEEN not in request.session:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


# Paths a signed-in coordinator or approver may reach before the second factor.
SECOND_FACTOR_OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/i18n/")


class SecondFactorMiddleware:
    """Coordinators and approvers signed in with a password only are sent to set up or enter their
    TOTP code before anything else (ASVS 6.3.3)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "needs_second_factor", False)
            and not user.is_verified()  # type: ignore[attr-defined]
            and not request.path.startswith(SECOND_FACTOR_OPEN_PREFIXES)
            and not request.path.startswith("/api/")
        ):
            return redirect(f"{reverse('accounts:two_factor')}?{urlencode({'next': request.path}, safe='/')}")
        return self.get_response(request)


def too_many_requests_page(request: HttpRequest, exc: Any) -> HttpResponse:
    """The page a throttled person sees (429), saying how long to wait; ``Retry-After`` says it to
    programs."""
    response = render(
        request,
        "accounts/too_many_requests.html",
        {"message": exc.detail, "signin": exc.scope == "signin", "wait": exc.wait},
        status=429,
    )
    response["Retry-After"] = str(int(exc.wait))
    return response


class ThrottledMiddleware:
    """Pages answer a throttled refusal (``accounts.throttle.TooManyRequests``, raised by the permission
    gate before it audits) with 429; the API answers it itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from .throttle import TooManyRequests

        if isinstance(exception, TooManyRequests):
            return too_many_requests_page(request, exception)
        return None


class UserLanguageMiddleware:
    """Staff pages in the signed-in person's stored language (``User.language``), placed after
    LocaleMiddleware and the sign-in. Public portal pages keep the language of their path (``/az/``,
    ``/en/``, ``/ru/``, none for Azerbaijani), whoever reads them; a person with no stored choice keeps
    what LocaleMiddleware found (the language cookie, the browser's languages, the site's default)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any) -> None:
        user = request.user
        language = getattr(user, "language", "") if user.is_authenticated else ""
        if not language or language == translation.get_language():
            return None
        if request.path.startswith(PUBLIC_PREFIXES) or _is_portal(view_func):
            return None
        translation.activate(language)
        request.LANGUAGE_CODE = language
        return None


def _is_portal(view_func: Any) -> bool:
    view = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None) or view_func
    return str(getattr(view, "__module__", "")).startswith("wpsnap.portal")
