"""Background jobs in the API (/api/v1/jobs/): a script that started a job (a large participant import
answers 202 with the job's address in ``Location``) polls it until done, downloads its file and follows
its ``result``; the list is the caller's own jobs; anyone else's job answers 404, as on the pages. Jobs
are run by the real worker (the ``run_jobs`` fixture); query counts pinned."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse

from wpsnap.core.jobs import job_start
from wpsnap.core.models import AuditEvent, Job
from wpsnap.registries.models import Participant

from ..conftest import sign_in
from ..core import job_kinds
from . import token_client
from .test_api_events import people, plan, training  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
LIMIT = 50


@pytest.fixture(autouse=True)
def _small_limit(settings, tmp_path):
    settings.WPSNAP_IMPORT_SYNC_ROWS = LIMIT
    settings.WPSNAP_UPLOAD_SPOOL_DIR = tmp_path / "spool"


def _csv(rows: int) -> BytesIO:
    lines = [b"sex,age,district"] + [b"women,%d,baku" % (18 + n % 60) for n in range(rows)]
    upload = BytesIO(b"\n".join(lines) + b"\n")
    upload.name = "participants.csv"
    return upload


def _start(user, kind: str = "tests.csv", action: str = "account.view") -> Job:
    return job_start(
        owner=user, kind=kind, action=action, params={"year": 2021}, label="People reached, 2021"
    )


def test_a_token_client_polls_its_import_to_done_and_follows_the_result(people, training, run_jobs) -> None:  # noqa: F811
    api = token_client(people["focal"])
    queued = api.post(f"/api/v1/events/{training.pk}/participants/", {"file": _csv(120)}, format="multipart")
    job = Job.objects.get()
    assert queued.status_code == 202
    assert queued["Location"] == f"http://testserver/api/v1/jobs/{job.pk}/"
    assert queued.json()["url"] == f"http://testserver/jobs/{job.pk}/"

    waiting = api.get(queued["Location"])
    assert waiting.status_code == 200
    body = waiting.json()
    assert (body["id"], body["kind"], body["status"]) == (
        str(job.pk),
        "registries.participants_import",
        "queued",
    )
    assert body["progress"] == {"done": 0, "total": 100, "message": ""}
    assert (body["file"], body["result"], body["error"], body["started"], body["finished"]) == (None,) * 5
    assert body["url"] == queued["Location"] and body["page"] == queued.json()["url"]
    assert waiting["Cache-Control"] == "private, no-store"

    run_jobs()

    done = api.get(queued["Location"]).json()
    assert done["status"] == "done" and done["progress"]["done"] == 100 and done["error"] is None
    assert done["started"] and done["finished"]
    assert done["file"] == f"http://testserver/api/v1/jobs/{job.pk}/file/"
    assert (done["file_name"], done["content_type"]) == (
        f"event-{training.pk}-participants-import.txt",
        "text/plain; charset=utf-8",
    )
    receipt = api.get(done["file"])
    assert receipt.status_code == 200
    text = b"".join(receipt.streaming_content)
    assert len(text) == done["size"]
    assert "120 rows added." in text.decode()
    assert receipt["Content-Type"] == "text/plain; charset=utf-8"
    assert receipt["Content-Disposition"] == f'attachment; filename="{done["file_name"]}"'
    assert (receipt["X-Content-Type-Options"], receipt["Cache-Control"]) == ("nosniff", "private, no-store")
    # The same file as the page's download.
    page_client = sign_in(api.__class__(), people["focal"])
    assert b"".join(page_client.get(reverse("jobs:file", args=[job.pk])).streaming_content) == text

    assert done["result"] == {
        "label": "Open the participant list",
        "url": f"http://testserver/events/{training.pk}/participants/",
        "api": f"http://testserver/api/v1/events/{training.pk}/participants/",
    }
    listed = api.get(done["result"]["api"])
    assert listed.status_code == 200 and listed.json()["count"] == 120 == Participant.objects.count()
    # The page offers the same next action first, then the receipt.
    page = page_client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert f'href="/events/{training.pk}/participants/">Open the participant list</a>' in page
    assert page.index("Open the participant list") < page.index(f"/jobs/{job.pk}/file/")
    assert page_client.get(reverse("jobs:list")).content.decode().count("Open the participant list") == 1


def test_a_job_without_a_result_and_a_failed_one(make_user, run_jobs) -> None:
    user = make_user("focal_point")
    api = token_client(user)
    made, refused = _start(user), _start(user, kind="tests.refused")
    run_jobs()
    done = api.get(f"/api/v1/jobs/{made.pk}/").json()
    assert (done["status"], done["result"], done["size"]) == ("done", None, len(job_kinds.CSV))
    assert b"".join(api.get(done["file"]).streaming_content) == job_kinds.CSV
    failed = api.get(f"/api/v1/jobs/{refused.pk}/").json()
    assert failed["status"] == "failed" and "The year 1999 is outside the plan." in failed["error"]
    assert (failed["file"], failed["file_name"], failed["size"], failed["result"]) == (None,) * 4
    assert api.get(f"/api/v1/jobs/{refused.pk}/file/").status_code == 404


def test_someone_elses_job_is_404_and_not_listed(make_user, run_jobs) -> None:
    owner, other = make_user("focal_point", "mod"), make_user("focal_point", "mia")
    job = _start(owner)
    run_jobs()
    api = token_client(other)
    for url in (f"/api/v1/jobs/{job.pk}/", f"/api/v1/jobs/{job.pk}/file/"):
        response = api.get(url)
        assert response.status_code == 404, url
        assert str(job.pk) not in response.content.decode()
    assert api.get("/api/v1/jobs/").json()["count"] == 0
    assert (
        AuditEvent.objects.filter(action="access_refused", object_id=str(job.pk), note="job.view").count()
        == 2
    )
    assert api.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert api.get("/api/v1/jobs/not-a-uuid/").status_code == 404
    anonymous = api.__class__()
    assert anonymous.get(f"/api/v1/jobs/{job.pk}/").status_code == 401
    assert anonymous.get("/api/v1/jobs/").status_code == 401


def test_the_list_is_ones_own_newest_first_while_the_gate_allows(make_user, run_jobs) -> None:
    user, other = make_user("focal_point", "mod"), make_user("focal_point", "mia")
    first, second = _start(user), _start(user)
    _start(other)
    # Started with an action the person may not (or no longer) do: not theirs to see any more.
    hidden = _start(user, action="user.list")
    run_jobs()
    api = token_client(user)
    body = api.get("/api/v1/jobs/").json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [str(second.pk), str(first.pk)]
    assert all(row["status"] == "done" and row["file"] for row in body["results"])
    assert api.get(f"/api/v1/jobs/{hidden.pk}/").status_code == 404
    assert api.get("/api/v1/jobs/?page=2").status_code == 400


def test_query_counts(make_user, run_jobs, django_assert_num_queries) -> None:
    user = make_user("focal_point")
    api = token_client(user)
    jobs = [_start(user) for _ in range(3)]
    run_jobs()
    # The token and its user; the actions of one's jobs; the count; the page.
    with django_assert_num_queries(4):
        assert len(api.get("/api/v1/jobs/").json()["results"]) == 3
    # The token and its user; the job.
    with django_assert_num_queries(2):
        assert api.get(f"/api/v1/jobs/{jobs[0].pk}/").status_code == 200
    with django_assert_num_queries(2):
        response = api.get(f"/api/v1/jobs/{jobs[0].pk}/file/")
        assert response.status_code == 200
        b"".join(response.streaming_content)
