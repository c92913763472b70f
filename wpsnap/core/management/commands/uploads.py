"""``wpsnap uploads sweep [--hours 24]``: remove what killed requests left in the upload spool, and the
expired idempotency keys. Run by ``make run`` at start-up; run it daily in production (cron, a systemd
timer). Prints counts only: a spooled file's name says nothing, but its folder holds personal data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.core.idempotency import idempotency_keys_sweep
from wpsnap.core.spool import spool_sweep


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Look after uploads: remove spooled files left by interrupted uploads, and expired keys.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{sweep}")
        about = _(
            "Remove the files in the upload spool (WPSNAP_UPLOAD_SPOOL_DIR) last written more than HOURS "
            "ago, which requests killed while reading an upload leave behind, and the idempotency keys "
            "older than WPSNAP_IDEMPOTENCY_KEY_DAYS days. Run it at start-up and daily."
        )
        sweep = sub.add_parser("sweep", help=about, description=about)
        sweep.add_argument(
            "--hours",
            type=_hours,
            default=24.0,
            metavar="HOURS",
            help=_(
                "How old a spooled file must be to be removed (default 24; uploads in progress are newer)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _sweep(self, options: dict[str, Any]) -> None:
        hours = options["hours"]
        swept = spool_sweep(hours=hours)
        keys = idempotency_keys_sweep()
        self.stdout.write(
            ngettext(
                "Upload spool: %(files)d file removed (%(mb).1f MB) older than %(hours)g hours; %(kept)d newer kept.",
                "Upload spool: %(files)d files removed (%(mb).1f MB) older than %(hours)g hours; %(kept)d newer kept.",
                swept.files,
            )
            % {"files": swept.files, "mb": swept.bytes / (1024 * 1024), "hours": hours, "kept": swept.kept}
        )
        self.stdout.write(
            ngettext(
                "Idempotency keys: %(count)d older than %(days)d days removed.",
                "Idempotency keys: %(count)d older than %(days)d days removed.",
                keys,
            )
            % {"count": keys, "days": settings.WPSNAP_IDEMPOTENCY_KEY_DAYS}
        )


def _hours(text: str) -> float:
    """A number of hours, at least 0 (a strict parse: ASCII digits, no NaN or infinity)."""
    import argparse
    import re

    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text.strip()):
        raise argparse.ArgumentTypeError(_("“%(value)s” is not a number of hours.") % {"value": text})
    return float(text)
