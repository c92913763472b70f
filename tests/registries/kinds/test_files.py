"""Files a registry record carries (media: audio and video too), judged by their content (core.files):
each type taken where the kind allows it, refused elsewhere (an event's materials take no audio)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wpsnap.core.errors import InvalidInput
from wpsnap.core.files import checked_kind, sniff_media
from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.services import record_create, record_delete, record_file_add, record_files
from wpsnap.registries.models import RecordFile

from .conftest import example_row

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 100
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 100
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 100
OGG = b"OggS\x00\x02" + b"\x00" * 100
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 100


@pytest.mark.parametrize(
    ("content", "kind"),
    [(MP3, "mp3"), (MP3_FRAME, "mp3"), (WAV, "wav"), (OGG, "ogg"), (MP4, "mp4"), (WEBM, "webm")],
)
def test_audio_and_video_known_by_content(content, kind):
    assert sniff_media(content) == kind
    assert checked_kind("anything.bin", content, max_bytes=10**6, kinds=(kind, "pdf")) == kind
    # Where audio and video are not taken (evidence, event materials), they are refused.
    with pytest.raises(InvalidInput):
        checked_kind("anything.mp3", content, max_bytes=10**6)


def test_not_media():
    for content in (b"%PDF-1.7 ...", b"\xff\xd8\xff\xe0 jpeg", b"plain text", b"MZ\x90\x00 exe"):
        assert sniff_media(content) is None
    with pytest.raises(InvalidInput) as refused:
        checked_kind("a.pdf", b"%PDF-1.7 ...", max_bytes=10**6, kinds=("mp3",))
    assert refused.value.problems[0].code == "unsupported_type"


@pytest.mark.django_db
def test_a_media_item_keeps_its_recording(events_plan, people, rng, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    kind = catalogue.kind_named("media-items")
    actor = people["focal"]
    item = record_create(
        kind=kind, actor=actor, plan=events_plan, values=example_row(kind, rng, events_plan, actor)
    )
    stored = record_file_add(kind=kind, actor=actor, record=item, name="interview.mp3", content=MP3)
    stored = RecordFile.objects.get(pk=stored.pk)
    assert (stored.kind, stored.size) == ("mp3", len(MP3))
    with stored.file.open("rb") as reopened:
        assert reopened.read() == MP3
    assert record_files(kind, [item]) == {item.ref: [stored]}
    with pytest.raises(InvalidInput):
        record_file_add(
            kind=kind, actor=actor, record=item, name="x.exe", content=b"MZ\x90\x00" + b"\x00" * 50
        )
    outlets = catalogue.kind_named("media-outlets")
    outlet = record_create(
        kind=outlets, actor=actor, plan=events_plan, values=example_row(outlets, rng, events_plan, actor)
    )
    with pytest.raises(InvalidInput):  # outlets keep no files
        record_file_add(kind=outlets, actor=actor, record=outlet, name="a.mp3", content=MP3)
    item.refresh_from_db()
    path = Path(stored.file.path)
    with django_capture_on_commit():
        record_delete(kind=kind, actor=actor, record=item, version=item.version)
    assert not RecordFile.objects.filter(pk=stored.pk).exists()
    assert not path.exists()


def django_capture_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
