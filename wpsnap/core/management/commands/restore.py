"""``wpsnap restore FILE``: put a backup of ``wpsnap backup`` back into an empty database and empty file
folders, check it against the backup's manifest, and print a JSON summary. Refuses (changing nothing) a
damaged archive, a database or folder that is not empty, and a backup made by a newer version."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from wpsnap.core.backup import PRIVATE_FILE, BackupError, restore


class Command(BaseCommand):
    requires_system_checks: list[str] = []

    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Restore a backup made by `wpsnap backup` into an EMPTY database (create a new one; do not migrate "
            "it) and empty file folders. Every file of the archive is checked against its manifest before "
            "anything is written; after the restore every table's rows and every file are checked again. "
            "On any problem nothing is left behind. Prints a JSON summary. Then run `wpsnap migrate` if the "
            "summary lists pending migrations."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            metavar="FILE",
            help=_("The archive to restore, or - to read it from standard input (e.g. from `age -d`)."),
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help=_("The database to restore into (default: %(default)s); it must be empty."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        spooled = None
        try:
            if options["file"] == "-":
                # Checked whole before anything is written, so standard input is kept first (0600, in the
                # var folder: it holds personal data).
                fd, name = tempfile.mkstemp(prefix=".wpsnap-restore-", suffix=".tar", dir=settings.VAR_DIR)
                os.fchmod(fd, PRIVATE_FILE)
                spooled = Path(name)
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(sys.stdin.buffer, out, 1024 * 1024)
            archive = spooled or Path(options["file"])
            summary = restore(archive, using=options["database"], label=options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        finally:
            if spooled is not None:
                spooled.unlink(missing_ok=True)
        self.stdout.write(json.dumps(summary, indent=1, ensure_ascii=False))
