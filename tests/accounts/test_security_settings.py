"""Deployment settings and security headers (ASVS 3.3, 3.4, 13.4; the compass's figure 16)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent.parent
WPSNAP = Path(sys.executable).parent / "wpsnap"


def production_env(**variables: str) -> dict[str, str]:
    """A clean environment: only what finds programs, plus ``variables``. Nothing the test run itself
    set (DJANGO_ALLOW_ASYNC_UNSAFE, a developer's SECRET_KEY, ...) may reach the production settings."""
    kept = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    return {**kept, "DJANGO_SETTINGS_MODULE": "config.settings.production", **variables}


def the_three_variables(tmp_path: Path) -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(64)[:64],
        "ALLOWED_HOSTS": "wpsnap.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_check_deploy_passes_with_the_three_variables(tmp_path: Path) -> None:
    """`wpsnap check --deploy --fail-level WARNING` under the production settings finds nothing, given
    only SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL."""
    result = run(
        [str(WPSNAP), "check", "--deploy", "--fail-level", "WARNING"],
        production_env(**the_three_variables(tmp_path)),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path: Path) -> None:
    """Without SECRET_KEY the production settings stop with a message naming it."""
    variables = the_three_variables(tmp_path)
    del variables["SECRET_KEY"]
    result = run([str(WPSNAP), "check"], production_env(**variables))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_PATH", "CSRF_COOKIE_DOMAIN", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT", "DEBUG",
]}))
"""


@pytest.fixture(scope="module")
def production_settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    env = production_env(**the_three_variables(tmp_path_factory.mktemp("prod")))
    result = run([sys.executable, "-c", PRINT_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_host_prefixed_and_secure(production_settings: dict[str, Any]) -> None:
    """In production the session and CSRF cookies are named __Host-…, are Secure, HttpOnly, for the
    whole site (Path=/) and for this host only (no Domain), which the __Host- prefix requires."""
    s = production_settings
    assert s["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert s["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["CSRF_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_PATH"] == s["CSRF_COOKIE_PATH"] == "/"
    assert s["SESSION_COOKIE_DOMAIN"] is None
    assert s["CSRF_COOKIE_DOMAIN"] is None


def test_production_forces_https_for_a_year_with_subdomains(production_settings: dict[str, Any]) -> None:
    """Production redirects to HTTPS and sends HSTS for at least a year, subdomains included; DEBUG is off."""
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert production_settings["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production_settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production_settings["DEBUG"] is False


@pytest.mark.django_db
def test_production_cookie_settings_reach_the_set_cookie_header(
    client: Client, settings: Any, production_settings: dict[str, Any]
) -> None:
    """With the production cookie settings, signing in sets `__Host-sessionid` with Secure, HttpOnly and
    Path=/ and no Domain."""
    from wpsnap.accounts.models import Organisation, User

    for name in ("SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE"):
        setattr(settings, name, production_settings[name])
    organisation = Organisation.objects.create(
        country="AZ", key="cookie-test", name="Cookie test", kind="ministry"
    )
    User.objects.create_user(
        username="focal",
        password="a long passphrase 4 cookies",
        role="focal_point",
        organisation=organisation,
    )
    response = client.post(
        "/accounts/login/", {"username": "focal", "password": "a long passphrase 4 cookies"}, secure=True
    )
    header = response.cookies[production_settings["SESSION_COOKIE_NAME"]].output()
    assert response.status_code == 302
    assert header.startswith("Set-Cookie: __Host-sessionid=")
    assert "; Secure" in header
    assert "; HttpOnly" in header
    assert "; Path=/" in header
    assert "Domain" not in header


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_pages_send_the_security_headers(client: Client, path: str) -> None:
    """Pages carry a Content Security Policy that forbids plugins, <base> and framing, and the
    nosniff, referrer and frame headers."""
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert response.status_code == 200
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
