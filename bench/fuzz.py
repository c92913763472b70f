"""Fuzzing the whole REST API with schemathesis: no request may answer 5xx.

Run by hand (it is not part of the test suite; ``tests/api/test_fuzz.py`` is its short version in CI):

    .venv/bin/python bench/fuzz.py                    # 10,000 cases on a throw-away PostgreSQL
    .venv/bin/python bench/fuzz.py --cases 30000 --seed 7
    .venv/bin/python bench/fuzz.py --sqlite           # on a SQLite file in a temporary folder
    .venv/bin/python bench/fuzz.py --conformance      # also check responses against the schema

It starts its own throw-away PostgreSQL cluster (it re-runs itself under ``scripts/with-postgres``; it
never writes to a database it did not create), migrates, loads the Azerbaijan plan and the demo (people,
reports, events), and makes API tokens for two agencies' people and the coordinator: the demo's focal
points of the Ministry of Defence and of the Ministry of Internal Affairs, and the coordinator (of the
State Committee). Then, in process through the WSGI application
under production settings, schemathesis generates requests for every operation of
``/api/v1/schema/``, valid ones and invalid ones (wrong types, out-of-range numbers, odd Unicode,
NUL bytes, missing fields), for each caller, with a fixed seed, and checks every answer: never a 5xx
(``not_a_server_error``), and with ``--conformance`` also the schema's status codes, content types and
response bodies. It prints one JSON object on stdout (cases, failures by check with examples, seconds);
progress goes to stderr. The exit status is 1 when any check failed.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Set by this script when it re-runs itself inside the throw-away cluster; never set it by hand.
INSIDE = "WPSNAP_BENCH_THROWAWAY_DB"
PLAN_FILE = ROOT / "plans" / "az-2020-2023.yaml"
CALLERS = ("mod.focal", "mia.focal", "coordinator")
# Whose account the coordinator's PATCH /users/{id}/ changes: a change of role ends the person's tokens.
THIRD_PERSON = "mia.approver"
EXAMPLES_KEPT = 5


def log(message: str) -> None:
    print(f"[fuzz] {message}", file=sys.stderr, flush=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="how many requests at least (10,000)")
    parser.add_argument("--seed", type=int, default=1325, help="the generator's seed (1325)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument(
        "--conformance",
        action="store_true",
        help="also check status codes, content types and bodies against the schema",
    )
    return parser.parse_args()


def run_under_postgres() -> None:
    """Run this script again inside ``scripts/with-postgres`` (a fresh cluster, removed afterwards)."""
    command = [
        str(ROOT / "scripts" / "with-postgres"),
        "env",
        f"{INSIDE}=1",
        sys.executable,
        str(Path(__file__).resolve()),
        *sys.argv[1:],
    ]
    raise SystemExit(subprocess.run(command, check=False).returncode)


def configure(var_dir: str, sqlite: bool) -> None:
    """Production settings, as a server runs them, in this process."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "WPSNAP_VAR_DIR": var_dir,
            "WPSNAP_PRIVATE_DIR": str(Path(var_dir) / "private"),
            "WPSNAP_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "WPSNAP_ALLOW_DEMO": "1",
            # Refusals (most of what a fuzzer sends) are throttled per address, and the fuzzer is one
            # address: with the throttle on, nearly every request after the first minute would be 429.
            "WPSNAP_REFUSAL_RATE": "off",
        }
    )
    if sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(var_dir) / 'fuzz.sqlite3'}"
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    # A 5xx is counted and its example kept; the log's tracebacks and warnings would drown the output.
    logging.disable(logging.CRITICAL)


def build_world() -> dict[str, str]:
    """Migrate, load the plan and the demo; API tokens of the callers by user name."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    from wpsnap.accounts.models import User
    from wpsnap.accounts.services import token_create

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    quiet = io.StringIO()
    # As a deployment does: the error pages name static files through the manifest.
    call_command("collectstatic", interactive=False, stdout=quiet)
    call_command("plan", "load", str(PLAN_FILE), stdout=quiet)
    # Fast hashing: the demo's people are made with a password, and Argon2 is slow on purpose.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("demo", "load", "--password", secrets.token_urlsafe(16), stdout=quiet)
    log(f"world built in {time.perf_counter() - started:.1f}s")
    return {name: token_create(user=User.objects.get(username=name)) for name in CALLERS}


def known_objects() -> dict[str, Any]:
    """Path parameters that name objects the first caller (MoD's focal point) may change: half the
    cases of an operation with path parameters use them, so that bodies reach the services rather
    than a 404. An editable report, an event with a list of participants, one of them, the plan, and
    a third person's account (the coordinator's role changes would otherwise end a caller's token).
    Asked again at each pass: the last one may have submitted the report or deleted the event."""
    from wpsnap.accounts.models import User
    from wpsnap.plan.models import Activity, Assignment, ExpectedResult, Indicator, Pillar
    from wpsnap.registries.models import Event, EventFile, Participant, Topic
    from wpsnap.reporting.models import Evidence, ProgressReport, ReportingPeriod, ReportVersion
    from wpsnap.reporting.workflow import Status

    focal = User.objects.get(username=CALLERS[0])
    open_periods = {"period__locked_at__isnull": True}
    report = ProgressReport.objects.filter(
        agency=focal.organisation, status__in=[Status.DRAFT, Status.RETURNED], **open_periods
    ).first()
    participants = Participant.objects.filter(event__organiser=focal.organisation)
    participant = participants.order_by("-event__starts_on").first()
    event = participant.event if participant else Event.objects.filter(organiser=focal.organisation).first()
    evidence = Evidence.objects.filter(report=report).first() if report else None
    version = ReportVersion.objects.filter(report=report).order_by("number").first() if report else None
    stored = EventFile.objects.filter(event=event).first() if event else None
    pillar = Pillar.objects.filter(plan__slug="az-2020-2023").select_related("objective").first()

    def first(model: Any) -> int:
        found = model.objects.order_by("id").values_list("id", flat=True).first()
        return found or 1

    return {
        "reports": {
            "id": report.pk if report else 1,
            "evidence_id": evidence.pk if evidence else 1,
            "number": version.number if version else 1,
        },
        "events": {
            "id": event.pk if event else 1,
            "participant_id": participant.pk if participant else 1,
            "file_id": stored.pk if stored else 1,
        },
        "plans": {"slug": "az-2020-2023"},
        "users": {"id": User.objects.get(username=THIRD_PERSON).pk},
        "periods": {"id": first(ReportingPeriod)},
        "topics": {"code": Topic.objects.order_by("position").values_list("code", flat=True).first()},
        "organisations": {"id": focal.organisation_id},
        "pillars": {"id": pillar.pk if pillar else 1},
        "objectives": {"id": pillar.objective.pk if pillar else 1},
        "priority-areas": {"id": report.activity.priority_area_id if report else 1},
        "activities": {"id": report.activity_id if report else first(Activity)},
        "indicators": {"id": first(Indicator)},
        "assignments": {"id": first(Assignment)},
        "expected-results": {"id": first(ExpectedResult)},
    }


def fuzz(tokens: dict[str, str], cases: int, seed: int, conformance: bool) -> dict[str, Any]:
    import hypothesis
    import schemathesis
    from hypothesis import HealthCheck, Phase, given
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import Failure, FailureGroup
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )
    from werkzeug import Client

    from config.wsgi import application

    # As the proxy says in production (SECURE_PROXY_SSL_HEADER); without it every request is redirected.
    proxy = {"X-Forwarded-Proto": "https"}
    first = {**proxy, "Authorization": f"Token {tokens['coordinator']}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application, headers=first)
    operations = [result.ok() for result in schema.get_all_operations()]
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    # Each operation runs for each caller and mode, and those with path parameters once more with
    # known objects: the cases are shared out evenly over those runs.
    runs = sum(len(tokens) * len(modes) * (2 if "{" in op.path else 1) for op in operations)
    checks = [not_a_server_error]
    if conformance:
        checks += [status_code_conformance, content_type_conformance, response_schema_conformance]
    client = Client(application)

    counted: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    failures: dict[str, list[dict[str, Any]]] = defaultdict(list)
    failing: Counter[str] = Counter()
    unsatisfiable: list[str] = []

    def record(name: str, case: Any, response: Any, failure: Failure) -> None:
        key = f"{name} {case.operation.label}"
        failing[key] += 1
        if len(failures[key]) < EXAMPLES_KEPT:
            failures[key].append(
                {
                    "status": response.status_code,
                    "title": failure.title,
                    "message": failure.message[:300],
                    "curl": case.as_curl_command(headers={"Authorization": "Token ..."})[:600],
                }
            )

    def record_exception(case: Any, exc: Exception) -> None:
        key = f"exception {case.operation.label}"
        failing[key] += 1
        if len(failures[key]) < EXAMPLES_KEPT:
            failures[key].append(
                {
                    "status": None,
                    "title": type(exc).__name__,
                    "message": str(exc)[:300],
                    "curl": case.as_curl_command(headers={"Authorization": "Token ..."})[:600],
                }
            )

    def etag(case: Any, headers: dict[str, str]) -> dict[str, str]:
        """The record's current ETag as If-Match, for a write to a known object: without it a write
        stops at 428 and its body is never read."""
        if case.method.upper() == "GET" or "id" not in case.path_parameters:
            return {}
        base = case.path.split("{id}")[0] + str(case.path_parameters["id"]) + "/"
        tag = client.get(base, headers=headers).headers.get("ETag")
        return {"If-Match": tag or "*"}

    def runner(
        operation: Any,
        mode: Any,
        headers: dict[str, str],
        path: dict[str, Any] | None,
        seed: int,
        examples: int,
    ) -> Any:
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path)

        @hypothesis.seed(seed)
        @hypothesis.settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: every failure is kept as sent
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            sent = {**headers, **(etag(case, headers) if path and mode == GenerationMode.POSITIVE else {})}
            counted[operation.label] += 1
            try:
                response = case.call(headers=sent)
            except Exception as exc:  # the application raised through the WSGI server: a 5xx for a client
                statuses["exception"] += 1
                record_exception(case, exc)
                return
            statuses[str(response.status_code)] += 1
            try:
                case.validate_response(response, checks=checks, headers=sent)
            except FailureGroup as group:
                for failure in group.exceptions:
                    record(type(failure).__name__, case, response, failure)

        return run

    # Passes over every run until the cases are made: a run stops early when its operation has fewer
    # distinct cases than asked (GET /me/ has one), so a second pass, with the next seed, makes up the rest.
    passes = 0
    while (done := sum(counted.values())) < cases:
        per_run = max(1, math.ceil((cases - done) / runs))
        log(f"pass {passes + 1}: {len(operations)} operations, {runs} runs of {per_run} cases")
        known = known_objects()
        for operation in operations:
            resource = operation.path.split("/")[3]
            paths = [None] + ([known.get(resource)] if "{" in operation.path and resource in known else [])
            for token in tokens.values():
                headers = {**proxy, "Authorization": f"Token {token}"}
                for mode in modes:
                    for path in paths:
                        try:
                            runner(operation, mode, headers, path, seed + passes, per_run)()
                        except Unsatisfiable:
                            # Nothing to make invalid (no parameters, no body): no negative cases.
                            unsatisfiable.append(f"{operation.label} ({mode.value})")
            log(f"{operation.label}: {counted[operation.label]} cases")
        passes += 1
    return {
        "passes": passes,
        "operations": len(operations),
        "cases": sum(counted.values()),
        "statuses": dict(sorted(statuses.items())),
        "failures": dict(sorted(failing.items())),
        "examples": {key: failures[key] for key in sorted(failures)},
        "no_negative_cases": sorted(set(unsatisfiable)),
    }


def main() -> None:
    options = arguments()
    if not options.sqlite and os.environ.get(INSIDE) != "1":
        run_under_postgres()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wpsnap-fuzz-") as var_dir:
        configure(var_dir, options.sqlite)
        tokens = build_world()
        found = fuzz(tokens, options.cases, options.seed, options.conformance)
    from django.db import connection

    result = {
        **found,
        "callers": list(CALLERS),
        "seed": options.seed,
        "checks": ["not_a_server_error"]
        + (
            ["status_code_conformance", "content_type_conformance", "response_schema_conformance"]
            if options.conformance
            else []
        ),
        "database": connection.vendor,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - began, 1),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    raise SystemExit(1 if found["failures"] else 0)


if __name__ == "__main__":
    main()
