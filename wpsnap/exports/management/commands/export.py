"""``wpsnap export iati|datapackage``: a plan's published figures as open data (docs/open-data.md)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wpsnap.core.errors import WpsnapError
from wpsnap.plan.models import Plan


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Export a plan's published figures as open data: IATI activity XML 2.03 or a Frictionless "
            "data package. Figures pass disclosure control; suppressed figures never leave."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{iati,datapackage}")

        iati = sub.add_parser(
            "iati",
            help=_(
                "Write the plan's activities, results and published figures as an IATI 2.03 activity file "
                "(the reporting organisation from WPSNAP_IATI_ORG_REF, _NAME and _TYPE)."
            ),
        )
        iati.add_argument("slug", help=_("The plan's slug, e.g. az-2020-2023"))
        iati.add_argument(
            "-o", "--output", required=True, help=_("The file to write, e.g. az-2020-2023.iati.xml")
        )
        iati.add_argument(
            "--org-ref",
            default=None,
            help=_("The reporting organisation's IATI identifier (overrides the setting)."),
        )

        package = sub.add_parser(
            "datapackage",
            help=_(
                "Write the plan's published figures as a Frictionless data package: datapackage.json and one "
                "CSV per count indicator (period, dimension columns, value)."
            ),
        )
        package.add_argument("slug", help=_("The plan's slug, e.g. az-2020-2023"))
        package.add_argument(
            "-o", "--output", required=True, help=_("The folder to create (it must not exist, or be empty).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plan = Plan.objects.select_related("coordinator").filter(slug=options["slug"]).first()
        if plan is None:
            raise CommandError(_("No plan with the slug %(slug)r is loaded.") % {"slug": options["slug"]})
        try:
            getattr(self, f"_{options['action']}")(plan, options)
        except WpsnapError as exc:
            raise CommandError(str(exc)) from exc

    def _iati(self, plan: Plan, options: dict[str, Any]) -> None:
        from wpsnap.exports.iati import (
            PLACEHOLDER_ORG_REF,
            iati_activities,
            iati_code_errors,
            iati_schema_errors,
            org_settings,
        )

        ref = options["org_ref"] or org_settings()[0]
        if ref == PLACEHOLDER_ORG_REF:
            self.stderr.write(
                _(
                    "Warning: the reporting organisation's identifier is the placeholder %(ref)s. Set "
                    "WPSNAP_IATI_ORG_REF to your organisation's IATI identifier before publishing "
                    "(docs/open-data.md)."
                )
                % {"ref": ref}
            )
        document = iati_activities(plan, org_ref=ref)
        errors = iati_schema_errors(document)
        if errors:
            # Never on the platform's own output; a file that breaks the schema is not written.
            raise CommandError(
                _("The IATI document does not match the schema:") + "\n" + "\n".join(errors[:20])
            )
        errors = iati_code_errors(document)
        if errors:
            # A setting out of its codelist (WPSNAP_IATI_ORG_TYPE, WPSNAP_IATI_SECTORS): nothing is written.
            raise CommandError(
                _("The IATI document uses codes IATI does not know:") + "\n" + "\n".join(errors)
            )
        target = Path(options["output"])
        _write_atomic(target, document)
        self.stdout.write(
            _("Wrote %(path)s: %(count)d activities.")
            % {"path": target, "count": document.count(b"<iati-activity ")}
        )

    def _datapackage(self, plan: Plan, options: dict[str, Any]) -> None:
        from wpsnap.exports.opendata import datapackage_write

        descriptor = datapackage_write(plan, options["output"])
        self.stdout.write(_("Wrote %(path)s.") % {"path": descriptor})


def _write_atomic(target: Path, content: bytes) -> None:
    """Write ``content`` to ``target`` through a temporary file beside it, renamed into place: the file is
    whole or not there."""
    if target.is_dir():
        raise CommandError(_("%(path)s is a folder: name a file.") % {"path": target})
    parent = target.parent if str(target.parent) else Path()
    if not parent.is_dir():
        raise CommandError(_("The folder %(path)s does not exist.") % {"path": parent})
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        Path(name).replace(target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    if sys.platform != "win32":
        descriptor = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
