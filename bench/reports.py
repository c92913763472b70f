"""Benchmark of the end-of-plan review (2020-2023) as PDF on the national-scale data set, on PostgreSQL.

Run by hand (never part of the test suite): ``.venv/bin/python bench/reports.py [--small] [--runs N]``. It
starts its own throw-away PostgreSQL cluster (it re-runs itself under ``scripts/with-postgres``), migrates,
loads the Azerbaijan plan and generates the national data set (``wpsnap demo generate --scale national``,
as bench/dashboards.py does), then builds the review as the command does (``report_build``, internal, as
the system's evaluator view; and the public version) and times it: the whole build, the content's
gathering (database and Python) and its SQL queries, and the layout (HTML, then WeasyPrint). Goal: the
internal PDF in under 30 s.

Prints one JSON object on stdout (progress on stderr) and writes it to bench/results/reports-<date>.json.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import import_module
from io import BytesIO
from pathlib import Path
from typing import Any

import reports_api as harness  # the same directory: settings for this process
from dashboards import build_dataset
from reports_api import log

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
INSIDE = "WPSNAP_BENCH_THROWAWAY_DB"
SLUG = "az-2020-2023"
GOAL_SECONDS = 30.0


def build_once(*, public: bool, fmt: str) -> dict[str, Any]:
    """One build of the review, timed in its parts, with the SQL queries of the whole build."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from wpsnap.exports.annual import internal, render, report_build
    from wpsnap.exports.management.commands.report import system_viewer
    from wpsnap.exports.public_report import gather as gather_public
    from wpsnap.plan.models import Plan

    plan = Plan.objects.get(slug=SLUG)
    viewer = system_viewer()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        out = BytesIO()
        report_build(
            plan=plan,
            first_year=2020,
            last_year=2023,
            fmt=fmt,
            language="en",
            public=public,
            viewer=viewer,
            out=out,
        )
    total = time.perf_counter() - started
    # The parts, once more: gathering, then the layout.
    with translation.override("en"):
        began = time.perf_counter()
        if public:
            report = gather_public(plan=plan, first_year=2020, last_year=2023, language="en")
        else:
            report = internal.gather(plan=plan, first_year=2020, last_year=2023, viewer=viewer, language="en")
        gathered = time.perf_counter() - began
        began = time.perf_counter()
        document = render.html(report)
        laid_out = time.perf_counter() - began
        weasy = None
        if fmt == "pdf":
            began = time.perf_counter()
            render.pdf(report, BytesIO(), document=document)
            weasy = time.perf_counter() - began
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]), default={"sql": "", "time": "0"})
    return {
        "seconds": round(total, 2),
        "queries": len(queries),
        "bytes": len(out.getvalue()),
        "gather_seconds": round(gathered, 2),
        "html_seconds": round(laid_out, 2),
        "weasyprint_seconds": round(weasy, 2) if weasy is not None else None,
        "slowest_query": {"sql": slowest["sql"][:400], "ms": round(float(slowest["time"]) * 1000, 1)},
        "activities": sum(len(p.activities) for p in report.pillars),
        "indicators": sum(len(p.indicators) for p in report.pillars),
    }


def main() -> None:
    if os.environ.get(INSIDE) != "1":
        harness.run_under_postgres(INSIDE)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("bench: scripts/with-postgres did not give a PostgreSQL DATABASE_URL")
    scale = "small" if "--small" in sys.argv else "national"
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    began = time.perf_counter()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="wpsnap-bench-") as var_dir:
        harness.configure(var_dir)
        # The builder's modules, imported before the long data set build.
        import_module("wpsnap.exports.annual.internal")
        import_module("wpsnap.exports.annual.render")
        import_module("wpsnap.exports.public_report")
        dataset = build_dataset(scale)
        from django.conf import settings

        settings.DEBUG = False
        builds: dict[str, Any] = {}
        for name, public, fmt in (
            ("internal_pdf", False, "pdf"),
            ("public_pdf", True, "pdf"),
            ("internal_docx", False, "docx"),
        ):
            samples = []
            for run in range(runs if name == "internal_pdf" else 1):
                log(f"building {name} ({run + 1})")
                samples.append(build_once(public=public, fmt=fmt))
            seconds = [s["seconds"] for s in samples]
            builds[name] = {
                **samples[-1],
                "runs": len(samples),
                "seconds_each": seconds,
                "median_seconds": round(statistics.median(seconds), 2),
            }
    result = {
        "benchmark": "reports",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale": scale,
        "dataset": dataset,
        "goal_seconds": GOAL_SECONDS,
        "goal_met": builds["internal_pdf"]["median_seconds"] < GOAL_SECONDS,
        "builds": builds,
        "cpus": os.cpu_count(),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "total_seconds": round(time.perf_counter() - began, 1),
    }
    text = json.dumps(result, indent=2, default=str)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"reports-{datetime.now(UTC).date().isoformat()}.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
