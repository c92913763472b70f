"""``wpsnap registries setup SLUG [--rules FILE]``: bind a plan's indicators to the registries' counts from a
file (plan data, ``plans/az-registry-rules.yaml``).

``wpsnap registries purge|erase|withdraw-consent``: the personal-data lifecycle of the registries
(``kinds.lifecycle``) from the command line. ``purge`` is the daily purge of the records whose retention
has ended (run it daily: cron or a systemd timer, docs/registries/lifecycle.md); ``erase`` and
``withdraw-consent`` act on one record for a named person, through the gate as that person. Each prints
counts and record ids only, never what the records said."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.core.errors import InvalidInput
from wpsnap.registries.kinds.lifecycle import ErasureReason


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "The personal data of the plan's registries from the command line: purge the records whose "
            "retention has ended, erase a person on request, record a withdrawal of consent."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{setup,purge,erase,withdraw-consent}"
        )
        about = _(
            "Bind the plan's indicators that count a registry's records to that registry's count, from a "
            "rules file (indicator key: registry:count). Idempotent: a binding a coordinator changed is "
            "kept, and an indicator counted from events is left to the events."
        )
        setup = sub.add_parser("setup", help=about, description=about)
        setup.add_argument("slug", help=_("The plan's slug, e.g. az-2020-2023."))
        setup.add_argument(
            "--rules",
            metavar="FILE",
            help=_("The rules file (default: plans/az-registry-rules.yaml for the Azerbaijan plan)."),
        )
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

        about = _(
            "Erase a person on request: delete every record of the person the given record is about (in "
            "legal aid, all of the provider's records with the same beneficiary code), as the person named "
            "by --by, who must be allowed to (coordinators, the keeping organisation's approvers)."
        )
        erase = sub.add_parser("erase", help=about, description=about)
        self._one_record(erase)
        erase.add_argument(
            "--reason",
            required=True,
            choices=ErasureReason.values,
            help=_("Why: the person asked, recorded by mistake, or kept without a legal ground."),
        )
        about = _(
            "Record that a person withdrew her consent: her record is deleted, as the person named by --by "
            "(coordinators, the keeping organisation's staff)."
        )
        withdraw = sub.add_parser("withdraw-consent", help=about, description=about)
        self._one_record(withdraw)

    def _one_record(self, parser: CommandParser) -> None:
        parser.add_argument("registry", help=_("The registry's name, e.g. candidates or legal-aid."))
        parser.add_argument("record_id", help=_("The record's id (record_id in files and the API)."))
        parser.add_argument(
            "--by", required=True, metavar="USERNAME", help=_("The user name of the person doing it.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action'].replace('-', '_')}")(options)
        except InvalidInput as exc:
            raise CommandError(str(exc)) from exc
        except (PermissionDenied, Http404) as exc:
            raise CommandError(
                _("%(user)s may not do this to that record (or it does not exist).")
                % {"user": options.get("by", "")}
            ) from exc

    def _target(self, options: dict[str, Any]) -> tuple[Any, Any, Any]:
        from wpsnap.accounts.models import User
        from wpsnap.registries.kinds import catalogue

        kind = catalogue.kind_named(options["registry"])
        if kind is None or not kind.personal:
            raise CommandError(
                _("%(name)r is not a registry holding personal data.") % {"name": options["registry"]}
            )
        actor = (
            User.objects.select_related("organisation").filter(username=options["by"], is_active=True).first()
        )
        if actor is None:
            raise CommandError(_("No active user %(user)r.") % {"user": options["by"]})
        try:
            ref = uuid.UUID(options["record_id"])
        except ValueError:
            raise CommandError(_("%(id)r is not a record id.") % {"id": options["record_id"]}) from None
        record = kind.model._default_manager.filter(ref=ref).first()
        if record is None:
            raise CommandError(_("No record %(id)s in %(name)s.") % {"id": ref, "name": kind.name})
        return kind, actor, record

    def _setup(self, options: dict[str, Any]) -> None:
        from pathlib import Path

        from django.conf import settings

        from wpsnap.plan.models import Plan
        from wpsnap.registries.services.registry_setup import read_registry_rules, registry_rules_setup

        plan = Plan.objects.filter(slug=options["slug"]).first()
        if plan is None:
            raise CommandError(_("No plan %(slug)r.") % {"slug": options["slug"]})
        path = (
            Path(options["rules"])
            if options["rules"]
            else settings.WPSNAP_PLANS_DIR / "az-registry-rules.yaml"
        )
        data = read_registry_rules(path)
        if data["plan"] and data["plan"] != plan.slug:
            raise CommandError(
                _("The rules file is for the plan %(other)s, not %(slug)s.")
                % {"other": data["plan"], "slug": plan.slug}
            )
        result = registry_rules_setup(plan=plan, rules=data["rules"])
        self.stdout.write(
            _(
                "%(bound)d indicators bound to a registry count, %(kept)d already bound, "
                "%(events)d left to the events."
            )
            % {"bound": len(result.bound), "kept": len(result.kept), "events": len(result.from_events)}
        )

    def _erase(self, options: dict[str, Any]) -> None:
        from wpsnap.registries.kinds.lifecycle import person_erase

        kind, actor, record = self._target(options)
        count = person_erase(actor=actor, kind=kind, record=record, reason=options["reason"])
        self.stdout.write(
            ngettext("%(count)d record erased.", "%(count)d records erased.", count) % {"count": count}
        )

    def _withdraw_consent(self, options: dict[str, Any]) -> None:
        from wpsnap.registries.kinds.lifecycle import record_consent_withdraw

        kind, actor, record = self._target(options)
        record_consent_withdraw(actor=actor, kind=kind, record=record)
        self.stdout.write(_("Consent withdrawn: the record is deleted."))

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
