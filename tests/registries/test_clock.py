"""The registries' services stamp the time they are given (``now``, ``wpsnap.core.clock``): events, their
files, counts and participant imports, with their history rows and audit lines, so that a replay of the
past (the demo) needs no patched clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from wpsnap.core.models import AuditEvent
from wpsnap.registries.models import Event, EventFile, ParticipantCount, ParticipantImport, Participation
from wpsnap.registries.services.events import (
    EventInput,
    counts_save,
    event_create,
    event_delete,
    event_file_add,
    event_file_delete,
    event_update,
)
from wpsnap.registries.services.participants import (
    participant_delete,
    participants_clear,
    participants_import_text,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def at(day: int) -> datetime:
    return datetime(2021, 3, day, 16, 0, tzinfo=UTC)


def _last_audit_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _training(events_plan, participation: str = Participation.LIST) -> EventInput:
    return EventInput(
        kind="training",
        title="UNSCR 1325 for officers",
        starts_on=date(2021, 3, 10),
        ends_on=date(2021, 3, 11),
        activities=[events_plan.activities.get(code="5.1.2.3")],
        district="baku",
        participation=participation,
    )


def test_an_event_and_its_list_are_stamped_with_the_times_given(events_plan, people) -> None:
    """An event recorded, its list imported, a file added, the event changed, the file removed, one
    person and then the whole list removed, each at a time of its own: fields, history rows and audit
    lines all carry the time of their step."""
    focal = people["focal"]
    before = _last_audit_id()
    event = event_create(actor=focal, plan=events_plan, data=_training(events_plan), now=at(12))
    imported = participants_import_text(
        actor=focal, event=event, text="sex,age\nwomen,30\nmen,41\n", now=at(13)
    )
    stored = event_file_add(
        actor=focal, event=event, name="agenda.pdf", content=PDF, purpose="agenda", now=at(14)
    )
    event_update(actor=focal, event=event, data=replace(_training(events_plan), place="Baku"), now=at(15))
    stored_id = stored.pk  # the instance forgets its id once deleted
    event_file_delete(actor=focal, event_file=stored, now=at(16))
    participant_delete(actor=focal, participant=event.participants.first(), now=at(17))
    participants_clear(actor=focal, event=event, now=at(18))

    event.refresh_from_db()
    assert (event.created_at, event.updated_at) == (at(12), at(15))
    assert ParticipantImport.objects.get(pk=imported.batch.pk).at == at(13)
    assert sorted(h.history_date for h in event.history.all()) == [at(12), at(15)]
    assert sorted(h.history_date for h in EventFile.history.filter(id=stored_id)) == [at(14), at(16)]
    written = AuditEvent.objects.filter(pk__gt=before)
    assert {line.at for line in written} == {at(day) for day in range(12, 19)}


def test_counts_a_new_file_and_a_deletion_are_stamped_with_the_times_given(events_plan, people) -> None:
    """Counts saved, a file stored and the event deleted at given times: the counts' and the file's rows
    and history, and the event's deletion line, carry them."""
    focal = people["focal"]
    data = _training(events_plan, Participation.COUNTS)
    event = event_create(actor=focal, plan=events_plan, data=data, now=at(20))
    counts_save(
        actor=focal, event=event, counts={"sex:women|age:18-24": 4, "sex:men|age:25-34": 7}, now=at(21)
    )
    counts_save(actor=focal, event=event, counts={"sex:women|age:18-24": 5}, now=at(22))
    stored = event_file_add(actor=focal, event=event, name="materials.pdf", content=PDF, now=at(23))
    stored.refresh_from_db()
    assert (stored.created_at, stored.updated_at) == (at(23), at(23))
    history = ParticipantCount.history.filter(event_id=event.pk)
    assert sorted((h.history_type, h.history_date) for h in history) == [
        ("+", at(21)),
        ("+", at(21)),
        ("-", at(22)),
        ("~", at(22)),
    ]
    before = _last_audit_id()
    event_delete(actor=focal, event=Event.objects.get(pk=event.pk), now=at(24))
    deletion = AuditEvent.objects.get(pk__gt=before, object_type="registries.event")
    assert (deletion.action, deletion.at) == ("delete", at(24))
