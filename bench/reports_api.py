"""Benchmark of the reporting API on a busy plan's data, on PostgreSQL, under gunicorn.

Run by hand (it is not part of the test suite): ``.venv/bin/python bench/reports_api.py``. It starts its
own throw-away PostgreSQL cluster (it re-runs itself under ``scripts/with-postgres``; it never writes to
a database it did not create), migrates, loads the Azerbaijan plan and generates the results of a busy
plan: 35 count indicators (one per activity) x 4 annual periods x 20 approved reports (20 agencies
bench-01..20), every figure broken down by sex x age band (10 cells and the total).

It then serves the project with gunicorn (production settings, 2 workers) and times, as a coordinator
with an API token, (a) the first page of /api/v1/reports/ (100 reports with their figures) and
(b) /api/v1/results/ (the whole plan's sums by indicator, period and cell): median and p95 over the
timed requests, and the SQL queries each request makes (counted by running the same request in this
process). For comparison it times the same reads done with hand-written SQL through psycopg, on the
same data. It prints one JSON object on stdout; progress goes to stderr.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import math
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Set by this script when it re-runs itself inside the throw-away cluster; never set it by hand.
INSIDE = "WPSNAP_BENCH_THROWAWAY_DB"

PLAN_FILE = ROOT / "plans" / "az-2020-2023.yaml"
AGENCIES = 20
WARM_UPS = 3
RUNS = 30
GOAL_MS = 150
HOST = "127.0.0.1"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run_under_postgres() -> None:
    """Run this script again inside ``scripts/with-postgres``, which exports DATABASE_URL of a fresh
    cluster and removes the cluster afterwards; exit with its status."""
    command = [
        str(ROOT / "scripts" / "with-postgres"),
        "env",
        f"{INSIDE}=1",
        sys.executable,
        str(Path(__file__).resolve()),
        *sys.argv[1:],
    ]
    raise SystemExit(subprocess.run(command, check=False).returncode)


def configure(var_dir: str) -> None:
    """Production settings, as gunicorn will run them, for this process too."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "WPSNAP_VAR_DIR": var_dir,
            "WPSNAP_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- the data ----------------------------------------------------------------------------------------


def build_dataset() -> dict[str, Any]:
    """Migrate, load the plan, and generate a busy plan's approved results (bulk inserts)."""
    from django.core.management import call_command
    from django.utils import timezone

    from wpsnap.accounts.models import Organisation, OrganisationKind
    from wpsnap.plan import schema
    from wpsnap.plan.models import Activity, Indicator, IndicatorKind
    from wpsnap.plan.services import plan_load
    from wpsnap.reporting.disaggregation import cell_key
    from wpsnap.reporting.models import (
        Breakdown,
        FinancingLine,
        IndicatorBreakdown,
        IndicatorValue,
        ProgressReport,
    )
    from wpsnap.reporting.services import reporting_setup
    from wpsnap.reporting.services.setup import DEFAULT_DIMENSIONS
    from wpsnap.reporting.workflow import Status

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"migrated in {time.perf_counter() - started:.1f}s")
    plan = plan_load(plan_file=schema.read_plan_file(PLAN_FILE)).plan

    # A busy plan: one count indicator by sex x age on every activity (the plan has 34 indicators on
    # 35 activities, some qualitative; the missing one is added and every one counted by sex x age).
    activities = list(Activity.objects.filter(plan=plan).order_by("priority_area__position", "position"))
    for activity in activities:
        if not activity.indicators.exists():
            Indicator.objects.create(
                plan=plan,
                priority_area_id=activity.priority_area_id,
                activity=activity,
                key=f"{activity.key}-bench",
                text="People reached (benchmark indicator)",
                kind=IndicatorKind.COUNT,
                disaggregation=["sex", "age"],
                position=99,
            )
    Indicator.objects.filter(plan=plan).update(kind=IndicatorKind.COUNT, disaggregation=["sex", "age"])
    reporting_setup(plan=plan)
    sex_age = Breakdown.objects.get(plan=plan, code="sex-age", version=1)
    IndicatorBreakdown.objects.filter(indicator__plan=plan).update(breakdown=sex_age)
    options = {code: [o for o, _ in opts] for code, _, opts in DEFAULT_DIMENSIONS}
    cells = [cell_key([("sex", s), ("age", a)]) for s in options["sex"] for a in options["age"]]

    agencies = Organisation.objects.bulk_create(
        [
            Organisation(
                country=plan.country,
                key=f"bench-{n:02d}",
                name=f"Benchmark ministry {n:02d}",
                short_name=f"BM{n:02d}",
                kind=OrganisationKind.MINISTRY,
            )
            for n in range(1, AGENCIES + 1)
        ]
    )
    periods = list(plan.reporting_periods.order_by("start"))
    now = timezone.now()
    reports = ProgressReport.objects.bulk_create(
        [
            ProgressReport(
                plan=plan,
                period=period,
                activity=activity,
                agency=agency,
                status=Status.APPROVED,
                progress="completed",
                done="Trainings and consultations held as planned; figures from the attendance lists.",
                challenges="Late transfer of funds in the first quarter.",
                next_steps="Extend the programme to the regions.",
                submitted_at=now,
                approved_at=now,
            )
            for period in periods
            for activity in activities
            for agency in agencies
        ],
        batch_size=2000,
    )
    indicators_of: dict[int, list[int]] = {}
    for indicator_id, activity_id in Indicator.objects.filter(plan=plan).values_list("pk", "activity_id"):
        indicators_of.setdefault(activity_id, []).append(indicator_id)
    rng = random.Random(1325)
    values: list[IndicatorValue] = []
    for report in reports:
        for indicator_id in indicators_of.get(report.activity_id, []):
            parts = [rng.randint(0, 60) for _ in cells]
            values.append(
                IndicatorValue(
                    report=report, indicator_id=indicator_id, breakdown=sex_age, cell="", value=sum(parts)
                )
            )
            values += [
                IndicatorValue(report=report, indicator_id=indicator_id, breakdown=sex_age, cell=c, value=v)
                for c, v in zip(cells, parts, strict=True)
            ]
    IndicatorValue.objects.bulk_create(values, batch_size=5000)
    FinancingLine.objects.bulk_create(
        [
            FinancingLine(
                report=r, source="state_budget", planned=Decimal(rng.randint(1000, 90000)), spent=Decimal(900)
            )
            for r in reports
        ],
        batch_size=5000,
    )
    _analyze()
    log(f"generated {len(reports)} reports and {len(values)} figures in {time.perf_counter() - started:.1f}s")
    return {
        "indicators": Indicator.objects.filter(plan=plan).count(),
        "periods": len(periods),
        "agencies": len(agencies),
        "reports": len(reports),
        "approved_reports_per_indicator_and_period": AGENCIES,
        "cells_per_figure_set": len(cells) + 1,
        "values": len(values),
        "plan": plan.slug,
    }


def _analyze() -> None:
    """Fresh planner statistics after the bulk inserts, as autovacuum would give a live database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def coordinator_token() -> str:
    from wpsnap.accounts.models import Organisation, Role, User
    from wpsnap.accounts.services import token_create

    user = User(
        username="bench-coordinator",
        email="bench-coordinator@example.org",
        role=Role.COORDINATOR,
        organisation=Organisation.objects.get(key="scfwca"),
    )
    user.set_unusable_password()
    user.save()
    return token_create(user=user)


# --- the server ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def gunicorn(port: int, log_path: Path) -> Iterator[None]:
    """gunicorn serving the project on ``port`` (2 sync workers, production settings) until the block ends."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        "--no-control-socket",
        "--workers",
        "2",
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
    ]
    with log_path.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=out, stderr=out)
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"gunicorn stopped: {log_path.read_text(errors='replace')}")
                try:
                    status, _ = get(port, "/api/v1/plans/", {})
                    if status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer within 60 s")
                time.sleep(0.2)
            yield
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """One GET over a new connection, as a client of the API would make it."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(
            "GET",
            path,
            headers={
                "Accept": "application/json",
                # Production redirects http to https; the proxy in front of it says the request was https.
                "X-Forwarded-Proto": "https",
                **headers,
            },
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- measuring -----------------------------------------------------------------------------------------


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"median_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1)}


def timed(call: Callable[[], Any]) -> list[float]:
    for _ in range(WARM_UPS):
        call()
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def over_http(port: int, path: str, token: str) -> dict[str, Any]:
    auth = {"Authorization": f"Token {token}"}
    status, body = get(port, path, auth)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}: {body[:500]!r}")

    def call() -> None:
        got, _ = get(port, path, auth)
        if got != 200:
            raise RuntimeError(f"{path} answered {got}")

    return {**summary(timed(call)), "bytes": len(body), "body": json.loads(body)}


def queries_in_process(path: str, token: str) -> int:
    """The SQL queries the request makes, counted by running it through Django's test client here."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(
            path, HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https"
        )
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code} in process")
    return len(captured)


# The same reads in hand-written SQL: what the database alone costs for them.
RAW_COUNT = "SELECT count(*) FROM reporting_progressreport"
RAW_PAGE = """
SELECT r.id, r.status, r.progress, r.done, r.challenges, r.next_steps, r.started_on, r.finished_on,
       r.submitted_at, r.approved_at, r.published_at,
       a.key, a.code, o.key, o.short_name, p.label, p.start, p."end"
FROM reporting_progressreport r
JOIN reporting_reportingperiod p ON p.id = r.period_id
JOIN plan_activity a ON a.id = r.activity_id
JOIN plan_priorityarea pa ON pa.id = a.priority_area_id
JOIN accounts_organisation o ON o.id = r.agency_id
ORDER BY p.start, pa.position, a.position, o.name, r.id
LIMIT 100
"""
RAW_VALUES = """
SELECT v.report_id, i.key, v.cell, v.value
FROM reporting_indicatorvalue v JOIN plan_indicator i ON i.id = v.indicator_id
WHERE v.report_id = ANY(%s)
ORDER BY i.position, v.cell
"""
RAW_ANSWERS = """
SELECT a.report_id, i.key, a.text
FROM reporting_indicatoranswer a JOIN plan_indicator i ON i.id = a.indicator_id
WHERE a.report_id = ANY(%s)
"""
RAW_FINANCING = (
    "SELECT report_id, source, planned, spent FROM reporting_financingline WHERE report_id = ANY(%s)"
)
RAW_PLAN = "SELECT id FROM plan_plan WHERE slug = %s"
RAW_PERIODS = "SELECT id, label FROM reporting_reportingperiod WHERE plan_id = %s ORDER BY start"
RAW_INDICATORS = """
SELECT i.id, i.key, i.kind FROM plan_indicator i JOIN plan_priorityarea pa ON pa.id = i.priority_area_id
WHERE i.plan_id = %s ORDER BY pa.position, i.position
"""
RAW_SUMS = """
SELECT v.indicator_id, r.period_id, v.cell, sum(v.value), count(*)
FROM reporting_indicatorvalue v JOIN reporting_progressreport r ON r.id = v.report_id
WHERE r.plan_id = %s AND r.status = ANY(%s)
GROUP BY v.indicator_id, r.period_id, v.cell
"""


def raw_sql(slug: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as db:

        def report_list() -> int:
            with db.cursor() as cur:
                cur.execute(RAW_COUNT)
                cur.fetchone()
                cur.execute(RAW_PAGE)
                ids = [row[0] for row in cur.fetchall()]
                cur.execute(RAW_VALUES, (ids,))
                values = cur.fetchall()
                cur.execute(RAW_ANSWERS, (ids,))
                cur.fetchall()
                cur.execute(RAW_FINANCING, (ids,))
                cur.fetchall()
            return len(values)

        def results() -> int:
            with db.cursor() as cur:
                cur.execute(RAW_PLAN, (slug,))
                row = cur.fetchone()
                assert row is not None
                cur.execute(RAW_PERIODS, (row[0],))
                cur.fetchall()
                cur.execute(RAW_INDICATORS, (row[0],))
                cur.fetchall()
                cur.execute(RAW_SUMS, (row[0], ["approved", "published"]))
                return len(cur.fetchall())

        return {
            "report_list": {**summary(timed(report_list)), "queries": 5, "values_read": report_list()},
            "results": {**summary(timed(results)), "queries": 4, "sums_read": results()},
        }


def main() -> None:
    if os.environ.get(INSIDE) != "1":
        run_under_postgres()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("bench: scripts/with-postgres did not give a PostgreSQL DATABASE_URL")
    began = time.perf_counter()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="wpsnap-bench-") as var_dir:
        configure(var_dir)
        dataset = build_dataset()
        token = coordinator_token()
        lists = "/api/v1/reports/"
        results = "/api/v1/results/"
        list_queries = queries_in_process(lists, token)
        results_queries = queries_in_process(results, token)
        port = free_port()
        with gunicorn(port, Path(var_dir) / "gunicorn.log"):
            log(f"gunicorn on {HOST}:{port}; timing {RUNS} requests each after {WARM_UPS} warm-ups")
            listed = over_http(port, lists, token)
            summed = over_http(port, results, token)
        page = listed.pop("body")
        sums = summed.pop("body")
        raw = raw_sql(dataset["plan"])
    report_list = {
        **listed,
        "queries": list_queries,
        "reports_on_page": len(page["results"]),
        "values_on_page": sum(len(r["values"]) for r in page["results"]),
        "reports_listed": page["count"],
    }
    figures = [p for i in sums["indicators"] for p in i["periods"]]
    result = {
        **summed,
        "queries": results_queries,
        "indicators": len(sums["indicators"]),
        "indicator_periods": len(figures),
        "cells": sum(len(p["cells"]) for p in figures),
        "reports_per_indicator_period": sorted({p["reports"] for p in figures}),
        # The figures themselves, to compare runs of different code on the same generated data.
        "figures_sha256": hashlib.sha256(json.dumps(sums, sort_keys=True).encode()).hexdigest(),
    }
    print(
        json.dumps(
            {
                "dataset": dataset,
                "report_list": report_list,
                "results": result,
                "raw_sql": raw,
                "goal_ms": GOAL_MS,
                "meets_goal": report_list["median_ms"] < GOAL_MS and result["median_ms"] < GOAL_MS,
                "runs": {
                    "warm_ups": WARM_UPS,
                    "timed": RUNS,
                    "server": "gunicorn, 2 sync workers, production settings",
                    "client": "one request at a time, a new connection each",
                },
                # Timings on a busy machine are slower: say how busy it was.
                "machine": {
                    "cpus": os.cpu_count(),
                    "load_1m_before": round(load_before, 2),
                    "load_1m_after": round(os.getloadavg()[0], 2),
                },
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "seconds": round(time.perf_counter() - began, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
