"""One stored-file base (``core.models.StoredFile``, ``core.files.stored_file_save``) for a report's
evidence and an event's files: stored, named, sent back and deleted the same way."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.storage import default_storage
from django.db import transaction

from wpsnap.core.models import StoredFile
from wpsnap.registries.models import EventFile
from wpsnap.registries.services.events import event_delete, event_file_add, event_file_delete
from wpsnap.reporting import services
from wpsnap.reporting.models import Evidence

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def report(events_plan, people):
    focal = people["focal"]
    activity = events_plan.activities.get(code="5.1.2.3")
    period = events_plan.reporting_periods.get(label="2021")
    return services.report_start(actor=focal, activity=activity, agency=focal.organisation, period=period)


@pytest.fixture
def stored(report, training, people):
    """A PDF uploaded as "minutes.txt", once as the report's evidence and once as the event's file."""
    focal = people["focal"]
    return [
        services.evidence_add(actor=focal, report=report, name="minutes.txt", content=PDF),
        event_file_add(actor=focal, event=training, name="minutes.txt", content=PDF, purpose="agenda"),
    ]


def test_evidence_and_event_files_are_stored_the_same_way(stored, people) -> None:
    """Both are StoredFiles: the type judged by content, size, checksum and uploader kept, the file under a
    name the server made in the owner's folder, and the history row naming who uploaded it."""
    evidence, event_file = stored
    assert isinstance(evidence, StoredFile)
    assert isinstance(event_file, StoredFile)
    for row, folder in (
        (evidence, f"evidence/{evidence.report_id}"),
        (event_file, f"events/{event_file.event_id}"),
    ):
        row.refresh_from_db()
        assert (row.original_name, row.kind, row.size, row.uploaded_by) == (
            "minutes.txt",
            "pdf",
            len(PDF),
            people["focal"],
        )
        assert row.sha256 == hashlib.sha256(PDF).hexdigest()
        assert re.fullmatch(rf"{folder}/[0-9a-f]{{32}}", row.file.name)
        assert row.history.get().history_user == people["focal"]


def test_both_are_sent_back_as_private_attachments_named_by_their_type(stored) -> None:
    """A PDF uploaded as "minutes.txt" downloads as "minutes.pdf", as application/pdf, an attachment that a
    browser neither sniffs nor caches."""
    for row in stored:
        assert row.download_name() == "minutes.pdf"
        response = row.as_attachment()
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="minutes.pdf"'
        assert (response["X-Content-Type-Options"], response["Cache-Control"]) == (
            "nosniff",
            "private, no-store",
        )
        assert b"".join(response.streaming_content) == PDF
        response.close()


def test_a_stored_file_goes_only_when_its_deletion_commits(
    stored, people, django_capture_on_commit_callbacks
) -> None:
    """Deleting a file in a transaction that rolls back keeps the row and its file; a deletion that
    commits removes the file from storage too, for evidence and event files alike."""
    focal = people["focal"]
    evidence, event_file = stored
    names = [evidence.file.name, event_file.file.name]
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        services.evidence_delete(actor=focal, evidence=Evidence.objects.get(pk=evidence.pk))
        event_file_delete(actor=focal, event_file=EventFile.objects.get(pk=event_file.pk))
        transaction.set_rollback(True)
    assert callbacks == []
    assert all(default_storage.exists(name) for name in names)
    assert (
        Evidence.objects.filter(pk=evidence.pk).exists()
        and EventFile.objects.filter(pk=event_file.pk).exists()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(actor=focal, evidence=Evidence.objects.get(pk=evidence.pk))
        event_file_delete(actor=focal, event_file=EventFile.objects.get(pk=event_file.pk))
    assert not any(default_storage.exists(name) for name in names)


def test_deleting_an_event_removes_its_files_after_the_commit(
    stored, people, django_capture_on_commit_callbacks
) -> None:
    """The event's files go with it (the rows by cascade, the stored files once the deletion commits)."""
    _evidence, event_file = stored
    with django_capture_on_commit_callbacks(execute=True):
        event_delete(actor=people["focal"], event=event_file.event)
    assert not default_storage.exists(event_file.file.name)
    assert not EventFile.objects.filter(pk=event_file.pk).exists()
