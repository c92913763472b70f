"""Production settings pass Django's deployment checks at the strictest level, and refuse to start without
what production needs (issue 15; security row 16).

``wpsnap check --deploy --fail-level WARNING`` runs in a child process with DJANGO_SETTINGS_MODULE set to
``config.settings.production`` and only the environment production.py asks for (SECRET_KEY, DATABASE_URL,
ALLOWED_HOSTS): no warning at all, and nothing silenced but the one deliberate axes.W006 (base.py says why).
The refusals are read in process, by executing production.py afresh under a changed environment."""

from __future__ import annotations

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

# Settings and a child process, no database: once per `make test` (the SQLite half).
pytestmark = pytest.mark.suite_half("sqlite")

ROOT = Path(__file__).resolve().parents[2]
WPSNAP = Path(sys.executable).with_name("wpsnap")
PRODUCTION = ROOT / "config" / "settings" / "production.py"


def _environment(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    """A production environment: no DEBUG, no test settings, a strong key, a database, the host."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'wpsnap.sqlite3'}",
        "ALLOWED_HOSTS": "wpsnap.example.org",
        "WPSNAP_VAR_DIR": str(tmp_path / "var"),
    }
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


@pytest.fixture(scope="module")
def deploy_check(tmp_path_factory) -> subprocess.CompletedProcess[str]:
    tmp_path = tmp_path_factory.mktemp("deploy")
    return subprocess.run(
        [str(WPSNAP), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=tmp_path,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_check_deploy_passes_at_the_warning_level(deploy_check) -> None:
    assert deploy_check.returncode == 0, deploy_check.stdout + deploy_check.stderr
    assert "System check identified no issues (1 silenced)." in deploy_check.stdout, deploy_check.stdout
    assert "WARNING" not in deploy_check.stdout + deploy_check.stderr


def test_nothing_is_silenced_but_the_deliberate_axes_check() -> None:
    from django.conf import settings

    assert settings.SILENCED_SYSTEM_CHECKS == ["axes.W006"]


@pytest.fixture
def production(monkeypatch, tmp_path):
    # production.py imports ``.base`` relatively: run it as a module of the config.settings package.
    import config.settings

    def run(**changes: str | None) -> dict[str, object]:
        for name, value in _environment(tmp_path, **changes).items():
            if name not in ("PATH", "HOME", "LANG"):
                monkeypatch.setenv(name, value)
        for name, value in changes.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
        return runpy.run_module("config.settings.production", run_name="config.settings.production")

    assert config.settings
    return run


def test_production_refuses_to_start_without_a_secret_key(production) -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        production(SECRET_KEY=None)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        production(SECRET_KEY="")


def test_production_refuses_to_start_without_a_database(production) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        production(DATABASE_URL=None)


def test_production_keeps_debug_off_and_the_secure_settings_whatever_the_environment(production) -> None:
    made = production(DEBUG="1", WPSNAP_ALLOW_DEMO=None)
    assert made["DEBUG"] is False
    assert made["SESSION_COOKIE_SECURE"] is True and made["CSRF_COOKIE_SECURE"] is True
    assert (
        made["SESSION_COOKIE_NAME"] == "__Host-sessionid" and made["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    )
    assert made["SECURE_HSTS_SECONDS"] >= 31_536_000 and made["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True  # type: ignore[operator]
    assert made["SECURE_SSL_REDIRECT"] is True
    assert made["WPSNAP_DEMO_ALLOWED"] is False
    # Mail leaves by SMTP, not the console (which would drop every invitation).
    assert made["MAILERS"]["default"]["BACKEND"].endswith("smtp.EmailBackend")  # type: ignore[index]
