"""Large participant imports, run by a background job (kind ``registries.participants_import``): the
import page, the API and pasted rows start one (``services.participants.participants_import_start``)
when a file has more rows than ``WPSNAP_IMPORT_SYNC_ROWS``. The job imports the spooled upload exactly as
the page would (the gate, the lock, every row checked, all or nothing in one transaction, the duplicate
rule, the idempotency key), shows the rows checked and written on its page, and its file is a short
receipt of what was imported (never a person's fields). A refused file shows its row and column problems
on the job's page, as the page would show them. Registered by the app's ``ready()``."""

from __future__ import annotations

import threading
from typing import Any, BinaryIO

from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.accounts import permissions
from wpsnap.core.errors import InvalidInput
from wpsnap.core.jobs import Job, JobGone, JobOutput, JobResult, Progress, job_kind

from .models import Event, Participant
from .services import participants as services

# How often (seconds) the progress of the import's transaction is written from its own connection.
RELAY_SECONDS = 1.0


class _Relay:
    """Carries the import's progress to the job's page while the import's transaction is open: what that
    transaction writes is seen only when it commits, so the progress is written from a thread with a
    connection of its own, at most every RELAY_SECONDS. A job run inside a transaction already (a test's)
    writes it directly. A job no longer running (taken for dead) stops the import, which rolls back."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.direct = connection.in_atomic_block
        self.latest: tuple[int, str] | None = None
        self.gone = False
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="participants-import-progress", daemon=True)

    def __enter__(self) -> _Relay:
        if not self.direct:
            self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stopped.set()
        self.wake.set()
        if self.thread.is_alive():
            self.thread.join(timeout=30)

    def __call__(self, percent: int, step: str) -> None:
        if self.direct:
            self.progress(percent, step)
            return
        if self.gone:
            raise JobGone("the import's job is no longer running")
        with self.lock:
            self.latest = (percent, step)

    def _run(self) -> None:
        try:
            while not self.stopped.wait(RELAY_SECONDS):
                with self.lock:
                    latest, self.latest = self.latest, None
                if latest is None:
                    continue
                try:
                    self.progress(*latest)
                except JobGone:
                    self.gone = True
                    return
                except DatabaseError:
                    continue  # the database busy (SQLite while the import writes): the next one
        finally:
            connection.close()


def _number(n: int) -> str:
    return formats.number_format(n, force_grouping=True)


@job_kind(services.JOB_KIND)
def participants_import_job(job: Job, progress: Progress, out: BinaryIO) -> JobOutput:
    params = job.params
    owner = job.owner
    path = services.spooled_upload(job.pk)
    try:
        event = Event.objects.select_related("plan").filter(pk=params["event"]).first()
        # The gate again: the owner's role or agency may have changed since they asked.
        if event is None or not permissions.can(owner, "event.edit", event):
            raise InvalidInput.one("", "refused", _("You may no longer change this event's participants."))
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise InvalidInput.one(
                "file",
                "gone",
                _("The uploaded file is no longer here (files wait at most a day). Please upload it again."),
            ) from None
        total = max(int(params.get("rows") or 0), 1)
        progress(2, _("Checking the rows"))

        with _Relay(progress) as relay:

            def report(read: int, written: int) -> None:
                relay(
                    min(2 + 96 * read // total, 98),
                    _("Rows checked: %(read)s of about %(total)s. Rows written: %(written)s.")
                    % {"read": _number(read), "total": _number(total), "written": _number(written)},
                )

            common: dict[str, Any] = {
                "actor": owner,
                "event": event,
                "replace": bool(params.get("replace")),
                "allow_duplicate": bool(params.get("allow_duplicate")),
                "idempotency_key": str(params.get("key") or ""),
                "progress": report,
            }
            if params.get("source") == "paste":
                result = services.participants_import_text(text=content.decode("utf-8"), **common)
            else:
                result = services.participants_import_file(
                    name=str(params.get("name") or ""), content=content, **common
                )
        del content
        now_listed = Participant.objects.filter(event=event).count()
        progress(100, _("Done"))
    finally:
        path.unlink(missing_ok=True)
    out.write(_receipt(event, result, now_listed).encode("utf-8"))
    return JobOutput(
        name=f"event-{event.pk}-participants-import.txt",
        content_type="text/plain; charset=utf-8",
        # The next action once done: the event's list, where the imported rows now are.
        result=JobResult(
            url=reverse("registries:participant_list", args=[event.pk]),
            label=_("Open the participant list"),
            api_url=reverse("api:event-participants", kwargs={"id": event.pk}),
        ),
    )


def _receipt(event: Event, result: services.ImportResult, listed: int) -> str:
    """What was done, for the person to keep: counts and who, never a person's fields."""
    batch = result.batch
    lines = [
        _("Participants imported into event %(id)d, “%(title)s”.") % {"id": event.pk, "title": event.title},
        ngettext("%(n)s row added.", "%(n)s rows added.", result.rows) % {"n": _number(result.rows)},
    ]
    if result.replayed:
        lines.append(_("This import had been done already: nothing was added again."))
    if batch.replaced:
        lines.append(_("They replace the list recorded before."))
    lines += [
        ngettext("The list now has %(n)s participant.", "The list now has %(n)s participants.", listed)
        % {"n": _number(listed)},
        _("Imported on %(date)s (import no. %(batch)d).")
        % {"date": formats.date_format(timezone.localtime(batch.at), "DATETIME_FORMAT"), "batch": batch.pk},
    ]
    return "\n".join(lines) + "\n"
