"""``wpsnap people invite EMAIL --organisation KEY --role ROLE``: an invitation made on the server, for the
first coordinator (nobody can sign in yet) or anyone else; the same checks, audit line and e-mail as a
coordinator's invitation on the People page (``accounts.services.user_invite_from_server``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wpsnap.accounts import services
from wpsnap.accounts.models import Organisation, Role
from wpsnap.core.errors import InvalidInput


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("People who may sign in, from the server's command line.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{invite}")
        invite = sub.add_parser(
            "invite",
            help=_(
                "Invite a person: an account without a password, and a one-time link to choose one, e-mailed "
                "to them and printed here (on the last line of standard output). Audited as made on the "
                "command line."
            ),
        )
        invite.add_argument("email", help=_("Their e-mail address, which is also their user name"))
        invite.add_argument(
            "--organisation", required=True, help=_("The organisation's key (wpsnap organisations list)")
        )
        invite.add_argument("--role", required=True, choices=Role.values, help=_("Their role"))
        invite.add_argument("--first-name", default="", help=_("Their first name"))
        invite.add_argument("--last-name", default="", help=_("Their last name"))
        invite.add_argument(
            "--base-url",
            default="",
            help=_("The site's address, to print the whole link (e.g. https://wpsnap.example.az)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(key=options["organisation"]).order_by("country").first()
        if organisation is None:
            missing = _("There is no organisation %(key)r.") % {"key": options["organisation"]}
            raise CommandError(f"organisation: {missing}")
        try:
            user, link = services.user_invite_from_server(
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                organisation=organisation,
                role=options["role"],
                base_url=options["base_url"].rstrip("/"),
            )
        except InvalidInput as exc:
            raise CommandError("; ".join(str(p) for p in exc.problems)) from exc
        self.stdout.write(link)
        self.stderr.write(
            _(
                "Invited %(user)s as %(role)s for %(organisation)s: the link works once, to choose a password; "
                "it was e-mailed to them."
            )
            % {"user": user.username, "role": Role(user.role).label, "organisation": organisation},
            style_func=lambda text: text,
        )
