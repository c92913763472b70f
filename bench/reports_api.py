"""Benchmark of the reporting API and the dashboards' endpoints on a busy plan's data, at 1x and 10x its
size in one run, on PostgreSQL, under gunicorn.

Run by hand (it is not part of the test suite): ``.venv/bin/python bench/reports_api.py``. It starts its
own throw-away PostgreSQL cluster (it re-runs itself under ``scripts/with-postgres``; it never writes to
a database it did not create), migrates, loads the Azerbaijan plan and generates the results of a busy
plan: 35 count indicators (one per activity) x 4 annual periods x 20 approved reports (20 agencies
bench-01..20), every figure broken down by sex x age band (10 cells and the total): 2,800 reports (1x).

It then serves the project with gunicorn (production settings, 2 workers) and times, as a coordinator
with an API token, the report list (/api/v1/reports/ in its default order, 100 reports a page with their
figures: the first page, and a deep page reached by following the cursor), /api/v1/results/ (the whole
plan's sums by indicator, period and cell) and the dashboards' endpoints under /api/v1/analytics/: median
and p95 over the timed requests, and the SQL queries each request makes (counted by running the same
request in this process). Then it adds 180 agencies' reports (bench-021..200: 28,000 reports, 10x),
rebuilds the analytics rollups as a bulk load must, and times the same again. It prints the 10x median
over the 1x median for each, beside the goal (1.3), and times the list's and the results' reads in
hand-written SQL through psycopg on the same data. It prints one JSON object on stdout (progress goes to
stderr) and writes it to bench/results/reports-api-<date>.json.
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
# The 10x data set: this many agencies in all (2,800 reports each 20 agencies).
AGENCIES_10X = 200
WARM_UPS = 3
RUNS = 30
GOAL_MS = 150
GOAL_GROWTH = 1.3
HOST = "127.0.0.1"
RESULTS = Path(__file__).resolve().parent / "results"
# A check of the script itself: 2 and 20 agencies, 3 timed requests, nothing written to bench/results/.
QUICK = "--quick" in sys.argv
if QUICK:
    AGENCIES, AGENCIES_10X, RUNS = 2, 20, 3
ANALYTICS = ("status", "compliance", "people", "financing", "indicators", "timeline", "districts")


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run_under_postgres(inside: str = INSIDE) -> None:
    """Run the script that is running (this one, or a benchmark that uses this harness) again inside
    ``scripts/with-postgres``, which exports DATABASE_URL of a fresh cluster and removes the cluster
    afterwards, with ``inside`` set to 1 so that it knows; exit with its status."""
    command = [
        str(ROOT / "scripts" / "with-postgres"),
        "env",
        f"{inside}=1",
        sys.executable,
        str(Path(sys.argv[0]).resolve()),
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
    """Migrate, load the plan, and generate a busy plan's approved results (bulk inserts): the 1x set."""
    from django.core.management import call_command

    from wpsnap.plan import schema
    from wpsnap.plan.models import Activity, Indicator, IndicatorKind
    from wpsnap.plan.services import plan_load
    from wpsnap.reporting.models import Breakdown, IndicatorBreakdown
    from wpsnap.reporting.services import reporting_setup

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
    added = add_agencies(plan, 1, AGENCIES)
    log(
        f"generated {added['reports']} reports and {added['values']} figures in {time.perf_counter() - started:.1f}s"
    )
    return {
        "indicators": Indicator.objects.filter(plan=plan).count(),
        "periods": added["periods"],
        "agencies": AGENCIES,
        "reports": added["reports"],
        "approved_reports_per_indicator_and_period": AGENCIES,
        "cells_per_figure_set": added["cells"] + 1,
        "values": added["values"],
        "plan": plan.slug,
    }


def grow_dataset(slug: str) -> dict[str, Any]:
    """Add agencies bench-021..200 with the same reports: 10x the 1x set's reports and figures."""
    from wpsnap.plan.models import Indicator, Plan

    started = time.perf_counter()
    plan = Plan.objects.get(slug=slug)
    # International organisations: the plan owes them nothing (no collective takes them in), so the 10x
    # set grows the reports alone, as the comparison did (2,800 -> 28,000 reports on the same
    # plan), not the grid of reports owed. With ministries, "all ministries and state committees" would
    # owe each 12 more reports and the status and compliance answers would grow 4x with the plan.
    added = add_agencies(plan, AGENCIES + 1, AGENCIES_10X - AGENCIES, kind="international")
    log(f"grew to {AGENCIES_10X} agencies in {time.perf_counter() - started:.1f}s")
    from wpsnap.reporting.models import IndicatorValue, ProgressReport

    return {
        "indicators": Indicator.objects.filter(plan=plan).count(),
        "periods": added["periods"],
        "agencies": AGENCIES_10X,
        "reports": ProgressReport.objects.filter(plan=plan).count(),
        "approved_reports_per_indicator_and_period": AGENCIES_10X,
        "cells_per_figure_set": added["cells"] + 1,
        "values": IndicatorValue.objects.filter(report__plan=plan).count(),
        "plan": plan.slug,
    }


def add_agencies(plan: Any, first: int, count: int, kind: str = "ministry") -> dict[str, int]:
    """``count`` agencies of ``kind`` (bench-<first>...; ministries by default) each with an approved
    report on every activity in every period, figures by sex x age band and one financing line; then the
    analytics rollups rebuilt (the bulk inserts bypass the writers' hooks) and fresh planner
    statistics."""
    from django.utils import timezone

    from wpsnap.accounts.models import Organisation, OrganisationKind
    from wpsnap.analytics.rollups import rollups_rebuild
    from wpsnap.plan.models import Activity, Indicator
    from wpsnap.reporting.disaggregation import cell_key
    from wpsnap.reporting.models import Breakdown, FinancingLine, IndicatorValue, ProgressReport
    from wpsnap.reporting.services.setup import DEFAULT_DIMENSIONS
    from wpsnap.reporting.workflow import Status

    activities = list(Activity.objects.filter(plan=plan).order_by("priority_area__position", "position"))
    sex_age = Breakdown.objects.get(plan=plan, code="sex-age", version=1)
    options = {code: [o for o, _ in opts] for code, _, opts in DEFAULT_DIMENSIONS}
    cells = [cell_key([("sex", s), ("age", a)]) for s in options["sex"] for a in options["age"]]
    agencies = Organisation.objects.bulk_create(
        [
            Organisation(
                country=plan.country,
                key=f"bench-{n:02d}",
                name=f"Benchmark {'ministry' if kind == 'ministry' else 'organisation'} {n:02d}",
                short_name=f"BM{n:02d}",
                kind=OrganisationKind(kind),
            )
            for n in range(first, first + count)
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
    rng = random.Random(1325 + first)
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
    rollups_rebuild(plan=plan)
    _analyze()
    return {"periods": len(periods), "reports": len(reports), "values": len(values), "cells": len(cells)}


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
def gunicorn(port: int, log_path: Path, database_url: str | None = None) -> Iterator[None]:
    """gunicorn serving the project on ``port`` (2 sync workers, production settings) until the block ends,
    on ``database_url`` (default: this process's)."""
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
        env = os.environ.copy()
        if database_url is not None:
            env["DATABASE_URL"] = database_url
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
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


# The same reads in hand-written SQL: what the database alone costs for them. The list's page is read by
# keyset (the default order is the id): the reports after the last one seen, one more than a page to know
# whether there is a next; the results from the figure rollups, as the read model reads them.
RAW_PAGE = """
SELECT r.id, r.status, r.progress, r.done, r.challenges, r.next_steps, r.started_on, r.finished_on,
       r.submitted_at, r.approved_at, r.published_at, r.version,
       a.key, a.code, o.key, o.short_name, p.label, p.start, p."end"
FROM reporting_progressreport r
JOIN reporting_reportingperiod p ON p.id = r.period_id
JOIN plan_activity a ON a.id = r.activity_id
JOIN accounts_organisation o ON o.id = r.agency_id
WHERE r.id > %s
ORDER BY r.id
LIMIT 101
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
SELECT indicator_id, period_id, cell, sum(value), sum(reports)
FROM analytics_reportfigurerollup
WHERE plan_id = %s AND status = ANY(%s)
GROUP BY indicator_id, period_id, cell
"""


def raw_sql(slug: str, deep_after: int, database_url: str) -> dict[str, Any]:
    """The list's first and deep page and the results in hand-written SQL, on one persistent connection
    set up as the app's (autocommit, client-side binding)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True, cursor_factory=psycopg.ClientCursor) as db:

        def report_page(after: int) -> int:
            with db.cursor() as cur:
                cur.execute(RAW_PAGE, (after,))
                ids = [row[0] for row in cur.fetchall()[:100]]
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
            "report_list": {
                **summary(timed(lambda: report_page(0))),
                "queries": 4,
                "values_read": report_page(0),
            },
            "report_list_deep": {
                **summary(timed(lambda: report_page(deep_after))),
                "queries": 4,
                "values_read": report_page(deep_after),
            },
            "results": {**summary(timed(results)), "queries": 4, "sums_read": results()},
        }


def deep_cursor(token: str, share: float = 0.9) -> tuple[str, int, int]:
    """The address of a page ``share`` of the way into the report list, reached by following ``next``
    from the first page as a client would (in process), with its page number and the id before it."""
    from urllib.parse import urlsplit

    from django.test import Client

    from wpsnap.reporting.models import ProgressReport

    client = Client()
    pages = max(1, math.ceil(ProgressReport.objects.count() / 100))
    wanted = max(2, math.ceil(pages * share))
    path = "/api/v1/reports/"
    last_id = 0
    for _ in range(wanted - 1):
        body = client.get(
            path, HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https"
        ).json()
        last_id = body["results"][-1]["id"]
        parts = urlsplit(body["next"])
        path = f"{parts.path}?{parts.query}"
    return path, wanted, last_id


def prepare(token: str) -> dict[str, Any]:
    """The addresses to time on the database this process is on now (the deep page's found by following
    the cursor), with the queries each request makes (in process)."""
    deep, page_number, deep_after = deep_cursor(token)
    paths = {
        "report_list": "/api/v1/reports/",
        "report_list_deep": deep,
        "results": "/api/v1/results/",
        **{name: f"/api/v1/analytics/{name}/" for name in ANALYTICS},
    }
    queries = {name: queries_in_process(path, token) for name, path in paths.items()}
    return {"paths": paths, "queries": queries, "page": page_number, "deep_after": deep_after}


def interleaved(ports: dict[str, int], paths: dict[str, str], token: str) -> dict[str, dict[str, Any]]:
    """One request's timings on each server, taken in turn (1x, 10x, then 10x, 1x, ...), so that both sizes
    are measured under the same load of a shared machine: {size: median, p95, bytes, body}."""
    auth = {"Authorization": f"Token {token}"}
    bodies = {}
    for size, port in ports.items():
        status, body = get(port, paths[size], auth)
        if status != 200:
            raise RuntimeError(f"{paths[size]} answered {status} at {size}: {body[:500]!r}")
        bodies[size] = body
    samples: dict[str, list[float]] = {size: [] for size in ports}
    order = list(ports)
    for run in range(WARM_UPS + RUNS):
        for size in order if run % 2 == 0 else order[::-1]:
            started = time.perf_counter()
            got, _ = get(ports[size], paths[size], auth)
            elapsed = (time.perf_counter() - started) * 1000
            if got != 200:
                raise RuntimeError(f"{paths[size]} answered {got} at {size}")
            if run >= WARM_UPS:
                samples[size].append(elapsed)
    return {
        size: {**summary(samples[size]), "bytes": len(bodies[size]), "body": json.loads(bodies[size])}
        for size in ports
    }


def describe(found: dict[str, Any], prepared: dict[str, Any]) -> None:
    """Replace the bodies kept for checking by what they hold."""
    page, deep_page, sums = (found[k].pop("body") for k in ("report_list", "report_list_deep", "results"))
    for name in ANALYTICS:
        found[name].pop("body")
    for name, figures in found.items():
        figures["queries"] = prepared["queries"][name]
    found["report_list"]["reports_on_page"] = len(page["results"])
    found["report_list"]["values_on_page"] = sum(len(r["values"]) for r in page["results"])
    found["report_list_deep"]["page"] = prepared["page"]
    found["report_list_deep"]["reports_on_page"] = len(deep_page["results"])
    figures = [p for i in sums["indicators"] for p in i["periods"]]
    found["results"].update(
        indicators=len(sums["indicators"]),
        indicator_periods=len(figures),
        cells=sum(len(p["cells"]) for p in figures),
        reports_per_indicator_period=sorted({p["reports"] for p in figures}),
        # The figures themselves, to compare runs of different code on the same generated data.
        figures_sha256=hashlib.sha256(json.dumps(sums, sort_keys=True).encode()).hexdigest(),
    )


def copy_database(url: str, name: str) -> str:
    """A copy of the database at ``url`` (this process's, whose connection is closed first) named
    ``name``, on the same cluster; its URL."""
    import psycopg
    from django.db import connection

    connection.close()
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.rsplit("/", 1)[1]}"')
    return f"{base}/{name}"


def switch_database(url: str) -> None:
    """Point this process's Django connection at ``url``'s database (same cluster and user)."""
    from django.conf import settings
    from django.db import connection

    connection.close()
    name = url.rsplit("/", 1)[1]
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name
    os.environ["DATABASE_URL"] = url


def main() -> None:
    if os.environ.get(INSIDE) != "1":
        run_under_postgres()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("bench: scripts/with-postgres did not give a PostgreSQL DATABASE_URL")
    began = time.perf_counter()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="wpsnap-bench-") as var_dir:
        configure(var_dir)
        one = build_dataset()
        token = coordinator_token()
        urls = {"1x": os.environ["DATABASE_URL"]}
        prepared = {"1x": prepare(token)}
        # The 10x set in a copy of the 1x database (the same plan, ids and token), grown there: both are
        # served at once and timed in turn.
        urls["10x"] = copy_database(urls["1x"], "wpsnap10x")
        switch_database(urls["10x"])
        ten = grow_dataset(one["plan"])
        prepared["10x"] = prepare(token)
        found: dict[str, dict[str, Any]] = {"1x": {}, "10x": {}}
        ports = {size: free_port() for size in urls}
        with (
            gunicorn(ports["1x"], Path(var_dir) / "gunicorn-1x.log", urls["1x"]),
            gunicorn(ports["10x"], Path(var_dir) / "gunicorn-10x.log", urls["10x"]),
        ):
            log(
                f"gunicorn on {ports}; timing {RUNS} requests each after {WARM_UPS} warm-ups, 1x and 10x in turn"
            )
            for name in prepared["1x"]["paths"]:
                paths = {size: prepared[size]["paths"][name] for size in urls}
                for size, figures in interleaved(ports, paths, token).items():
                    found[size][name] = figures
                log(
                    f"{name}: median {found['1x'][name]['median_ms']} ms (1x), {found['10x'][name]['median_ms']} ms (10x)"
                )
        for size in urls:
            describe(found[size], prepared[size])
            found[size]["raw_sql"] = raw_sql(one["plan"], prepared[size]["deep_after"], urls[size])
        at_1x, at_10x = found["1x"], found["10x"]
    growth = {}
    for name in ("report_list", "report_list_deep", "results", *ANALYTICS):
        ratio = round(at_10x[name]["median_ms"] / at_1x[name]["median_ms"], 2)
        growth[name] = {
            "median_1x_ms": at_1x[name]["median_ms"],
            "median_10x_ms": at_10x[name]["median_ms"],
            "ratio": ratio,
            "queries_1x": at_1x[name]["queries"],
            "queries_10x": at_10x[name]["queries"],
            "meets_goal": ratio <= GOAL_GROWTH,
        }
    report = {
        "dataset": {"1x": one, "10x": ten},
        "growth_10x_over_1x": growth,
        "goal_growth": GOAL_GROWTH,
        "meets_growth_goal": all(g["meets_goal"] for g in growth.values()),
        "1x": at_1x,
        "10x": at_10x,
        "goal_ms": GOAL_MS,
        "meets_goal": all(
            at[name]["median_ms"] < GOAL_MS for at in (at_1x, at_10x) for name in ("report_list", "results")
        ),
        "runs": {
            "warm_ups": WARM_UPS,
            "timed": RUNS,
            "server": "gunicorn, 2 sync workers, production settings",
            "client": "one request at a time, a new connection each; 1x and 10x in turn, on two servers",
        },
        # Timings on a busy machine are slower: say how busy it was.
        "machine": {
            "cpus": os.cpu_count(),
            "load_1m_before": round(load_before, 2),
            "load_1m_after": round(os.getloadavg()[0], 2),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - began, 1),
    }
    text = json.dumps(report, indent=2)
    print(text)
    if QUICK:
        return
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"reports-api-{datetime.now(UTC):%Y-%m-%d}.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
