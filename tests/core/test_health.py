"""``/healthz`` (``wpsnap.core.health``): 200 when the database answers and every migration is applied,
503 saying what is wrong otherwise; open to anyone, writing nothing (no session, no audit line), never
cached."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.recorder import MigrationRecorder

from wpsnap.core.errors import Problem
from wpsnap.core.health import health_problems
from wpsnap.core.models import AuditEvent

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_to_anyone_and_writes_nothing(client) -> None:
    """An anonymous caller gets 200 {"status": "ok"}, not to be cached; no session cookie is set and no
    audit line written."""
    audit_lines = AuditEvent.objects.count()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert response.cookies == {}
    assert AuditEvent.objects.count() == audit_lines


def test_healthz_is_asked_with_get_or_head_only(client) -> None:
    """Anything but GET or HEAD is refused with 405: the check changes nothing and takes no body."""
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_a_migration_not_applied_answers_503_naming_it(client) -> None:
    """With one migration on disk not recorded as applied (here: core's last, un-recorded inside the
    test's transaction), the answer is 503 with one problem that names it."""
    last = MigrationRecorder.Migration.objects.filter(app="core").order_by("-id").first()
    assert last is not None
    MigrationRecorder(connection).record_unapplied("core", last.name)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "unavailable",
        "problems": [
            {
                "field": "",
                "code": "migrations_pending",
                "message": f"1 migration is not applied to the database: core.{last.name}.",
            }
        ],
    }


def _closed_port() -> int:
    """A local TCP port nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_database_that_does_not_answer_is_named() -> None:
    """Asked of a connection to a database that cannot be reached (a file in a folder that does not
    exist on SQLite, a port nothing listens on for PostgreSQL), the check names the database as the
    problem, without the error's own text (which can name the server)."""
    unreachable = connections.create_connection(DEFAULT_DB_ALIAS)
    if unreachable.vendor == "sqlite":
        unreachable.settings_dict = {**unreachable.settings_dict, "NAME": "/nonexistent-wpsnap/db.sqlite3"}
    else:
        unreachable.settings_dict = {
            **unreachable.settings_dict,
            "HOST": "127.0.0.1",
            "PORT": str(_closed_port()),
            "OPTIONS": {**unreachable.settings_dict.get("OPTIONS", {}), "connect_timeout": 2},
        }
    try:
        assert health_problems(unreachable) == [
            Problem("", "database_unavailable", "The database does not answer.")
        ]
    finally:
        unreachable.close()


def test_healthz_answers_503_through_the_whole_stack_when_the_database_is_gone(tmp_path) -> None:
    """In a process whose database cannot be opened, a request to /healthz passes every middleware
    (sessions, sign-in, the gate) without touching the database and answers 503, not a server error."""
    code = (
        "import json, django\n"
        "django.setup()\n"
        "from django.test.utils import setup_test_environment\n"
        "setup_test_environment()\n"
        "from django.test import Client\n"
        "response = Client().get('/healthz')\n"
        "print(json.dumps({'status': response.status_code, 'body': response.json()}))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing-folder/db.sqlite3",
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "status": 503,
        "body": {
            "status": "unavailable",
            "problems": [
                {"field": "", "code": "database_unavailable", "message": "The database does not answer."}
            ],
        },
    }
