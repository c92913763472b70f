"""``wpsnap backup FILE``: the database and the uploaded files, taken at one moment, in one archive (0600).
How it stays consistent, and how to encrypt, rotate and copy it: wpsnap/core/backup.py and
docs/operations/backup.md."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from wpsnap.core.backup import BackupError, backup

# The exit status of a backup written without some files its rows name (deleted meanwhile, or lost):
# the archive exists, but a monitor must hear of it.
INCOMPLETE = 3


class Command(BaseCommand):
    requires_system_checks: list[str] = []

    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Back up the database and the uploaded files together, as they were at one moment, into one "
            "archive FILE (a tar readable by its owner only). Restore it with `wpsnap restore FILE`. "
            "The archive holds personal data: encrypt it before it leaves the machine "
            "(docs/operations/backup.md). Exit status: 0 done, 1 failed, 3 written but some files were missing."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            metavar="FILE",
            help=_(
                "The archive to write (a new file; an existing one is never overwritten), or - to write it "
                "to standard output, e.g. into `age` or `gpg`."
            ),
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help=_("The database to back up (default: %(default)s)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        to_stdout = options["file"] == "-"
        try:
            result = backup(
                options["file"],
                using=options["database"],
                stream=sys.stdout.buffer if to_stdout else None,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        # The summary goes to standard error when the archive itself goes to standard output.
        summary = json.dumps(result.as_dict(), indent=1, ensure_ascii=False)
        (self.stderr if to_stdout else self.stdout).write(summary)
        if result.missing:
            raise CommandError(
                _("The backup was written, but %(count)d files its rows name were missing: %(names)s")
                % {"count": len(result.missing), "names": ", ".join(result.missing[:5])},
                returncode=INCOMPLETE,
            )
