"""``wpsnap token create USERNAME``: an API token for a person, from the server's command line."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from wpsnap.accounts import services
from wpsnap.accounts.drf import token_expires_at
from wpsnap.accounts.models import User
from wpsnap.core.errors import InvalidInput


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Manage API tokens. Send a token as the header `Authorization: Token <key>`.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create}")
        create = sub.add_parser(
            "create",
            help=_(
                "Print a new API token for a user (any earlier token of theirs stops working). It expires "
                "after WPSNAP_TOKEN_DAYS days; the date is printed on standard error."
            ),
        )
        create.add_argument(
            "username", help=_("The user's user name (for invited people: their e-mail address)")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        username = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no user %(name)r.") % {"name": username})
        try:
            key = services.token_create(user=user)
        except InvalidInput as exc:
            raise CommandError(str(exc)) from exc
        # Only the key on standard output, so that scripts can capture it: KEY=$(wpsnap token create alice).
        # When it stops working goes to standard error, where a person running the command still sees it.
        self.stdout.write(key)
        expires = timezone.localtime(token_expires_at(Token.objects.get(key=key).created))
        self.stderr.write(
            _("The token expires on %(date)s (after %(days)d days). Make a new one before then.")
            % {"date": f"{expires:%Y-%m-%d %H:%M %Z}", "days": settings.WPSNAP_TOKEN_DAYS},
            style_func=lambda text: text,
        )
