"""scripts/serve-production: the production stack (PostgreSQL, gunicorn, the task worker, nginx with
deploy/'s config) starts from the checkout, serves through nginx with the headers and limits of deploy/,
and leaves nothing running when told to stop.

Needs nginx (Debian's package) and the PostgreSQL server binaries: skipped, saying which is missing,
elsewhere. It starts its own cluster, so it runs once, in the PostgreSQL half of `make test`."""

from __future__ import annotations

import http.client
import json
import os
import signal
import ssl
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .faults_checks import (
    check_a_killed_worker_loses_no_committed_write,
    check_a_postgresql_restart_answers_503_and_recovers_without_restarting_the_app,
    check_slow_clients_do_not_delay_a_normal_request,
    run_faults,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
import serve_production  # noqa: E402 - deploy/ is no package: the stack's own launcher

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
HAVE_PG = any(
    (Path(d) / "initdb").exists()
    for d in [os.environ.get("PG_BINDIR", ""), *map(str, Path("/usr/lib/postgresql").glob("*/bin"))]
    if d
)
HSTS = "max-age=31536000; includeSubDomains; preload"

pytestmark = [
    pytest.mark.suite_half("postgresql"),
    pytest.mark.skipif(
        not os.access(NGINX, os.X_OK), reason=f"no nginx at {NGINX} (install Debian's 'nginx')"
    ),
    pytest.mark.skipif(not HAVE_PG, reason="no PostgreSQL server binaries (install 'postgresql')"),
]


def test_serve_production(stack: dict[str, Any], tmp_path: Path) -> None:
    """One stack, checked in order (a second would take another minute or more): it serves through nginx
    with deploy/'s headers and limits; it holds the faults of issue 15 (slow clients, a PostgreSQL restart,
    killed workers: tests/ops/faults_checks.py, bench/faults.py --short); then it stops, leaving nothing."""
    check_health_page_api_and_static(stack)
    check_the_public_cache(stack)
    check_plain_http_only_redirects(stack)
    check_too_large_a_body_refused_by_nginx(stack)
    faults = run_faults(stack["_state_file"], tmp_path / "faults.json")
    check_slow_clients_do_not_delay_a_normal_request(faults)
    check_a_postgresql_restart_answers_503_and_recovers_without_restarting_the_app(faults)
    check_a_killed_worker_loses_no_committed_write(faults)
    check_stopping_leaves_nothing_running(stack)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict[str, Any]]:
    try:
        proc, state = serve_production.start_in_background(tmp_path, data="empty", timeout=900)
    except serve_production.NotReady as error:
        pytest.fail(str(error))
    state["_proc"], state["_state_file"], state["_ready_file"], state["_log"] = (
        proc,
        tmp_path / "state.json",
        tmp_path / "ready.json",
        tmp_path / "serve-production.log",
    )
    try:
        yield state
    finally:
        serve_production.stop_background(proc)


def request(
    state: dict[str, Any],
    method: str,
    path: str,
    *,
    tls: bool = True,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    if tls:
        context = ssl.create_default_context(cafile=state["ca_file"])
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", state["port"], context=context, timeout=60
        )
    else:
        conn = http.client.HTTPConnection("127.0.0.1", state["http_port"], timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        conn.close()


def check_health_page_api_and_static(stack: dict[str, Any]) -> None:
    status, headers, body = request(stack, "GET", "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert headers["server"] == "nginx"  # no version
    assert headers["strict-transport-security"] == HSTS  # once: nginx's, the app's own is hidden
    assert "default-src 'self'" in headers["content-security-policy"]

    status, headers, body = request(stack, "GET", "/en/plans/az-2020-2023/?q=Leyla+Mammadova")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["strict-transport-security"] == HSTS

    status, headers, body = request(stack, "GET", "/api/v1/plans/", headers={"Accept": "application/json"})
    assert status == 200 and headers["content-type"] == "application/json"
    assert "az-2020-2023" in body.decode()

    # A hashed static file, served by nginx from STATIC_ROOT with a year's cache, and HSTS on it too.
    static_root = Path(stack["env"]["WPSNAP_VAR_DIR"]) / "static"
    hashed = next(p for p in static_root.rglob("*.css") if len(p.suffixes) == 2 and len(p.suffixes[0]) == 13)
    status, headers, body = request(stack, "GET", f"/static/{hashed.relative_to(static_root)}")
    assert status == 200 and body == hashed.read_bytes()
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["strict-transport-security"] == HSTS and headers["x-content-type-options"] == "nosniff"

    # What nginx and gunicorn logged: the paths, never the query string (a name searched for).
    time.sleep(0.5)
    nginx_log = Path(stack["nginx"]["access_log"]).read_text()
    gunicorn_log = Path(stack["gunicorn"]["access_log"]).read_text()
    assert "/en/plans/az-2020-2023/" in nginx_log and "/en/plans/az-2020-2023/" in gunicorn_log
    assert "Leyla" not in nginx_log + gunicorn_log and "q=" not in nginx_log + gunicorn_log
    line = json.loads(next(x for x in gunicorn_log.splitlines() if "/api/v1/plans/" in x))
    assert {"method": "GET", "path": "/api/v1/plans/", "status": 200}.items() <= line.items()


def check_the_public_cache(stack: dict[str, Any]) -> None:
    """The public's pages, API and downloads asked without a cookie, a token or a query string are answered
    from nginx's cache after the first time, with the app's headers; with any of them they always go to
    the app (BYPASS) and are never stored; staff addresses never pass the cache."""
    for path in ("/ru/plans/az-2020-2023/open-data/", "/api/v1/public/plans/az-2020-2023/"):
        status, first, body = request(stack, "GET", path)
        assert status == 200 and first["x-cache-status"] == "MISS", (path, first)
        status, second, again = request(stack, "GET", path)
        assert status == 200 and second["x-cache-status"] == "HIT", (path, second)
        assert again == body and second["content-type"] == first["content-type"]
        assert (
            second["strict-transport-security"] == HSTS
            and "default-src 'self'" in second["content-security-policy"]
        )
        for personal in ({"Cookie": "__Host-sessionid=anything"}, {"Authorization": "Token anything"}):
            status, headers, _ = request(stack, "GET", path, headers=personal)
            assert headers["x-cache-status"] == "BYPASS", (path, personal, status, headers)
        # A query string (a search may name a person) is never stored: asked twice, both go to the app.
        for _ in range(2):
            status, headers, _ = request(stack, "GET", f"{path}?q=Leyla+Mammadova")
            assert headers["x-cache-status"] == "BYPASS", (path, status, headers)
        status, headers, _ = request(stack, "GET", path)
        assert headers["x-cache-status"] == "HIT", (path, headers)  # the personal answers were not stored
    status, headers, _ = request(stack, "GET", "/api/v1/plans/", headers={"Accept": "application/json"})
    assert status == 200 and "x-cache-status" not in headers
    status, headers, _ = request(stack, "GET", "/api/v1/plans/", headers={"Accept": "application/json"})
    assert "x-cache-status" not in headers
    time.sleep(0.5)  # nginx writes its access log line after the answer
    logged = Path(stack["nginx"]["access_log"]).read_text().splitlines()
    assert any("/api/v1/public/plans/az-2020-2023/" in line and line.endswith("cache=HIT") for line in logged)
    assert any("/api/v1/plans/" in line and line.endswith("cache=-") for line in logged)


def check_plain_http_only_redirects(stack: dict[str, Any]) -> None:
    status, headers, _ = request(stack, "GET", "/en/plans/az-2020-2023/?x=1", tls=False)
    assert status == 301
    assert headers["location"] == f"https://127.0.0.1:{stack['port']}/en/plans/az-2020-2023/?x=1"
    assert "strict-transport-security" not in headers


def check_too_large_a_body_refused_by_nginx(stack: dict[str, Any]) -> None:
    # Declared larger than the largest upload (201m): nginx answers 413 before reading it; the app never sees it.
    context = ssl.create_default_context(cafile=stack["ca_file"])
    conn = http.client.HTTPSConnection("127.0.0.1", stack["port"], context=context, timeout=60)
    conn.putrequest("POST", "/api/v1/reports/")
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Content-Length", str(300 * 1024 * 1024))
    conn.endheaders()
    conn.send(b"x" * 1024)
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    assert answer.status == 413 and answer.getheader("server") == "nginx" and b"nginx" in body
    time.sleep(0.5)
    assert "/api/v1/reports/" not in Path(stack["gunicorn"]["access_log"]).read_text()


def check_stopping_leaves_nothing_running(stack: dict[str, Any]) -> None:
    # As the stack stands now (the faults killed workers and restarted PostgreSQL and the task worker: the
    # state file says the task worker's pid of now).
    now = json.loads(stack["_state_file"].read_text())
    gunicorn = now["gunicorn"]
    current_workers = [
        int(p) for p in Path(f"/proc/{gunicorn['pid']}/task/{gunicorn['pid']}/children").read_text().split()
    ]
    # PostgreSQL's postmaster after the restart: the first line of its pid file.
    postgres = int(Path(now["postgres"]["data_dir"], "postmaster.pid").read_text().split()[0])
    pids = {
        "supervisor": now["pid"],
        "gunicorn": gunicorn["pid"],
        "worker": now["worker"]["pid"],
        "nginx": now["nginx"]["pid"],
        "postgres": postgres,
        **{f"gunicorn worker {pid}": pid for pid in current_workers},
    }
    assert all(Path(f"/proc/{pid}").exists() for pid in pids.values()), pids
    proc = stack["_proc"]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=120) == 0, stack["_log"].read_text()[-3000:]
    left = {name: pid for name, pid in pids.items() if Path(f"/proc/{pid}").exists() and _alive(pid)}
    assert left == {}
    assert not Path(stack["base"]).exists()
    assert not stack["_state_file"].exists() and not stack["_ready_file"].exists()
    for port in (stack["port"], stack["http_port"], stack["postgres"]["port"]):
        with pytest.raises(OSError):
            http.client.HTTPConnection("127.0.0.1", port, timeout=5).connect()


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent (this test's process reaps nothing but the supervisor)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
