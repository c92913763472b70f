"""``wpsnap reports remind [--date YYYY-MM-DD] [--dry-run]``: e-mail the people whose reports are overdue.

Meant to run once a day (cron, a systemd timer). The work is ``services.reminders.reminders_send``;
this command only reads its options and prints what was done.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
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
        return _(
            "Progress reports from the command line: set a plan up for reporting, add an option to a "
            "disaggregation dimension, remind people of overdue reports."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{setup,add-option,remind}")
        setup = sub.add_parser(
            "setup",
            help=_(
                "Give a loaded plan its disaggregation dimensions, breakdowns and reporting periods (idempotent)."
            ),
        )
        setup.add_argument("slug", help=_("The plan's slug, e.g. az-2020-2023"))
        setup.add_argument(
            "--frequency", choices=["annual", "semiannual"], default="annual", help=_("Periods per year.")
        )
        option = sub.add_parser(
            "add-option",
            help=_(
                "Add an option to a dimension (an age band, a district). Breakdowns that already hold "
                "figures get a new version; the figures keep theirs."
            ),
        )
        option.add_argument("slug", help=_("The plan's slug"))
        option.add_argument(
            "dimension", help=_("The dimension's code: sex, age, population_group, service, district")
        )
        option.add_argument("code", help=_("The new option's code, e.g. 65-plus"))
        option.add_argument("name", help=_("The new option's name, e.g. '65 and over'"))
        option.add_argument(
            "--as",
            dest="username",
            required=True,
            help=_("The coordinator making the change (it is audited)."),
        )
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
        getattr(self, f"_{options['action'].replace('-', '_')}")(options)

    def _plan(self, slug: str) -> Any:
        from wpsnap.plan.models import Plan

        plan = Plan.objects.filter(slug=slug).first()
        if plan is None:
            raise CommandError(_("No plan with the slug %(slug)r is loaded.") % {"slug": slug})
        return plan

    def _setup(self, options: dict[str, Any]) -> None:
        from wpsnap.reporting.services import reporting_setup

        result = reporting_setup(plan=self._plan(options["slug"]), frequency=options["frequency"])
        self.stdout.write(
            _(
                "%(dimensions)d dimensions, %(breakdowns)d breakdowns, %(indicators)d indicators and %(periods)d periods set up."
            )
            % {
                "dimensions": result.dimensions,
                "breakdowns": result.breakdowns,
                "indicators": result.indicators,
                "periods": result.periods,
            }
        )

    def _add_option(self, options: dict[str, Any]) -> None:
        from django.core.exceptions import PermissionDenied

        from wpsnap.accounts.models import User
        from wpsnap.core.errors import InvalidInput
        from wpsnap.reporting.services import dimension_option_add

        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(_("No active user %(name)r.") % {"name": options["username"]})
        try:
            result = dimension_option_add(
                actor=actor,
                plan=self._plan(options["slug"]),
                dimension_code=options["dimension"],
                code=options["code"],
                name=options["name"],
            )
        except PermissionDenied as exc:
            raise CommandError(_("%(name)s may not change the plan's breakdowns.") % {"name": actor}) from exc
        except InvalidInput as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Added %(option)s: %(updated)d breakdowns updated, %(versioned)d given a new version.")
            % {
                "option": result.option.code,
                "updated": len(result.updated),
                "versioned": len(result.versioned),
            }
        )

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
