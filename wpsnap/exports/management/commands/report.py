"""``wpsnap report build SLUG --period YEAR [--to YEAR] --format pdf|docx|html [--lang az|en|ru] [--public]
-o FILE``: the annual progress report (one year) or the end-of-plan review (``--to``), written to FILE.

The command runs as the system: the internal version reads every approved and published figure, as an
evaluator sees them (read-only, every agency; no user is signed in or written anywhere); ``--public``
reads published figures through publishing alone. The file is written to a temporary file beside FILE and
renamed into place when complete, so a failed or interrupted build leaves nothing half-written.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

# What each of the report's parameters is called on the command line (for the messages).
OPTIONS = {"first_year": "--period", "last_year": "--to", "fmt": "--format", "language": "--lang"}


def system_viewer() -> Any:
    """The viewer the command reads as: an evaluator that exists nowhere (every agency's counted figures;
    the gate lets it write nothing)."""
    from wpsnap.accounts.models import Role, User

    return User(username="wpsnap-system", role=Role.EVALUATOR, is_active=True)


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Reports: build the annual progress report or the end-of-plan review.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{build}")
        about = _(
            "Build the annual progress report of one year (--period), or the end-of-plan review of several "
            "(--period to --to), as PDF, DOCX or HTML. The internal version holds every approved and published "
            "figure (read as the system: an evaluator's view of every agency); --public the published figures "
            "only, through disclosure control."
        )
        build = sub.add_parser("build", help=about, description=about)
        build.add_argument("slug", metavar="SLUG", help=_("The plan's slug, e.g. az-2020-2023."))
        build.add_argument("--period", required=True, metavar="YEAR", help=_("The (first) year, e.g. 2020."))
        build.add_argument("--to", metavar="YEAR", help=_("The last year of a review, e.g. 2023."))
        build.add_argument(
            "--format", required=True, choices=["pdf", "docx", "html"], help=_("The file's format.")
        )
        build.add_argument(
            "--lang", default="en", choices=["az", "en", "ru"], help=_("The report's language.")
        )
        build.add_argument(
            "--public", action="store_true", help=_("The public version: published figures only.")
        )
        build.add_argument("-o", "--output", required=True, metavar="FILE", help=_("Where to write it."))

    def handle(self, *args: Any, **options: Any) -> None:
        from wpsnap.core.errors import InvalidInput
        from wpsnap.plan.models import Plan

        from ...annual import report_build

        first = _year(options["period"], "--period")
        last = _year(options["to"], "--to") if options["to"] else first
        plan = Plan.objects.filter(slug=options["slug"]).first()
        if plan is None:
            raise CommandError(
                _("SLUG: no plan with the slug %(slug)r is loaded.") % {"slug": options["slug"]}
            )
        target = Path(options["output"])
        folder = target.parent if str(target.parent) else Path()
        if not folder.is_dir():
            raise CommandError(_("-o: the folder %(folder)s does not exist.") % {"folder": folder})
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                report_build(
                    plan=plan,
                    first_year=first,
                    last_year=last,
                    fmt=options["format"],
                    language=options["lang"],
                    public=options["public"],
                    viewer=system_viewer(),
                    out=out,
                )
                out.flush()
                os.fsync(out.fileno())
            Path(temporary).replace(target)
        except InvalidInput as exc:
            raise CommandError(
                "\n".join(f"{OPTIONS.get(p.field, p.field)}: {p.message}" for p in exc.problems)
            ) from None
        finally:
            Path(temporary).unlink(missing_ok=True)
        self.stdout.write(_("Written: %(file)s") % {"file": target})


def _year(text: str, option: str) -> int:
    stripped = text.strip()
    if not (stripped.isascii() and stripped.isdigit() and len(stripped) == 4):
        raise CommandError(
            _("%(option)s: %(value)r is not a year such as 2020.") % {"option": option, "value": text}
        )
    return int(stripped)
