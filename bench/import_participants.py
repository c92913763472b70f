"""Benchmark of participant imports on PostgreSQL: CSV against a raw ``COPY`` of the same file, and XLSX.

Run by hand (it is not part of the test suite): ``.venv/bin/python bench/import_participants.py``. It
starts its own throw-away PostgreSQL cluster (it re-runs itself under ``scripts/with-postgres``; it never
writes to a database it did not create), migrates, loads the Azerbaijan plan and sets it up for reporting
and events (its 73 districts).

For each size (100,000 and 1,000,000 rows by default) it generates a realistic participant list as CSV
(sex, age or age band, population group, district, organisation or position, and for some people a name
with their consent, spelt as agencies spell them: codes, English labels, Azerbaijani and Russian words),
then, in the same run,

- ``copy``: ``COPY`` of the file's bytes into a bare table (the same columns, all text, no constraints,
  no indexes): what PostgreSQL alone costs to take the file in;
- ``import``: ``participants_import_file`` as the page and ``wpsnap import participants`` call it, as a
  focal point of the organising ministry, into an event of its own: reading, checking every row against
  the plan's vocabulary, writing the participants, the batch and the audit line, in one transaction;
- ``floor``: ``COPY`` of the rows the import stored (read back in COPY's text format) into the
  participant table itself, with its primary key, indexes and foreign-key checks, and again without the
  foreign-key checks, each rolled back: what PostgreSQL alone costs to store those rows there;
- ``import_without_fk_checks``: the import again with PostgreSQL's foreign-key triggers switched off
  for its session (a superuser's right in the throw-away cluster): what it would do if the table had no
  foreign-key constraints.

It also writes 100,000 rows as XLSX with openpyxl (write-only mode) and imports that. It prints one JSON
object on stdout; progress goes to stderr.

Goals (issue 5): the CSV import at least 40% of COPY's throughput; XLSX at least 20,000 rows/s.

Options: ``--rows 100000,1000000`` (the CSV sizes), ``--xlsx-rows 100000`` (0 to skip), ``--profile DIR``
(write a cProfile of each import to DIR and print its top functions to stderr).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import pstats
import random
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Set by this script when it re-runs itself inside the throw-away cluster; never set it by hand.
INSIDE = "WPSNAP_BENCH_THROWAWAY_DB"

PLAN_FILE = ROOT / "plans" / "az-2020-2023.yaml"
DISTRICTS_FILE = ROOT / "plans" / "az-districts.yaml"
GOAL_RATIO = 0.40
GOAL_XLSX_ROWS_PER_S = 20_000
COLUMNS = (
    "sex",
    "age",
    "age_band",
    "population_group",
    "district",
    "organisation_or_position",
    "name",
    "consent",
)


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
    """Production settings, as the server runs them."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "WPSNAP_VAR_DIR": var_dir,
            "WPSNAP_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- the data ----------------------------------------------------------------------------------------


def build_plan() -> tuple[Any, Any]:
    """Migrate, load the plan, set it up for reporting and events; a focal point at MoD."""
    from django.core.management import call_command

    from wpsnap.accounts.models import Organisation, Role, User
    from wpsnap.plan import schema
    from wpsnap.plan.services import plan_load
    from wpsnap.registries.services.setup import events_setup, read_districts
    from wpsnap.reporting.services import reporting_setup

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    plan = plan_load(plan_file=schema.read_plan_file(PLAN_FILE)).plan
    reporting_setup(plan=plan)
    events_setup(plan=plan, districts=read_districts(DISTRICTS_FILE))
    actor = User(
        username="bench-focal",
        email="bench-focal@example.org",
        role=Role.FOCAL_POINT,
        organisation=Organisation.objects.get(key="mod"),
    )
    actor.set_unusable_password()
    actor.save()
    log(f"migrated and set the plan up in {time.perf_counter() - started:.1f}s")
    return plan, actor


def new_event(plan: Any, actor: Any, title: str) -> Any:
    from wpsnap.registries.services.events import EventInput, event_create

    return event_create(
        actor=actor,
        plan=plan,
        data=EventInput(
            kind="training",
            title=title,
            starts_on=date(2021, 3, 10),
            ends_on=date(2021, 3, 11),
            activities=[plan.activities.get(code="5.1.2.3")],
            district="baku",
        ),
    )


def spellings() -> dict[str, Any]:
    """How agencies write each value: codes mostly, then labels and Azerbaijani and Russian words."""
    import yaml

    districts = yaml.safe_load(DISTRICTS_FILE.read_text(encoding="utf-8"))["districts"]
    return {
        "women": ["women"] * 17 + ["Women", "F", "qadın", "женщина"],  # noqa: RUF001 - the Azerbaijani dotless i
        "men": ["men"] * 17 + ["Men", "M", "kişi", "мужчина"],
        "bands": {
            "0-17": ["0-17", "0–17"],  # noqa: RUF001 - the en dash of the band's label
            "18-24": ["18-24", "18–24"],  # noqa: RUF001
            "25-34": ["25-34", "25–34"],  # noqa: RUF001
            "35-59": ["35-59", "35–59"],  # noqa: RUF001
            "60-plus": ["60-plus", "60 and over"],
        },
        "groups": ["idp", "conflict-affected", "host-community", "Internally displaced", "Host community"],
        "districts": [d["code"] for d in districts] * 5 + [d["az"] for d in districts],
        "affiliations": [
            "Ministry of Defense, officer",
            "Ministry of Defense, sergeant",
            "Teacher, secondary school No. 12",
            "Community leader",
            "Women's council member",
            "Municipality of Barda",
            "NGO “Təşəbbüs”",
            "Student",
            "Nurse, district hospital",
            "Police inspector",
            "",
            "",
            "",
        ],
        "first": ["Aysel", "Günay", "Leyla", "Nigar", "Sevinc", "Elvin", "Rəşad", "Orxan", "Tural", "Kamran"],
        "last": ["Məmmədova", "Əliyeva", "Həsənova", "Quliyev", "İsmayılov", "Hüseynov", "Abbasova"],  # noqa: RUF001
    }


def band_of(age: int) -> str:
    for low, code in ((60, "60-plus"), (35, "35-59"), (25, "25-34"), (18, "18-24")):
        if age >= low:
            return code
    return "0-17"


def generate(rows: int, seed: int = 1325) -> Iterator[list[Any]]:
    """``rows`` participant rows as an agency's list would have them (ages as numbers), one at a time."""
    rng = random.Random(seed)
    words = spellings()
    for _ in range(rows):
        woman = rng.random() < 0.55
        sex = rng.choice(words["women"] if woman else words["men"])
        age = min(80, max(14, int(rng.gauss(36, 13))))
        band = band_of(age)
        given = rng.random()
        if given < 0.85:  # the age
            age_cell: Any = age
            band_cell = ""
        elif given < 0.95:  # the band only
            age_cell = ""
            band_cell = rng.choice(words["bands"][band])
        else:  # both
            age_cell = age
            band_cell = words["bands"][band][0]
        group = rng.choice(words["groups"]) if rng.random() < 0.4 else ""
        district = rng.choice(words["districts"]) if rng.random() < 0.9 else ""
        affiliation = rng.choice(words["affiliations"])
        named = rng.random() < 0.1
        name = f"{rng.choice(words['first'])} {rng.choice(words['last'])}" if named else ""
        consent = "yes" if named or rng.random() < 0.2 else rng.choice(["no", ""])
        yield [sex, age_cell, band_cell, group, district, affiliation, name, consent]


def write_csv(path: Path, rows: Iterable[list[Any]]) -> int:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)  # Excel's dialect: commas, "\r\n", quotes where needed
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path.stat().st_size


def write_xlsx(path: Path, rows: Iterable[list[Any]]) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("participants")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([cell if cell != "" else None for cell in row])
    workbook.save(path)
    return path.stat().st_size


# --- measuring -----------------------------------------------------------------------------------------


def rate(rows: int, seconds: float) -> dict[str, Any]:
    return {"seconds": round(seconds, 3), "rows_per_s": round(rows / seconds)}


def copy_bare(content: bytes, rows: int, run: int) -> dict[str, Any]:
    """``COPY`` of the file's bytes into a bare table (text columns, no constraints), committed."""
    import psycopg

    table = f"bench_bare_{run}"
    with psycopg.connect(os.environ["DATABASE_URL"]) as db:
        db.execute(f"CREATE TABLE {table} ({', '.join(f'{c} text' for c in COLUMNS)})")
        db.commit()
        started = time.perf_counter()
        with (
            db.cursor() as cursor,
            cursor.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            view = memoryview(content)
            for start in range(0, len(content), 1 << 20):
                copy.write(view[start : start + (1 << 20)])
        db.commit()
        seconds = time.perf_counter() - started
        copied = db.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608 - our own table
        db.execute(f"DROP TABLE {table}")
        db.commit()
    assert copied is not None and copied[0] == rows, (copied, rows)
    return rate(rows, seconds)


STORED = "event_id, batch_id, sex, age, age_band, population_group, district, affiliation, name, consent"


def copy_stored(event_id: int, rows: int, *, fk_checks: bool) -> dict[str, Any]:
    """``COPY`` of the rows an import stored (read back in COPY's text format) into the participant
    table itself, with its primary key, indexes and check constraints, and with or without its
    foreign-key checks (run as a COMMIT would run them), then rolled back: what PostgreSQL alone
    costs to store the import's rows, the floor under the import's time."""
    import psycopg

    data = bytearray()
    with psycopg.connect(os.environ["DATABASE_URL"]) as db:
        query = (
            f"COPY (SELECT {STORED} FROM registries_participant WHERE event_id = {int(event_id)}) TO STDOUT"  # noqa: S608
        )
        with db.cursor() as cursor, cursor.copy(query) as copy:
            for block in copy:
                data += block
        db.rollback()
        if not fk_checks:
            # Switches foreign-key triggers off for this transaction (a superuser's right, which the
            # throw-away cluster's owner has).
            db.execute("SET LOCAL session_replication_role = replica")
        started = time.perf_counter()
        with db.cursor() as cursor, cursor.copy(f"COPY registries_participant ({STORED}) FROM STDIN") as copy:
            view = memoryview(data)
            for start in range(0, len(data), 1 << 20):
                copy.write(view[start : start + (1 << 20)])
        db.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks, as at COMMIT
        seconds = time.perf_counter() - started
        db.rollback()
    return rate(rows, seconds)


def import_file(
    plan: Any,
    actor: Any,
    name: str,
    content: bytes,
    rows: int,
    profile_to: Path | None = None,
    *,
    fk_checks: bool = True,
) -> dict[str, Any]:
    """``participants_import_file`` into a new event, as the page and the command call it. Without
    ``fk_checks``, PostgreSQL's foreign-key triggers are switched off for the import's session: what
    the import would do if the participant table had no foreign-key constraints."""
    from django.db import connection

    from wpsnap.registries.models import Participant
    from wpsnap.registries.services.participants import participants_import_file

    event = new_event(plan, actor, f"Benchmark: {name}{'' if fk_checks else ' (no FK checks)'}")
    if not fk_checks:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
    profiler = cProfile.Profile() if profile_to else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    try:
        result = participants_import_file(actor=actor, event=event, name=name, content=content)
    finally:
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        if not fk_checks:
            with connection.cursor() as cursor:
                cursor.execute("RESET session_replication_role")
    assert result.rows == rows, (result.rows, rows)
    assert Participant.objects.filter(event=event).count() == rows
    imported: dict[str, Any] = {**rate(rows, seconds), "peak_rss_mb": peak_rss_mb(), "event": event.pk}
    if profiler and profile_to:
        profile_to.mkdir(parents=True, exist_ok=True)
        target = profile_to / f"{name}.prof"
        profiler.dump_stats(target)
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
        log(f"profile of {name} ({target}):\n{text.getvalue()}")
    return imported


def peak_rss_mb() -> int:
    """The process's high-water mark of resident memory so far (Linux reports kB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="100000,1000000", help="CSV sizes, comma-separated")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="XLSX size (0: skip)")
    parser.add_argument("--profile", type=Path, default=None, help="write cProfile stats of each import here")
    args = parser.parse_args()
    if os.environ.get(INSIDE) != "1":
        run_under_postgres()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("bench: scripts/with-postgres did not give a PostgreSQL DATABASE_URL")
    began = time.perf_counter()
    load_before = os.getloadavg()[0]
    sizes = [int(n) for n in args.rows.split(",") if n]
    results: list[dict[str, Any]] = []
    xlsx: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="wpsnap-bench-") as var_dir:
        configure(var_dir)
        plan, actor = build_plan()
        for run, size in enumerate(sizes):
            started = time.perf_counter()
            path = Path(var_dir) / f"participants-{size}.csv"
            size_bytes = write_csv(path, generate(size))
            log(
                f"wrote {size:,} rows as CSV ({size_bytes / 1e6:.1f} MB) in {time.perf_counter() - started:.1f}s"
            )
            content = path.read_bytes()
            copied = copy_bare(content, size, run)
            log(f"COPY of {size:,} rows: {copied['seconds']}s, {copied['rows_per_s']:,} rows/s")
            imported = import_file(plan, actor, path.name, content, size, args.profile)
            log(f"import of {size:,} rows: {imported['seconds']}s, {imported['rows_per_s']:,} rows/s")
            del content
            event_id = imported.pop("event")
            stored = copy_stored(event_id, size, fk_checks=True)
            log(f"COPY of the stored rows into the participant table: {stored['rows_per_s']:,} rows/s")
            unchecked = copy_stored(event_id, size, fk_checks=False)
            log(f"... without the foreign-key checks: {unchecked['rows_per_s']:,} rows/s")
            without = import_file(plan, actor, path.name, path.read_bytes(), size, fk_checks=False)
            without.pop("event")
            log(f"import without the foreign-key checks: {without['rows_per_s']:,} rows/s")
            path.unlink()
            ratio = imported["rows_per_s"] / copied["rows_per_s"]
            results.append(
                {
                    "rows": size,
                    "bytes": size_bytes,
                    "copy": copied,
                    "import": imported,
                    "ratio_to_copy": round(ratio, 3),
                    "meets_goal": ratio >= GOAL_RATIO,
                    "floor": {
                        "copy_into_participants": stored,
                        "copy_into_participants_without_fk_checks": unchecked,
                        "import_ratio_to_copy_into_participants": round(
                            imported["rows_per_s"] / stored["rows_per_s"], 3
                        ),
                    },
                    "import_without_fk_checks": {
                        **without,
                        "ratio_to_copy": round(without["rows_per_s"] / copied["rows_per_s"], 3),
                    },
                }
            )
        if args.xlsx_rows:
            started = time.perf_counter()
            path = Path(var_dir) / f"participants-{args.xlsx_rows}.xlsx"
            size_bytes = write_xlsx(path, generate(args.xlsx_rows, seed=1820))
            log(
                f"wrote {args.xlsx_rows:,} rows as XLSX ({size_bytes / 1e6:.1f} MB) in {time.perf_counter() - started:.1f}s"
            )
            imported = import_file(plan, actor, path.name, path.read_bytes(), args.xlsx_rows, args.profile)
            imported.pop("event")
            log(
                f"import of {args.xlsx_rows:,} XLSX rows: {imported['seconds']}s, {imported['rows_per_s']:,} rows/s"
            )
            xlsx = {
                "rows": args.xlsx_rows,
                "bytes": size_bytes,
                "import": imported,
                "meets_goal": imported["rows_per_s"] >= GOAL_XLSX_ROWS_PER_S,
            }
    print(
        json.dumps(
            {
                "csv": results,
                "xlsx": xlsx,
                "goals": {"csv_ratio_to_copy": GOAL_RATIO, "xlsx_rows_per_s": GOAL_XLSX_ROWS_PER_S},
                "meets_goals": all(r["meets_goal"] for r in results) and (xlsx is None or xlsx["meets_goal"]),
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
