"""``wpsnap plan parse|lint|load|export``: the plan file's life cycle on the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wpsnap.core.errors import InvalidInput
from wpsnap.plan import schema
from wpsnap.plan.models import Plan


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Parse a plan document, check a plan file, load it, or export a loaded plan.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{parse,lint,load,export}")

        parse = sub.add_parser(
            "parse", help=_("Read a plan document as published (text) and print the plan file (YAML).")
        )
        parse.add_argument("source", help=_("The plan document, e.g. plans/source/az-nap-1325-2020-2023.txt"))

        lint = sub.add_parser(
            "lint",
            help=_("Check a plan file's quality. Exit status 1 when there are errors, 0 with warnings only."),
        )
        lint.add_argument("plan_file", help=_("A plan file (YAML), e.g. plans/az-2020-2023.yaml"))
        lint.add_argument("--json", action="store_true", help=_("Print the findings as a JSON list."))

        load = sub.add_parser(
            "load", help=_("Load a plan file into the database (idempotent; keeps history).")
        )
        load.add_argument("plan_file", help=_("A plan file (YAML)"))

        export = sub.add_parser("export", help=_("Print a loaded plan."))
        export.add_argument("slug", help=_("The plan's slug, e.g. az-2020-2023"))
        export.add_argument("--json", action="store_true", default=True, help=_("Print JSON (the default)."))
        export.add_argument(
            "--plan-file",
            action="store_true",
            help=_("Print a plan file (YAML) that plan load reads back, with every translation."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        getattr(self, f"_{action}")(options)

    def _parse(self, options: dict[str, Any]) -> None:
        from wpsnap.plan.parsing import parse_source

        path = Path(options["source"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("%(path)s: cannot read the document: %(error)s") % {"path": path, "error": exc}
            ) from exc
        try:
            plan = parse_source(text, source_name=path.name)
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(schema.dump_plan_yaml(plan), ending="")

    def _read(self, path: str) -> schema.PlanFile:
        try:
            return schema.read_plan_file(path)
        except schema.PlanFileError as exc:
            raise CommandError(str(exc)) from exc

    def _lint(self, options: dict[str, Any]) -> None:
        from wpsnap.plan.lint import lint_plan

        findings = lint_plan(self._read(options["plan_file"]))
        if options["json"]:
            self.stdout.write(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
        else:
            for f in findings:
                self.stdout.write(f"{f.severity}: {f.ref}: {f.message} [{f.rule}]")
            errors = sum(f.severity == "error" for f in findings)
            self.stdout.write(
                _("%(errors)d errors, %(warnings)d warnings")
                % {"errors": errors, "warnings": len(findings) - errors}
            )
        if any(f.severity == "error" for f in findings):
            sys.exit(1)

    def _load(self, options: dict[str, Any]) -> None:
        from wpsnap.plan.services import plan_load

        plan_file = self._read(options["plan_file"])
        try:
            result = plan_load(plan_file=plan_file)
        except InvalidInput as exc:
            raise CommandError(
                "\n".join(f"{options['plan_file']}: {problem}" for problem in exc.problems)
            ) from exc
        self.stdout.write(
            _(
                "Plan %(slug)s: %(created)d created, %(updated)d updated, %(deleted)d deleted, %(unchanged)d unchanged."
            )
            % {
                "slug": result.plan.slug,
                "created": result.created,
                "updated": result.updated,
                "deleted": result.deleted,
                "unchanged": result.unchanged,
            }
        )

    def _export(self, options: dict[str, Any]) -> None:
        from wpsnap.plan.export import plan_export

        plan = Plan.objects.filter(slug=options["slug"]).first()
        if plan is None:
            raise CommandError(_("No plan with the slug %(slug)r is loaded.") % {"slug": options["slug"]})
        if options.get("plan_file"):
            from wpsnap.plan.plan_file import plan_file_yaml

            self.stdout.write(plan_file_yaml(plan), ending="")
            return
        self.stdout.write(json.dumps(plan_export(plan), ensure_ascii=False, indent=2))
