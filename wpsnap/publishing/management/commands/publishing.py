"""``wpsnap publishing public-statistics PLAN_SLUG INDICATOR_KEY --on|--off --reason TEXT --user USERNAME``:
the coordinator's decision that an indicator's figures are public statistics (published whole, without
disclosure control's suppression), from the server's command line. The work and its checks are
``services.indicator_set_public_statistics``; this reads the options and says what was done."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wpsnap.core.errors import InvalidInput


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Publishing: decide what goes to the public as it is.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{public-statistics}")
        about = _(
            "Mark a count indicator as public statistics (--on), such as staff in posts: its published "
            "figures are then shown whole, small ones included, without disclosure control's suppression. "
            "--off makes them protected again. Coordinators only; the reason is kept in the audit trail."
        )
        marked = sub.add_parser("public-statistics", help=about, description=about)
        marked.add_argument("slug", metavar="PLAN_SLUG", help=_("The plan's slug, e.g. az-2020-2023"))
        marked.add_argument("key", metavar="INDICATOR_KEY", help=_("The indicator's key, e.g. 5.2.1-1-i1"))
        switch = marked.add_mutually_exclusive_group(required=True)
        switch.add_argument(
            "--on", dest="public", action="store_true", help=_("Mark it as public statistics.")
        )
        switch.add_argument(
            "--off", dest="public", action="store_false", help=_("No longer public statistics.")
        )
        marked.add_argument(
            "--reason",
            required=True,
            metavar="TEXT",
            help=_("Why: the law or decision that makes the figures public, or why that no longer holds."),
        )
        marked.add_argument(
            "--user",
            required=True,
            metavar="USERNAME",
            help=_("The coordinator who decides (their user name), named in the audit trail."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._public_statistics(options)

    def _public_statistics(self, options: dict[str, Any]) -> None:
        from wpsnap.accounts.models import User
        from wpsnap.plan.models import Indicator, Plan

        from ...services import indicator_set_public_statistics

        plan = Plan.objects.filter(slug=options["slug"]).first()
        if plan is None:
            raise CommandError(_("No plan with the slug %(slug)r is loaded.") % {"slug": options["slug"]})
        indicator = Indicator.objects.filter(plan=plan, key=options["key"]).first()
        if indicator is None:
            raise CommandError(
                _("The plan %(slug)s has no indicator with the key %(key)r.")
                % {"slug": plan.slug, "key": options["key"]}
            )
        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(_("There is no active user %(name)r.") % {"name": options["user"]})
        try:
            indicator = indicator_set_public_statistics(
                actor=actor, indicator=indicator, public=options["public"], reason=options["reason"]
            )
        except PermissionDenied as exc:
            raise CommandError(
                _("%(name)s may not decide this: only coordinators mark public statistics.")
                % {"name": actor.get_username()}
            ) from exc
        except InvalidInput as exc:
            raise CommandError("\n".join(str(problem) for problem in exc.problems)) from exc
        if indicator.public_statistics:
            message = _("%(key)s is public statistics: its published figures are shown whole.")
        else:
            message = _("%(key)s is not public statistics: its published figures are protected.")
        self.stdout.write(message % {"key": indicator.key})
