"""``wpsnap registries purge``: the daily purge of the registries' personal data whose retention has
ended (``kinds.lifecycle.records_purge``). Prints counts only, never what the records said.

Run it daily (cron or a systemd timer: docs/registries/lifecycle.md)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "The plan's registries from the command line: purge the personal records whose retention "
            "has ended."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{purge}")
        about = _(
            "Delete every record of a registry holding personal data (women candidates, legal aid, ...) "
            "whose “keep until” day has passed, and write one audit line per registry with the number "
            "deleted. Run it daily (cron or a systemd timer). Prints counts only."
        )
        purge = sub.add_parser("purge", help=about, description=about)
        purge.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Only count the records the purge would delete; delete nothing."),
        )
        purge.add_argument(
            "--json",
            action="store_true",
            help=_("Print a JSON object {registry: records} instead of lines of text."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _purge(self, options: dict[str, Any]) -> None:
        from wpsnap.registries.kinds.lifecycle import records_expired, records_purge

        dry_run = options["dry_run"]
        counts = records_expired() if dry_run else records_purge()
        if options["json"]:
            self.stdout.write(json.dumps(counts, sort_keys=True))
            return
        if not counts:
            self.stdout.write(_("No registry holds personal data: nothing to purge."))
            return
        for name, count in counts.items():
            if dry_run:
                line = ngettext(
                    "%(registry)s: %(count)d record would be deleted",
                    "%(registry)s: %(count)d records would be deleted",
                    count,
                )
            else:
                line = ngettext(
                    "%(registry)s: %(count)d record deleted", "%(registry)s: %(count)d records deleted", count
                )
            self.stdout.write(line % {"registry": name, "count": count})
