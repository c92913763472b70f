"""``wpsnap analytics rebuild [--plan SLUG] [--check]``: recompute the rollups from the reports, events and
participants (after a bulk load that bypassed the services), or, with ``--check``, compare them with a
fresh computation and exit 1 when they differ. The work is ``rollups.rollups_rebuild`` and
``rollups.rollups_verify``; this reads the options and says what was done."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# At most this many differences are printed per plan; the count says how many there are.
SHOWN = 20


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Analytics: keep the rollups (sums of reported figures, tallies of participants) true.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{rebuild}")
        about = _(
            "Recompute the rollups from the reports, events and participants stored: after loading data "
            "in bulk, outside the platform's services. With --check, change nothing: compare them with a "
            "fresh computation and exit 1 when they differ."
        )
        rebuild = sub.add_parser("rebuild", help=about, description=about)
        rebuild.add_argument(
            "--plan",
            metavar="SLUG",
            help=_("Only this plan (its slug, e.g. az-2020-2023); every plan by default."),
        )
        rebuild.add_argument(
            "--check", action="store_true", help=_("Compare only; exit 1 when a rollup differs.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from wpsnap.plan.models import Plan

        from ...rollups import rollups_rebuild, rollups_verify

        plans = Plan.objects.order_by("pk")
        if options["plan"]:
            plans = plans.filter(slug=options["plan"])
            if not plans.exists():
                raise CommandError(_("No plan with the slug %(slug)r is loaded.") % {"slug": options["plan"]})
        if not options["check"]:
            for plan in plans:
                for done in rollups_rebuild(plan=plan):
                    self.stdout.write(
                        _(
                            "Plan %(plan)s: rollups rebuilt (%(figures)d figure sums, %(tallies)d event tallies)."
                        )
                        % {"plan": done.plan, "figures": done.figures, "tallies": done.tallies}
                    )
            return
        drifted = False
        for plan in plans:
            drift = rollups_verify(plan)
            if not drift:
                self.stdout.write(_("Plan %(plan)s: the rollups agree with the data.") % {"plan": plan.slug})
                continue
            drifted = True
            self.stdout.write(
                ngettext(
                    "Plan %(plan)s: %(count)d rollup row differs from the data; run this command without --check.",
                    "Plan %(plan)s: %(count)d rollup rows differ from the data; run this command without --check.",
                    len(drift),
                )
                % {"plan": plan.slug, "count": len(drift)}
            )
            for one in drift[:SHOWN]:
                self.stdout.write(f"  {one.table} {one.key}: stored {one.stored}, fresh {one.fresh}")
        if drifted:
            sys.exit(1)
