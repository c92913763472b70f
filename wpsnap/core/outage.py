"""When the database cannot serve (stopped, restarting, unreachable, out of connections): every request
answers 503 with ``Retry-After`` instead of a server error, and the platform recovers by itself.

**Where.** One place: Django's ``handler500`` (``core.views.server_error``) asks :func:`is_unavailable` of
the exception being handled. Every uncaught exception reaches it, wherever it was raised: in a view, in an
API view (DRF's handler leaves the database's errors to Django), in a middleware before the view (the
session and the sign-in read the database in ``UserLanguageMiddleware``), or while an error page renders.
The answer is the API's problem JSON under ``/api/`` and the styled, translated 503 page elsewhere
(``core.views.service_unavailable``); ``/healthz`` answers its own 503 (``core.health``).

**What counts.** Django's ``InterfaceError`` (a connection already closed), and its ``OperationalError``
when the driver's error says the server cannot serve rather than that a statement failed: no SQLSTATE
(the connection failed or was lost: refused, closed unexpectedly, timed out), SQLSTATE class 08
(connection exception), 53 (insufficient resources: too many connections, disk full), 58 (system error)
or 57P01-57P05 (administrator shutdown, crash shutdown, "the database system is starting up / shutting
down"); on SQLite a file that cannot be opened, is busy or locked, or an I/O error. A deadlock, a
serialization failure or a statement timeout is not an outage and stays a server error.

**Recovery.** Django opens a connection per request when it has none; a persistent connection
(``CONN_MAX_AGE``) that saw an error is closed at the end of its request when it no longer answers, and
``CONN_HEALTH_CHECKS`` (settings) tests a reused one before its first query, so the first request after a
restart gets a fresh connection instead of the dead one.

**The log.** One line when this process first meets the outage (the driver's error class and SQLSTATE; for
a connection that failed, the first line of its message, which names the server, never a query or its
values), nothing per refused request (no traceback from ``django.request`` either), and one line when a
connection is opened again, with how long it lasted and how many requests were answered 503. Each worker
process says so for itself.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import InterfaceError, OperationalError

logger = logging.getLogger("wpsnap.outage")

# How long a client is asked to wait before trying again (a fast PostgreSQL restart takes a few seconds).
RETRY_AFTER_SECONDS = 10

# PostgreSQL's SQLSTATE classes and codes that say the server cannot serve (not that a statement failed).
_UNAVAILABLE_CLASSES = frozenset({"08", "53", "58"})
_UNAVAILABLE_CODES = frozenset({"57P01", "57P02", "57P03", "57P04", "57P05"})
# SQLite's primary result codes for a database that cannot be used now: BUSY, LOCKED, IOERR, FULL, CANTOPEN.
_SQLITE_UNAVAILABLE = frozenset({5, 6, 10, 13, 14})
# How far along ``__cause__``/``__context__`` an error is looked for (an error raised while handling one).
_CHAIN_DEPTH = 5


def _operational_unavailable(error: OperationalError) -> bool:
    driver = error.__cause__
    sqlstate = getattr(driver, "sqlstate", None)
    if sqlstate:
        return sqlstate[:2] in _UNAVAILABLE_CLASSES or sqlstate in _UNAVAILABLE_CODES
    sqlite_code = getattr(driver, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return (int(sqlite_code) & 0xFF) in _SQLITE_UNAVAILABLE
    # No SQLSTATE from PostgreSQL: the connection itself failed (refused, lost, timed out).
    return True


def unavailable_error(exc: BaseException | None) -> BaseException | None:
    """The database error in ``exc`` (or what it was raised from) that says the database cannot serve
    now, or None."""
    for _step in range(_CHAIN_DEPTH):
        if exc is None:
            return None
        if isinstance(exc, InterfaceError):
            return exc
        if isinstance(exc, OperationalError):
            return exc if _operational_unavailable(exc) else None
        exc = exc.__cause__ or exc.__context__
    return None


def is_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` means the database cannot serve now (answer 503, not 500)."""
    return unavailable_error(exc) is not None


def describe(exc: BaseException) -> str:
    """One line naming the error for the log: the driver's class and SQLSTATE; for an error without one
    (a connection that failed) also its first line, which names the server and never a query's values."""
    driver = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
    kind = f"{type(driver).__module__}.{type(driver).__qualname__}"
    sqlstate = getattr(driver, "sqlstate", None)
    if sqlstate:
        return f"{kind} sqlstate={sqlstate}"
    first_line = (str(driver).strip().splitlines() or [""])[0][:200]
    return f"{kind}: {first_line}" if first_line else kind


class _Outage:
    """This process's view of an outage: since when, how many requests were answered 503."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.since: float | None = None
        self.answered = 0

    def failed(self, exc: BaseException) -> None:
        with self.lock:
            first = self.since is None
            if first:
                self.since = time.monotonic()
                self.answered = 0
            self.answered += 1
        if first:
            logger.warning(
                "database unavailable (%s): answering 503 with Retry-After until it is back", describe(exc)
            )

    def connected(self) -> None:
        if self.since is None:  # the usual case, without taking the lock
            return
        with self.lock:
            if self.since is None:
                return
            lasted, answered = time.monotonic() - self.since, self.answered
            self.since, self.answered = None, 0
        logger.warning(
            "database available again after %.1f s; %d request(s) were answered 503 meanwhile",
            lasted,
            answered,
        )


_outage = _Outage()


def note_failure(exc: BaseException) -> None:
    """Count a request refused because the database cannot serve (logging the first of an outage)."""
    _outage.failed(unavailable_error(exc) or exc)


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    """A database connection opened (connected in CoreConfig.ready, where every hook-up lives): the end
    of an outage, if there was one."""
    _outage.connected()
