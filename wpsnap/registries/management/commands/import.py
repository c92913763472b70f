# noqa: N999 - Django names the command after its module: `wpsnap import`
"""``wpsnap import participants FILE --event ID --user USERNAME [--replace] [--allow-duplicate] [--key KEY]``:
add an event's participants from a CSV or spreadsheet file, as the event's page does. With ``--key``, running
the same command again (after a lost connection or a killed job) adds nothing and prints what the first run
did. A file whose rows an earlier import of the event still holds is refused unless ``--replace`` or
``--allow-duplicate``. However large the file, the command imports it itself (it is already in the
background), printing the rows checked and written as it goes (on standard error, about once a second).

The work is ``services.participants.participants_import_file``, called as USERNAME, so the same
permission gate, checks and audit apply as on the page: all or nothing, every problem named by its row
and column. This command only reads its options and the file and prints what was done; participants'
names are never printed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.core.errors import InvalidInput


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Import records from a file, as the platform's pages do: an event's participants.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True, metavar="{participants}")
        about = _(
            "Add the participants in FILE (CSV, or an XLSX/ODS spreadsheet, judged by its content; the "
            "columns of the participants template) to an event whose participants are kept as a list, "
            "acting as USERNAME, who must be allowed to edit the event. All or nothing: a file with any "
            "problem adds nothing, and every problem is printed with its row and column."
        )
        participants = sub.add_parser("participants", help=about, description=about)
        participants.add_argument("file", metavar="FILE", help=_("The CSV or spreadsheet file."))
        participants.add_argument(
            "--event",
            type=int,
            required=True,
            metavar="ID",
            help=_("The event's id (as in its page's address)."),
        )
        participants.add_argument(
            "--user",
            dest="username",
            required=True,
            metavar="USERNAME",
            help=_("The person importing (the import is recorded in the audit trail under this name)."),
        )
        participants.add_argument(
            "--replace",
            action="store_true",
            help=_("Make the file the event's whole list: the participants recorded so far are removed."),
        )
        participants.add_argument(
            "--allow-duplicate",
            action="store_true",
            help=_(
                "Add the rows even if an earlier import into this event brought the same rows (without it, "
                "such an import is refused and nothing is added)."
            ),
        )
        participants.add_argument(
            "--key",
            default="",
            metavar="KEY",
            help=_(
                "An idempotency key of your choosing (a UUID, for example): the same command run again "
                "with the same key and file adds nothing and prints what the first run did; the key with "
                "another file is refused. Use it in scripts that retry. Keys are kept for "
                "WPSNAP_IDEMPOTENCY_KEY_DAYS days."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['kind']}")(options)

    def _participants(self, options: dict[str, Any]) -> None:
        from wpsnap.accounts.models import User
        from wpsnap.registries.models import Event
        from wpsnap.registries.services.events import EventLockedError
        from wpsnap.registries.services.participants import DuplicateImport, participants_import_file

        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(_("No active user %(name)r.") % {"name": options["username"]})
        event = Event.objects.filter(pk=options["event"]).select_related("plan").first()
        if event is None:
            raise CommandError(_("No event with the id %(id)d.") % {"id": options["event"]})
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("%(path)s: cannot be read (%(error)s).") % {"path": path, "error": exc.strerror or exc}
            ) from exc
        try:
            result = participants_import_file(
                actor=actor,
                event=event,
                name=path.name,
                content=content,
                replace=options["replace"],
                allow_duplicate=options["allow_duplicate"],
                idempotency_key=options["key"],
                progress=self._progress(),
            )
        except PermissionDenied as exc:
            raise CommandError(
                _("%(name)s may not change the participants of event %(id)d.")
                % {"name": actor.get_username(), "id": event.pk}
            ) from exc
        except EventLockedError as exc:
            raise CommandError(str(exc)) from exc
        except DuplicateImport as exc:
            worded = exc.worded(replace="--replace", anyway="--allow-duplicate")
            raise CommandError(worded.problems[0].message) from exc
        except InvalidInput as exc:
            raise CommandError(str(exc)) from exc
        if result.replayed:
            self.stdout.write(
                ngettext(
                    "Already done with the key %(key)s: %(count)d participant was added to event %(id)d "
                    "(batch %(batch)d). Nothing was added now.",
                    "Already done with the key %(key)s: %(count)d participants were added to event %(id)d "
                    "(batch %(batch)d). Nothing was added now.",
                    result.rows,
                )
                % {"key": options["key"], "count": result.rows, "id": event.pk, "batch": result.batch.pk}
            )
            return
        message = ngettext(
            "%(count)d participant added to event %(id)d.",
            "%(count)d participants added to event %(id)d.",
            result.rows,
        ) % {"count": result.rows, "id": event.pk}
        if options["replace"]:
            message += " " + _("They replace the list recorded before.")
        self.stdout.write(message)

    def _progress(self) -> Any:
        """Prints the rows checked and written, at most about once a second (and once at the end)."""
        last = [time.monotonic()]

        def progress(read: int, written: int) -> None:
            now = time.monotonic()
            if now - last[0] < 1.0 and read != written:
                return
            last[0] = now
            self.stderr.write(
                _("Rows checked: %(read)d. Rows written: %(written)d.") % {"read": read, "written": written}
            )

        return progress
