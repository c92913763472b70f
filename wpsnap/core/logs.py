"""Structured logs without personal data (issue 15).

- :class:`JsonFormatter`: one JSON object per line (``time`` in UTC, ``level``, ``logger``, ``message``;
  within a request its ``request_id`` and ``path``; the request's own line adds ``method``, ``status`` and
  ``duration_ms``; an error adds ``exc_type`` and ``exc``, its traceback). Chosen by ``WPSNAP_LOG_FORMAT``
  (``json``, production's default, or ``plain``, the default elsewhere: config/settings).
- :class:`PersonalDataFilter`, on the console handler whatever the format: masks what must never be in a
  log line even when some code (ours, Django's, a library's) puts it there: e-mail addresses, phone
  numbers, query strings (``/path?…``: a search's words, a token), and a user name after ``username``.
  Bodies are never logged: the JSON formatter writes only the fields above, never a record's ``request``
  or any other attribute.
- :class:`RequestLogMiddleware`, first of all: gives each request an id (the proxy's ``X-Request-ID`` when
  it is a plain token, else a new one), answers it in ``X-Request-ID``, puts the id and the path (without
  the query string) on every line logged while the request runs, and writes one line per request
  (logger ``wpsnap.request``, INFO): method, path, status, duration. No address, no user name, no query.

What the filter cannot know (a name typed into a free-text field) is kept out by the rule the code
follows (ids, never values, in log lines; tests/security/test_log_canary.py).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

# --- what a log line must not hold ------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# International numbers (+994 55 123 45 67, +1-202-555-0142): a plus, then 8 to 15 digits with spaces,
# dashes, dots or brackets between them.
_PHONE_INTERNATIONAL = re.compile(r"\+\d(?:[\s().-]{0,2}\d){7,14}(?!\d)")
# Azerbaijani local numbers (055 123 45 67, 050-123-45-67) and any run of 10 to 15 digits (0551234567).
_PHONE_LOCAL = re.compile(
    r"(?<![\w.:/-])0\d{2}[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}(?![\w])|(?<!\d)\d{10,15}(?!\d)"
)
# A query string after a path (/registries/x/?q=Leyla, "GET /api/v1/x?token=..."): the path stays.
_QUERY = re.compile(r"(/[^\s?\"'<>]*)\?[^\s\"'<>]*")
# A user name written after the word (axes, a library's debug line): username=..., {username: ...}.
_USERNAME = re.compile(r"(\busername\b[\"']?\s*[:=]\s*[\"']?)[^\s,;}\"']+", re.IGNORECASE)

MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_QUERY, r"\1?[query]"),
    (_EMAIL, "[email]"),
    (_USERNAME, r"\1[name]"),
    (_PHONE_INTERNATIONAL, "[phone]"),
    (_PHONE_LOCAL, "[phone]"),
)


def mask(text: str) -> str:
    """``text`` with e-mail addresses, phone numbers, query strings and user names masked."""
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


class PersonalDataFilter(logging.Filter):
    """Masks personal data in a record's message (and its exception's text) for the handler it is on;
    keeps every record (a masked line still tells that something happened). The handler gets a masked
    copy: the record itself is left as it was for any other handler (a test's capture, which must see
    what the code really logged)."""

    def filter(self, record: logging.LogRecord) -> bool | logging.LogRecord:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template, masked
            message = str(record.msg)
        masked = mask(message)
        exc_text = record.exc_text
        if record.exc_info and record.exc_info[1] is not None and not exc_text:
            exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if masked == message and not record.args and not exc_text:
            return True
        copy = logging.makeLogRecord(record.__dict__)
        copy.msg, copy.args = masked, None
        if exc_text:
            # The traceback's last line repeats the exception's text (an IntegrityError quotes values).
            copy.exc_text = mask(exc_text)
        return copy


# --- the request a line belongs to ------------------------------------------------------------------

_request: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "wpsnap_request", default=None
)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

request_logger = logging.getLogger("wpsnap.request")


def current_request() -> dict[str, str] | None:
    """The id and path of the request being answered in this thread, or None."""
    return _request.get()


class RequestLogMiddleware:
    """Each request's id on every line logged while it runs, and one line when it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        token = _request.set({"request_id": request_id, "path": request.path})
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response["X-Request-ID"] = request_id
            request_logger.info(
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={"method": request.method, "status": response.status_code, "duration_ms": duration_ms},
            )
            return response
        finally:
            _request.reset(token)


# --- one JSON object per line ----------------------------------------------------------------------

# Attributes of a record the JSON line may carry besides the standard ones (set by RequestLogMiddleware).
_EXTRA_FIELDS = ("method", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time`` (UTC, ISO 8601, milliseconds), ``level``, ``logger``,
    ``message``; ``request_id`` and ``path`` within a request; ``method``, ``status``, ``duration_ms`` on
    the request's own line; ``exc_type`` and ``exc`` (the traceback) for an error. Nothing else of the
    record: never a request object, its body or its headers."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = current_request()
        if request is not None:
            line.update(request)
        for name in _EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exc_type"] = record.exc_info[0].__name__
            if not record.exc_text:
                record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)
