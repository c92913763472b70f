"""``wpsnap jobs sweep [--days N] [--hours H]``: look after the background jobs (``wpsnap.core.jobs``):
fail the running jobs whose worker stopped, delete old jobs with their files, and remove the files no
finished job offers (left by killed workers). Run by ``make run`` at start-up; run it daily in production
(cron, a systemd timer). Prints counts only."""

from __future__ import annotations

import argparse
import re
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.core.jobs import jobs_sweep


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Look after background tasks: remove old ones with their files, and what stopped workers left."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{sweep}")
        about = _(
            "Mark failed the running tasks whose worker stopped, delete the tasks started more than DAYS days "
            "ago with their files, and remove the files in WPSNAP_JOB_DIR that no finished task offers once "
            "they are HOURS old. Run it at start-up and daily."
        )
        sweep = sub.add_parser("sweep", help=about, description=about)
        sweep.add_argument(
            "--days",
            type=_number(int),
            default=None,
            metavar="DAYS",
            help=_("How old a task must be to be deleted (default: WPSNAP_JOB_KEEP_DAYS, %(days)s).")
            % {"days": settings.WPSNAP_JOB_KEEP_DAYS},
        )
        sweep.add_argument(
            "--hours",
            type=_number(float),
            default=24.0,
            metavar="HOURS",
            help=_(
                "How old a file no task offers must be to be removed (default 24; tasks running are newer)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        swept = jobs_sweep(days=options["days"], part_hours=options["hours"])
        self.stdout.write(
            ngettext(
                "Background tasks: %(jobs)d old task deleted; %(files)d leftover or old files removed (%(mb).1f MB).",
                "Background tasks: %(jobs)d old tasks deleted; %(files)d leftover or old files removed (%(mb).1f MB).",
                swept.jobs,
            )
            % {"jobs": swept.jobs, "files": swept.files, "mb": swept.bytes / (1024 * 1024)}
        )


def _number(kind: type) -> Any:
    """A parser of a number of at least 0 (a strict parse: ASCII digits, no NaN or infinity)."""

    def parse(text: str) -> Any:
        pattern = r"[0-9]+" if kind is int else r"[0-9]+(\.[0-9]+)?"
        if not re.fullmatch(pattern, text.strip()):
            raise argparse.ArgumentTypeError(_("“%(value)s” is not a number.") % {"value": text})
        return kind(text)

    return parse
