"""The upload spool: an upload too large for memory is written to the platform's private folder, never
the system's temp folder, and ``wpsnap uploads sweep`` removes what killed requests left there (and
expired idempotency keys), printing counts and no names."""

from __future__ import annotations

import os
import stat
import tempfile
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.utils import timezone

from wpsnap.core.models import IdempotencyKey
from wpsnap.core.spool import spool_dir


def sweep(*args: str) -> str:
    out = StringIO()
    call_command("uploads", "sweep", *args, stdout=out)
    return out.getvalue()


def _aged(path: Path, hours: float) -> Path:
    path.write_bytes(b"sex,age,name\nwomen,30,Aysel\n")
    then = time.time() - hours * 3600
    os.utime(path, (then, then))
    return path


@pytest.fixture
def spool(tmp_path):
    """A spool folder of the test's own (the setting), empty."""
    folder = tmp_path / "spool"
    with override_settings(WPSNAP_UPLOAD_SPOOL_DIR=folder, FILE_UPLOAD_TEMP_DIR=str(folder)):
        yield folder


def test_a_large_upload_spools_into_the_platforms_private_folder() -> None:
    """Django writes an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE to WPSNAP_UPLOAD_SPOOL_DIR
    (0700), not to the system's temp folder where other users and processes look."""
    content = b"sex,age,name\n" + b"women,30,Aysel\n" * 400
    upload = SimpleUploadedFile("participants.csv", content, content_type="text/csv")
    request = RequestFactory().post("/events/1/participants/import/", {"file": upload})
    with override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1024):
        spooled = request.FILES["file"]
        assert isinstance(spooled, TemporaryUploadedFile)
        where = Path(spooled.temporary_file_path()).parent
        spooled.close()
    assert where == Path(settings.WPSNAP_UPLOAD_SPOOL_DIR)
    assert where != Path(tempfile.gettempdir())
    assert stat.S_IMODE(where.stat().st_mode) == 0o700


def test_the_spool_folder_is_made_private(spool) -> None:
    """The folder is made when missing, and a folder others could read is made private again."""
    assert stat.S_IMODE(spool_dir().stat().st_mode) == 0o700
    spool.chmod(0o755)
    assert stat.S_IMODE(spool_dir().stat().st_mode) == 0o700


@pytest.mark.django_db
def test_the_sweep_removes_files_older_than_a_day_and_keeps_newer_ones(spool) -> None:
    """Files left for more than 24 hours go (a link among them, never followed); a file written an
    hour ago, as an upload in progress would be, stays. The output gives counts, not names."""
    spool_dir()
    outside = _aged(spool.parent / "outside.csv", 48)
    old = [_aged(spool / "upload-a.upload.csv", 30), _aged(spool / "upload-b.upload", 25)]
    link = spool / "link-out"
    link.symlink_to(outside)
    os.utime(link, (time.time() - 48 * 3600,) * 2, follow_symlinks=False)
    new = _aged(spool / "upload-c.upload", 1)
    output = sweep()
    assert [p.exists() for p in old] == [False, False]
    assert not link.is_symlink()
    assert outside.exists()
    assert new.exists()
    assert "3 files removed" in output
    assert "1 newer kept" in output
    assert "upload-" not in output
    assert "Aysel" not in output


@pytest.mark.django_db
def test_hours_chooses_the_age_and_is_parsed_strictly(spool) -> None:
    """--hours 0.5 removes a file an hour old; a value that is not a number of hours is refused."""
    spool_dir()
    hour_old = _aged(spool / "upload-d.upload", 1)
    assert "1 file removed" in sweep("--hours", "0.5")
    assert not hour_old.exists()
    with pytest.raises(Exception, match="not a number of hours"):
        sweep("--hours", "½")


@pytest.mark.django_db
def test_the_sweep_removes_expired_idempotency_keys(spool) -> None:
    """Keys older than WPSNAP_IDEMPOTENCY_KEY_DAYS are removed; younger ones still answer retries."""
    old = IdempotencyKey.objects.create(scope="participants.import", key="old", request_sha256="0" * 64)
    IdempotencyKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.WPSNAP_IDEMPOTENCY_KEY_DAYS, hours=1)
    )
    young = IdempotencyKey.objects.create(scope="participants.import", key="young", request_sha256="0" * 64)
    output = sweep()
    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [young.pk]
    assert "Idempotency keys: 1 older than 7 days removed." in output
