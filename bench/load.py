"""Load benchmark: locust, headless, against the production stack of ``scripts/serve-production`` through
its nginx on loopback.

Run by hand (never part of the test suite)::

    .venv/bin/python bench/load.py                       # 100 users, 2 minutes, national data set
    .venv/bin/python bench/load.py --users 20 --duration 30 --data demo
    .venv/bin/python bench/load.py --state var/serve-production/state.json   # a stack already running
    .venv/bin/python bench/load.py --out bench/results/load-2026-12-03.json

Without ``--state`` it starts ``scripts/serve-production --data national`` (about 4-5 minutes to build the
data set on 2 cores) and stops it at the end. Then, in this process with the stack's environment (its
production settings and database), it makes the people the scenario plays: a focal point for each
agency with a report still in draft (one report each, so that no two users write the same report), a
coordinator with a verified second factor, each with a signed-in session, the focal points with an API
token too. Locust then runs in a process of its own (``locust --headless``, this file as its
locustfile): ``--users`` users (100) started ``--spawn-rate`` a second, each waiting 1 to 5 s between
requests, for ``--duration`` seconds (120):

- focal points (weight 4): their workspace (``/reports/``), their report's form, the report through the
  API (``GET``, its ``ETag``) and a draft saved through the API (``PATCH`` with ``If-Match``);
- coordinators (weight 2): the dashboard's overview, people and districts (maps) pages and the status
  endpoint the overview draws (``/api/v1/analytics/status/``);
- public visitors (weight 4): the portal's plan, indicator, reports and open data pages, the public API
  and the open data CSV download.

It prints one JSON object: requests, failures, median and p95 per request type and overall, the machine
(cpus, load average and ``uptime`` before and after) and the stack (gunicorn's worker class, workers and
threads, nginx, PostgreSQL) and what nginx's public cache answered (its access log's ``cache=`` field: the
public visitors' requests answered without reaching gunicorn); with ``--out`` it writes it there too. Goals: 0 failures, p95 < 300 ms.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
GOAL_P95_MS = 300
FIXTURE_ENV = "WPSNAP_LOAD_FIXTURE"


def log(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


# --- the driver ---------------------------------------------------------------------------------------


def start_stack(args: argparse.Namespace, workdir: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """``scripts/serve-production --data ...`` (with the gunicorn asked for) until it answers: its state file."""
    sys.path.insert(0, str(ROOT / "deploy"))
    import serve_production  # deploy/ is no package: the stack's own launcher

    options: list[str] = []
    for flag in ("workers", "threads", "worker_class"):
        if getattr(args, flag):
            options += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    log(f"starting serve-production --data {args.data} (log: {workdir / 'serve-production.log'})")
    try:
        proc, _state = serve_production.start_in_background(
            workdir, data=args.data, options=tuple(options), timeout=1800
        )
    except serve_production.NotReady as error:
        raise SystemExit(str(error)) from None
    return proc, workdir / "state.json"


def stop_stack(proc: subprocess.Popen[bytes]) -> None:
    sys.path.insert(0, str(ROOT / "deploy"))
    import serve_production

    serve_production.stop_background(proc)


def prepare(state: dict[str, Any], users: int) -> dict[str, Any]:
    """The people the scenario plays, made in the stack's database: {"focal": [{session, token, report}],
    "coordinator": [{session}], "plan": slug, "indicators": [keys], "cookie": name}."""
    os.environ.update(state["env"])
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from wpsnap.accounts.models import Organisation, Role, User
    from wpsnap.accounts.services import token_create
    from wpsnap.plan.models import Indicator, Plan
    from wpsnap.reporting.models import ProgressReport

    plan = Plan.objects.order_by("-start_year", "slug").first()
    if plan is None:
        raise SystemExit("load: the stack has no plan loaded")

    def session_of(user: Any, device: Any = None) -> str:
        client = Client(HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
        client.force_login(user)
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return str(client.cookies[settings.SESSION_COOKIE_NAME].value)

    # One editable report per focal point (drafts and returned reports in open periods), one agency's
    # focal point per report: nobody else writes it during the run, so a 409 would be a real fault.
    editable = list(
        ProgressReport.objects.filter(
            plan=plan, status__in=["draft", "returned"], period__locked_at__isnull=True
        )
        .order_by("id")
        .values_list("id", "agency_id")[:users]
    )
    focal = []
    for number, (report_id, agency_id) in enumerate(editable, start=1):
        user, _ = User.objects.get_or_create(
            username=f"load-focal-{number:03d}",
            defaults={
                "email": f"load-focal-{number:03d}@example.org",
                "role": Role.FOCAL_POINT,
                "organisation_id": agency_id,
            },
        )
        focal.append({"session": session_of(user), "token": token_create(user=user), "report": report_id})
    coordinator, created = User.objects.get_or_create(
        username="load-coordinator",
        defaults={
            "email": "load-coordinator@example.org",
            "role": Role.COORDINATOR,
            "organisation": Organisation.objects.filter(kind="coordinating").first()
            or Organisation.objects.order_by("id").first(),
        },
    )
    if created:
        coordinator.set_unusable_password()
        coordinator.save()
    device = TOTPDevice.objects.create(user=coordinator, name="load", confirmed=True)
    coordinators = [{"session": session_of(coordinator, device)} for _ in range(max(1, users // 2))]
    indicators = list(
        Indicator.objects.filter(plan=plan)
        .order_by("priority_area__position", "position")
        .values_list("key", flat=True)
    )
    log(f"prepared {len(focal)} focal points with a draft each and {len(coordinators)} coordinator sessions")
    return {
        "plan": plan.slug,
        "indicators": indicators[:12],
        "cookie": settings.SESSION_COOKIE_NAME,
        "ca_file": state["ca_file"],
        "focal": focal,
        "coordinator": coordinators,
    }


def machine() -> dict[str, Any]:
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    return {"cpus": os.cpu_count(), "load": [round(x, 2) for x in os.getloadavg()], "uptime": uptime}


def access_log_size(state: dict[str, Any]) -> int:
    path = Path(state["nginx"]["access_log"])
    return path.stat().st_size if path.exists() else 0


def public_cache_of(state: dict[str, Any], since: int) -> dict[str, Any]:
    """What nginx's public cache answered during the run (the access log's ``cache=`` field from byte
    ``since``): requests by cache status, and the share of the cached addresses' requests that never
    reached gunicorn."""
    with Path(state["nginx"]["access_log"]).open("rb") as log_file:
        log_file.seek(since)
        lines = log_file.read().decode(errors="replace").splitlines()
    counted = Counter(line.rsplit("cache=", 1)[1] for line in lines if "cache=" in line)
    cached = sum(n for status, n in counted.items() if status != "-")
    answered = counted["HIT"] + counted["UPDATING"] + counted["STALE"]
    return {
        "requests_by_status": dict(sorted(counted.items())),
        "public_requests": cached,
        "answered_by_nginx": answered,
        "answered_by_nginx_share": round(answered / cached, 3) if cached else None,
    }


def stack_of(state: dict[str, Any]) -> dict[str, Any]:
    def version(command: list[str]) -> str:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        return (result.stdout + result.stderr).strip().splitlines()[0] if result.returncode == 0 else "?"

    gunicorn = state["gunicorn"]
    return {
        "proxy": version(["/usr/sbin/nginx", "-v"]),
        "postgresql": version([f"{state['postgres']['bindir']}/postgres", "--version"]),
        "gunicorn_worker_class": gunicorn["worker_class"],
        "gunicorn_workers": gunicorn["workers_count"],
        "gunicorn_threads": gunicorn["threads"],
        "settings": state["env"]["DJANGO_SETTINGS_MODULE"],
        "data": state["data"],
        "tls": True,
    }


def run_locust(args: argparse.Namespace, state: dict[str, Any], fixture: Path, workdir: Path) -> Path:
    prefix = workdir / "locust"
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(Path(__file__).resolve()),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.duration}s",
        "--host",
        state["url"].rstrip("/"),
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, FIXTURE_ENV: str(fixture), "WPSNAP_LOAD_WAIT": f"{args.wait_min},{args.wait_max}"}
    log(f"locust: {args.users} users for {args.duration}s against {state['url']}")
    with (workdir / "locust.log").open("wb") as out:
        subprocess.run(
            command, cwd=ROOT, env=env, stdout=out, stderr=out, check=False, timeout=args.duration + 120
        )
    return prefix


def read_results(prefix: Path) -> dict[str, Any]:
    def ms(value: str) -> float | None:
        return None if value in ("", "N/A") else round(float(value), 1)

    by_request: dict[str, Any] = {}
    overall: dict[str, Any] = {}
    with Path(f"{prefix}_stats.csv").open(newline="") as stats:
        for row in csv.DictReader(stats):
            figures = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": ms(row["50%"]),
                "p95_ms": ms(row["95%"]),
                "p99_ms": ms(row["99%"]),
                "max_ms": ms(row["Max Response Time"]),
                "rps": round(float(row["Requests/s"]), 2),
            }
            if row["Name"] == "Aggregated":
                overall = figures
            else:
                by_request[row["Name"]] = figures
    failures = []
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with failures_file.open(newline="") as rows:
            failures = [
                {"request": r["Name"], "error": r["Error"][:300], "occurrences": int(r["Occurrences"])}
                for r in csv.DictReader(rows)
            ]
    return {"overall": overall, "by_request": by_request, "failure_kinds": failures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=120, help="seconds")
    parser.add_argument("--wait-min", type=float, default=1)
    parser.add_argument("--wait-max", type=float, default=5)
    parser.add_argument("--data", choices=["national", "demo", "empty"], default="national")
    parser.add_argument("--state", default="", help="the state file of a serve-production already running")
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--worker-class", default="")
    parser.add_argument("--out", default="", help="also write the JSON here")
    args = parser.parse_args()

    import tempfile

    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wpsnap-load-") as tmp:
        workdir = Path(tmp)
        proc = None
        if args.state:
            state_file = Path(args.state)
        else:
            proc, state_file = start_stack(args, workdir)
        try:
            state = json.loads(state_file.read_text())
            fixture = workdir / "fixture.json"
            fixture.write_text(json.dumps(prepare(state, args.users)))
            before = machine()
            logged = access_log_size(state)
            prefix = run_locust(args, state, fixture, workdir)
            after = machine()
            cache = public_cache_of(state, logged)
            results = read_results(prefix)
            if not results["overall"]:
                raise SystemExit(f"locust gave no figures: {(workdir / 'locust.log').read_text()[-3000:]}")
            overall = results["overall"]
            report = {
                "requests": overall["requests"],
                "failures": overall["failures"],
                "p50_ms": overall["p50_ms"],
                "p95_ms": overall["p95_ms"],
                "p99_ms": overall["p99_ms"],
                "rps": overall["rps"],
                "by_request": results["by_request"],
                "failure_kinds": results["failure_kinds"],
                "scenario": {
                    "users": args.users,
                    "spawn_rate": args.spawn_rate,
                    "duration_s": args.duration,
                    "wait_s": [args.wait_min, args.wait_max],
                    "weights": {"focal_point": 4, "coordinator": 2, "public": 4},
                    "through": "nginx (TLS) -> gunicorn (unix socket) -> PostgreSQL, loopback",
                },
                "goals": {"failures": 0, "p95_ms": GOAL_P95_MS},
                "meets_goals": overall["failures"] == 0 and (overall["p95_ms"] or 0) < GOAL_P95_MS,
                "machine": {"before": before, "after": after, "load_generator": "locust on the same machine"},
                "stack": stack_of(state),
                "public_cache": cache,
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "seconds": round(time.monotonic() - began, 1),
            }
        finally:
            if proc is not None:
                stop_stack(proc)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


# --- the locustfile (read by the locust process only) ------------------------------------------------

if __name__ != "__main__":
    import itertools
    import random

    from locust import HttpUser, between, task

    _fixture: dict[str, Any] = json.loads(Path(os.environ[FIXTURE_ENV]).read_text())
    _wait = [float(x) for x in os.environ.get("WPSNAP_LOAD_WAIT", "1,5").split(",")]
    _focal = itertools.cycle(_fixture["focal"]) if _fixture["focal"] else None
    _coordinators = itertools.cycle(_fixture["coordinator"])
    _SLUG = _fixture["plan"]

    class _Base(HttpUser):
        abstract = True
        wait_time = between(_wait[0], _wait[1])

        def on_start(self) -> None:
            self.client.verify = _fixture["ca_file"]
            self.client.headers["Accept-Language"] = "en"

        def page(self, path: str, name: str, **kwargs: Any) -> Any:
            with self.client.get(
                path, name=name, catch_response=True, allow_redirects=False, **kwargs
            ) as answer:
                if answer.status_code != 200:
                    answer.failure(f"{answer.status_code}")
                return answer

    class FocalPoint(_Base):
        weight = 4 if _focal else 0

        def on_start(self) -> None:
            super().on_start()
            me = next(_focal) if _focal else {}
            self.report = me["report"]
            self.cookie = {"Cookie": f"{_fixture['cookie']}={me['session']}"}
            self.token = {"Authorization": f"Token {me['token']}"}
            self.saved = 0

        @task(2)
        def workspace(self) -> None:
            self.page("/reports/", "focal: workspace /reports/", headers=self.cookie)

        @task(2)
        def report_form(self) -> None:
            self.page(
                f"/reports/{self.report}/edit/", "focal: report form /reports/<id>/edit/", headers=self.cookie
            )

        @task(3)
        def save_draft(self) -> None:
            answer = self.page(
                f"/api/v1/reports/{self.report}/", "focal: GET /api/v1/reports/<id>/", headers=self.token
            )
            etag = answer.headers.get("ETag")
            if answer.status_code != 200 or not etag:
                return
            self.saved += 1
            body = {"challenges": f"Draft saved under load, {self.saved}."}
            with self.client.patch(
                f"/api/v1/reports/{self.report}/",
                json=body,
                headers={**self.token, "If-Match": etag},
                name="focal: PATCH /api/v1/reports/<id>/ (If-Match)",
                catch_response=True,
            ) as saved:
                if saved.status_code != 200:
                    saved.failure(f"{saved.status_code}: {saved.text[:200]}")

    class Coordinator(_Base):
        weight = 2

        def on_start(self) -> None:
            super().on_start()
            self.cookie = {"Cookie": f"{_fixture['cookie']}={next(_coordinators)['session']}"}

        @task(3)
        def overview(self) -> None:
            self.page(f"/plans/{_SLUG}/dashboard/", "coordinator: dashboard overview", headers=self.cookie)

        @task(2)
        def status(self) -> None:
            self.page(
                "/api/v1/analytics/status/?parts=none",
                "coordinator: GET /api/v1/analytics/status/",
                headers=self.cookie,
            )

        @task(2)
        def people(self) -> None:
            self.page(
                f"/plans/{_SLUG}/dashboard/people/", "coordinator: dashboard people", headers=self.cookie
            )

        @task(2)
        def maps(self) -> None:
            self.page(
                f"/plans/{_SLUG}/dashboard/districts/",
                "coordinator: dashboard districts (maps)",
                headers=self.cookie,
            )

    class PublicVisitor(_Base):
        weight = 4

        @task(3)
        def plan(self) -> None:
            self.page(f"/en/plans/{_SLUG}/", "public: plan page")

        @task(2)
        def indicator(self) -> None:
            if _fixture["indicators"]:
                key = random.choice(_fixture["indicators"])
                self.page(f"/en/plans/{_SLUG}/indicators/{key}/", "public: indicator page")

        @task(1)
        def reports(self) -> None:
            self.page(f"/en/plans/{_SLUG}/reports/", "public: reports page")

        @task(1)
        def open_data(self) -> None:
            self.page(f"/en/plans/{_SLUG}/open-data/", "public: open data page")

        @task(2)
        def public_api(self) -> None:
            self.page(f"/api/v1/public/plans/{_SLUG}/", "public: GET /api/v1/public/plans/<slug>/")

        @task(1)
        def download(self) -> None:
            self.page(f"/exports/open/{_SLUG}/figures.csv", "public: open data figures.csv")


if __name__ == "__main__":
    main()
