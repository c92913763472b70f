"""Evidence files judged by their content (issue 9, item 6): a zip bomb is named as one, HTML and SVG are
refused whatever their name, and a download's name ends with its type's extension."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wpsnap.core.errors import InvalidInput
from wpsnap.core.files import MAX_UNZIPPED, checked_kind, download_name_for
from wpsnap.reporting import services
from wpsnap.reporting.models import Evidence, ProgressReport

from .conftest import sign_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CT = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


@pytest.fixture
def report(people, activity_512_3, period_2020) -> ProgressReport:
    """MoD's draft report on 5.1.2.3 for 2020."""
    return services.report_start(
        actor=people["focal"],
        activity=activity_512_3,
        agency=people["focal"].organisation,
        period=period_2020,
    )


def docx_bomb() -> bytes:
    """A Word document that unpacks to 210 MB of one repeated byte (about 200 KB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CT)
        with archive.open("word/document.xml", "w", force_zip64=True) as target:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(MAX_UNZIPPED // len(chunk) + 10):
                target.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_is_named_as_unpacking_too_large() -> None:
    """A small office document that unpacks beyond the limit is refused saying so, not as "not a PDF,
    image, office document or text file"."""
    with pytest.raises(InvalidInput) as raised:
        checked_kind("minutes.docx", docx_bomb(), max_bytes=20 * 1024 * 1024)
    assert str(raised.value.problems[0]).startswith("file: “minutes.docx” unpacks to more than 200 MB")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "list.pdf"),
        (b"\xef\xbb\xbf  <html><body>Results</body></html>", "results.txt"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "chart.png"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "chart.svg"),
        (b"Minutes of the meeting\n<script>alert(1)</script>", "minutes.txt"),
    ],
)
def test_html_and_svg_are_refused_whatever_their_name(content, name) -> None:
    """HTML, SVG and XML are refused as evidence (they could carry scripts), judged by content."""
    with pytest.raises(InvalidInput) as raised:
        checked_kind(name, content, max_bytes=1024)
    assert [str(problem) for problem in raised.value.problems] == [
        f"file: “{name}” is a web page or an SVG image (HTML, SVG or XML, judged by its content), which "
        "could carry scripts, so it is refused. Save it as PDF."
    ]


@pytest.mark.parametrize(
    "content", [b"Notes: 12 < 20 participants, <women> and men", b"a <b and c> d", b"3 <= 4"]
)
def test_text_with_angle_brackets_is_still_text(content) -> None:
    """Plain notes that merely hold a "<" are kept as text."""
    assert checked_kind("notes.txt", content, max_bytes=1024) == "txt"


@pytest.mark.parametrize(
    ("name", "kind", "sent"),
    [
        ("report.txt", "pdf", "report.pdf"),
        ("report", "pdf", "report.pdf"),
        ("Report.PDF", "pdf", "Report.PDF"),
        ("photo.jpg", "jpeg", "photo.jpg"),
        ("photo.png", "jpeg", "photo.jpg"),
        ("minutes.html", "txt", "minutes.txt"),
        ("v2.final draft", "docx", "v2.final draft.docx"),
        ("", "pdf", "evidence.pdf"),
    ],
)
def test_a_downloads_name_ends_with_its_types_extension(name, kind, sent) -> None:
    """The name a file is downloaded under ends with an extension of its detected type."""
    assert download_name_for(name, kind, "evidence") == sent


def test_a_pdf_uploaded_as_text_is_downloaded_as_a_pdf(client, people, report) -> None:
    """A PDF uploaded as "report.txt" is kept as a PDF and served as "report.pdf": attachment, nosniff."""
    sign_in(client, people["focal"])
    upload = SimpleUploadedFile("report.txt", PDF, content_type="text/plain")
    assert client.post(f"/reports/{report.pk}/evidence/", {"file": upload}).status_code == 302
    evidence = Evidence.objects.get(report=report)
    assert (evidence.kind, evidence.original_name) == ("pdf", "report.txt")
    download = client.get(f"/reports/evidence/{evidence.pk}/")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"


def test_html_evidence_is_refused_on_the_page(client, people, report) -> None:
    """The report form refuses an HTML file named .pdf, saying why; nothing is kept."""
    sign_in(client, people["focal"])
    upload = SimpleUploadedFile("list.pdf", b"<html><script>alert(1)</script></html>")
    response = client.post(f"/reports/{report.pk}/evidence/", {"file": upload})
    assert response.status_code == 400
    assert "is a web page or an SVG image" in response.content.decode()
    assert not Evidence.objects.filter(report=report).exists()
