"""The demo, loaded once for the package's modules that need it (inside a transaction rolled back at
the end), because a load replays a few thousand service calls; each test runs in a savepoint inside it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from tests.conftest import seed_migration_rows
from wpsnap.plan.models import Plan
from wpsnap.reporting import selectors
from wpsnap.reporting.models import ReportingPeriod

PASSWORD = "demo-pass-2026"


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="package")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """``wpsnap demo load`` once, with files in a temporary directory and fast password hashing;
    everything is rolled back afterwards. Returns the command's output."""
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("files")), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(STORAGES=storages, PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        seed_migration_rows()
        output = demo("load", "--password", PASSWORD)
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def plan(loaded) -> Plan:
    return Plan.objects.get(slug="az-2020-2023")


@pytest.fixture
def periods(plan) -> dict[str, ReportingPeriod]:
    return {p.label: p for p in selectors.periods(plan)}
