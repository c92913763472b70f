"""``/healthz``: whether this instance can serve, for a load balancer, an orchestrator or a monitor.

200 ``{"status": "ok"}`` when the database answers and every migration on disk is applied to it; else 503
``{"status": "unavailable", "problems": [{"field": "", "code", "message"}]}`` (the API's problem shape)
saying which. It reads nothing of anyone's: no sign-in, nothing written (no session, no audit line),
never cached; the gate's ``health.view`` lets everyone ask (``config/urls.py``).
"""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from . import outage
from .errors import Problem

logger = logging.getLogger(__name__)


def health_problems(connection: BaseDatabaseWrapper | None = None) -> list[Problem]:
    """What stops this instance from serving, judged on ``connection`` (the default database's): the
    database does not answer, or migrations on disk are not applied to it. [] when all is well."""
    connection = connection if connection is not None else connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        # As ``migrate --check`` asks it: the migrations from disk not recorded as applied (about 8 ms;
        # the migration modules are imported once per process).
        executor = MigrationExecutor(connection)
        pending = [
            migration for migration, _backwards in executor.migration_plan(executor.loader.graph.leaf_nodes())
        ]
    except DatabaseError as error:
        # The error's text can name the server or a path: the log gets it, the public answer does not.
        # An outage is logged once (core.outage), not at every probe of a load balancer.
        if outage.is_unavailable(error):
            outage.note_failure(error)
        else:
            logger.warning("health: the database does not answer: %s", error)
        return [Problem("", "database_unavailable", _("The database does not answer."))]
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m in pending)
        message = ngettext(
            "%(count)d migration is not applied to the database: %(names)s.",
            "%(count)d migrations are not applied to the database: %(names)s.",
            len(pending),
        ) % {"count": len(pending), "names": names}
        return [Problem("", "migrations_pending", message)]
    return []


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    problems = health_problems()
    if problems:
        body = {"status": "unavailable", "problems": [problem.as_dict() for problem in problems]}
        response = JsonResponse(body, status=503)
        if any(problem.code == "database_unavailable" for problem in problems):
            # Logged above (an outage once until it ends, core.outage), not again per probe.
            response._has_been_logged = True  # type: ignore[attr-defined]
    else:
        response = JsonResponse({"status": "ok"})
    # A stale "ok" from a cache would hide an outage.
    response["Cache-Control"] = "no-store"
    return response
