"""The people and publications registries through the generic services, for what is theirs: a person
kept only with consent (refused by name of column, nothing saved), a retention date on every person's
record, names never in audit lines or logs, a person's consent withdrawn or erasure asked for removes the
record, and a publication keeps its recording or its PDF but nothing else."""

from __future__ import annotations

import logging
from datetime import timedelta
from random import Random

import pytest
from django.core.exceptions import PermissionDenied

from wpsnap.core import clock
from wpsnap.core.errors import InvalidInput
from wpsnap.core.models import AuditEvent
from wpsnap.registries.kinds.catalogue import kind_named
from wpsnap.registries.kinds.lifecycle import ErasureReason, person_erase, record_consent_withdraw
from wpsnap.registries.kinds.services import record_create, record_file_add, record_update
from wpsnap.registries.models import RecordFile

pytestmark = pytest.mark.django_db

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 100
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100
PDF = b"%PDF-1.7\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
HTML = b"<html><script>alert(1)</script></html>"


def individual(**changes):
    row = kind_named("peacebuilding-actors").examples(Random(3))
    return (
        row
        | {
            "actor_type": "individual",
            "name": "Sevinj Secretname",
            "sex": "women",
            "affiliation": "Hidden University",
            "contact": "sevinj@example.org",
            "consent": "yes",
            "trainings": "",
            "activities": "5.2.3.1",
        }
        | changes
    )


def officer(**changes):
    row = kind_named("gender-officers").examples(Random(4))
    return (
        row | {"name": "Farid Secretname", "contact": "+994 50 000 00 00", "activities": "5.2.6.1"} | changes
    )


def test_a_person_only_with_consent(events_plan, people):
    kind = kind_named("peacebuilding-actors")
    with pytest.raises(InvalidInput) as refused:
        record_create(kind=kind, actor=people["focal"], plan=events_plan, values=individual(consent="no"))
    assert [(p.field, p.code) for p in refused.value.problems] == [("consent", "consent_required")]
    assert not kind.model.objects.exists()
    assert not AuditEvent.objects.filter(object_type__contains="peacebuilding").exists()


def test_names_never_in_audit_lines_or_logs(events_plan, people, caplog):
    """What the audit trail and the logs keep of a person's record: its code, the headers changed."""
    caplog.set_level(logging.DEBUG)
    secrets = ("Secretname", "Hidden University", "sevinj@example.org", "+994 50")
    actor = record_create(
        kind=kind_named("peacebuilding-actors"), actor=people["focal"], plan=events_plan, values=individual()
    )
    made = record_create(
        kind=kind_named("gender-officers"), actor=people["focal"], plan=events_plan, values=officer()
    )
    record_update(
        kind=kind_named("gender-officers"),
        actor=people["focal"],
        record=made,
        values={"name": "Farid Secretname-Other", "position": "Head of unit"},
        version=made.version,
    )
    lines = AuditEvent.objects.all()
    assert lines.count() >= 3
    written = " ".join(
        f"{line.object_label} {line.changes} {line.note} {line.path}" for line in lines
    ) + " ".join(record.getMessage() for record in caplog.records)
    for secret in secrets:
        assert secret not in written
    assert actor.code in written and made.code in written


def test_people_are_kept_five_years(events_plan, people):
    today = clock.moment(None).date()
    for name, values in (("peacebuilding-actors", individual()), ("gender-officers", officer())):
        made = record_create(kind=kind_named(name), actor=people["focal"], plan=events_plan, values=values)
        assert made.retain_until == today + timedelta(days=kind_named(name).retention_days)
        assert 5 * 365 <= kind_named(name).retention_days <= 5 * 366


def test_consent_withdrawn_removes_the_person(events_plan, people):
    kind = kind_named("peacebuilding-actors")
    made = record_create(kind=kind, actor=people["focal"], plan=events_plan, values=individual())
    with pytest.raises(PermissionDenied):  # another agency's focal point cannot
        record_consent_withdraw(actor=people["other_focal"], kind=kind, record=made)
    record_consent_withdraw(actor=people["focal"], kind=kind, record=made)
    assert not kind.model.objects.filter(pk=made.pk).exists()


def test_officer_erased_on_request(events_plan, people):
    """Officers have no consent to withdraw (recorded in their official role), but are erased on request
    by their agency's approver or a coordinator."""
    kind = kind_named("gender-officers")
    made = record_create(kind=kind, actor=people["focal"], plan=events_plan, values=officer())
    with pytest.raises(InvalidInput):
        record_consent_withdraw(actor=people["focal"], kind=kind, record=made)
    assert (
        person_erase(actor=people["approver"], kind=kind, record=made, reason=ErasureReason.PERSON_REQUEST)
        == 1
    )
    assert not kind.model.objects.filter(pk=made.pk).exists()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("talk.mp3", MP3, "mp3"), ("film.mp4", MP4, "mp4"), ("guide.pdf", PDF, "pdf")],
)
def test_a_publication_keeps_its_file(events_plan, people, settings, tmp_path, name, content, kind):
    settings.MEDIA_ROOT = tmp_path
    publications = kind_named("publications")
    made = record_create(
        kind=publications,
        actor=people["focal"],
        plan=events_plan,
        values=publications.examples(Random(9)) | {"activities": "5.2.6.4"},
    )
    stored = record_file_add(
        kind=publications, actor=people["focal"], record=made, name=name, content=content
    )
    stored = RecordFile.objects.get(pk=stored.pk)
    assert stored.kind == kind
    with stored.file.open("rb") as reopened:
        assert reopened.read() == content


@pytest.mark.parametrize(
    ("name", "content"), [("photo.png", PNG), ("page.pdf", HTML), ("x.exe", b"MZ\x90\x00" + b"\x00" * 50)]
)
def test_a_publication_refuses_other_files(events_plan, people, settings, tmp_path, name, content):
    settings.MEDIA_ROOT = tmp_path
    publications = kind_named("publications")
    made = record_create(
        kind=publications,
        actor=people["focal"],
        plan=events_plan,
        values=publications.examples(Random(9)) | {"activities": "5.2.6.4"},
    )
    with pytest.raises(InvalidInput) as refused:
        record_file_add(kind=publications, actor=people["focal"], record=made, name=name, content=content)
    assert refused.value.problems[0].field == "file"
    assert not RecordFile.objects.exists()


def test_people_keep_no_files(events_plan, people):
    kind = kind_named("gender-officers")
    made = record_create(kind=kind, actor=people["focal"], plan=events_plan, values=officer())
    with pytest.raises(InvalidInput):
        record_file_add(kind=kind, actor=people["focal"], record=made, name="cv.pdf", content=PDF)
