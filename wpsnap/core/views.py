"""Answers to requests that fail before any view of ours runs, or where a view fails: Django's
``handler400``, ``handler403``, ``handler404`` and ``handler500``. Under ``/api/`` each answers JSON in the
API's one error body (``{"problems": [{"field", "code", "message"}]}``, as ``core.api`` answers), so that a
client never has to parse an HTML page; elsewhere the styled pages. ``handler500`` answers 503 instead when
the database cannot serve (``core.outage``)."""

from __future__ import annotations

import contextlib
import sys
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults

from . import outage
from .api import problems_body
from .errors import Problem

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    """Whether ``request`` is addressed to the REST API, whose every answer is JSON."""
    return request.path_info.startswith(API_PREFIX)


def api_errors(problems: list[Problem], status: int) -> JsonResponse:
    """The API's one error body, for answers made outside DRF (middleware, Django's handlers)."""
    response = JsonResponse(problems_body(problems), status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def refused_page(request: HttpRequest, problems: list[Problem], status: int) -> HttpResponse:
    """``problems`` on the styled page of a refused request (400.html), each beside the field or parameter
    it names, or JSON under ``/api/``."""
    if is_api(request):
        return api_errors(problems, status)
    body: str = " ".join(str(problem) for problem in problems)
    # The page must answer even if the request is too broken to render the layout: then the messages alone.
    with contextlib.suppress(Exception):
        body = loader.render_to_string("400.html", {"problems": problems}, request=request)
    response = HttpResponse(body, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """Django's ``handler400``. A form over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (rows pasted into the import
    page, most often) is refused before the view can name the field: say what happened and what to do."""
    if isinstance(exception, RequestDataTooBig):
        mb = max(1, settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024))
        message = _(
            "What was sent is larger than %(mb)d MB, so nothing was read or saved. Upload long lists of "
            "participants as a file (CSV or Excel) instead of pasting them."
        ) % {"mb": mb}
        problem = Problem("text", "too_large", message)
    else:
        message = _("The request could not be understood, so nothing was saved. Go back and try again.")
        problem = Problem("", "bad_request", message)
    return refused_page(request, [problem], 400)


def _previous_page(request: HttpRequest) -> str:
    """The page the person came from, when it is on this site and is not this one; else ""."""
    referer = request.headers.get("Referer", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    if urlsplit(referer).path == request.path:
        return ""
    return referer


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """Django's ``handler403``: JSON under ``/api/``; elsewhere 403.html, which says plainly what happened
    and the ways back: the person's own work (``workspace_url``, from accounts' context processor), the
    page they came from, signing in as someone else."""
    if is_api(request):
        return api_errors([Problem("", "permission_denied", _("You may not do this."))], 403)
    context = {"previous_page": _previous_page(request), "here": request.get_full_path()}
    try:
        body = loader.render_to_string("403.html", context, request=request)
    except Exception:  # the page must answer even if the layout cannot render
        return defaults.permission_denied(request, exception)
    response = HttpResponse(body, status=403)
    response["Cache-Control"] = "private, no-store"
    return response


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """Django's ``handler404``: JSON under ``/api/`` (an address the API does not have), else 404.html."""
    if is_api(request):
        message = _("The API has no such address; see /api/v1/docs/.")
        return api_errors([Problem("path", "not_found", message)], 404)
    return defaults.page_not_found(request, exception)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: the API's problem JSON under ``/api/``, else 503.html, standalone (the
    layout reads the signed-in person, from the database) and translated, with the ways back and nothing
    about the server. Nothing here touches the database."""
    if is_api(request):
        message = _(
            "The service is unavailable for a moment and nothing was saved; try again in %(seconds)d seconds."
        ) % {"seconds": outage.RETRY_AFTER_SECONDS}
        response: HttpResponse = api_errors([Problem("", "unavailable", message)], 503)
    else:
        context = {
            "try_again": request.get_full_path() if request.method in ("GET", "HEAD") else "",
            "previous_page": _previous_page(request),
        }
        # The public portal's pages carry their language in the path (/ru/...), which the portal's views
        # activate themselves; staff pages are in the language already active.
        with translation.override(
            translation.get_language_from_path(request.path_info) or translation.get_language()
        ):
            body = loader.render_to_string("503.html", context)
        response = HttpResponse(body, status=503)
        response["Cache-Control"] = "private, no-store"
    response["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
    # core.outage logs one line per outage: not django.request's traceback for every refused request.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``: JSON under ``/api/``, else 500.html (standalone: the layout may be what
    failed). Nothing here touches the database, which may be what failed. When what failed is the
    database not serving (Django calls this while handling the exception), 503 instead
    (:func:`service_unavailable`)."""
    failure = sys.exc_info()[1]
    if outage.is_unavailable(failure):
        assert failure is not None
        outage.note_failure(failure)
        return service_unavailable(request)
    if is_api(request):
        message = _("Something went wrong on our side and nothing was saved; try again later.")
        return api_errors([Problem("", "server_error", message)], 500)
    return defaults.server_error(request)
