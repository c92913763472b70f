"""``wpsnap reports remind [--date YYYY-MM-DD] [--dry-run]``: e-mail the people whose reports are overdue.

Meant to run once a day (cron, a systemd timer). The work is ``services.reminders.reminders_send``;
this command only reads its options and prints what was done.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.reporting.services.reminders import reminders_send


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            _("%(value)r is not a date: write it as YYYY-MM-DD, e.g. 2021-02-01.") % {"value": text}
        ) from exc


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Progress reports from the command line: remind people of overdue reports.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{remind}")
        about = _(
            "E-mail every focal point (and NGO contributor) whose agency has reports past their due "
            "date in an open period: one e-mail per person, at most once a day. Meant to run daily."
        )
        remind = sub.add_parser("remind", help=about, description=about)
        remind.add_argument(
            "--date",
            type=_date,
            default=None,
            metavar="YYYY-MM-DD",
            help=_("The day to act as if it were today (default: today)."),
        )
        remind.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Print who would be reminded of what, and send nothing."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _remind(self, options: dict[str, Any]) -> None:
        today = options["date"] or timezone.localdate()
        dry_run = options["dry_run"]
        result = reminders_send(today=today, dry_run=dry_run)
        if dry_run:
            for reminder in result.reminders:
                person = reminder.person
                self.stdout.write(
                    _("%(email)s (%(agency)s): %(count)d overdue")
                    % {"email": person.email, "agency": person.organisation, "count": len(reminder.items)}
                )
        people = ngettext("%(count)d person", "%(count)d people", result.sent) % {"count": result.sent}
        reports = ngettext("%(count)d overdue report", "%(count)d overdue reports", result.overdue) % {
            "count": result.overdue
        }
        periods = ngettext("%(count)d period", "%(count)d periods", result.periods) % {
            "count": result.periods
        }
        summary = (
            _(
                "%(date)s: %(people)s to remind of %(reports)s in %(periods)s; %(skipped)d already reminded today."
            )
            if dry_run
            else _(
                "%(date)s: reminded %(people)s of %(reports)s in %(periods)s; %(skipped)d already reminded today."
            )
        )
        line = summary % {
            "date": today.isoformat(),
            "people": people,
            "reports": reports,
            "periods": periods,
            "skipped": result.skipped,
        }
        if dry_run:
            line += " " + _("Dry run: nothing was sent.")
        self.stdout.write(line)
