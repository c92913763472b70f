"""``wpsnap portal build OUTDIR [--lang az,en,ru] [--plan SLUG] [--notes TEXT] [--user USERNAME]``: the
public portal as static files, stored as a release (docs/static-build.md). The work is
``portal.static_build.portal_build``; this reads the options and says what was done."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wpsnap.core.errors import WpsnapError


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("The public portal: build it as static files.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{build}")
        about = _(
            "Write the public portal as static files (HTML, JSON, CSV) with relative links, for any web "
            "server, a CDN or file://, and store it as a release with its notes and what changed since the "
            "last one. Figures pass disclosure control with the last release's figures held as known. The "
            "build is complete or not written: OUTDIR is replaced only when every page answered."
        )
        build = sub.add_parser("build", help=about, description=about)
        build.add_argument(
            "outdir",
            metavar="OUTDIR",
            help=_("The folder to write: new, empty, or an earlier build (replaced whole)."),
        )
        build.add_argument(
            "--lang",
            default="",
            metavar="CODES",
            help=_("Languages, separated by commas, e.g. az,en,ru (default: every language)."),
        )
        build.add_argument(
            "--plan",
            default=None,
            metavar="SLUG",
            help=_("The plan released (default: the one public plan)."),
        )
        build.add_argument(
            "--notes",
            default="",
            metavar="TEXT",
            help=_("What changed and what was corrected since the last release, for readers."),
        )
        build.add_argument(
            "--user",
            default=None,
            metavar="USERNAME",
            help=_("The coordinator who makes the release (default: the command line, named as such)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from wpsnap.accounts.models import User
        from wpsnap.plan.models import Plan

        from ...static_build import portal_build

        plan = None
        if options["plan"]:
            plan = Plan.objects.filter(slug=options["plan"]).first()
            if plan is None:
                raise CommandError(_("No plan with the slug %(slug)r is loaded.") % {"slug": options["plan"]})
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("No active user %(name)r.") % {"name": options["user"]})
        languages = [code.strip() for code in options["lang"].split(",") if code.strip()] or None
        try:
            result = portal_build(
                outdir=options["outdir"], languages=languages, plan=plan, notes=options["notes"], user=user
            )
        except PermissionDenied as exc:
            raise CommandError(_("Only a coordinator may release the plan's figures.")) from exc
        except WpsnapError as exc:
            raise CommandError(str(exc)) from exc
        for warning in result.warnings:
            self.stderr.write(_("Warning: %(warning)s") % {"warning": warning})
        release = result.releases[0]
        self.stdout.write(
            _(
                "Wrote %(path)s: %(pages)d pages and %(files)d files in %(seconds).1f s. Release %(number)d of "
                "%(plan)s: %(added)d figures added, %(changed)d changed, %(withdrawn)d withdrawn."
            )
            % {
                "path": result.outdir,
                "pages": result.pages,
                "files": result.files,
                "seconds": result.seconds,
                "number": release.number,
                "plan": release.plan.slug,
                "added": release.changes["added"],
                "changed": release.changes["changed"],
                "withdrawn": release.changes["withdrawn"],
            }
        )
