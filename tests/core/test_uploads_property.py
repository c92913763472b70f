"""Uploaded files are judged by their content, everywhere files are taken (issue 15, "uploaded files checked
by content"). A file whose name or declared type lies (a program, a web page, an SVG, a zip bomb, a ZIP that
is no office document, a polyglot that is HTML and something else) is refused at every upload endpoint,
through the real pages and API: the report's evidence, an event's files, a registry record's files, the
participants' import (page and API) and a registry's import (page and API); refused naming the ``file``
field, with no row and no stored file added. And, without the database, hypothesis properties of the
judge (``core.files.checked_kind``): any bytes under any name are one of the known types or refused with
``InvalidInput`` naming ``file``; the name never changes the verdict; what passes as text is never
markup."""

from __future__ import annotations

import io
import zipfile
from functools import cache
from pathlib import Path
from random import Random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import BaseForm
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from wpsnap.core import files
from wpsnap.core.errors import InvalidInput

from ..api import token_client
from ..conftest import fields_of, sign_in
from ..registries.conftest import events_plan, people, training  # noqa: F401 - fixtures asked for by name

# --- the files that lie ---------------------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


OFFICE = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/accounts/me/')</script></body></html>"
PDF_TAIL = b"\n%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# (what it is, the name it is sent under, the type it is declared as, its bytes)
@cache
def liars() -> list[tuple[str, str, str, bytes]]:
    """Made when first asked for (a zip bomb takes a second to pack), not when the suite is collected."""
    return [
        (
            "a Windows program",
            "report.pdf",
            "application/pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00",
        ),
        ("a Linux program", "scan.png", "image/png", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56),
        ("a web page", "scan.png", "image/png", HTML),
        (
            "a web page in UTF-8 with a byte-order mark",
            "minutes.pdf",
            "application/pdf",
            b"\xef\xbb\xbf  " + HTML,
        ),
        (
            "an SVG image with a script",
            "chart.png",
            "image/png",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
        ),
        ("a web page then a PDF (polyglot)", "report.pdf", "application/pdf", HTML + PDF_TAIL),
        (
            "a GIF header then a script (polyglot)",
            "photo.png",
            "image/png",
            b"GIF89a/*<script>alert(1)</script>*/",
        ),
        (
            "an audio header then a web page (polyglot)",
            "song.mp3",
            "audio/mpeg",
            b"ID3\x04\x00\x00\x00\x00\x00\x00" + HTML,
        ),
        (
            "a video header then a web page (polyglot)",
            "clip.mp4",
            "video/mp4",
            b"\x00\x00\x00\x18ftypisom" + HTML,
        ),
        (
            "a Java archive",
            "list.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _zip({"META-INF/MANIFEST.MF": b"Main-Class: Evil\n", "Evil.class": b"\xca\xfe\xba\xbe"}),
        ),
        (
            "a spreadsheet of more than 2,000 files (zip bomb)",
            "list.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _zip({**OFFICE, **{f"xl/worksheets/sheet{i}.xml": b"" for i in range(files.MAX_MEMBERS)}}),
        ),
        (
            "a spreadsheet that unpacks to 201 MB (zip bomb)",
            "list.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _zip({**OFFICE, "xl/sharedStrings.xml": b"\x00" * (files.MAX_UNZIPPED + 1024 * 1024)}),
        ),
    ]


# --- the endpoints that take files ---------------------------------------------------------------------


@pytest.fixture
def private_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    return Path(tmp_path)


@pytest.fixture
def targets(request, private_files):
    """What each endpoint uploads to: MoD's report, MoD's training, one of its publications (the
    registries' fixtures, imported above, asked for by name)."""
    from wpsnap.registries.kinds import catalogue
    from wpsnap.registries.kinds.services import record_create
    from wpsnap.reporting import services

    plan, users, event = (request.getfixturevalue(n) for n in ("events_plan", "people", "training"))
    focal = users["focal"]
    activity = plan.activities.get(code="5.1.2.3")
    period = plan.reporting_periods.get(label="2021")
    report = services.report_start(actor=focal, activity=activity, agency=focal.organisation, period=period)
    publications = catalogue.kind_named("publications")
    assert publications is not None and publications.examples is not None
    values = {**publications.examples(Random(15)), "activities": "5.2.6.4"}
    record = record_create(kind=publications, actor=focal, plan=plan, values=values)
    return {"report": report, "event": event, "record": record, "plan": plan, "people": users}


def _page(client, url: str, upload: SimpleUploadedFile, **extra: str):
    return client.post(url, {"file": upload, **extra})


ENDPOINTS = {
    "evidence page": lambda t: ("page", f"/reports/{t['report'].pk}/evidence/", {}),
    "event file page": lambda t: ("page", f"/events/{t['event'].pk}/files/", {"purpose": "materials"}),
    "registry record file page": lambda t: (
        "page",
        reverse("registry_kinds:file_add", kwargs={"kind": "publications", "ref": t["record"].ref}),
        {},
    ),
    "participants import page": lambda t: ("page", f"/events/{t['event'].pk}/participants/import/", {}),
    "participants API": lambda t: ("api", f"/api/v1/events/{t['event'].pk}/participants/", {}),
    "registry import page": lambda t: (
        "page",
        reverse("registry_kinds:import", kwargs={"kind": "publications"}) + f"?plan={t['plan'].slug}",
        {},
    ),
    "registry import API": lambda t: ("api", "/api/v1/registries/publications/import/", {}),
}


# The endpoints that read rows from a file and keep no file.
IMPORTS = {"participants import page", "participants API", "registry import page", "registry import API"}


def _state(storage: Path) -> tuple:
    """Every row an upload could add, and the files on disk."""
    from wpsnap.registries.models import EventFile, Participant, ParticipantImport, RecordFile, RecordImport
    from wpsnap.registries.publications.models import Publication
    from wpsnap.reporting.models import Evidence

    rows = tuple(
        model.objects.count()
        for model in (
            Evidence,
            EventFile,
            RecordFile,
            Participant,
            ParticipantImport,
            Publication,
            RecordImport,
        )
    )
    return rows, sorted(str(p) for p in storage.rglob("*") if p.is_file())


def _form_fields_with_errors(response) -> set[str]:
    """The fields a page names as wrong: its forms' errors, and the problems an import page lists."""
    found: set[str] = set()
    for context in response.context or []:
        for key, value in context.flatten().items():
            if isinstance(value, BaseForm):
                found |= set(value.errors)
            elif key == "problems":
                found |= {problem.field for problem in value}
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_a_file_that_lies_about_its_type_is_refused_at_every_endpoint(
    client, targets, private_files, endpoint
) -> None:
    how, url, extra = ENDPOINTS[endpoint](targets)
    focal = targets["people"]["focal"]
    sign_in(client, focal)
    api = token_client(focal)
    for what, name, declared, content in liars():
        before = _state(private_files)
        upload = SimpleUploadedFile(name, content, content_type=declared)
        if how == "api":
            response = api.post(url, {"file": upload, **extra}, format="multipart")
            assert response.status_code == 400, (what, response.status_code, response.content[:300])
            fields = set(fields_of(response))
        else:
            response = _page(client, url, upload, **extra)
            assert response.status_code == 400, (what, response.status_code, response.content[:300])
            fields = _form_fields_with_errors(response)
        if endpoint in IMPORTS and what.startswith("a GIF header"):
            # Text that a spreadsheet program would open as one: read as rows, refused by its header
            # (nothing kept, nothing stored, the file never sent back).
            assert fields and all(field.startswith("columns") for field in fields), (what, fields)
        else:
            assert fields == {"file"}, (what, fields)
        assert _state(private_files) == before, what


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["evidence page", "event file page", "registry record file page"])
def test_a_real_pdf_under_a_lying_name_is_kept_as_the_pdf_it_is(
    client, targets, private_files, endpoint
) -> None:
    """The other half of judging by content: a PDF named "list.xlsx" is taken as a PDF (where PDFs are
    taken) and stored as one, whatever its name and declared type said."""
    from wpsnap.core.models import StoredFile

    _how, url, extra = ENDPOINTS[endpoint](targets)
    sign_in(client, targets["people"]["focal"])
    pdf = b"%PDF-1.4" + PDF_TAIL
    upload = SimpleUploadedFile("list.xlsx", pdf, content_type="application/vnd.ms-excel")
    response = _page(client, url, upload, **extra)
    assert response.status_code == 302
    stored = [
        row
        for model in StoredFile.__subclasses__()
        for row in model.objects.filter(original_name="list.xlsx")  # type: ignore[attr-defined]
    ]
    assert [(row.kind, row.download_name()) for row in stored] == [("pdf", "list.pdf")]


# --- the judge, by itself ------------------------------------------------------------------------------

NAMES = st.sampled_from(["report.pdf", "scan.png", "list.xlsx", "notes.txt", "song.mp3", "x", "", "a.exe"])
KINDS = st.sampled_from([None, ("pdf", "docx"), ("pdf", "docx", *files.MEDIA_KINDS), files.MEDIA_KINDS])
MAGIC = st.sampled_from(
    [
        *(b"", b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"PK\x03\x04", b"ID3", b"OggS"),
        *(b"RIFF\x00\x00\x00\x00WAVE", b"\x00\x00\x00\x18ftyp", b"\x1a\x45\xdf\xa3webm"),
        *(b"<html>", b"\xef\xbb\xbf<svg ", b"MZ"),
    ]
)
CONTENTS = st.one_of(
    st.binary(max_size=300),
    st.tuples(MAGIC, st.binary(max_size=200)).map(lambda p: p[0] + p[1]),
    st.tuples(MAGIC, st.text(max_size=200)).map(lambda p: p[0] + p[1].encode("utf-8", "surrogatepass")),
)


def _verdict(name: str, content: bytes, kinds) -> str:
    try:
        return files.checked_kind(name, content, max_bytes=1024, kinds=kinds)
    except InvalidInput as refused:
        assert [p.field for p in refused.problems] == ["file"]
        return "refused: " + refused.problems[0].code


@settings(max_examples=150, deadline=None)
@given(content=CONTENTS, name=NAMES, other=NAMES, kinds=KINDS)
def test_any_bytes_are_a_known_type_or_refused_and_the_name_never_counts(content, name, other, kinds) -> None:
    verdict = _verdict(name, content, kinds)
    assert verdict == _verdict(other, content, kinds)
    if not verdict.startswith("refused"):
        assert verdict in files.CONTENT_TYPES
        assert kinds is None or verdict in kinds
        assert not files.is_markup(content)
        assert files.download_name_for(name, verdict).lower().endswith(files.EXTENSIONS[verdict])


@settings(max_examples=100, deadline=None)
@given(
    prefix=MAGIC,
    junk=st.binary(max_size=100),
    tag=st.sampled_from(["<script>", "<svg onload=x>", "<html>", "<iframe src=x>", "<SCRIPT/x>"]),
)
def test_markup_anywhere_in_a_file_taken_as_text_or_media_is_refused(prefix, junk, tag) -> None:
    """A file whose head is no document's but which holds a script tag is never stored as text, audio or
    video (a browser sniffing it would run it)."""
    content = prefix + junk.replace(b"\x00", b"") + tag.encode()
    verdict = _verdict("file.mp3", content, ("pdf", "png", "jpeg", "docx", "xlsx", "txt", *files.MEDIA_KINDS))
    assert verdict.startswith("refused") or verdict in ("pdf", "png", "jpeg", "docx", "xlsx"), verdict
