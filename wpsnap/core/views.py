"""Answers to requests that fail before any view of ours runs."""

from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template import loader
from django.utils.translation import gettext as _


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
    body: str = message
    # The page must answer even if the request is too broken to render the layout: then the message alone.
    with contextlib.suppress(Exception):
        body = loader.render_to_string("400.html", {"message": message}, request=request)
    response = HttpResponseBadRequest(body)
    response["Cache-Control"] = "private, no-store"
    return response
