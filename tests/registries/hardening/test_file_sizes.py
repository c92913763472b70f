"""A registry record's file is capped by its own kind's limit (``FileRule.max_bytes``: media 200 MB,
publications 100 MB), under the installation's ceiling ``WPSNAP_REGISTRY_FILE_MAX_BYTES``: a body declared
larger is refused with 413 by its Content-Length before anything reads it; a file that turns out larger
(a body sent without a declared length) is refused naming ``file``, nothing saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse

from wpsnap.core.middleware import BODY_SLACK, body_limit
from wpsnap.registries.kinds import catalogue
from wpsnap.registries.models import RecordFile

from ...core.test_request_limits import declared
from ..conftest import sign_in
from ..kinds_web.conftest import add_records

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def _file_page(kind_name: str, ref) -> str:
    return reverse("registry_kinds:file_add", kwargs={"kind": kind_name, "ref": ref})


@pytest.fixture
def publication(events_plan, people):
    return add_records("publications", people["focal"], events_plan, 1, activities="5.2.6.4")[0]


def test_each_kind_takes_files_up_to_its_own_limit(settings) -> None:
    settings.WPSNAP_REGISTRY_FILE_MAX_BYTES = 200 * MB
    ref = "00000000-0000-4000-8000-000000000000"
    limits = {}
    for kind in catalogue.kinds():
        limits[kind.name] = body_limit(resolve(_file_page(kind.name, ref)).func) - BODY_SLACK
        expected = kind.files.max_bytes if kind.files else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        assert limits[kind.name] == expected, kind.name
    assert limits["media-items"] == 200 * MB and limits["publications"] == 100 * MB
    # The ceiling bounds every kind, read when asked (an installation lowers it in its environment).
    settings.WPSNAP_REGISTRY_FILE_MAX_BYTES = 60 * MB
    assert body_limit(resolve(_file_page("media-items", ref)).func) == 60 * MB + BODY_SLACK
    assert body_limit(resolve(_file_page("publications", ref)).func) == 60 * MB + BODY_SLACK


@pytest.mark.parametrize(("size_mb", "refused"), [(101, True), (99, False)])
def test_a_body_declared_over_the_kinds_limit_is_refused_unread(
    client, people, publication, size_mb, refused, settings
) -> None:
    settings.WPSNAP_REGISTRY_FILE_MAX_BYTES = 200 * MB
    sign_in(client, people["focal"])
    address = _file_page("publications", publication.ref)
    if refused:
        response = client.generic("POST", address, **declared(size_mb * MB))
        assert response.status_code == 413
        assert "larger than 100 MB" in response.content.decode()
    else:
        # Under the limit the body is read (the old 50 MB cap of every registry is gone): the unreadable
        # body of the test says so by failing when read.
        with pytest.raises(AssertionError, match="the body was read"):
            client.generic("POST", address, **declared(size_mb * MB))
    assert not RecordFile.objects.exists()


def test_the_ceiling_refuses_what_the_kind_would_take(client, people, publication, settings) -> None:
    settings.WPSNAP_REGISTRY_FILE_MAX_BYTES = 30 * MB
    sign_in(client, people["focal"])
    response = client.generic("POST", _file_page("publications", publication.ref), **declared(40 * MB))
    assert response.status_code == 413
    assert "larger than 30 MB" in response.content.decode()


def test_a_file_larger_than_the_limit_once_read_is_refused_naming_file(
    client, people, publication, settings, tmp_path
) -> None:
    """Without a Content-Length over the limit (a small ceiling here), the page reads one byte more than
    it takes and refuses the file on the form, naming it; nothing is stored."""
    settings.MEDIA_ROOT = tmp_path
    settings.WPSNAP_REGISTRY_FILE_MAX_BYTES = 1 * MB
    sign_in(client, people["focal"])
    page = _file_page("publications", publication.ref)
    big = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n" + b"0" * MB, content_type="application/pdf")
    response = client.post(page, {"file": big})
    assert response.status_code == 400
    text = response.content.decode()
    assert "larger than 1 MB" in text
    assert not RecordFile.objects.exists()
    small = SimpleUploadedFile("report.pdf", b"%PDF-1.4\nsmall\n", content_type="application/pdf")
    assert client.post(page, {"file": small}).status_code == 302
    assert RecordFile.objects.filter(registry="publications", record_ref=publication.ref).count() == 1
