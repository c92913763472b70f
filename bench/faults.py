"""Faults, scripted and repeatable (issue 15), against the production stack of ``scripts/serve-production``
(nginx, gunicorn, the task worker, PostgreSQL on loopback). Prints one JSON object on stdout (progress on
stderr); exit 1 when a goal is missed.

    .venv/bin/python bench/faults.py [--state var/serve-production/state.json] [--short]
                                     [--scenarios slow,restart,kill] [--out FILE]

Without ``--state`` it starts its own stack (``scripts/serve-production --data empty``) and stops it at the
end; with it, it uses a running one (its state file says where everything is). Three scenarios:

- **slow**: 4 slow clients each open a connection to nginx and send a header line every 4 s (then 4 that
  send a body a byte every 4 s), holding on; meanwhile a normal request (the API's plan list) is timed
  every 0.25 s. Goal: none slower than 1 s. Also: how long nginx let each slow client hold on.
- **restart**: while 3 clients read the API and a page in a loop, PostgreSQL is restarted
  (``pg_ctl restart -m fast``). Every answer in the window is counted by status and content type. Goals:
  no 500 (no HTML 500 in particular), every refusal of the API a JSON 503 and of a page an HTML 503, both
  answering 200 again without the app being restarted (the same gunicorn master and workers).
- **kill**: a focal point's token adds participants to an event through the API, N writes of 5 rows from
  4 clients, each with its own Idempotency-Key; meanwhile gunicorn workers are killed with SIGKILL while
  writes are in flight (the master starts new ones). Every write whose answer was lost is sent again with
  its key until answered. Goals: every write answered 2xx is in the database; every batch has its 5 rows
  (nothing half-saved); each key's rows are there exactly once (N batches, 5N participants); a retry of a
  write that had committed answers ``Idempotent-Replayed: true`` instead of adding the rows again.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "deploy"))
import serve_production  # noqa: E402 - deploy/ is no package: its launcher, for the stack

NORMAL_PATH = "/api/v1/plans/"
PAGE_PATH = "/plans/az-2020-2023/"
SLOW_CLIENTS = 4
SLOW_INTERVAL = 4.0
NORMAL_GOAL_SECONDS = 1.0
ROWS_PER_WRITE = 5


def log(message: str) -> None:
    print(f"[faults] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


# --- the stack -------------------------------------------------------------------------------------


class Stack:
    """A running serve-production stack, as its state file describes it."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.port = int(state["port"])
        self.host = "127.0.0.1"
        self.tls = ssl.create_default_context(cafile=state["ca_file"])

    # HTTP through nginx, a new connection per request (as separate clients would).
    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str], bytes]:
        connection = http.client.HTTPSConnection(self.host, self.port, context=self.tls, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
            found = {name.lower(): value for name, value in response.getheaders()}
            return response.status, found.get("content-type", ""), found, data
        finally:
            connection.close()

    def raw_socket(self) -> ssl.SSLSocket:
        plain = socket.create_connection((self.host, self.port), timeout=60)
        return self.tls.wrap_socket(plain, server_hostname=self.host)

    def gunicorn_processes(self) -> dict[str, Any]:
        master = int(self.state["gunicorn"]["pid"])
        try:
            workers = sorted(
                int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()
            )
        except OSError:
            workers = []
        return {"master": master, "master_alive": Path(f"/proc/{master}").exists(), "workers": workers}

    def wpsnap_python(self, code: str) -> Any:
        """Run ``code`` in a ``wpsnap shell`` against the stack's database; its last stdout line as JSON."""
        done = subprocess.run(
            [str(BIN / "wpsnap"), "shell", "--no-imports", "-c", code],
            cwd=ROOT,
            env={**os.environ, **self.state["env"]},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"wpsnap shell failed: {done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def log_text(self, name: str) -> str:
        try:
            return Path(self.state["gunicorn"][name]).read_text(errors="replace")
        except (OSError, KeyError):
            return ""


# --- slow clients ----------------------------------------------------------------------------------


def _slow_client(stack: Stack, kind: str, index: int, hold: float, held: list[float]) -> None:
    """Open a connection and dribble: a header line every SLOW_INTERVAL seconds (``headers``), or complete
    headers then a body a byte at a time (``body``), until ``hold`` runs out or the server hangs up."""
    started = time.monotonic()
    try:
        conn = stack.raw_socket()
    except OSError:
        held.append(0.0)
        return
    try:
        if kind == "headers":
            conn.sendall(f"GET {NORMAL_PATH} HTTP/1.1\r\nHost: {stack.host}\r\n".encode())
        else:
            conn.sendall(
                f"POST {NORMAL_PATH} HTTP/1.1\r\nHost: {stack.host}\r\nContent-Type: application/json\r\n"
                "Content-Length: 1000\r\n\r\n{".encode()
            )
        conn.settimeout(SLOW_INTERVAL)
        line = 0
        while time.monotonic() - started < hold:
            try:
                conn.recv(1024)
                break  # the server answered (a 408) or hung up: it stopped waiting for us
            except TimeoutError:
                pass  # still waiting for the rest: send the next line
            except OSError:
                break
            line += 1
            try:
                conn.sendall(f"X-Slow-{index}-{line}: x\r\n".encode() if kind == "headers" else b" ")
            except OSError:
                break
    finally:
        held.append(round(time.monotonic() - started, 1))
        with contextlib.suppress(OSError):
            conn.close()


def slow_clients(stack: Stack, hold: float) -> dict[str, Any]:
    result: dict[str, Any] = {"goal_seconds": NORMAL_GOAL_SECONDS, "interval_seconds": SLOW_INTERVAL}
    for kind in ("headers", "body"):
        log(f"slow clients ({kind}): {SLOW_CLIENTS} for up to {hold:.0f}s, timing a normal request meanwhile")
        held: list[float] = []
        threads = [
            threading.Thread(target=_slow_client, args=(stack, kind, i, hold, held), daemon=True)
            for i in range(SLOW_CLIENTS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # all connected and sending
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        until = time.monotonic() + min(hold, 12.0) - 1.0
        while time.monotonic() < until:
            began = time.perf_counter()
            try:
                status = stack.request("GET", NORMAL_PATH)[0]
            except OSError:
                status = 0
            latencies.append(time.perf_counter() - began)
            statuses[status] += 1
            time.sleep(0.25)
        for thread in threads:
            thread.join(timeout=hold + 10)
        result[kind] = {
            "slow_clients": SLOW_CLIENTS,
            "held_seconds": sorted(held),
            "normal_requests": len(latencies),
            "normal_statuses": {str(k): v for k, v in sorted(statuses.items())},
            "normal_ms": {
                "median": round(statistics.median(latencies) * 1000, 1),
                "p95": round(percentile(latencies, 0.95) * 1000, 1),
                "max": round(max(latencies) * 1000, 1),
            },
            "ok": max(latencies) < NORMAL_GOAL_SECONDS and set(statuses) == {200},
        }
    result["ok"] = result["headers"]["ok"] and result["body"]["ok"]
    return result


# --- a PostgreSQL restart --------------------------------------------------------------------------


def pg_restart(stack: Stack, settle: float) -> dict[str, Any]:
    log("PostgreSQL restart: 3 clients on the API and a page; pg_ctl restart -m fast")
    before = stack.gunicorn_processes()
    worker_restarts_before = _task_worker_restarts(stack)
    log_offset = len(stack.log_text("log"))
    answers: list[tuple[float, str, int, str]] = []
    stop = threading.Event()
    lock = threading.Lock()

    def client(kind: str, path: str) -> None:
        while not stop.is_set():
            try:
                status, ctype, _headers, _body = stack.request("GET", path)
            except OSError:
                status, ctype = 0, ""
            with lock:
                answers.append((time.monotonic(), kind, status, ctype.split(";")[0].strip()))
            time.sleep(0.05)

    clients = [
        threading.Thread(target=client, args=("api", NORMAL_PATH), daemon=True),
        threading.Thread(target=client, args=("api", NORMAL_PATH), daemon=True),
        threading.Thread(target=client, args=("page", PAGE_PATH), daemon=True),
    ]
    for thread in clients:
        thread.start()
    time.sleep(1.0)
    restart_began = time.monotonic()
    done = subprocess.run(stack.state["postgres"]["restart"], capture_output=True, check=False, timeout=120)
    restart_ended = time.monotonic()
    # Until both kinds answered 200 again (or 30 s), then a little more.
    deadline = restart_ended + 30
    while time.monotonic() < deadline:
        with lock:
            recovered = {kind for at, kind, status, _ in answers if at > restart_ended and status == 200}
        if recovered == {"api", "page"}:
            break
        time.sleep(0.1)
    time.sleep(settle)
    stop.set()
    for thread in clients:
        thread.join(timeout=40)
    after = stack.gunicorn_processes()

    window = [a for a in answers if a[0] >= restart_began - 0.5]
    by_kind: dict[str, Counter[str]] = {"api": Counter(), "page": Counter()}
    for _at, kind, status, ctype in window:
        by_kind[kind][f"{status} {ctype}"] += 1
    first_failure = min((at for at, _k, status, _c in window if status != 200), default=None)
    recovery: dict[str, float | None] = {}
    for kind in ("api", "page"):
        ok_after = [at for at, k, status, _c in window if k == kind and status == 200 and at > restart_ended]
        recovery[kind] = round(min(ok_after) - restart_ended, 2) if ok_after else None
    api_refusals = {key for key in by_kind["api"] if not key.startswith("200 ")}
    page_refusals = {key for key in by_kind["page"] if not key.startswith("200 ")}
    gunicorn_log = stack.log_text("log")[log_offset:]  # this restart's lines only
    html_500 = sum(n for kind in by_kind.values() for key, n in kind.items() if key == "500 text/html")
    any_500 = sum(n for kind in by_kind.values() for key, n in kind.items() if key.startswith("500 "))
    result = {
        "restart_command_ok": done.returncode == 0,
        "restart_seconds": round(restart_ended - restart_began, 2),
        "window_seconds": round(window[-1][0] - window[0][0], 2) if window else 0,
        "answers": {kind: dict(sorted(counts.items())) for kind, counts in by_kind.items()},
        "refused_seconds": round(restart_ended - first_failure, 2) if first_failure else 0,
        "seconds_to_200_after_restart": recovery,
        "html_500": html_500,
        "server_errors_500": any_500,
        "gunicorn_before": before,
        "gunicorn_after": after,
        "app_restarted": before["master"] != after["master"] or before["workers"] != after["workers"],
        "outage_log_lines": {
            "unavailable": gunicorn_log.count("database unavailable ("),
            "available_again": gunicorn_log.count("database available again after"),
            "tracebacks": gunicorn_log.count("Traceback"),
        },
        "task_worker_restarts": _task_worker_restarts(stack) - worker_restarts_before,
    }
    result["ok"] = (
        done.returncode == 0
        and any_500 == 0
        and api_refusals <= {"503 application/json"}
        and page_refusals <= {"503 text/html"}
        and None not in recovery.values()
        and not result["app_restarted"]
    )
    return result


def _task_worker_restarts(stack: Stack) -> int:
    """How often serve-production restarted the task worker so far (its state file is rewritten)."""
    path = stack.state.get("_state_file")
    if path and Path(path).exists():
        with contextlib.suppress(OSError, ValueError):
            return int(json.loads(Path(path).read_text())["worker"]["restarts"])
    return int(stack.state.get("worker", {}).get("restarts", 0))


# --- killed workers --------------------------------------------------------------------------------

_SETUP = r"""
import json
from datetime import date
from django.conf import settings
from wpsnap.accounts import services as account_services
from wpsnap.accounts.models import User
from wpsnap.plan.models import Organisation, Plan
from wpsnap.registries.services.events import EventInput, event_create
from wpsnap.registries.services.setup import events_setup, read_districts
from wpsnap.reporting.services import reporting_setup

plan = Plan.objects.get(slug="az-2020-2023")
reporting_setup(plan=plan)
events_setup(plan=plan, districts=read_districts(settings.WPSNAP_PLANS_DIR / "az-districts.yaml"))
user = User.objects.filter(username="faults-focal").first()
if user is None:
    user = User(username="faults-focal", email="faults-focal@example.org", role="focal_point",
                organisation=Organisation.objects.get(key="mod"))
    user.set_unusable_password()
    user.save()
token = account_services.token_create(user=user)
event = event_create(actor=user, plan=plan, data=EventInput(
    kind="training", title="Faults: killed workers", starts_on=date(2021, 3, 10), ends_on=date(2021, 3, 11),
    activities=[plan.activities.get(code="5.1.2.3")], district="baku"))
print(json.dumps({"token": token, "event": event.pk}))
"""

_CHECK = r"""
import json
from django.db.models import Count
from wpsnap.core.models import IdempotencyKey
from wpsnap.registries.models import Participant, ParticipantImport

event = EVENT
rows = dict(Participant.objects.filter(event_id=event).order_by().values("batch_id").annotate(n=Count("id"))
            .values_list("batch_id", "n"))
batches = {pk: {"declared": declared, "stored": rows.get(pk, 0)}
           for pk, declared in ParticipantImport.objects.filter(event_id=event).values_list("pk", "rows")}
keys = dict(IdempotencyKey.objects.filter(key__in=KEYS).values_list("key", "result"))
print(json.dumps({
    "batches": {str(k): v for k, v in batches.items()},
    "rows_without_batch": rows.get(None, 0),
    "participants": Participant.objects.filter(event_id=event).count(),
    "keys": keys,
}, default=str))
"""


def killed_workers(stack: Stack, writes: int, kills: int) -> dict[str, Any]:
    log(f"killed workers: {writes} writes of {ROWS_PER_WRITE} rows from 4 clients, {kills} workers killed")
    setup = stack.wpsnap_python(_SETUP)
    token, event = setup["token"], setup["event"]
    path = f"/api/v1/events/{event}/participants/"
    headers_base = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    keys = [str(uuid.uuid4()) for _ in range(writes)]
    rng = random.Random(1325)
    bodies = {
        key: json.dumps(
            {
                "rows": [
                    {"sex": rng.choice(["women", "men"]), "age": rng.randint(18, 70)}
                    for _ in range(ROWS_PER_WRITE)
                ],
                # Two writes may carry the same people by chance: each is its own batch all the same.
                "allow_duplicate": True,
            }
        ).encode()
        for key in keys
    }
    first: dict[str, tuple[int, dict[str, str], bytes]] = {}
    queue = list(keys)
    lock = threading.Lock()
    in_flight = threading.Semaphore(0)
    busy = [0]

    def send(key: str) -> tuple[int, dict[str, str], bytes]:
        try:
            status, _ctype, headers, body = stack.request(
                "POST", path, bodies[key], {**headers_base, "Idempotency-Key": key}
            )
            return status, headers, body
        except OSError as error:
            return 0, {}, str(error).encode()

    def writer() -> None:
        while True:
            with lock:
                if not queue:
                    return
                key = queue.pop(0)
                busy[0] += 1
            in_flight.release()
            answer = send(key)
            with lock:
                busy[0] -= 1
                first[key] = answer

    killed: list[int] = []

    def killer() -> None:
        # Kill a worker while writes are in flight, spread over the run.
        for _ in range(kills):
            time.sleep(rng.uniform(0.3, 0.8))
            in_flight.acquire(timeout=10)
            time.sleep(rng.uniform(0.02, 0.15))  # into the request
            workers = stack.gunicorn_processes()["workers"]
            if not workers:
                continue
            victim = rng.choice(workers)
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
            time.sleep(1.0)  # the master replaces it

    before = stack.gunicorn_processes()
    started = time.monotonic()
    writers = [threading.Thread(target=writer, daemon=True) for _ in range(4)]
    kill_thread = threading.Thread(target=killer, daemon=True)
    for thread in [*writers, kill_thread]:
        thread.start()
    for thread in writers:
        thread.join(timeout=600)
    kill_thread.join(timeout=60)
    first_statuses = Counter(str(status) for status, _h, _b in first.values())
    answered = [key for key, (status, _h, _b) in first.items() if 200 <= status < 300]
    # Lost answers: sent again with the same key until answered (a new worker takes them).
    retried: dict[str, int] = {}
    replayed = 0
    for key in keys:
        if key in answered:
            continue
        for _attempt in range(20):
            status, headers, _body = send(key)
            if 200 <= status < 300:
                retried[key] = status
                replayed += headers.get("idempotent-replayed") == "true"
                break
            time.sleep(0.5)
    elapsed = time.monotonic() - started
    check = stack.wpsnap_python(_CHECK.replace("EVENT", str(event)).replace("KEYS", json.dumps(keys)))
    batches: dict[str, dict[str, int]] = check["batches"]
    answered_batches = {key: json.loads(first[key][2]).get("batch") for key in answered}
    missing = [key for key, batch in answered_batches.items() if str(batch) not in batches]
    partial = {
        batch: n
        for batch, n in batches.items()
        if n["stored"] != ROWS_PER_WRITE or n["declared"] != ROWS_PER_WRITE
    }
    keys_stored = len(check["keys"])
    result = {
        "writes": writes,
        "rows_per_write": ROWS_PER_WRITE,
        "workers_killed": len(killed),
        "gunicorn_workers_before": before["workers"],
        "gunicorn_workers_after": stack.gunicorn_processes()["workers"],
        "first_answers": dict(sorted(first_statuses.items())),
        "answered_2xx_first_time": len(answered),
        "lost_answers_retried": len(retried),
        "retries_replayed_committed_write": replayed,
        "retries_not_answered": writes - len(answered) - len(retried),
        "answered_2xx_missing_in_database": len(missing),
        "batches_in_database": len(batches),
        "half_saved_batches": len(partial),
        "rows_without_batch": check["rows_without_batch"],
        "participants_in_database": check["participants"],
        "participants_expected": writes * ROWS_PER_WRITE,
        "idempotency_keys_stored": keys_stored,
        "seconds": round(elapsed, 1),
    }
    result["ok"] = (
        not missing
        and not partial
        and len(batches) == writes
        and check["participants"] == writes * ROWS_PER_WRITE
        and check["rows_without_batch"] == 0
        and result["retries_not_answered"] == 0
        and keys_stored == writes
    )
    return result


# --- main ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--state", default="", help="a running serve-production's state file (default: start one)"
    )
    parser.add_argument("--short", action="store_true", help="the CI form: shorter holds, fewer writes")
    parser.add_argument("--scenarios", default="slow,restart,kill")
    parser.add_argument("--out", default="", help="also write the JSON here")
    parser.add_argument("--ready-timeout", type=float, default=900)
    args = parser.parse_args(argv)
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(scenarios) - {"slow", "restart", "kill"}
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")

    own: subprocess.Popen[bytes] | None = None
    started = time.monotonic()
    if args.state:
        state_file = Path(args.state)
        state = json.loads(state_file.read_text())
    else:
        log("starting scripts/serve-production --data empty")
        folder = Path(tempfile.mkdtemp(prefix="wpsnap-faults."))
        try:
            own, state = serve_production.start_in_background(
                folder, data="empty", timeout=args.ready_timeout
            )
        except serve_production.NotReady as error:
            raise SystemExit(str(error)) from None
        state_file = folder / "state.json"
    state["_state_file"] = str(state_file)
    stack = Stack(state)
    runs: dict[str, Callable[[], dict[str, Any]]] = {
        "slow": lambda: slow_clients(stack, hold=10.0 if args.short else 20.0),
        "restart": lambda: pg_restart(stack, settle=1.0 if args.short else 3.0),
        "kill": lambda: killed_workers(stack, writes=16 if args.short else 60, kills=2 if args.short else 4),
    }
    result: dict[str, Any] = {
        "stack": {
            "url": state["url"],
            "own": own is not None,
            "gunicorn": {k: state["gunicorn"].get(k) for k in ("worker_class", "workers_count", "threads")},
            "ready_seconds": state.get("ready_seconds"),
        },
        "machine": {"cpus": os.cpu_count(), "load_1m": round(os.getloadavg()[0], 2)},
    }
    try:
        for name in scenarios:
            result[name] = runs[name]()
            log(f"{name}: {'ok' if result[name]['ok'] else 'GOAL MISSED'}")
    finally:
        if own is not None:
            log("stopping the stack")
            serve_production.stop_background(own)
    result["ok"] = all(result[name]["ok"] for name in scenarios)
    result["seconds"] = round(time.monotonic() - started, 1)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
