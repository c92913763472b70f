"""``wpsnap organisations list|add``: the organisations people belong to. The plan's agencies come from the
plan file (``wpsnap plan load``); one it does not name (an NGO, an evaluation team, a donor) is added here,
checked and audited (``accounts.services.organisation_add_from_server``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wpsnap.accounts import services
from wpsnap.accounts.models import Organisation, OrganisationKind
from wpsnap.core.errors import InvalidInput


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("The organisations people belong to, from the server's command line.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list,add}")
        sub.add_parser("list", help=_("Every organisation: key, kind, country and name, a line each"))
        add = sub.add_parser(
            "add",
            help=_("Add an organisation the plan does not name (an NGO, an evaluation team, a donor)."),
        )
        add.add_argument(
            "key", help=_("Its key: lower-case letters, digits and hyphens (e.g. women-for-peace)")
        )
        add.add_argument("--name", required=True, help=_("Its full name"))
        add.add_argument("--kind", required=True, choices=OrganisationKind.values, help=_("Its kind"))
        add.add_argument("--short-name", default="", help=_("Its abbreviation"))
        add.add_argument("--country", default="AZ", help=_("Its country (ISO 3166 code; default AZ)"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for organisation in Organisation.objects.order_by("country", "key"):
                self.stdout.write(
                    f"{organisation.key}\t{organisation.kind}\t{organisation.country}\t{organisation.name}"
                )
            return
        try:
            organisation = services.organisation_add_from_server(
                country=options["country"],
                key=options["key"],
                name=options["name"],
                kind=options["kind"],
                short_name=options["short_name"],
            )
        except InvalidInput as exc:
            raise CommandError("; ".join(str(p) for p in exc.problems)) from exc
        self.stdout.write(organisation.key)
