"""Fixtures shared by the whole suite: the Azerbaijan plan, loaded once per test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wpsnap.plan import schema

ROOT = Path(__file__).resolve().parent.parent
AZ_PLAN_PATH = ROOT / "plans" / "az-2020-2023.yaml"
AZ_SOURCE_PATH = ROOT / "plans" / "source" / "az-nap-1325-2020-2023.txt"


@pytest.fixture(scope="session")
def az_plan_file() -> schema.PlanFile:
    return schema.read_plan_file(AZ_PLAN_PATH)


# Whether this run's test database exists (set by ``django_db_setup``): nothing is seeded before it.
_TEST_DATABASE = {"ready": False}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, az_plan_file):
    """Load the Azerbaijan plan once into the test database; each test's transaction rolls back over it."""
    from wpsnap.plan.services import plan_load

    with django_db_blocker.unblock():
        plan_load(plan_file=az_plan_file)
    _TEST_DATABASE["ready"] = True
    yield
    _TEST_DATABASE["ready"] = False  # torn down before pytest-django's, which drops the test database
    with django_db_blocker.unblock():
        _end_other_sessions()


def _end_other_sessions() -> None:
    """End every other session on the test database before pytest-django drops it. A live server answers
    each browser connection in a thread of its own, which opens its own database connection and closes it
    only when the browser closes that (kept-alive) connection: one still open at the end kept PostgreSQL
    from dropping the database ("being accessed by other users")."""
    from django.db import DatabaseError, connection

    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    except DatabaseError:  # not allowed to end them: pytest-django's drop says so, as before
        pass


def seed_migration_rows() -> None:
    """The rows migrations seed (the shared list of event topics) and the Azerbaijan plan the session loads,
    put back idempotently: a transactional test's or a browser module's flush takes them away, and a test
    (or a module's shared fixture) after it must see what the session's fresh database has."""
    from importlib import import_module

    from django.apps import apps

    from wpsnap.plan.models import Plan
    from wpsnap.plan.services import plan_load
    from wpsnap.registries.models import Topic

    if not Topic.objects.exists():
        import_module("wpsnap.registries.migrations.0002_topics").add_topics(apps, None)
    if not Plan.objects.filter(slug="az-2020-2023").exists():
        plan_load(plan_file=schema.read_plan_file(AZ_PLAN_PATH))


_DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


@pytest.fixture(autouse=True)
def _migration_rows(request, django_db_blocker) -> None:
    """Every test that uses the database starts with the rows migrations seed, whatever the tests before it
    flushed. A test without the database is left alone (its module may run before any test database exists)."""
    if request.node.get_closest_marker("django_db") is None and not _DB_FIXTURES & set(request.fixturenames):
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        seed_migration_rows()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After a test's teardown, its module's too when it was the module's last (the moments a database is
    flushed: a transactional test, a module's shared data), put the seeded rows back, committed. Left to
    ``_migration_rows``, a flushed plan would be loaded again inside every later test's transaction and
    rolled back with it: a second or so per test for the rest of the run."""
    result = yield
    if _TEST_DATABASE["ready"]:  # any test: the last of a module may use no database, its module's data did
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        blocker = item.config.stash.get(blocking_manager_key, None)
        if blocker is not None and not connection.in_atomic_block:
            with blocker.unblock():
                seed_migration_rows()
    return result


@pytest.fixture
def az_plan(az_plan_file):
    """The loaded Azerbaijan plan. Transactional tests flush the database, so load it again if gone
    (loading is idempotent). Tests using it need database access (``django_db`` mark)."""
    from wpsnap.plan.models import Plan
    from wpsnap.plan.services import plan_load

    return Plan.objects.filter(slug="az-2020-2023").first() or plan_load(plan_file=az_plan_file).plan


# --- people ------------------------------------------------------------------------------------------

DEMO_ORGS = {
    "coordinator": "scfwca",
    "approver": "mod",
    "focal_point": "mod",
    "ngo_contributor": "test-ngo",
    "evaluator": "test-evaluators",
}


def _organisation(key: str):
    from wpsnap.accounts.models import Organisation

    kinds = {"test-ngo": "ngo", "test-evaluators": "evaluator"}
    org, _ = Organisation.objects.get_or_create(
        country="AZ",
        key=key,
        defaults={"name": key.replace("-", " ").title(), "kind": kinds.get(key, "ministry")},
    )
    return org


TEST_PASSWORD = "a long test passphrase"
_HASHED: list[str] = []


def _hashed_test_password() -> str:
    from django.contrib.auth.hashers import make_password

    if not _HASHED:
        _HASHED.append(make_password(TEST_PASSWORD))
    return _HASHED[0]


@pytest.fixture
def make_user(az_plan):
    """Make a user with a role at an organisation (by key): ``make_user("focal_point", "mia")``."""
    return create_user


def create_user(role: str, org_key: str | None = None, username: str | None = None):
    """A user with a role at an organisation (by key); the ``make_user`` fixture, for module fixtures."""
    from wpsnap.accounts.models import User

    org = _organisation(org_key or DEMO_ORGS[role])
    name = username or f"{role}-{org.key}"
    user = User(username=name, email=f"{name}@example.org", role=role, organisation=org)
    user.password = _hashed_test_password()  # hashing once: Argon2 is slow on purpose
    user.save()
    return user


def sign_in(client, user):
    """Sign ``user`` in on ``client``, with a verified second factor where the role needs one."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    if user.needs_second_factor:
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def problems_of(response) -> list[dict[str, str]]:
    """The problems of an API error answer, checking its shape: JSON ``{"problems": [{"field", "code",
    "message"}]}`` and nothing else beside them but a stale write's ``version`` and ``conflicts``; no
    message repeats its field as a prefix."""
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert set(body) - {"version", "conflicts"} == {"problems"}, body
    assert body["problems"], body
    for problem in body["problems"]:
        assert set(problem) == {"field", "code", "message"}, problem
        assert all(isinstance(value, str) for value in problem.values()), problem
        assert problem["code"] and problem["message"], problem
        assert not (problem["field"] and problem["message"].startswith(f"{problem['field']}:")), problem
    return body["problems"]


def fields_of(response) -> list[str]:
    """The fields an API error answer names, in order."""
    return [problem["field"] for problem in problems_of(response)]


def messages_of(response) -> list[str]:
    """The messages of an API error answer, in order."""
    return [problem["message"] for problem in problems_of(response)]


def described(response) -> list[str]:
    """The problems of an API error answer as a person reads them on a terminal: ``field: message``
    (``str(Problem)``), to compare both at once."""
    return [f"{p['field']}: {p['message']}" if p["field"] else p["message"] for p in problems_of(response)]


# --- the console script ------------------------------------------------------------------------------


def wpsnap_help(*args: str) -> str:
    """``wpsnap ARGS --help`` run as a person runs it (a new process, the test settings): checks that it
    succeeds and prints the usage of exactly that command, and returns the help with its lines joined, so
    a phrase the help wraps is still found."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "wpsnap"), *args, "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: wpsnap {' '.join(args)}"), result.stdout[:200]
    return " ".join(result.stdout.split())


# --- background jobs ---------------------------------------------------------------------------------


@pytest.fixture
def run_jobs(db, monkeypatch):
    """``run_jobs()`` runs the background task queue until it is empty with the real worker
    (``wpsnap db_worker --batch``), in this process and the test's transaction. It first fires the
    on-commit callbacks the test's transaction holds (they never fire by themselves inside it), each once
    however often it is called."""
    from django.core.management import call_command
    from django.db import connections

    fired = [0]

    def run() -> None:
        connection = connections["default"]
        # As Django's captureOnCommitCallbacks does: a callback may register more.
        while fired[0] < len(connection.run_on_commit):
            _, callback, _ = connection.run_on_commit[fired[0]]
            fired[0] += 1
            callback()
        # The worker drops connections that are not in autocommit mode between tasks (as Django does
        # between requests), which the test's open transaction never is: the test client turns that
        # off for requests in the same way (it disconnects close_old_connections).
        with monkeypatch.context() as patch:
            for conn in connections.all(initialized_only=True):
                patch.setattr(conn, "close_if_unusable_or_obsolete", lambda: None)
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    return run


# --- which half of `make test` runs a test ---------------------------------------------------------------
# scripts/test-suites runs the suite twice at once, on SQLite and on PostgreSQL, and tells each run which
# half it is (WPSNAP_SUITE_HALF). A test marked ``suite_half("sqlite")`` or ``suite_half("postgresql")``
# checks something that does not depend on the database (a static build's files, a browser walk's layout)
# or that matters on one (the API fuzz on the production database), and runs in that half only; run alone
# (make test-sqlite, make test-postgres, a plain pytest) it runs wherever it is.
SUITE_HALVES = ("sqlite", "postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    half = os.environ.get("WPSNAP_SUITE_HALF", "")
    if not half:
        return
    if half not in SUITE_HALVES:
        raise pytest.UsageError(f"WPSNAP_SUITE_HALF must be one of {SUITE_HALVES}, not {half!r}")
    kept, elsewhere = [], []
    for item in items:
        marker = item.get_closest_marker("suite_half")
        if marker is not None and marker.args[0] not in SUITE_HALVES:
            raise pytest.UsageError(f"{item.nodeid}: suite_half takes one of {SUITE_HALVES}")
        (elsewhere if marker is not None and marker.args[0] != half else kept).append(item)
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = kept
