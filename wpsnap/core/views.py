"""Answers to requests that fail before any view of ours runs, or where a view fails: Django's
``handler400``, ``handler403``, ``handler404`` and ``handler500``. Under ``/api/`` each answers JSON in the
API's one error shape (``{"errors": [...]}``), so that a client never has to parse an HTML page; elsewhere
the styled pages."""

from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    """Whether ``request`` is addressed to the REST API, whose every answer is JSON."""
    return request.path_info.startswith(API_PREFIX)


def api_errors(messages: list[str], status: int, *, detail: bool = False) -> JsonResponse:
    """The API's one error shape, for answers made outside DRF (middleware, Django's handlers). With
    ``detail``, also DRF's ``{"detail": ...}``, which the schema documents for 403 and 404: an address
    that matches no route and an object that is not found answer alike."""
    body: dict[str, Any] = {"errors": messages}
    if detail:
        body["detail"] = " ".join(messages)
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def refused_page(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """``message`` on the styled page of a refused request (400.html), or JSON under ``/api/``."""
    if is_api(request):
        return api_errors([message], status)
    body: str = message
    # The page must answer even if the request is too broken to render the layout: then the message alone.
    with contextlib.suppress(Exception):
        body = loader.render_to_string("400.html", {"message": message}, request=request)
    response = HttpResponse(body, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """Django's ``handler400``. A form over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (rows pasted into the import
    page, most often) is refused before the view can name the field: say what happened and what to do."""
    if isinstance(exception, RequestDataTooBig):
        mb = max(1, settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024))
        message = _(
            "text: what was sent is larger than %(mb)d MB, so nothing was read or saved. Upload long lists "
            "of participants as a file (CSV or Excel) instead of pasting them."
        ) % {"mb": mb}
    else:
        message = _("The request could not be understood, so nothing was saved. Go back and try again.")
    return refused_page(request, message, 400)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """Django's ``handler403`` (a refusal outside DRF, such as a failed CSRF check): JSON under ``/api/``,
    with ``detail`` as DRF's own 403 has it."""
    if is_api(request):
        return api_errors([_("You may not do this.")], 403, detail=True)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """Django's ``handler404``: JSON under ``/api/`` (an address the API does not have), else 404.html."""
    if is_api(request):
        return api_errors([_("path: the API has no such address; see /api/v1/docs/.")], 404, detail=True)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``: JSON under ``/api/``, else 500.html (standalone: the layout may be what
    failed). Nothing here touches the database, which may be what failed."""
    if is_api(request):
        return api_errors(
            [_("server: something went wrong on our side and nothing was saved; try again later.")], 500
        )
    return defaults.server_error(request)
