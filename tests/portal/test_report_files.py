# ruff: noqa: F811 - the publishing world's fixtures, imported and used
"""The annual reports a coordinator put on the portal, as the public finds them: listed on the portal's
reports page in every language with their download, in the public API, and copied into the static build
(the same bytes, linked relatively). The files here are small PDFs; the real build is tested in
tests/publishing/test_report_files.py."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from wpsnap.portal.static_build import portal_build
from wpsnap.publishing.report_files import public_report_publish, public_report_withdraw

from ..publishing.conftest import events_plan, people, plan, world  # noqa: F401 - fixtures
from ..publishing.report_file_jobs import SLUG, finished_job

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% the public annual report\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _put(people, **options):
    coordinator = people["coordinator"]
    return public_report_publish(actor=coordinator, job=finished_job(coordinator, PDF, **options))


def _download(first: int, last: int, language: str) -> str:
    return reverse("exports:open_report", args=[SLUG, first, last, language, "pdf"])


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_the_reports_page_lists_the_files_in_every_language(world, people, lang) -> None:
    """Each file with its title, its own language by its own name, format, size and date, linking to its
    download; the download answers."""
    _put(people, language="ru")
    page = Client().get(f"/{lang}/plans/{SLUG}/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    section = html.split('id="annual-reports"')[1]
    assert f'href="{_download(2021, 2021, "ru")}"' in section
    assert "Русский" in section and "PDF" in section
    assert 'scope="row"' in section and "<caption" in section
    if lang == "en":
        assert "Annual progress report 2021" in section
    assert Client().get(_download(2021, 2021, "ru")).status_code == 200


def test_nothing_listed_before_a_file_is_put_there_or_after_it_is_withdrawn(world, people) -> None:
    html = Client().get(f"/en/plans/{SLUG}/reports/").content.decode()
    assert "No annual report has been put on the portal yet." in html
    stored = _put(people)
    assert _download(2021, 2021, "en") in Client().get(f"/en/plans/{SLUG}/reports/").content.decode()
    public_report_withdraw(actor=people["coordinator"], file=stored, reason="Wrong cover.")
    html = Client().get(f"/en/plans/{SLUG}/reports/").content.decode()
    assert _download(2021, 2021, "en") not in html
    assert "No annual report has been put on the portal yet." in html


def test_the_reports_page_reads_in_a_fixed_number_of_queries(
    world, people, django_assert_num_queries
) -> None:
    """Files or none, the page asks 13 queries with the figures in the cache (one for the files)."""
    client = Client()
    for options in ({}, {"first_year": 2020, "last_year": 2023}, {"language": "az"}):
        _put(people, **options)
        client.get(f"/en/plans/{SLUG}/reports/")
        with django_assert_num_queries(13):
            assert client.get(f"/en/plans/{SLUG}/reports/").status_code == 200


def test_the_public_api_lists_the_files(world, people) -> None:
    """``/api/v1/public/plans/<slug>/reports/``, anonymously: each live file with its years, language,
    format, size, checksum, dates and absolute download address; annual reports first, then the review."""
    review = _put(people, first_year=2020, last_year=2023)
    annual = _put(people)
    response = Client().get(f"/api/v1/public/plans/{SLUG}/reports/")
    assert response.status_code == 200
    body = response.json()
    assert [(f["first_year"], f["last_year"]) for f in body] == [(2021, 2021), (2020, 2023)]
    first = body[0]
    assert (first["language"], first["format"], first["size"], first["sha256"]) == (
        "en",
        "pdf",
        annual.size,
        annual.sha256,
    )
    assert first["title"] == "Annual progress report 2021"
    assert body[1]["title"] == review.title
    assert first["url"] == f"http://testserver{_download(2021, 2021, 'en')}"
    assert Client().get("/api/v1/public/plans/no-such-plan/reports/").status_code == 404


def test_the_static_build_holds_the_files(world, people, tmp_path) -> None:
    """The build copies each file the reports page links, byte for byte, and the page links it
    relatively."""
    _put(people)
    out = tmp_path / "site"
    portal_build(outdir=out, languages=["en"], plan=world.plan)
    copied = out / "exports" / "open" / SLUG / "reports" / "2021-2021" / "en.pdf"
    assert copied.read_bytes() == PDF
    page = (out / "en" / "plans" / SLUG / "reports" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*en\.pdf)"', page)
    assert links and all(not link.startswith("/") for link in links)
    assert ((out / "en" / "plans" / SLUG / "reports") / links[0]).resolve() == copied.resolve()
