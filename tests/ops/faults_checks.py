"""The faults of issue 15, in their short form, through the production stack (``bench/faults.py --short``,
on the stack of ``scripts/serve-production --data empty``: nginx, gunicorn, the task worker, PostgreSQL):

- 4 slow clients (a header line every 4 s; then 4 dribbling a body) do not delay a normal request beyond
  1 s;
- during a PostgreSQL restart (pg_ctl restart -m fast) the API answers JSON 503 and pages the HTML 503,
  never a 500, and both answer 200 again without the app being restarted;
- gunicorn workers killed (SIGKILL) while writes are in flight lose no committed write and half-save none:
  every write answered 2xx is in the database, every batch whole, a lost answer's retry with its
  Idempotency-Key replays instead of writing twice.

The checks of tests/ops/test_serve_production.py, which runs them on its stack (one stack start: it takes a
minute or more) between its own checks and stopping it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_faults(state_file: Path, out: Path) -> dict[str, Any]:
    """bench/faults.py --short's JSON, against the running stack that ``state_file`` describes."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "WPSNAP_VAR_DIR")
    }
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "faults.py"),
            "--short",
            "--state",
            str(state_file),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    if not out.exists():
        pytest.fail(f"bench/faults.py gave no result ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(out.read_text())


def check_slow_clients_do_not_delay_a_normal_request(faults: dict[str, Any]) -> None:
    """While 4 clients hold connections open sending a header line (or a body byte) every 4 s, every
    normal request answers 200 within 1 s: nginx holds the slow ones, gunicorn never sees them."""
    slow = faults["slow"]
    for kind in ("headers", "body"):
        assert slow[kind]["normal_requests"] >= 5, slow
        assert slow[kind]["normal_statuses"] == {"200": slow[kind]["normal_requests"]}, slow
        assert slow[kind]["normal_ms"]["max"] < 1000, slow
    assert slow["ok"]


def check_a_postgresql_restart_answers_503_and_recovers_without_restarting_the_app(
    faults: dict[str, Any],
) -> None:
    """Over the restart, the API's refusals are all JSON 503 and the page's all HTML 503; no 500 at all;
    both answer 200 again; the same gunicorn master and workers serve before and after; the log says it
    in at most one line per worker each way, without a traceback. (How many requests meet the restart
    depends on its timing: a fast one may catch none; tests/ops/test_db_outage.py asks while it is down.)"""
    restart = faults["restart"]
    assert restart["restart_command_ok"], restart
    assert restart["html_500"] == 0 and restart["server_errors_500"] == 0, restart
    for kind, allowed in (("api", "503 application/json"), ("page", "503 text/html")):
        refusals = {key for key in restart["answers"][kind] if not key.startswith("200 ")}
        assert refusals <= {allowed}, restart
        assert restart["seconds_to_200_after_restart"][kind] is not None, restart
    assert not restart["app_restarted"], restart
    lines = restart["outage_log_lines"]
    assert lines["tracebacks"] == 0, restart
    assert lines["unavailable"] <= len(restart["gunicorn_before"]["workers"]), restart
    # A worker that met the outage says it is over at its next connection (within the window, usually).
    assert lines["available_again"] <= lines["unavailable"], restart
    refused = sum(
        n for kind in restart["answers"].values() for key, n in kind.items() if key.startswith("503 ")
    )
    assert (lines["unavailable"] >= 1) == (refused > 0), restart
    assert restart["ok"]


def check_a_killed_worker_loses_no_committed_write(faults: dict[str, Any]) -> None:
    """Workers killed mid-write: every write answered 2xx is in the database, every batch has all its
    rows, each write's rows are there once after the lost answers were retried with their keys."""
    kill = faults["kill"]
    assert kill["workers_killed"] >= 1, kill
    assert kill["answered_2xx_missing_in_database"] == 0, kill
    assert kill["half_saved_batches"] == 0 and kill["rows_without_batch"] == 0, kill
    assert kill["retries_not_answered"] == 0, kill
    assert kill["batches_in_database"] == kill["writes"], kill
    assert kill["participants_in_database"] == kill["participants_expected"], kill
    assert kill["idempotency_keys_stored"] == kill["writes"], kill
    assert kill["ok"]
