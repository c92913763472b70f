"""Limits on what a request may carry, checked before any view (or other middleware) reads it.

- **Body size by ``Content-Length``.** Django refuses a form over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only
  after reading it, and a file upload only after it has been received whole (a 200 MB upload to a 20 MB
  evidence form was received in full, then refused). A declared length over the route's limit is
  answered 413 here, before the body is read. A route says what it takes with ``@max_body(SETTING)``
  (or ``max_body = SETTING`` on a DRF view; or a function answering the bytes, for a limit per route,
  e.g. a registry's files); any other takes ``DATA_UPLOAD_MAX_MEMORY_SIZE``. Both get
  ``BODY_SLACK`` on top for the multipart envelope and the other fields. A request without a declared
  length (chunked) keeps Django's own limits.
- **Control characters in the address and the query string.** A NUL in ``?plan=a%00b`` (or in a
  ``<str:key>`` of a path) passes every Python check and is then refused by PostgreSQL with a server
  error. Checking each view's parameters would leave it to each view to remember; here one check covers
  every page and every API endpoint, before the view runs, and answers 400 naming the parameter (JSON
  under ``/api/``). Text in bodies is checked where it is parsed:
  the API's JSON parser (``wpsnap.core.parsers``) and Django's form fields (``CharField`` refuses NUL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from . import params
from .errors import InvalidInput, Problem
from .views import refused_page

# Room for the multipart envelope and the form's other fields (CSRF token, a purpose, a checkbox).
BODY_SLACK = 64 * 1024

V = TypeVar("V", bound=Callable[..., Any])


def max_body(setting: str) -> Callable[[V], V]:
    """View decorator: this route takes a body of up to ``settings.<setting>`` bytes (plus
    ``BODY_SLACK``), e.g. ``@max_body("WPSNAP_EVIDENCE_MAX_BYTES")`` on an upload page. Put it outermost,
    so that the attribute is on the function the URL resolves to."""

    def decorator(view: V) -> V:
        view.max_body = setting  # type: ignore[attr-defined]
        return view

    return decorator


def body_limit(view: Any) -> int:
    """The largest body ``view`` (a resolved URL's function) takes, in bytes."""
    # A DRF view's function carries its class as ``cls``; the class may name a setting.
    setting = getattr(view, "max_body", None) or getattr(getattr(view, "cls", None), "max_body", None)
    if callable(setting):
        # A limit worked out per route when asked (a registry's files: its kind's, under a ceiling).
        return int(setting()) + BODY_SLACK
    base = getattr(settings, setting) if setting else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return int(base) + BODY_SLACK


def _declared_length(request: HttpRequest) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or ""
    return int(raw) if raw.isascii() and raw.isdigit() else None


class RequestLimitsMiddleware:
    """Refuses, before anything reads them, bodies declared larger than their route takes (413) and
    addresses and query strings with control characters (400); and answers refused input a page's view
    did not catch with 400. Placed before the CSRF middleware, which reads forms."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request)
        # The smallest limit is the default one: only a larger body needs its route looked up.
        if length is not None and length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE + BODY_SLACK:
            try:
                limit = body_limit(resolve(request.path_info).func)
            except Resolver404:
                limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + BODY_SLACK
            if length > limit:
                return self._too_large(request, limit)
        problems = params.query_problems(_pairs(request))
        if params.has_control(request.path_info):
            # A "<str:key>" in an address takes anything but "/": a NUL in it would reach a query too.
            message = _("The address contains a control character (such as NUL).")
            problems.insert(0, Problem("path", "control_character", message))
        if problems:
            return refused_page(request, problems, 400)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Refused input that a page's view did not catch (a parameter ``params`` refused) answers 400
        with its message rather than a server error. The API's views answer it themselves (400 JSON)."""
        if isinstance(exception, InvalidInput):
            return refused_page(request, exception.problems, 400)
        return None

    @staticmethod
    def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
        # Nothing was read. (The server closes the connection when a response leaves a body unread.)
        mb = max(1, (limit - BODY_SLACK) // (1024 * 1024))
        message = _(
            "What was sent is larger than %(mb)d MB, the most this address takes, so nothing was read or saved."
        ) % {"mb": mb}
        return refused_page(request, [Problem("body", "too_large", message)], 413)


def _pairs(request: HttpRequest) -> Iterator[tuple[str, str]]:
    return ((key, value) for key, values in request.GET.lists() for value in values)
