"""Backups: the database and the uploaded files in one archive, taken at one moment, and their restore.

``wpsnap backup FILE`` writes a tar (mode 0600) holding ``database.pgdump`` (PostgreSQL: ``pg_dump``'s
custom format) or ``database.sqlite3`` (SQLite: the online backup API), the files under ``files/private/``
(the uploads: evidence, event and registry files, public report files) and ``files/jobs/`` (the
background jobs' finished files), and ``manifest.json``: per table its row count and checksum, per file
its size and sha256, the migrations applied and the app's version. ``wpsnap restore FILE`` puts it back
into an empty database and empty folders, or refuses and changes nothing. docs/operations/backup.md.

Why the archive is consistent. The database is read in one snapshot: on PostgreSQL a REPEATABLE READ,
READ ONLY transaction exports its snapshot, ``pg_dump --snapshot`` dumps exactly that, and the row
counts, checksums, migrations and the names of the files the rows point at are read in the same
transaction; on SQLite the backup API copies the database in one step under a read lock and everything
else is read from that copy. Files are copied after the snapshot. A file is always written before the
row that points at it commits (``stored_file_save`` stores it inside the writing transaction; a job's
file is renamed into place before the job is marked done), so every file a row of the snapshot names
was already on disk when the snapshot was taken. A file is deleted only after its row's deletion
commits (``files.delete_on_commit``), so it can vanish between the snapshot and the copy only if its
row was deleted meanwhile; the backup then tries again from a new snapshot (up to three times) and,
if a file is still missing, writes the archive naming it and exits with status 3. Files present but
named by no row (an upload whose transaction had not committed yet, or rolled back) are copied too:
harmless, and what the folder held. The upload spool and job files being written (dot-files) are
work in progress, not kept.

Checksums: a table's is the sum, modulo 2**256, of the sha256 of each row (its values in a canonical
JSON form, as the database driver reads them), so it does not depend on the order rows are read in and
counts a repeated row twice. Engine-native dumps restore exactly (types, ids, sequences, indexes): a
backup restores to the same engine only (PostgreSQL to PostgreSQL, SQLite to SQLite).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Job, JobStatus

FORMAT = "wpsnap-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
FILES_PREFIX = "files"
CHUNK = 1024 * 1024
SNAPSHOT_TRIES = 3
MODULUS = 2**256
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


# Named so: tests/core/test_layers.py takes every ``x.connect(...)`` call for a signal's hook-up.
_sqlite_open = sqlite3.connect


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, for the person running it."""


# --- where things are ---------------------------------------------------------------------------------


def file_roots() -> dict[str, Path]:
    """The folders a backup keeps, by the name they have in the archive: ``private`` (the default
    storage: every uploaded file) and ``jobs`` (the background jobs' finished files)."""
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        raise BackupError(
            _(
                "Backups keep uploaded files stored on this machine's disk only (the default storage is %(name)s)."
            )
            % {"name": type(storage).__name__}
        )
    return {"private": Path(storage.location), "jobs": Path(settings.WPSNAP_JOB_DIR)}


def _kept(root: str, relative: PurePosixPath) -> bool:
    """Whether a file found under a root belongs in a backup: not a job's file being written."""
    return not (root == "jobs" and relative.name.startswith("."))


def _walk(root: str, folder: Path) -> Iterator[tuple[str, Path]]:
    """``(archive name, path)`` of every regular file kept under ``folder``, sorted."""
    if not folder.is_dir():
        return
    found: list[tuple[str, Path]] = []
    for directory, subdirs, names in os.walk(folder):
        subdirs.sort()
        for name in names:
            path = Path(directory) / name
            if not path.is_file() or path.is_symlink():
                continue
            relative = PurePosixPath(path.relative_to(folder).as_posix())
            if _kept(root, relative):
                found.append((f"{FILES_PREFIX}/{root}/{relative}", path))
    yield from sorted(found)


def _engine(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in DB_MEMBER:
        raise BackupError(
            _("Backups support PostgreSQL and SQLite; this database is %(vendor)s.")
            % {"vendor": connection.vendor}
        )
    return connection.vendor


def app_version() -> str:
    try:
        return metadata.version("wpsnap")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- checksums ----------------------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    """A value as JSON can hold it exactly, tagged where JSON would confuse two types."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return {"f": repr(value)}
    if isinstance(value, decimal.Decimal):
        return {"d": str(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"b": bytes(value).hex()}
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return {"t": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"td": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    if isinstance(value, dict):
        return {"o": {str(k): _canonical(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"a": [_canonical(v) for v in value]}
    return {"r": repr(value)}


def row_digest(row: Iterable[Any]) -> int:
    text = json.dumps([_canonical(v) for v in row], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


@dataclass(frozen=True)
class TableSum:
    rows: int
    checksum: str

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "checksum": self.checksum}


def _table_sum(rows: Iterable[Iterable[Any]]) -> TableSum:
    count, total = 0, 0
    for row in rows:
        count += 1
        total = (total + row_digest(row)) % MODULUS
    return TableSum(count, f"{total:064x}")


def _fetch(cursor: Any, size: int = 2000) -> Iterator[Any]:
    while batch := cursor.fetchmany(size):
        yield from batch


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _qualified(name: str) -> str:
    """A table's name as the manifest gives it (``schema.table`` outside ``public``), quoted for SQL."""
    return ".".join(_quote(part) for part in name.split(".", 1)) if "." in name else _quote(name)


def _pg_tables(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%' ORDER BY 1, 2"
        )
        return [table if schema == "public" else f"{schema}.{table}" for schema, table in cursor.fetchall()]


def pg_table_sums(connection: BaseDatabaseWrapper) -> dict[str, TableSum]:
    """Every table's row count and checksum, read through ``connection`` (in its current transaction)."""
    sums: dict[str, TableSum] = {}
    for table in _pg_tables(connection):
        with connection.chunked_cursor() as cursor:
            cursor.execute(f"SELECT * FROM {_qualified(table)}")  # noqa: S608 - a name from the catalogue, quoted
            sums[table] = _table_sum(_fetch(cursor))
    return sums


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    return [
        name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]


def _read_only(path: Path) -> str:
    """The URI that opens an SQLite file read-only (any character of its path escaped)."""
    return f"{path.absolute().as_uri()}?mode=ro"


def sqlite_table_sums(path: Path) -> dict[str, TableSum]:
    """Every table's row count and checksum in the SQLite file at ``path`` (plain values, no converters)."""
    with contextlib.closing(_sqlite_open(_read_only(path), uri=True)) as db:
        return {
            table: _table_sum(db.execute(f"SELECT * FROM {_quote(table)}"))  # noqa: S608 - from sqlite_master
            for table in _sqlite_tables(db)
        }


# --- what the rows say ----------------------------------------------------------------------------------


def _file_columns() -> list[tuple[str, str]]:
    """``(table, column)`` of every file field of every model (found through django.apps)."""
    found: set[tuple[str, str]] = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                found.add((model._meta.db_table, str(model_field.column)))
    return sorted(found)


def _referenced(execute: Callable[[str, list[Any]], list[tuple[Any, ...]]], tables: set[str]) -> set[str]:
    """The archive names of the files the rows point at: every file field's value under ``private``, and
    each finished job's file under ``jobs``."""
    names = set()
    for table, column in _file_columns():
        if table in tables:
            sql = f"SELECT {_quote(column)} FROM {_quote(table)} WHERE {_quote(column)} <> ''"  # noqa: S608
            names |= {f"{FILES_PREFIX}/private/{value}" for (value,) in execute(sql, []) if value}
    if Job._meta.db_table in tables:
        sql = (
            f"SELECT {_quote('file_name')} FROM {_quote(Job._meta.db_table)} "  # noqa: S608
            f"WHERE {_quote('status')} = %s AND {_quote('file_name')} <> ''"
        )
        names |= {f"{FILES_PREFIX}/jobs/{value}" for (value,) in execute(sql, [JobStatus.DONE.value])}
    return names


def _applied(
    execute: Callable[[str, list[Any]], list[tuple[Any, ...]]], tables: set[str]
) -> dict[str, list[str]]:
    """The migrations recorded as applied, by app."""
    if "django_migrations" not in tables:
        return {}
    applied: dict[str, list[str]] = {}
    for app, name in execute("SELECT app, name FROM django_migrations ORDER BY app, name", []):
        applied.setdefault(app, []).append(name)
    return applied


# --- the snapshot -------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """The database at one moment: its dump (a file), and what was read in the same snapshot."""

    engine: str
    dump: Path
    tables: dict[str, TableSum]
    migrations: dict[str, list[str]]
    referenced: set[str]
    server: str
    tool: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _pg_env(connection: BaseDatabaseWrapper, name: str | None = None) -> dict[str, str]:
    """The environment that points PostgreSQL's tools at the connection's database (no password in argv)."""
    params = connection.get_connection_params()
    env = dict(os.environ)
    mapping = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
    for key, variable in mapping.items():
        if params.get(key):
            env[variable] = str(params[key])
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile", "service"):
        if params.get(key):
            env[f"PG{key.upper()}" if key != "passfile" else "PGPASSFILE"] = str(params[key])
    env["PGDATABASE"] = name or str(params.get("dbname") or connection.settings_dict["NAME"])
    env["PGCONNECT_TIMEOUT"] = env.get("PGCONNECT_TIMEOUT", "10")
    return env


def _run(argv: list[str], env: dict[str, str], what: str) -> str:
    tool = shutil.which(argv[0], path=env.get("PATH"))
    if tool is None:
        raise BackupError(
            _("%(tool)s is not installed (PostgreSQL's client tools, Debian's postgresql-client).")
            % {"tool": argv[0]}
        )
    done = subprocess.run([tool, *argv[1:]], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        # The tool's own words (they name tables and options, never rows).
        detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise BackupError(_("%(what)s failed: %(detail)s") % {"what": what, "detail": " ".join(detail)})
    return done.stdout


def _pg_snapshot(connection: BaseDatabaseWrapper, work: Path) -> Snapshot:
    dump = work / DB_MEMBER["postgresql"]
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot_id, server = cursor.fetchone()
        env = _pg_env(connection)
        version = _run(["pg_dump", "--version"], env, "pg_dump").strip()
        _run(
            ["pg_dump", f"--snapshot={snapshot_id}", "--format=custom", "--no-sync", f"--file={dump}"],
            env,
            "pg_dump",
        )
        tables = pg_table_sums(connection)

        def execute(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall())

        present = set(tables)
        return Snapshot(
            engine="postgresql",
            dump=dump,
            tables=tables,
            migrations=_applied(execute, present),
            referenced=_referenced(execute, present),
            server=f"PostgreSQL {server}",
            tool=version,
        )


def _sqlite_snapshot(connection: BaseDatabaseWrapper, work: Path) -> Snapshot:
    dump = work / DB_MEMBER["sqlite"]
    connection.ensure_connection()
    source = connection.connection
    with contextlib.closing(_sqlite_open(dump)) as target:
        source.backup(target)  # one step: the whole database under one read lock
    tables = sqlite_table_sums(dump)
    with contextlib.closing(_sqlite_open(_read_only(dump), uri=True)) as db:

        def execute(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
            return list(db.execute(sql.replace("%s", "?"), params))

        present = set(tables)
        migrations = _applied(execute, present)
        referenced = _referenced(execute, present)
    return Snapshot(
        engine="sqlite",
        dump=dump,
        tables=tables,
        migrations=migrations,
        referenced=referenced,
        server=f"SQLite {sqlite3.sqlite_version}",
        tool="sqlite3 online backup API",
    )


# --- writing the archive ------------------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """Reads a file and hashes what it read."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.sha, self.size = raw, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


class _Counting:
    """Writes to a stream (standard output) and counts the bytes written."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.written = raw, 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


def _add(tar: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    """Add a file to the archive; its size and sha256 as read."""
    with path.open("rb") as raw:
        info = tarfile.TarInfo(name)
        info.size = os.fstat(raw.fileno()).st_size
        info.mtime = int(os.fstat(raw.fileno()).st_mtime)
        info.mode = PRIVATE_FILE
        hashing = _Hashing(raw)
        tar.addfile(info, hashing)
    return {"size": hashing.size, "sha256": hashing.sha.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), PRIVATE_FILE
    tar.addfile(info, io.BytesIO(data))


@dataclass(frozen=True)
class BackupResult:
    path: str
    bytes: int
    tables: int
    rows: int
    files: int
    file_bytes: int
    missing: list[str]
    attempts: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "incomplete" if self.missing else "ok",
            "archive": self.path,
            "bytes": self.bytes,
            "tables": self.tables,
            "rows": self.rows,
            "files": self.files,
            "file_bytes": self.file_bytes,
            "missing_files": self.missing,
            "snapshots_taken": self.attempts,
            "seconds": round(self.seconds, 2),
        }


def _work_dir(near: Path) -> Path:
    """A private folder (0700) for the dump while it is written: beside the archive, or in the var folder."""
    parent = near if near.is_dir() else Path(settings.VAR_DIR)
    return Path(tempfile.mkdtemp(prefix=".wpsnap-backup-", dir=parent))


def backup(out: str, *, using: str = DEFAULT_DB_ALIAS, stream: IO[bytes] | None = None) -> BackupResult:
    """Write the archive to ``out`` (a path; created 0600, never over an existing file) or to ``stream``
    (``out`` is then only its label, e.g. ``-`` for standard output)."""
    started = time.monotonic()
    connection = connections[using]
    engine = _engine(connection)
    target = None if stream is not None else Path(out).absolute()
    if target is not None and (target.exists() or target.is_symlink()):
        raise BackupError(_("%(path)s already exists: give a new file name.") % {"path": target})
    if target is not None and not target.parent.is_dir():
        raise BackupError(_("The folder %(path)s does not exist.") % {"path": target.parent})
    if connection.in_atomic_block:
        raise BackupError(_("A backup takes its own snapshot: it cannot run inside an open transaction."))
    roots = file_roots()
    work = _work_dir(target.parent if target is not None else Path(settings.VAR_DIR))
    try:
        attempts = 0
        while True:
            attempts += 1
            snap = (_pg_snapshot if engine == "postgresql" else _sqlite_snapshot)(connection, work)
            # The files, after the snapshot: each one its rows name was on disk before they committed.
            found = [item for root, folder in roots.items() for item in _walk(root, folder)]
            names = {name for name, _path in found}
            missing = sorted(snap.referenced - names)
            if not missing or attempts >= SNAPSHOT_TRIES:
                break
            snap.dump.unlink()
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "app_version": app_version(),
            "engine": snap.engine,
            "server": snap.server,
            "tool": snap.tool,
            "checksum": "per table: the sum modulo 2**256 of each row's sha256 (canonical JSON of its values)",
            "migrations": snap.migrations,
            "tables": {name: total.as_dict() for name, total in sorted(snap.tables.items())},
            "database": {},
            "files": {},
            "referenced_files": len(snap.referenced),
            "missing_files": missing,
        }
        partial = None
        if target is not None:
            partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
            handle: IO[bytes] = os.fdopen(
                os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE), "wb"
            )
        else:
            assert stream is not None
            handle = _Counting(stream)  # type: ignore[assignment]
        try:
            with tarfile.open(fileobj=handle, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                manifest["database"] = {
                    "member": DB_MEMBER[engine],
                    **_add(tar, DB_MEMBER[engine], snap.dump),
                }
                for name, path in found:
                    try:
                        manifest["files"][name] = _add(tar, name, path)
                    except FileNotFoundError:  # deleted since the walk: an orphan, or a row deleted since
                        if name in snap.referenced:
                            manifest["missing_files"].append(name)
                manifest["missing_files"].sort()
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode())
            if partial is not None:
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()
                partial.replace(target)  # type: ignore[arg-type]
                _fsync_dir(partial.parent)
            else:
                handle.flush()
        except BaseException:
            if partial is not None:
                handle.close()
                partial.unlink(missing_ok=True)
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BackupResult(
        path=str(target) if target is not None else out,
        bytes=target.stat().st_size if target is not None else handle.written,  # type: ignore[attr-defined]
        tables=len(snap.tables),
        rows=sum(t.rows for t in snap.tables.values()),
        files=len(manifest["files"]),
        file_bytes=sum(f["size"] for f in manifest["files"].values()),
        missing=manifest["missing_files"],
        attempts=attempts,
        seconds=time.monotonic() - started,
    )


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- restore ------------------------------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
        raw = tar.extractfile(member)
        manifest = json.loads(raw.read()) if raw is not None else None
    except (KeyError, tarfile.TarError, ValueError, OSError) as error:
        raise BackupError(
            _("This is not a wpsnap backup, or it is damaged: %(why)s") % {"why": error}
        ) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("This is not a wpsnap backup: its manifest is not one."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _("This backup's format (version %(version)s) is not one this version of wpsnap reads.")
            % {"version": manifest.get("format_version")}
        )
    return manifest


def newer_migrations(manifest: dict[str, Any]) -> list[str]:
    """The migrations the backup's database had that this code does not know (a newer version made it)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(
        f"{app}.{name}"
        for app, names in manifest.get("migrations", {}).items()
        for name in names
        if (app, name) not in known
    )


def pending_migrations(manifest: dict[str, Any]) -> list[str]:
    """The code's migrations the backup's database did not have: ``wpsnap migrate`` applies them."""
    applied = {(app, name) for app, names in manifest.get("migrations", {}).items() for name in names}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(f"{app}.{name}" for app, name in loader.disk_migrations if (app, name) not in applied)


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not name or name != path.as_posix():
        raise BackupError(_("The backup holds a file with an unsafe name: %(name)s") % {"name": name})
    return path


def _db_tables(connection: BaseDatabaseWrapper, engine: str) -> list[str]:
    if engine == "postgresql":
        return _pg_tables(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [name for (name,) in cursor.fetchall()]


def _sqlite_path(connection: BaseDatabaseWrapper) -> Path:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError(_("Restore needs a database file, not an in-memory database."))
    return Path(name)


def _files_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [Path(d) / n for d, _s, names in os.walk(folder) for n in names]


@dataclass
class _Staged:
    work: Path
    dump: Path
    files: dict[str, Path]  # archive name -> staged path
    staging: dict[str, Path]  # root -> staging folder


def _stage(tar_path: Path, manifest: dict[str, Any], roots: dict[str, Path]) -> _Staged:
    """Unpack the archive into private staging folders, checking every member against the manifest:
    nothing in the database or the target folders is touched here."""
    engine = manifest["engine"]
    work = Path(tempfile.mkdtemp(prefix=".wpsnap-restore-", dir=settings.VAR_DIR))
    staging = {}
    for root, folder in roots.items():
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging[root] = Path(tempfile.mkdtemp(prefix=f".wpsnap-restore-{root}-", dir=folder.parent))
    staged = _Staged(work=work, dump=work / DB_MEMBER[engine], files={}, staging=staging)
    expected_files: dict[str, dict[str, Any]] = manifest.get("files", {})
    database = manifest.get("database", {})
    seen: set[str] = set()
    try:
        with tarfile.open(tar_path, mode="r:") as tar:
            for member in tar:
                name = member.name
                if name == MANIFEST:
                    continue
                _safe_name(name)
                if name in seen:
                    raise BackupError(_("The backup holds %(name)s twice.") % {"name": name})
                seen.add(name)
                if not member.isfile():
                    raise BackupError(
                        _("The backup holds something that is not a file: %(name)s") % {"name": name}
                    )
                if name == database.get("member") == DB_MEMBER[engine]:
                    expected, path = database, staged.dump
                elif name in expected_files:
                    root, _sep, rest = name.removeprefix(f"{FILES_PREFIX}/").partition("/")
                    if root not in roots or not rest:
                        raise BackupError(
                            _("The backup holds a file of an unknown folder: %(name)s") % {"name": name}
                        )
                    expected, path = expected_files[name], staging[root] / rest
                    staged.files[name] = path
                else:
                    raise BackupError(
                        _("The backup holds a file its manifest does not list: %(name)s") % {"name": name}
                    )
                path.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                sha, size = hashlib.sha256(), 0
                with os.fdopen(
                    os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE), "wb"
                ) as out:
                    while chunk := source.read(CHUNK):
                        sha.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                if size != expected.get("size") or sha.hexdigest() != expected.get("sha256"):
                    raise BackupError(
                        _("The backup is damaged: %(name)s does not match its checksum in the manifest.")
                        % {"name": name}
                    )
        absent = sorted(({database.get("member")} | set(expected_files)) - seen)
        if absent:
            raise BackupError(
                _("The backup is incomplete: %(names)s listed in its manifest are missing.")
                % {"names": ", ".join(str(n) for n in absent[:5])}
            )
    except tarfile.TarError as error:
        _unstage(staged)
        raise BackupError(_("The backup is damaged: %(why)s") % {"why": error}) from error
    except BaseException:
        _unstage(staged)
        raise
    return staged


def _unstage(staged: _Staged) -> None:
    shutil.rmtree(staged.work, ignore_errors=True)
    for folder in staged.staging.values():
        shutil.rmtree(folder, ignore_errors=True)


def _compare(expected: dict[str, Any], found: dict[str, TableSum]) -> list[str]:
    """The tables whose rows differ from the manifest's, each named with its counts."""
    wrong = []
    for table in sorted(set(expected) | set(found)):
        want, got = expected.get(table), found.get(table)
        if want is None or got is None or (want["rows"], want["checksum"]) != (got.rows, got.checksum):
            wrong.append(
                f"{table} ({_('rows')}: {want['rows'] if want else '-'} → {got.rows if got else '-'})"
            )
    return wrong


def _pg_sequences_behind(connection: BaseDatabaseWrapper) -> list[str]:
    """The sequences (and identity columns) that would hand out an id already used in their column."""
    behind = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.seqrelid::regclass::text, t.oid::regclass::text, a.attname "
            "FROM pg_sequence s JOIN pg_depend d ON d.objid = s.seqrelid AND d.classid = 'pg_class'::regclass "
            "AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
        )
        for sequence, table, column in cursor.fetchall():
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 - regclass text
            last, called = cursor.fetchone()
            cursor.execute(f"SELECT max({_quote(column)}) FROM {table}")  # noqa: S608 - regclass text
            (highest,) = cursor.fetchone()
            if highest is not None and (last < highest or (last == highest and not called)):
                behind.append(f"{sequence} ({last} < {highest})")
    return behind


_SCHEMAS = (
    "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND nspname NOT LIKE 'pg\\_%%'"
)


def _pg_schemas(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(_SCHEMAS)
        return {schema for (schema,) in cursor.fetchall()}


def _pg_wipe(connection: BaseDatabaseWrapper, schemas_before: set[str]) -> None:
    """Drop what a failed restore put into the (formerly empty: no table) database, in one transaction:
    the schemas it made, and in the ones that were there every table, then every view, sequence, function
    and type left (a table's own sequences go with it)."""
    drops = [
        (
            "('r', 'p', 'f')",
            "SELECT c.oid::regclass::text, c.relkind FROM pg_class c {where} AND c.relkind IN {kinds}",
        ),
        (
            "('v', 'm')",
            "SELECT c.oid::regclass::text, c.relkind FROM pg_class c {where} AND c.relkind IN {kinds}",
        ),
        ("('S')", "SELECT c.oid::regclass::text, c.relkind FROM pg_class c {where} AND c.relkind IN {kinds}"),
    ]
    what = {
        "r": "TABLE",
        "p": "TABLE",
        "f": "FOREIGN TABLE",
        "v": "VIEW",
        "m": "MATERIALIZED VIEW",
        "S": "SEQUENCE",
    }
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for schema in sorted(_pg_schemas(connection) - schemas_before):
            cursor.execute(f"DROP SCHEMA {_quote(schema)} CASCADE")
        for schema in sorted(schemas_before):
            where = "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s"
            for kinds, sql in drops:
                cursor.execute(sql.format(where=where, kinds=kinds), [schema])
                for name, kind in cursor.fetchall():
                    cursor.execute(f"DROP {what[kind]} IF EXISTS {name} CASCADE")
            cursor.execute(
                "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = %s",
                [schema],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP ROUTINE IF EXISTS {name} CASCADE")
            cursor.execute(
                "SELECT t.oid::regtype::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = %s AND t.typtype IN ('e', 'd', 'r') ",
                [schema],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TYPE IF EXISTS {name} CASCADE")


def _sqlite_wipe(path: Path) -> None:
    """Empty the SQLite file again (it was empty before the restore)."""
    with (
        contextlib.closing(_sqlite_open(":memory:")) as empty,
        contextlib.closing(_sqlite_open(path)) as db,
    ):
        empty.backup(db)


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as raw:
        while chunk := raw.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def restore(archive: Path, *, using: str = DEFAULT_DB_ALIAS, label: str | None = None) -> dict[str, Any]:
    """Restore ``archive`` into the empty database ``using`` and the empty file folders, or refuse and
    leave them as they were. Returns the summary (what was restored and checked)."""
    started = time.monotonic()
    connection = connections[using]
    engine = _engine(connection)
    roots = file_roots()
    try:
        with tarfile.open(archive, mode="r:") as tar:
            manifest = read_manifest(tar)
    except FileNotFoundError as error:
        raise BackupError(_("There is no file %(path)s.") % {"path": archive}) from error
    except tarfile.TarError as error:
        raise BackupError(
            _("This is not a wpsnap backup, or it is damaged: %(why)s") % {"why": error}
        ) from error
    if manifest.get("engine") != engine:
        raise BackupError(
            _(
                "This backup is of a %(source)s database and this installation uses %(target)s: restore it "
                "into the same kind of database."
            )
            % {"source": manifest.get("engine"), "target": engine}
        )
    newer = newer_migrations(manifest)
    if newer:
        raise BackupError(
            ngettext(
                "This backup was made by a newer version of wpsnap (%(version)s): this code does not know its "
                "migration %(names)s. Install that version or a later one, then restore.",
                "This backup was made by a newer version of wpsnap (%(version)s): this code does not know its "
                "%(count)d migrations %(names)s. Install that version or a later one, then restore.",
                len(newer),
            )
            % {"version": manifest.get("app_version"), "count": len(newer), "names": ", ".join(newer[:5])}
        )
    tables = _db_tables(connection, engine)
    if tables:
        raise BackupError(
            ngettext(
                "The database is not empty (it has %(count)d table, %(names)s): restore needs an empty "
                "database. Create a new one (and do not migrate it), or drop this one's tables first.",
                "The database is not empty (it has %(count)d tables, e.g. %(names)s): restore needs an empty "
                "database. Create a new one (and do not migrate it), or drop this one's tables first.",
                len(tables),
            )
            % {"count": len(tables), "names": ", ".join(tables[:3])}
        )
    for folder in roots.values():
        present = _files_in(folder)
        if present:
            raise BackupError(
                ngettext(
                    "The folder %(folder)s is not empty (%(count)d file): restore needs it empty.",
                    "The folder %(folder)s is not empty (%(count)d files): restore needs it empty.",
                    len(present),
                )
                % {"folder": folder, "count": len(present)}
            )
    schemas_before = _pg_schemas(connection) if engine == "postgresql" else set()
    staged = _stage(archive, manifest, roots)
    placed: list[Path] = []
    database_written = False
    try:
        if engine == "sqlite":
            # Checked before the database is touched: the copy holds exactly the rows of the manifest.
            wrong = _compare(manifest["tables"], sqlite_table_sums(staged.dump))
            if wrong:
                raise BackupError(
                    _("The backup is damaged: these tables do not match the manifest: %(tables)s")
                    % {"tables": "; ".join(wrong[:5])}
                )
            target = _sqlite_path(connection)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
            target.chmod(PRIVATE_FILE)  # personal data: the platform's user's only, as the archive
            connection.close()
            with (
                contextlib.closing(_sqlite_open(staged.dump)) as source,
                contextlib.closing(_sqlite_open(target)) as db,
            ):
                database_written = True
                source.backup(db)
            found = sqlite_table_sums(target)
        else:
            connection.close()
            database_written = True
            _run(
                [
                    "pg_restore",
                    "--single-transaction",
                    "--exit-on-error",
                    "--no-owner",
                    "--no-privileges",
                    f"--dbname={_pg_env(connection)['PGDATABASE']}",
                    str(staged.dump),
                ],
                _pg_env(connection),
                "pg_restore",
            )
            with transaction.atomic(using=using):
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                found = pg_table_sums(connection)
                behind = _pg_sequences_behind(connection)
            if behind:
                raise BackupError(
                    _("After the restore, these sequences would reuse ids: %(names)s")
                    % {"names": "; ".join(behind)}
                )
        wrong = _compare(manifest["tables"], found)
        if wrong:
            raise BackupError(
                _("The restored database does not match the backup: %(tables)s")
                % {"tables": "; ".join(wrong[:5])}
            )
        # The files, moved into place from staging (the same disk: a rename each), then read back.
        for name, path in sorted(staged.files.items()):
            root, _sep, rest = name.removeprefix(f"{FILES_PREFIX}/").partition("/")
            final = roots[root] / rest
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                raise BackupError(_("%(path)s appeared during the restore.") % {"path": final})
            path.replace(final)
            placed.append(final)
        bad = [
            name
            for name, path in zip(sorted(staged.files), placed, strict=True)
            if path.stat().st_size != manifest["files"][name]["size"]
            or _sha256(path) != manifest["files"][name]["sha256"]
        ]
        if bad:
            raise BackupError(
                _("The restored files do not match the backup: %(names)s") % {"names": ", ".join(bad[:5])}
            )
    except BaseException:
        for path in placed:
            path.unlink(missing_ok=True)
        if database_written:
            try:
                if engine == "sqlite":
                    _sqlite_wipe(_sqlite_path(connection))
                else:
                    _pg_wipe(connection, schemas_before)
            except Exception as wipe_error:
                raise BackupError(
                    _(
                        "The restore failed, and the database could not be emptied again (%(error)s): drop "
                        "its tables before trying again."
                    )
                    % {"error": type(wipe_error).__name__}
                ) from wipe_error
        raise
    finally:
        _unstage(staged)
        connection.close()
    return {
        "status": "restored",
        "archive": label or str(archive),
        "created_at": manifest.get("created_at"),
        "app_version": manifest.get("app_version"),
        "engine": engine,
        "tables": len(found),
        "rows": sum(t.rows for t in found.values()),
        "tables_checked": len(manifest["tables"]),
        "files": len(placed),
        "file_bytes": sum(manifest["files"][name]["size"] for name in staged.files),
        "files_checked": len(placed),
        "missing_in_backup": manifest.get("missing_files", []),
        "pending_migrations": pending_migrations(manifest),
        "seconds": round(time.monotonic() - started, 2),
    }
