"""``wpsnap events setup|rules``: set a plan up for events (its districts and the indicators bound to
event data) and list those bindings.

The work is ``services.setup.events_setup`` and ``read_districts``; this command reads its options,
finds the districts file and prints what was done.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.core.errors import InvalidInput


def default_districts(country: str) -> Path:
    """The districts file shipped with the platform for ``country``: plans/<country>-districts.yaml."""
    return Path(settings.WPSNAP_PLANS_DIR) / f"{country.lower()}-districts.yaml"


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Events and participants from the command line: set a plan up for events (its districts and "
            "the indicators bound to event data), list the plan's derivation rules."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{setup,rules}")
        about = _(
            "Add the districts the plan lacks (options of its “district” dimension, where events take "
            "place and participants come from) and bind the indicators that event data can answer "
            "(trainings, awareness-raising, the dialogue mechanism) to events. The plan must be set up "
            "for reporting first (wpsnap reports setup). Idempotent: a second run adds nothing."
        )
        setup = sub.add_parser("setup", help=about, description=about)
        setup.add_argument("slug", help=_("The plan's slug, e.g. az-2020-2023"))
        setup.add_argument(
            "--districts",
            metavar="FILE",
            default=None,
            help=_(
                "A districts file (format wpsnap-districts/1). Default: the file shipped for the plan's "
                "country, plans/<country>-districts.yaml (plans/az-districts.yaml for Azerbaijan), when "
                "there is one; without it no district is added."
            ),
        )
        about = _(
            "List the plan's derivation rules: for each bound indicator, what is counted (participants "
            "or events), which event types count and, if any, which topics."
        )
        rules = sub.add_parser("rules", help=about, description=about)
        rules.add_argument("slug", help=_("The plan's slug, e.g. az-2020-2023"))
        rules.add_argument(
            "--json",
            action="store_true",
            help=_(
                "Print a JSON list of objects (indicator, activity, measure, kinds, topics, text) instead "
                "of a table."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except InvalidInput as exc:
            raise CommandError(str(exc)) from exc

    def _plan(self, slug: str) -> Any:
        from wpsnap.plan.models import Plan

        plan = Plan.objects.filter(slug=slug).first()
        if plan is None:
            raise CommandError(_("No plan with the slug %(slug)r is loaded.") % {"slug": slug})
        return plan

    def _districts(self, plan: Any, given: str | None) -> list[dict[str, str]] | None:
        from wpsnap.registries.services.setup import read_districts

        if given is None:
            path = default_districts(plan.country)
            if not path.is_file():
                return None
        else:
            path = Path(given)
            if not path.is_file():
                raise CommandError(_("%(path)s: no such file.") % {"path": path})
        try:
            districts = read_districts(path)
        except InvalidInput as exc:
            # Name the file in every problem, before the place in it.
            raise CommandError("\n".join(f"{path}: {problem}" for problem in exc.problems)) from exc
        # read_districts has already read and checked the file: this only compares the country.
        country = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("country")
        if country and str(country).upper() != plan.country.upper():
            raise CommandError(
                _("%(path)s: the districts are of the country %(file)s, the plan is of %(plan)s.")
                % {"path": path, "file": country, "plan": plan.country}
            )
        return districts

    def _setup(self, options: dict[str, Any]) -> None:
        from wpsnap.registries.models import DerivationRule
        from wpsnap.registries.selectors import district_names
        from wpsnap.registries.services.setup import events_setup

        plan = self._plan(options["slug"])
        districts = self._districts(plan, options["districts"])
        result = events_setup(plan=plan, districts=districts)
        added = ngettext("%(count)d district added", "%(count)d districts added", result.districts) % {
            "count": result.districts
        }
        bound = ngettext(
            "%(count)d indicator bound to event data",
            "%(count)d indicators bound to event data",
            result.rules,
        ) % {"count": result.rules}
        self.stdout.write(
            _(
                "%(added)s, %(bound)s. The plan now has %(districts)d districts and %(rules)d bound indicators."
            )
            % {
                "added": added,
                "bound": bound,
                "districts": len(district_names(plan)),
                "rules": DerivationRule.objects.filter(indicator__plan=plan).count(),
            }
        )
        if districts is None and options["districts"] is None:
            self.stdout.write(
                _("No districts file for %(country)s (looked for %(path)s): give one with --districts.")
                % {"country": plan.country, "path": default_districts(plan.country)}
            )

    def _rules(self, options: dict[str, Any]) -> None:
        from wpsnap.registries.models import DerivationRule, EventKind, Measure

        plan = self._plan(options["slug"])
        rules = (
            DerivationRule.objects.filter(indicator__plan=plan)
            .select_related("indicator__activity", "indicator__priority_area")
            .prefetch_related("topics")
            .order_by("indicator__priority_area__position", "indicator__position", "indicator__key")
        )
        rows: list[dict[str, Any]] = [
            {
                "indicator": rule.indicator.key,
                "activity": rule.indicator.activity.code if rule.indicator.activity else None,
                "measure": rule.measure,
                "kinds": list(rule.kinds),
                "topics": sorted(topic.code for topic in rule.topics.all()),
                "text": str(rule.indicator.text),
            }
            for rule in rules
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write(
                _(
                    "No indicator of %(slug)s is bound to event data. Bind them with: wpsnap events setup %(slug)s"
                )
                % {"slug": plan.slug}
            )
            return
        kinds = dict(EventKind.choices)
        measures = {Measure.PARTICIPANTS.value: _("participants"), Measure.EVENTS.value: _("events")}
        headers = [_("Indicator"), _("Activity"), _("Counts"), _("Event types"), _("Topics")]
        table = [
            [
                row["indicator"],
                row["activity"] or "",
                str(measures.get(row["measure"], row["measure"])),
                ", ".join(str(kinds.get(kind, kind)) for kind in row["kinds"]) or _("any"),
                ", ".join(row["topics"]) or _("any"),
            ]
            for row in rows
        ]
        widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *table, strict=False)]
        for line in [headers, ["-" * width for width in widths], *table]:
            self.stdout.write(
                "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
            )
