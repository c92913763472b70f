"""``wpsnap demo load|users|totp``: demo people for ``make run``, and what one needs to sign in as them."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wpsnap.core.errors import InvalidInput
from wpsnap.demo import data, national


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Demo data: load the demo organisations and people, list them, or print a demo user's "
            "two-factor code. For demonstrations and development only, never on a production server."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load,users,totp,generate}")

        load = sub.add_parser(
            "load",
            help=_("Create the demo organisations and people (loading the Azerbaijan plan first if needed)."),
            description=_(
                "Create a coordinator, a focal point and an approver at each of five agencies, an NGO "
                "contributor and an evaluator, all with the password given. Coordinators and approvers get "
                "a two-factor device: `demo users` shows its secret and `demo totp` its current code. "
                "Then the 2020-2023 progress reports, and the events (trainings, awareness-raising, "
                "consultations, surveys, media campaigns) with their participants, recorded by the "
                "agencies' focal points. Running it again creates nothing new, puts back demo values someone changed and sets "
                "every demo password to the one given."
            ),
        )
        load.add_argument(
            "--without-reports",
            action="store_true",
            help=_(
                "Load the organisations and people only, not the 2020-2023 progress reports nor the "
                "events (faster)."
            ),
        )
        load.add_argument(
            "--without-events",
            action="store_true",
            help=_(
                "Load the progress reports but not the demo's events and participants. Events in the "
                "periods the demo locks (2020, 2021) cannot be added by a later load."
            ),
        )
        load.add_argument(
            "--password",
            required=True,
            help=_(
                f"The password of every demo user. Any password of at least {data.MIN_PASSWORD_LENGTH} "
                "characters: the site's password rules do not apply to demo users."
            ),
        )

        users = sub.add_parser(
            "users", help=_("List the demo users: user name, role, organisation, two-factor.")
        )
        users.add_argument(
            "--json",
            action="store_true",
            help=_(
                "Print a JSON list of objects (username, name, email, role, organisation, organisation_name, "
                "needs_second_factor, totp_secret)."
            ),
        )

        totp = sub.add_parser(
            "totp",
            help=_("Print the current 6-digit two-factor code of a demo coordinator or approver."),
            description=_(
                "Print the code an authenticator app would show now. Refuses anyone not in the demo."
            ),
        )
        totp.add_argument("username", help=_("A demo user's name, e.g. coordinator or mod.approver"))

        generate = sub.add_parser(
            "generate",
            help=_("Generate a large data set for benchmarks (national scale needs PostgreSQL)."),
            description=_(
                "On a database with the plan loaded and nothing else (wpsnap plan load "
                "plans/az-2020-2023.yaml), make what four years of a national plan leave behind: about 60 "
                "agencies, 2,000 approved reports with figures by sex and age band, 20,000 events and "
                "2,000,000 participants (national), or a few of each (small). Written straight into the "
                "tables with their constraints, in one transaction. For benchmarks only."
            ),
        )
        generate.add_argument(
            "--scale",
            choices=["national", "small"],
            default="national",
            help=_("national (PostgreSQL only) or small (a few of each, for tests)"),
        )
        generate.add_argument(
            "--seed", type=int, default=national.SEED, help=_("The same seed gives the same data set.")
        )
        generate.add_argument(
            "--plan", default=data.PLAN_SLUG, help=_("The loaded plan's slug (default: %(default)s)")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except InvalidInput as exc:
            raise CommandError(str(exc)) from exc

    def _load(self, options: dict[str, Any]) -> None:
        if not settings.WPSNAP_DEMO_ALLOWED:
            raise CommandError(
                _(
                    "Demo data is refused under production settings: it creates a coordinator with a known "
                    "password. On a demonstration server, set WPSNAP_ALLOW_DEMO=1."
                )
            )
        result = data.demo_load(
            password=options["password"],
            reports=not options["without_reports"],
            events=not options["without_events"],
        )
        if result.plan_loaded:
            self.stdout.write(_("Loaded the Azerbaijan plan."))
        self.stdout.write(
            _(
                "Demo data: %(created)d people created, %(updated)d updated, %(unchanged)d unchanged; "
                "%(organisations)d organisations and %(devices)d two-factor devices created."
            )
            % {
                "created": len(result.created),
                "updated": len(result.updated),
                "unchanged": len(result.unchanged),
                "organisations": len(result.organisations_created),
                "devices": len(result.devices_created),
            }
        )
        if result.reports is not None:
            reports = result.reports
            self.stdout.write(
                _(
                    "Demo reports: %(created)d created (%(evidence)d evidence files), %(existing)d already "
                    "there, %(missing)d left missing on purpose; periods locked: %(locked)s."
                )
                % {
                    "created": reports.created,
                    "evidence": reports.evidence,
                    "existing": reports.existing,
                    "missing": reports.missing,
                    "locked": ", ".join(reports.locked) or _("none"),
                }
            )
        if result.events is not None:
            events = result.events
            self.stdout.write(
                _(
                    "Demo events: %(created)d created (%(listed)d participants listed, %(counted)d counted, "
                    "%(files)d files), %(existing)d already there, %(locked)d left out in locked periods."
                )
                % {
                    "created": events.created,
                    "listed": events.listed,
                    "counted": events.counted,
                    "files": events.files,
                    "existing": events.existing,
                    "locked": events.locked,
                }
            )
        if result.registries:
            self.stdout.write(
                _("Demo registry records: %(created)d created (%(names)s).")
                % {
                    "created": sum(result.registries.values()),
                    "names": ", ".join(f"{name} {count}" for name, count in result.registries.items()),
                }
            )
        self.stdout.write(_("See who they are with: wpsnap demo users"))

    def _users(self, options: dict[str, Any]) -> None:
        rows = data.demo_users()
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write(_("No demo users yet. Create them with: wpsnap demo load --password PASSWORD"))
            return
        headers = [_("User name"), _("Name"), _("Role"), _("Organisation"), _("Two-factor secret")]
        table = [
            [
                row["username"],
                row["name"],
                row["role_label"],
                row["organisation_name"] or "",
                row["totp_secret"] or _("not needed"),
            ]
            for row in rows
        ]
        widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *table, strict=False)]
        for line in [headers, ["-" * width for width in widths], *table]:
            self.stdout.write(
                "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
            )
        self.stdout.write("")
        self.stdout.write(
            _(
                "Every demo user's password is the one given to `wpsnap demo load`. Coordinators and approvers "
                "also enter a code: add the secret to an authenticator app, or run `wpsnap demo totp USERNAME`."
            )
        )

    def _generate(self, options: dict[str, Any]) -> None:
        if not settings.WPSNAP_DEMO_ALLOWED:
            raise CommandError(
                _(
                    "Generated data is refused under production settings. On a benchmark server, set "
                    "WPSNAP_ALLOW_DEMO=1."
                )
            )
        from wpsnap.plan.models import Plan
        from wpsnap.registries.services.setup import events_setup, read_districts
        from wpsnap.reporting.services import reporting_setup

        plan = Plan.objects.filter(slug=options["plan"]).first()
        if plan is None:
            raise CommandError(
                _("No plan %(plan)s is loaded. Load it first: wpsnap plan load plans/az-2020-2023.yaml")
                % {"plan": options["plan"]}
            )
        reporting_setup(plan=plan)
        events_setup(plan=plan, districts=read_districts(settings.WPSNAP_PLANS_DIR / data.DISTRICTS_FILE))
        result = national.national_generate(
            plan=plan, scale=national.SCALES[options["scale"]], seed=options["seed"]
        )
        self.stdout.write(
            _(
                "Generated the %(scale)s data set (seed %(seed)d) in %(seconds).1f s: %(agencies)d agencies "
                "(%(created)d new), %(reports)d reports (%(counted)d approved or published, %(missing)d "
                "left missing) with %(values)d figures, %(events)d events (%(counted_events)d with counts), "
                "%(participants)d participants listed and %(counted_participants)d counted."
            )
            % {
                "scale": result.scale,
                "seed": result.seed,
                "seconds": result.seconds,
                "agencies": result.agencies,
                "created": result.agencies_created,
                "reports": result.reports,
                "counted": result.counted,
                "missing": result.missing,
                "values": result.values,
                "events": result.events,
                "counted_events": result.counted_events,
                "participants": result.participants,
                "counted_participants": result.counted_participants,
            }
        )
        self.stdout.write(json.dumps(national.summary(result), indent=2))

    def _totp(self, options: dict[str, Any]) -> None:
        self.stdout.write(data.demo_totp(options["username"]))
