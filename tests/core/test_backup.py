"""``wpsnap backup`` and ``wpsnap restore`` (wpsnap/core/backup.py): a small data set across the apps with
real uploaded files, backed up, restored by the real command (its own process and settings) into an
empty second database of the engine in use (a new SQLite file, or a new database in the same throw-away
PostgreSQL cluster) and empty folders; every table and every file compared by checksums computed here,
independently of the backup's own, then the restored copy serves the health check, a signed-in page and
an API read. A damaged archive, a target that is not empty and a newer backup are refused, leaving
nothing behind. The commands run with an installation's settings (config.settings.local), so in its
language: a refusal is recognised by what it names (the member, the table, the folder), not its wording."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import secrets
import sqlite3
import stat
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from random import Random
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from wpsnap.core.backup import BackupError, backup

from ..conftest import ROOT, create_user, seed_migration_rows

PDF = b"%PDF-1.4\n" + b"minutes of the training\n" * 40 + b"%%EOF\n"
PDF_2 = b"%PDF-1.7\n" + b"attendance sheet\n" * 30 + b"%%EOF\n"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 4
WPSNAP = ROOT / ".venv" / "bin" / "wpsnap"


# --- independent checksums (not the backup's own) ----------------------------------------------------


def _source_dbapi() -> Any:
    """A plain DB-API connection to the test database (committed rows only)."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return sqlite3.connect(settings_dict["NAME"], uri=True)
    import psycopg

    return psycopg.connect(**_pg_params(settings_dict["NAME"]))


def _pg_params(name: str) -> dict[str, Any]:
    params = connection.get_connection_params()
    keep = {k: params[k] for k in ("host", "port", "user", "password") if params.get(k)}
    return {**keep, "dbname": name}


def table_digests(db: Any) -> dict[str, tuple[int, str]]:
    """Every table: its row count and the sha256 of its rows' reprs, sorted."""
    cursor = db.cursor()
    if isinstance(db, sqlite3.Connection):
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
    tables = sorted(name for (name,) in cursor.fetchall())
    digests = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the catalogue
        rows = sorted(repr(row).encode() for row in cursor.fetchall())
        digests[table] = (len(rows), hashlib.sha256(b"\n".join(rows)).hexdigest())
    return digests


def file_digests(*folders: Path) -> dict[str, str]:
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.exists() else []:
            if path.is_file():
                found[f"{folder.name}/{path.relative_to(folder)}"] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return found


# --- the data set -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("backup")
    return {"base": base, "private": base / "private", "jobs": base / "jobs"}


@pytest.fixture(scope="module")
def made(folders, django_db_setup, django_db_blocker) -> Iterator[dict[str, Any]]:
    """The data set, committed, with its uploaded files in this module's own folders, then its backup
    (by the command, in this process) and the checksums computed here at that moment. Flushed afterwards,
    as a transactional test's data is."""
    from django.test import override_settings

    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folders["private"]), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with django_db_blocker.unblock(), override_settings(STORAGES=storages, WPSNAP_JOB_DIR=folders["jobs"]):
        try:
            data = _data_set(folders)
            archive = folders["base"] / "wpsnap.backup.tar"
            out = io.StringIO()
            call_command("backup", str(archive), stdout=out)
            with contextlib.closing(_source_dbapi()) as db:
                tables = table_digests(db)
            files = file_digests(folders["private"], folders["jobs"])
            incomplete = _incomplete_backup(folders)
            yield {
                **data,
                "archive": archive,
                "summary": json.loads(out.getvalue()),
                "tables": tables,
                "files": files,
                "incomplete": incomplete,
            }
        finally:
            call_command("flush", interactive=False, verbosity=0)
            seed_migration_rows()  # committed here, not reloaded inside every later test's transaction


def _incomplete_backup(folders: dict[str, Path]) -> dict[str, Any]:
    """A backup taken while the evidence file its row names is gone (lost by hand): what it says."""
    from wpsnap.reporting.models import Evidence

    name = Evidence.objects.get().file.name
    lost, aside = folders["private"] / name, folders["base"] / "set-aside"
    lost.rename(aside)
    try:
        archive, out = folders["base"] / "incomplete.tar", io.StringIO()
        with pytest.raises(CommandError) as failed:
            call_command("backup", str(archive), stdout=out)
        with tarfile.open(archive) as tar:
            manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    finally:
        aside.rename(lost)
    return {
        "name": f"files/private/{name}",
        "error": failed.value,
        "summary": json.loads(out.getvalue()),
        "manifest": manifest,
    }


def _data_set(folders: dict[str, Path]) -> dict[str, Any]:
    """Rows in every layer, made by the services: the plan (loaded for the session), reporting periods,
    people, a report with evidence, an event with its agenda, a registry record with its recording, a
    finished background job with its file; and an orphan upload and a job's half-written file."""
    from tests.registries.kinds.conftest import example_row
    from wpsnap.core.models import Job, JobStatus
    from wpsnap.plan.models import Plan
    from wpsnap.registries.kinds import catalogue
    from wpsnap.registries.kinds.services import record_create, record_file_add
    from wpsnap.registries.services.events import EventInput, event_create, event_file_add
    from wpsnap.registries.services.setup import events_setup, read_districts
    from wpsnap.reporting import services

    plan = Plan.objects.filter(slug="az-2020-2023").first()
    if plan is None:  # a transactional test before this module flushed the session's plan
        from wpsnap.plan import schema
        from wpsnap.plan.services import plan_load

        plan = plan_load(plan_file=schema.read_plan_file(ROOT / "plans" / "az-2020-2023.yaml")).plan
    services.reporting_setup(plan=plan)
    events_setup(plan=plan, districts=read_districts(ROOT / "plans" / "az-districts.yaml"))
    focal = create_user("focal_point", "mod", "mod-focal")
    create_user("coordinator", "scfwca", "coord")
    activity = plan.activities.get(code="5.1.2.3")
    period = plan.reporting_periods.get(label="2021")
    report = services.report_start(actor=focal, activity=activity, agency=focal.organisation, period=period)
    evidence = services.evidence_add(actor=focal, report=report, name="minutes.pdf", content=PDF)
    event = event_create(
        actor=focal,
        plan=plan,
        data=EventInput(
            kind="training",
            title="UNSCR 1325 for officers",
            starts_on=date(2021, 3, 10),
            ends_on=date(2021, 3, 11),
            activities=[activity],
            district="baku",
        ),
    )
    event_file = event_file_add(actor=focal, event=event, name="agenda.pdf", content=PDF_2, purpose="agenda")
    kind = catalogue.kind_named("media-items")
    item = record_create(kind=kind, actor=focal, plan=plan, values=example_row(kind, Random(7), plan, focal))
    record_file_add(kind=kind, actor=focal, record=item, name="interview.mp3", content=MP3)
    folders["jobs"].mkdir(parents=True, exist_ok=True)
    job_id = uuid.uuid4()  # its file in place before the row says it is done, as the runner does
    (folders["jobs"] / str(job_id)).write_bytes(b"a;b\r\n1;2\r\n")
    Job.objects.create(
        id=job_id,
        owner=focal,
        kind="exports.table",
        action="report.view",
        label="Reports (CSV)",
        status=JobStatus.DONE,
        file_name=str(job_id),
        download_name="reports.csv",
    )
    (folders["jobs"] / f".{secrets.token_hex(4)}.part").write_bytes(b"half a file")
    (folders["private"] / "orphan").write_bytes(b"an upload whose transaction never committed")
    return {"report": report.pk, "evidence": evidence.pk, "event": event.pk, "event_file": event_file.pk}


# --- an empty target ----------------------------------------------------------------------------------


@pytest.fixture
def target(tmp_path) -> Iterator[dict[str, Any]]:
    """An empty database of the engine in use (a new file; a new database in the same cluster) and empty
    folders, and the environment a command run against them gets."""
    name = f"wpsnap_restore_{secrets.token_hex(4)}"
    if connection.vendor == "sqlite":
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    else:
        import psycopg

        params = _pg_params("postgres")
        with contextlib.closing(psycopg.connect(**params, autocommit=True)) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = f"postgres://{params['user']}@{params['host']}:{params['port']}/{name}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": url,
        "WPSNAP_VAR_DIR": str(tmp_path / "var"),
        "WPSNAP_PRIVATE_DIR": str(tmp_path / "var" / "private"),
        "WPSNAP_JOB_DIR": str(tmp_path / "var" / "jobs"),
        "WPSNAP_UPLOAD_SPOOL_DIR": str(tmp_path / "var" / "spool"),
        "DEBUG": "0",
    }
    yield {
        "env": env,
        "private": tmp_path / "var" / "private",
        "jobs": tmp_path / "var" / "jobs",
        "dbapi": (
            (lambda: sqlite3.connect(tmp_path / "restored.sqlite3"))
            if connection.vendor == "sqlite"
            else (lambda: __import__("psycopg").connect(**_pg_params(name)))
        ),
    }
    if connection.vendor != "sqlite":
        with contextlib.closing(psycopg.connect(**_pg_params("postgres"), autocommit=True)) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wpsnap(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WPSNAP), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


SMOKE = """
import hashlib, json
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
setup_test_environment()
from wpsnap.accounts.models import User
ids = json.loads(input())
client = Client()
answers = {}
health = client.get("/healthz")
answers["health"] = [health.status_code, health.json()]
client.force_login(User.objects.get(username="mod-focal"))
page = client.get(reverse("registries:event_detail", args=[ids["event"]]))
answers["event_page"] = [page.status_code, "UNSCR 1325 for officers" in page.content.decode()]
agenda = client.get(reverse("registries:event_file", args=[ids["event"], ids["event_file"]]))
answers["agenda"] = [agenda.status_code, hashlib.sha256(b"".join(agenda.streaming_content)).hexdigest()]
api = client.get(reverse("api:report-evidence-file", kwargs={"id": ids["report"], "evidence_id": ids["evidence"]}))
answers["api_evidence"] = [api.status_code, hashlib.sha256(b"".join(api.streaming_content)).hexdigest()]
print(json.dumps(answers))
"""


# --- the tests ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_backup_restores_into_an_empty_database_identically(made, target) -> None:
    """Every table (row count and checksum of its rows) and every file come back the same; the restored
    copy answers the health check, a signed-in page and an API read with the files' real bytes."""
    archive: Path = made["archive"]
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # personal data: its owner's only
    summary = made["summary"]
    assert summary["status"] == "ok" and summary["missing_files"] == []
    assert summary["tables"] == len(made["tables"]) and summary["rows"] == sum(
        n for n, _ in made["tables"].values()
    )
    # Every uploaded file and the finished job's, the orphan upload too; never a job's half-written file.
    assert summary["files"] == 5 == len(made["files"]) - 1
    with tarfile.open(archive) as tar:
        members = tar.getnames()
    assert not any(name.endswith(".part") for name in members)
    assert {"manifest.json", "files/private/orphan"} <= set(members)

    restored = _wpsnap(target["env"], "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    result = json.loads(restored.stdout)
    assert result["status"] == "restored"
    assert (result["tables"], result["tables_checked"], result["rows"]) == (
        summary["tables"],
        summary["tables"],
        summary["rows"],
    )
    assert (result["files"], result["files_checked"]) == (5, 5)

    with contextlib.closing(target["dbapi"]()) as db:
        assert table_digests(db) == made["tables"]
    if connection.vendor == "sqlite":
        assert stat.S_IMODE((target["private"].parent.parent / "restored.sqlite3").stat().st_mode) == 0o600
    expected_files = {name: sha for name, sha in made["files"].items() if not name.endswith(".part")}
    assert file_digests(target["private"], target["jobs"]) == expected_files

    smoke = subprocess.run(
        [sys.executable, "-c", SMOKE],
        input=json.dumps({k: made[k] for k in ("report", "evidence", "event", "event_file")}),
        env=target["env"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert smoke.returncode == 0, smoke.stderr[-2000:]
    answers = json.loads(smoke.stdout.strip().splitlines()[-1])
    assert answers == {
        "health": [200, {"status": "ok"}],
        "event_page": [200, True],
        "agenda": [200, hashlib.sha256(PDF_2).hexdigest()],
        "api_evidence": [200, hashlib.sha256(PDF).hexdigest()],
    }


def _damaged(archive: Path, out: Path) -> tuple[Path, str]:
    """A copy of the archive with one byte of an uploaded file's content changed (a disk's bit rot)."""
    data = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("files/private/"))
    data[member.offset_data + 10] ^= 0x01
    out.write_bytes(bytes(data))
    return out, member.name


def _nothing_in(target: dict[str, Any]) -> None:
    with contextlib.closing(target["dbapi"]()) as db:
        assert table_digests(db) == {}
    for folder in (target["private"], target["jobs"]):
        assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_a_damaged_archive_is_refused_and_nothing_is_restored(made, target, tmp_path) -> None:
    damaged, damaged_name = _damaged(made["archive"], tmp_path / "damaged.tar")
    refused = _wpsnap(target["env"], "restore", str(damaged))
    assert refused.returncode == 1
    assert damaged_name in refused.stderr, refused.stderr
    _nothing_in(target)
    # Cut short (a copy that stopped half-way): refused too.
    short = tmp_path / "short.tar"
    short.write_bytes(made["archive"].read_bytes()[: made["archive"].stat().st_size // 2])
    refused = _wpsnap(target["env"], "restore", str(short))
    assert refused.returncode == 1 and "CommandError" in refused.stderr, refused.stderr
    _nothing_in(target)


@pytest.mark.django_db
def test_a_target_that_is_not_empty_is_refused(made, target, tmp_path) -> None:
    """This test database has every table: refused, naming why, and nothing written to it."""
    before = table_digests_of_default()
    with pytest.raises(CommandError, match="The database is not empty"):
        call_command("restore", str(made["archive"]))
    assert table_digests_of_default() == before
    # An empty database but a folder with files in it: refused too, before the database is touched.
    target["private"].mkdir(parents=True)
    (target["private"] / "left-over").write_bytes(b"x")
    refused = _wpsnap(target["env"], "restore", str(made["archive"]))
    assert refused.returncode == 1 and str(target["private"]) in refused.stderr, refused.stderr
    with contextlib.closing(target["dbapi"]()) as db:
        assert table_digests(db) == {}


def table_digests_of_default() -> dict[str, tuple[int, str]]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _rewritten(archive: Path, out: Path, change: Any) -> Path:
    """A copy of the archive whose manifest ``change`` altered (the members' checksums still hold)."""
    with tarfile.open(archive) as source, tarfile.open(out, "w") as copy:
        for member in source.getmembers():
            content = source.extractfile(member)
            assert content is not None
            data = content.read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return out


@pytest.mark.django_db
def test_rows_that_do_not_match_the_manifest_are_refused_and_taken_out_again(made, target, tmp_path) -> None:
    """Every member intact, but one table's rows not the manifest's: on SQLite refused before the target is
    written; on PostgreSQL (checked after pg_restore) everything restored is dropped again."""

    def one_row_more(manifest: dict[str, Any]) -> None:
        manifest["tables"]["registries_event"]["rows"] += 1

    refused = _wpsnap(
        target["env"], "restore", str(_rewritten(made["archive"], tmp_path / "x.tar", one_row_more))
    )
    assert refused.returncode == 1
    assert "registries_event (" in refused.stderr and ": 2 → 1)" in refused.stderr, refused.stderr
    _nothing_in(target)


@pytest.mark.django_db
def test_a_backup_from_a_newer_version_is_refused(made, tmp_path) -> None:
    """An archive whose database had a migration this code does not know is refused before anything
    else is looked at."""

    def from_the_future(manifest: dict[str, Any]) -> None:
        manifest["migrations"]["core"].append("0999_from_the_future")

    newer = _rewritten(made["archive"], tmp_path / "newer.tar", from_the_future)
    with pytest.raises(CommandError, match="newer version of wpsnap") as refused:
        call_command("restore", str(newer))
    assert "core.0999_from_the_future" in str(refused.value)


@pytest.mark.django_db  # kept beside the module's other tests (pytest-django runs unmarked ones last)
def test_a_file_its_rows_name_missing_makes_the_backup_incomplete_and_exit_3(made) -> None:
    """Tried again from new snapshots, then written all the same, naming the file; status 3 for the alert."""
    incomplete = made["incomplete"]
    assert incomplete["error"].returncode == 3
    assert incomplete["name"] in str(incomplete["error"])
    assert incomplete["summary"]["status"] == "incomplete"
    assert incomplete["summary"]["snapshots_taken"] == 3
    assert incomplete["manifest"]["missing_files"] == [incomplete["name"]]
    assert incomplete["name"] not in incomplete["manifest"]["files"]
    assert len(incomplete["manifest"]["files"]) == made["summary"]["files"] - 1


@pytest.mark.django_db
def test_a_backup_is_its_own_snapshot_and_never_overwrites(made) -> None:
    """Inside an open transaction it would not be one snapshot: refused. An existing file is kept."""
    with transaction.atomic(), pytest.raises(BackupError, match="inside an open transaction"):
        backup(str(made["archive"].with_name("other.tar")))
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(made["archive"]))


WRITER_SCOPE = "backup-under-writes"


def _write_pairs(stop: threading.Event, written: list[int]) -> None:
    """Until ``stop``: one transaction after another, each writing the work's audit line and its
    idempotency key, as an import does (two tables, one commit)."""
    from django.db import connection as own

    from wpsnap.core.models import AuditAction, AuditEvent, IdempotencyKey

    try:
        while not stop.is_set():
            n = len(written)
            with transaction.atomic():
                AuditEvent.objects.create(
                    action=AuditAction.CREATE, object_type=WRITER_SCOPE, object_id=str(n)
                )
                IdempotencyKey.objects.create(scope=WRITER_SCOPE, key=str(n), request_sha256="0" * 64)
            written.append(n)
    finally:
        own.close()


@pytest.mark.suite_half("postgresql")
@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_writes_go_on_restores_one_moment(target, tmp_path) -> None:
    """Transactions keep committing (each an audit line and its idempotency key) before, during and after
    the backup: the archive holds some of them, not all, and always both rows of one (never a key without
    its audit line); the restore checks every table against the manifest read in the same snapshot."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's backup copies the whole file under one lock: writers wait, nothing to race")
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_write_pairs, args=(stop, written), daemon=True)
    writer.start()
    try:
        while len(written) < 20:  # some committed before the snapshot
            time.sleep(0.01)
        archive = tmp_path / "busy.tar"
        out = io.StringIO()
        call_command("backup", str(archive), stdout=out)
        at_backup = len(written)
        while len(written) < at_backup + 20:  # and some after it
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not writer.is_alive()
    assert json.loads(out.getvalue())["status"] == "ok"

    restored = _wpsnap(target["env"], "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["status"] == "restored"
    with contextlib.closing(target["dbapi"]()) as db:
        cursor = db.cursor()
        cursor.execute("SELECT object_id FROM core_auditevent WHERE object_type = %s", [WRITER_SCOPE])
        audited = {int(n) for (n,) in cursor.fetchall()}
        cursor.execute('SELECT "key" FROM core_idempotencykey WHERE scope = %s', [WRITER_SCOPE])
        keyed = {int(n) for (n,) in cursor.fetchall()}
    assert audited == keyed  # both rows of every transaction in the archive, or neither
    assert audited == set(range(len(audited)))  # the first ones, in the order they committed
    assert 20 <= len(audited) < len(written)  # taken while the writes went on
