"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Playwright cannot download its own browsers on these machines, so the tests use the system's
``chromium`` (or ``CHROMIUM_PATH``). Without one they are skipped, saying why, unless
``WPSNAP_REQUIRE_BROWSER=1`` (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

# Playwright's sync API runs an event loop in the test's thread; the ORM calls in the same test are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}

# Records Content Security Policy violations in the page; init scripts are not subject to the policy.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") is None or chromium_path():
        return
    if os.environ.get("WPSNAP_REQUIRE_BROWSER") == "1":
        pytest.fail(
            "Chromium is missing (no `chromium` on PATH, no CHROMIUM_PATH) and WPSNAP_REQUIRE_BROWSER=1"
        )
    pytest.skip(
        "Chromium is missing: install Debian's `chromium` or set CHROMIUM_PATH to run the browser tests"
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        # Without the background-networking flags Chromium keeps trying to reach the internet.
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@dataclass
class PageProblems:
    """Console errors, uncaught exceptions and CSP violations seen while a test ran."""

    console: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)

    def all(self, page) -> list[str]:
        csp = page.evaluate("window.__cspViolations || []")
        return [*self.console, *self.exceptions, *(f"CSP: {v}" for v in csp)]


@pytest.fixture
def _reload_az_plan_after_flush(django_db_blocker, az_plan_file):
    """Set up before ``transactional_db``, so torn down after its flush: put the session's plan back
    for the tests that follow, as the suite's ``django_db_setup`` left it."""
    yield
    from wpsnap.plan.services import plan_load

    with django_db_blocker.unblock():
        plan_load(plan_file=az_plan_file)
        _seed_migration_rows()


def _seed_migration_rows() -> None:
    """The rows migrations seed (the shared list of event topics), which a transactional test's flush
    takes away: put back, idempotently, so that every test sees what a fresh database has."""
    from importlib import import_module

    from django.apps import apps

    import_module("wpsnap.registries.migrations.0002_topics").add_topics(apps, None)


@pytest.fixture
def az_live(_reload_az_plan_after_flush, transactional_db, live_server, az_plan):
    """The live server's address, with the Azerbaijan plan loaded (the live server's thread sees only
    committed rows, hence a transactional test) and the rows migrations seed."""
    _seed_migration_rows()
    return live_server.url


@pytest.fixture
def open_page(browser) -> Iterator:
    """``open_page(viewport)``: a fresh page that records its problems in ``page.problems``."""
    contexts = []

    def _open(viewport: dict[str, int] = DESKTOP, **context_args):
        context = browser.new_context(viewport=viewport, **context_args)
        contexts.append(context)
        page = context.new_page()
        page.add_init_script(CSP_LISTENER)
        problems = PageProblems()
        page.on("console", lambda msg: problems.console.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: problems.exceptions.append(str(exc)))
        page.problems = problems
        return page

    yield _open
    for context in contexts:
        context.close()


# --- the demo site, for walking every page (test_phones.py, test_accessibility.py) ---------------------

DEMO_PASSWORD = "demo-pass-2026"
# The demo site's approver without a second factor yet (password: tests.conftest.TEST_PASSWORD).
NEWCOMER = "newcomer"


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker, az_plan_file) -> Iterator[str]:
    """The demo (people of every role, their reports and events), loaded once for the module, served
    by a live server of the module's own; the database flushed afterwards and given back its plan and
    seeded rows, as a transactional test leaves it. Yields the server's address.

    pytest-django's ``live_server`` would make every test transactional, flushing the demo after each
    one; tests on this site take the ``django_db`` mark instead (their own writes roll back). A person
    signs in once per test, and a second-factor code is good once: the demo's devices here accept
    codes up to ten time steps ahead, so a test signing in again takes the next step's code
    (``walk.totp_code``). Besides the demo's people there is ``NEWCOMER``, an approver with no second
    factor yet: written here, before the server starts, because what a test writes inside its
    transaction is not seen by the server's own connection on PostgreSQL."""
    from django.core.management import call_command
    from django.db import connections
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from pytest_django.live_server_helper import LiveServer

    from tests.conftest import create_user
    from wpsnap.demo.data import demo_load
    from wpsnap.plan.services import plan_load

    with django_db_blocker.unblock():
        demo_load(password=DEMO_PASSWORD)
        TOTPDevice.objects.update(tolerance=10)
        # Someone whose role needs a second factor and who has none yet: their sign-in shows its setup.
        create_user("approver", "mod", NEWCOMER)
    server = LiveServer("localhost")
    server._live_server_modified_settings.enable()
    try:
        yield server.url
    finally:
        server._live_server_modified_settings.disable()
        server.stop()
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
            plan_load(plan_file=az_plan_file)
            _seed_migration_rows()
        # Close what the module opened: left open, a connection kept PostgreSQL from dropping the test
        # database at the end of the run.
        connections.close_all()


@pytest.fixture
def demo_db(demo_site, django_db_blocker) -> Iterator[str]:
    """Database access for a test on the demo site (and for its server's thread) without a
    transaction around the test: what the test and the site write stays until the module's flush.
    Yields the site's address."""
    with django_db_blocker.unblock():
        yield demo_site
