"""Structured logs without personal data (``wpsnap.core.logs``): the mask, the JSON line, each request's id
and its one line, and which format each settings module selects."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from wpsnap.core.logs import JsonFormatter, PersonalDataFilter, mask

from ..conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("sent to leyla.aliyeva@example.org", "sent to [email]"),
        ("call +994 55 123 98 76 now", "call [phone] now"),
        ("call +994-55-123-98-76", "call [phone]"),
        ("call 055 123 98 76 or 050-123-45-67", "call [phone] or [phone]"),
        ("call 0551239876", "call [phone]"),
        (
            "GET /registries/candidates/?q=Leyla&page=2 HTTP/1.1",
            "GET /registries/candidates/?[query] HTTP/1.1",
        ),
        ("https://example.org/x/?token=abc", "https://example.org/x/?[query]"),
        (
            "AXES: locked {username: leyla, path_info: /accounts/login/}",
            "AXES: locked {username: [name], path_info: /accounts/login/}",
        ),
        ("login failed username='leyla'", "login failed username='[name]'"),
    ],
)
def test_personal_data_is_masked(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "period 2022-01-01 to 2023-12-31 locked",
        "connection to server at 127.0.0.1, port 41207 failed",
        "GET /api/v1/plans/ 200 12.5 ms",
        "job 1234 (export): finished after 987654 rows",
        "Is the server running on that host and accepting TCP/IP connections?",
        "audit update actor=12 reporting.report 3456",
    ],
)
def test_what_is_not_personal_stays(text: str) -> None:
    """Dates, addresses and ports of servers, paths, durations, counts and ids are left as they are."""
    assert mask(text) == text


def _formatted(record: logging.LogRecord) -> dict[str, object]:
    """``record`` as a handler with the filter and the JSON formatter writes it."""
    kept = PersonalDataFilter().filter(record)
    assert kept
    line = JsonFormatter().format(kept if isinstance(kept, logging.LogRecord) else record)
    assert "\n" not in line
    return json.loads(line)


def test_a_json_line_has_the_fields_and_nothing_of_the_record_s_extras() -> None:
    """time (UTC), level, logger, message with its arguments masked; not an extra attribute such as a
    request (whose body and headers would follow)."""
    record = logging.makeLogRecord(
        {
            "name": "wpsnap.x",
            "levelno": logging.WARNING,
            "levelname": "WARNING",
            "msg": "invitation to %s failed",
            "args": ("leyla@example.org",),
            "created": 1_796_000_000.25,
            "request": "POST body: name=Leyla",
        }
    )
    assert _formatted(record) == {
        "time": "2026-11-30T00:53:20.250+00:00",
        "level": "WARNING",
        "logger": "wpsnap.x",
        "message": "invitation to [email] failed",
    }


def test_an_error_s_traceback_is_in_the_line_masked() -> None:
    """An exception's type, and its traceback (whose last line repeats the exception's text, which can
    quote values) masked."""
    try:
        raise ValueError("duplicate key (email)=(leyla@example.org)")
    except ValueError:
        record = logging.getLogger("wpsnap.x").makeRecord(
            "wpsnap.x", logging.ERROR, __file__, 1, "saving failed", (), sys.exc_info()
        )
    line = _formatted(record)
    assert line["exc_type"] == "ValueError"
    assert str(line["exc"]).startswith("Traceback (most recent call last):")
    assert str(line["exc"]).endswith("ValueError: duplicate key (email)=([email])")


def test_the_mask_is_the_handler_s_own_and_leaves_the_record_to_the_others() -> None:
    """Another handler of the same record (a test's capture of what the code really logs) sees it as
    logged: the filter masks a copy for its own handler."""
    seen: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    masked = io.StringIO()
    console = logging.StreamHandler(masked)
    console.addFilter(PersonalDataFilter())
    logger = logging.getLogger("wpsnap.test-logs")
    logger.propagate = False
    logger.addHandler(console)
    logger.addHandler(Capture())
    try:
        logger.warning("reminder for %s", "leyla@example.org")
    finally:
        logger.handlers.clear()
        logger.propagate = True
    assert masked.getvalue() == "reminder for [email]\n"
    assert seen == ["reminder for leyla@example.org"]


@pytest.fixture
def json_log(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    """What our loggers write at INFO, as the production console would: filtered, one JSON object a line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(PersonalDataFilter())
    logger = logging.getLogger("wpsnap")
    caplog.set_level(logging.INFO, logger="wpsnap")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_each_request_has_one_line_with_its_id_path_status_and_duration(client, json_log) -> None:
    """One line per request (wpsnap.request): method, the path without its query string, status, duration,
    and the request id that the answer's X-Request-ID gives."""
    response = client.get("/healthz?token=secret-token")
    assert response.status_code == 200
    [line] = [line for line in _lines(json_log) if line["logger"] == "wpsnap.request"]
    assert line["request_id"] == response["X-Request-ID"]
    assert len(str(line["request_id"])) == 32
    assert line["path"] == "/healthz"
    assert (line["method"], line["status"]) == ("GET", 200)
    assert isinstance(line["duration_ms"], float)
    assert line["message"] == f"GET /healthz 200 {line['duration_ms']:.1f} ms"
    assert "secret-token" not in json_log.getvalue()


@pytest.mark.django_db
def test_the_proxy_s_request_id_is_kept_when_it_is_a_plain_token(client, json_log) -> None:
    """nginx's $request_id is kept (the same id in both logs); anything else is replaced by a new one."""
    kept = client.get("/healthz", headers={"X-Request-ID": "0f3c9a7d2b4e4f1a9c8d7e6f5a4b3c2d"})
    assert kept["X-Request-ID"] == "0f3c9a7d2b4e4f1a9c8d7e6f5a4b3c2d"
    replaced = client.get("/healthz", headers={"X-Request-ID": 'x" injected="1'})
    assert replaced["X-Request-ID"] != 'x" injected="1'
    assert "injected" not in json_log.getvalue()


@pytest.mark.django_db
def test_lines_logged_during_a_request_carry_its_id_and_no_name(client, make_user, json_log) -> None:
    """Signing in writes an audit line (wpsnap.audit) while the request runs: it carries the request's id
    and path; neither the user name nor the password is anywhere in the log."""
    make_user("focal_point", "mod", "leyla-aliyeva")
    json_log.seek(0)
    json_log.truncate()  # the lines of making the account, outside any request
    response = client.post("/accounts/login/", {"username": "leyla-aliyeva", "password": TEST_PASSWORD})
    assert response.status_code == 302
    lines = _lines(json_log)
    audit = [line for line in lines if line["logger"] == "wpsnap.audit"]
    assert audit
    assert {line["request_id"] for line in audit} == {response["X-Request-ID"]}
    assert {line["path"] for line in audit} == {"/accounts/login/"}
    text = json_log.getvalue()
    for secret in ("leyla", TEST_PASSWORD):
        assert secret not in text


def test_the_test_settings_keep_the_plain_format() -> None:
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "plain"
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["personal_data"]


def _log_in_child(settings_module: str, **environ: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django, logging\n"
        "django.setup()\n"
        "logging.getLogger('wpsnap.x').warning('reminder sent to %s', 'leyla@example.org')\n"
    )
    env = {name: value for name, value in os.environ.items() if name != "WPSNAP_LOG_FORMAT"}
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        SECRET_KEY="a-long-secret-key-for-this-test-only-0123456789-abcdefghijklmnop",
        DATABASE_URL="sqlite:////nonexistent-wpsnap/db.sqlite3",
        **environ,
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_logs_json_lines_and_plain_on_request() -> None:
    """Production's console writes one JSON object per line, masked; WPSNAP_LOG_FORMAT=plain gives text;
    a format it does not know stops the start."""
    done = _log_in_child("config.settings.production")
    assert done.returncode == 0, done.stderr
    [line] = [json.loads(text) for text in done.stderr.splitlines()]
    assert (line["logger"], line["message"]) == ("wpsnap.x", "reminder sent to [email]")
    plain = _log_in_child("config.settings.production", WPSNAP_LOG_FORMAT="plain")
    assert plain.returncode == 0, plain.stderr
    assert plain.stderr.rstrip().endswith("WARNING wpsnap.x reminder sent to [email]")
    wrong = _log_in_child("config.settings.production", WPSNAP_LOG_FORMAT="xml")
    assert wrong.returncode != 0
    assert "WPSNAP_LOG_FORMAT must be 'plain' or 'json', not 'xml'." in wrong.stderr
