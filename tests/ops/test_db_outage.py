"""A database that cannot serve (stopped, restarting, unreachable) answers 503 with Retry-After, never a
server error: the API's problem JSON under /api/, the styled 503 page elsewhere, /healthz its own 503; one
log line when the outage starts and one when it ends; the app recovers by itself (``wpsnap.core.outage``).

Three levels: which errors count (real driver errors, as Django wraps them); a process whose SQLite database
cannot be opened (every kind of request, through every middleware); and a real PostgreSQL stopped and
started under a running gunicorn, which must answer 200 again without being restarted (PostgreSQL runs
only: the half of `make test` under scripts/with-postgres)."""

from __future__ import annotations

import json
import os
import pwd
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import psycopg.errors
import pytest
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection, connections

from wpsnap.core import outage

ROOT = Path(__file__).resolve().parents[2]


# --- which errors are an outage ----------------------------------------------------------------------


def _wrapped(driver_error: Exception) -> DatabaseError:
    """``driver_error`` as Django raises it: its own class of the same name, caused by the driver's."""
    django_class = {
        "OperationalError": OperationalError,
        "InterfaceError": InterfaceError,
        "IntegrityError": IntegrityError,
    }
    for klass in type(driver_error).__mro__:
        if klass.__name__ in django_class:
            wrapped = django_class[klass.__name__](*driver_error.args)
            wrapped.__cause__ = driver_error
            return wrapped
    raise AssertionError(f"no Django class for {type(driver_error)}")


def _sqlite_error(path: str, sql: str = "SELECT 1") -> sqlite3.Error:
    try:
        sqlite3.connect(path).execute(sql)
    except sqlite3.Error as error:
        return error
    raise AssertionError("no error")


@pytest.mark.parametrize(
    ("driver_error", "unavailable"),
    [
        (psycopg.OperationalError("connection failed: Connection refused"), True),
        (psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"), True),
        (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), True),
        (psycopg.errors.CannotConnectNow("the database system is shutting down"), True),
        (psycopg.errors.CrashShutdown("terminating connection because of crash of another process"), True),
        (psycopg.errors.TooManyConnections("sorry, too many clients already"), True),
        (psycopg.errors.DiskFull("could not extend file"), True),
        (psycopg.InterfaceError("the connection is closed"), True),
        (psycopg.errors.DeadlockDetected("deadlock detected"), False),
        (psycopg.errors.SerializationFailure("could not serialize access"), False),
        (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), False),
        (psycopg.errors.UniqueViolation("duplicate key value"), False),
        (_sqlite_error("/nonexistent-wpsnap/db.sqlite3"), True),  # SQLITE_CANTOPEN
        (
            _sqlite_error(":memory:", "SELECT * FROM no_such_table"),
            False,
        ),  # SQLITE_ERROR: a bug, not an outage
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_which_database_errors_are_an_outage(driver_error: Exception, unavailable: bool) -> None:
    """The server cannot serve (connection refused or lost, shutting down, out of connections or disk,
    a file that cannot be opened): 503. A statement that failed (deadlock, conflict, timeout, constraint,
    a missing table): not an outage."""
    assert outage.is_unavailable(_wrapped(driver_error)) is unavailable


def test_an_error_raised_while_handling_an_outage_is_an_outage_too() -> None:
    """A view that turns the database's error into its own (``raise ... from``) still answers 503."""
    try:
        try:
            raise _wrapped(psycopg.errors.AdminShutdown("terminating connection"))
        except OperationalError as error:
            raise RuntimeError("could not load the page") from error
    except RuntimeError as error:
        assert outage.is_unavailable(error)
    assert not outage.is_unavailable(RuntimeError("nothing to do with the database"))
    assert not outage.is_unavailable(None)


def test_the_log_line_names_the_error_never_a_statement_s_values() -> None:
    """An error from the server (with a SQLSTATE) is named by its class and SQLSTATE only: its message
    can quote values. A failed connection (no SQLSTATE) adds the first line of its message."""
    shutdown = _wrapped(psycopg.errors.AdminShutdown("terminating connection; Key (name)=(Leyla Aliyeva)"))
    assert outage.describe(shutdown) == "psycopg.errors.AdminShutdown sqlstate=57P01"
    refused = _wrapped(
        psycopg.OperationalError(
            'connection failed: connection to server at "127.0.0.1", port 5 failed\nIs it?'
        )
    )
    assert outage.describe(refused) == (
        'psycopg.OperationalError: connection failed: connection to server at "127.0.0.1", port 5 failed'
    )


# --- a process whose database cannot be opened ---------------------------------------------------------

_REQUESTS = r"""
import json, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
client = Client(raise_request_exception=False)
answers = {}
def keep(name, response):
    answers[name] = {
        "status": response.status_code,
        "type": response["Content-Type"],
        "retry_after": response.get("Retry-After"),
        "cache": response.get("Cache-Control"),
        "body": response.content.decode(),
    }
keep("api", client.get("/api/v1/plans/"))
keep("api_write", client.post("/api/v1/plans/", {}, content_type="application/json",
                              headers={"Authorization": "Token 0123456789abcdef"}))
keep("page", client.get("/plans/az-2020-2023/?year=2022", headers={"Referer": "http://testserver/reports/"}))
keep("page_ru", client.get("/ru/"))
keep("sign_in", client.post("/accounts/login/", {"username": "someone", "password": "secret-words"}))
keep("unknown", client.get("/no-such-page/"))
keep("healthz", client.get("/healthz"))
# A session cookie: the session and the person are read in the middleware, before any view.
client.cookies["sessionid"] = "0" * 32
keep("session", client.get("/reports/"))
keep("session_unknown", client.get("/no-such-page/"))
print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def no_database(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Requests of every kind answered by a process whose database (SQLite, in a folder that does not
    exist) cannot be opened; their answers and the process's log."""
    folder = tmp_path_factory.mktemp("outage")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{folder}/missing-folder/db.sqlite3",
        "WPSNAP_VAR_DIR": str(folder / "var"),
    }
    done = subprocess.run(
        [sys.executable, "-c", _REQUESTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return {"answers": json.loads(done.stdout.strip().splitlines()[-1]), "log": done.stderr}


def test_the_api_answers_json_503_with_retry_after(no_database: dict[str, Any]) -> None:
    """A read and a write (whose token is looked up in the database) under /api/: 503 in the API's
    problem shape, with Retry-After, not cached."""
    for name in ("api", "api_write"):
        answer = no_database["answers"][name]
        assert answer["status"] == 503, name
        assert answer["type"] == "application/json"
        assert answer["retry_after"] == str(outage.RETRY_AFTER_SECONDS)
        assert answer["cache"] == "private, no-store"
        assert json.loads(answer["body"]) == {
            "problems": [
                {
                    "field": "",
                    "code": "unavailable",
                    "message": "The service is unavailable for a moment and nothing was saved; "
                    f"try again in {outage.RETRY_AFTER_SECONDS} seconds.",
                }
            ]
        }


def test_a_page_answers_the_styled_503_page_with_the_way_back(no_database: dict[str, Any]) -> None:
    """A page: 503 HTML on the site's look, saying what happened in plain words, with the ways back (this
    page again with its query, the page the person came from, the home page), nothing about the server."""
    answer = no_database["answers"]["page"]
    assert answer["status"] == 503
    assert answer["type"].startswith("text/html")
    assert answer["retry_after"] == str(outage.RETRY_AFTER_SECONDS)
    assert answer["cache"] == "private, no-store"
    html = answer["body"]
    assert '<html lang="en"' in html
    assert "<h1>The platform is not available for a moment</h1>" in html
    assert 'href="/static/wpsnap.css"' in html
    assert 'href="/plans/az-2020-2023/?year=2022">Try this page again</a>' in html
    assert 'href="http://testserver/reports/">Back to the page you came from</a>' in html
    assert 'href="/">Go to the home page</a>' in html
    for detail in ("sqlite", "OperationalError", "unable to open", "missing-folder", "Traceback"):
        assert detail not in html


def test_the_page_is_in_the_request_s_language(no_database: dict[str, Any]) -> None:
    """The public portal in Russian (/ru/) gets the page marked as Russian (its words come from the
    catalogue once translated)."""
    answer = no_database["answers"]["page_ru"]
    assert answer["status"] == 503
    assert '<html lang="ru"' in answer["body"]


def test_a_form_sent_or_a_session_read_before_the_view_answers_503_too(no_database: dict[str, Any]) -> None:
    """Signing in (a POST: no link to send it again), and any request with a session cookie (the session
    and the person are read in the middleware, before any view; an unknown address too, whose 404 page
    would show the person) answer 503, never 500; /healthz says the database does not answer."""
    sign_in = no_database["answers"]["sign_in"]
    assert sign_in["status"] == 503
    assert "Try this page again" not in sign_in["body"]
    assert "secret-words" not in sign_in["body"]
    # Signed out, an unknown address needs no database: still the 404 it is.
    assert no_database["answers"]["unknown"]["status"] == 404
    assert no_database["answers"]["session"]["status"] == 503
    assert no_database["answers"]["session_unknown"]["status"] == 503
    healthz = no_database["answers"]["healthz"]
    assert healthz["status"] == 503
    assert json.loads(healthz["body"])["problems"][0]["code"] == "database_unavailable"


def test_the_outage_is_one_log_line_without_a_traceback(no_database: dict[str, Any]) -> None:
    """Eight requests refused: one line says the database is unavailable (no traceback, no line per
    request from django.request), and nothing the requests carried is in the log."""
    log = no_database["log"]
    lines = [line for line in log.splitlines() if "wpsnap.outage" in line]
    assert len(lines) == 1, log
    assert "database unavailable (sqlite3.OperationalError: unable to open database file)" in lines[0]
    for noise in ("Traceback", "Service Unavailable", "Internal Server Error", "secret-words", "someone"):
        assert noise not in log


# --- a real PostgreSQL stopped and started under a running gunicorn -----------------------------------


def _pg_bindir() -> Path | None:
    """The PostgreSQL server binaries, found as scripts/with-postgres finds them."""
    found = None
    for candidate in [
        os.environ.get("PG_BINDIR", ""),
        *sorted(map(str, Path("/usr/lib/postgresql").glob("*/bin"))),
    ]:
        if candidate and (Path(candidate) / "pg_ctl").is_file() and (Path(candidate) / "initdb").is_file():
            found = Path(candidate)
    return found


class Cluster:
    """The PostgreSQL cluster the test database lives in (scripts/with-postgres's), stopped and started
    again with the options it was started with, as the owner of its data folder."""

    def __init__(self, data: Path, bindir: Path) -> None:
        self.data = data
        self.pg_ctl = str(bindir / "pg_ctl")
        self.log = data.parent / "outage-test-server.log"
        # "postgres" "-D" "DIR" "-c" "listen_addresses=..." "-p" "PORT" ...: all but the program and -D DIR.
        argv = shlex.split((data / "postmaster.opts").read_text())[1:]
        while "-D" in argv:
            at = argv.index("-D")
            del argv[at : at + 2]
        self.options = shlex.join(argv)
        owner = data.stat().st_uid
        self.as_owner = [] if owner == os.geteuid() else ["runuser", "-u", pwd.getpwuid(owner).pw_name, "--"]

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_owner, self.pg_ctl, "-D", str(self.data), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        self._pg_ctl("-w", "-l", str(self.log), "-o", self.options, "start")

    def running(self) -> bool:
        done = subprocess.run(
            [*self.as_owner, self.pg_ctl, "-D", str(self.data), "status"], capture_output=True, check=False
        )
        return done.returncode == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str, str, str]:
    """Status, content type, Retry-After and body of a GET (an error status is an answer too)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status, response.headers["Content-Type"], "", response.read().decode()
    except urllib.error.HTTPError as error:
        return (
            error.code,
            error.headers["Content-Type"],
            error.headers["Retry-After"] or "",
            error.read().decode(),
        )


@pytest.fixture
def gunicorn_on_test_database(
    transactional_db: None, az_plan: Any, tmp_path: Path
) -> Iterator[tuple[str, Path]]:
    """A gunicorn (one sync worker, persistent connections as configured) serving the test database;
    its base URL and log file."""
    settings = connection.settings_dict
    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**settings)
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "WPSNAP_VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                "--workers=1",
                "--no-control-socket",
                "--timeout=60",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        yield base, log
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stops and starts PostgreSQL: run under scripts/with-postgres"
)
def test_a_postgresql_restart_answers_503_then_recovers_without_restarting_the_app(
    gunicorn_on_test_database: tuple[str, Path],
) -> None:
    """With the cluster stopped (pg_ctl stop -m fast), a gunicorn that held a persistent connection answers
    the API 503 JSON, a page the styled 503 and /healthz 503, never 500; once the cluster is started again,
    the same gunicorn process answers 200 to all three within seconds. Its log has one line for the outage
    and one for the recovery, and no traceback."""
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl): install the 'postgresql' package")
    base, log = gunicorn_on_test_database
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        cluster = Cluster(Path(cursor.fetchone()[0]), bindir)
    addresses = {"api": "/api/v1/plans/", "page": "/plans/az-2020-2023/", "healthz": "/healthz"}
    for name, path in addresses.items():
        assert _get(base + path)[0] == 200, name  # the worker now holds a persistent connection
    worker_pids = _children(base, log)

    cluster.stop()
    try:
        down = {name: _get(base + path) for name, path in addresses.items()}
    finally:
        cluster.start()
        # This process's own connections died with the cluster: the next query opens new ones.
        for each in connections.all(initialized_only=True):
            each.close()
    assert down["api"][:3] == (503, "application/json", str(outage.RETRY_AFTER_SECONDS))
    assert json.loads(down["api"][3])["problems"][0]["code"] == "unavailable"
    assert down["page"][0] == 503
    assert down["page"][1].startswith("text/html")
    assert "<h1>The platform is not available for a moment</h1>" in down["page"][3]
    assert down["healthz"][0] == 503
    assert json.loads(down["healthz"][3])["problems"][0]["code"] == "database_unavailable"

    deadline = time.monotonic() + 30
    while _get(f"{base}/healthz")[0] != 200:
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    for name, path in addresses.items():
        assert _get(base + path)[0] == 200, name
    assert _children(base, log) == worker_pids  # the same worker, not restarted
    text = log.read_text()
    assert text.count("database unavailable (") == 1, text
    assert text.count("database available again after") == 1, text
    assert "Traceback" not in text
    assert cluster.running()


def _children(base: str, log: Path) -> set[int]:
    """The worker processes of the gunicorn serving ``base`` (found by the port it listens on)."""
    port = base.rsplit(":", 1)[1]
    found = set()
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = status.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(arg == f"--bind=127.0.0.1:{port}".encode() for arg in argv):
            found.add(int(status.parent.name))
    assert found, log.read_text()
    return found
