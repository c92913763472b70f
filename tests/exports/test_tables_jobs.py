"""Big lists go to a background job (kind ``exports.table``): over ``WPSNAP_EXPORT_SYNC_ROWS`` rows the
export answers with the job's page; the real worker writes the file, which is the same file the export
writes while one waits; a participants' list written by a job is audited too; a job whose owner lost the
list's gate fails with that reason, offering no file."""

from __future__ import annotations

import re

import pytest

from wpsnap.core.jobs import Job
from wpsnap.core.models import AuditAction, AuditEvent

from ..conftest import sign_in
from . import test_tables_views as views

pytestmark = pytest.mark.django_db

# The export tests' fixtures: the plan, people of every role, their reports, events and participants.
events_plan = views.events_plan
plan = views.plan
people = views.people
world = views.world
body_of = views.body_of


def _job_of(response) -> Job:
    assert response.status_code == 302, response.content[:300]
    found = re.fullmatch(r"/jobs/([0-9a-f-]{36})/", response["Location"])
    assert found, response["Location"]
    return Job.objects.get(pk=found.group(1))


@pytest.mark.parametrize(
    ("who", "url"),
    [("mod", "/exports/lists/events/?format=xlsx&hxl=1"), ("coordinator", "/exports/lists/reports/?sort=id")],
)
def test_a_big_list_is_written_by_the_worker_as_the_same_file(
    client, settings, run_jobs, people, world, who, url
) -> None:
    """Over the limit the export starts a job and sends the person to its page; the worker writes the
    file; the job's file is byte for byte the one written while waiting (limit raised)."""
    sign_in(client, people[who])
    settings.WPSNAP_EXPORT_SYNC_ROWS = 1
    job = _job_of(client.get(url))
    assert (job.kind, job.owner_id) == ("exports.table", people[who].pk)
    run_jobs()
    job.refresh_from_db()
    assert job.status == "done", job.error
    from_job = body_of(client.get(f"/jobs/{job.pk}/file/"))
    settings.WPSNAP_EXPORT_SYNC_ROWS = 5000
    assert from_job == body_of(client.get(url))


def test_a_participants_job_is_audited_and_fails_when_the_gate_closes(
    client, settings, run_jobs, people, world
) -> None:
    """The coordinator's big participants' list is written by the job and audited with its rows; a
    focal point moved to another agency before the worker runs gets a failed job saying why."""
    settings.WPSNAP_EXPORT_SYNC_ROWS = 1
    url = f"/exports/lists/events/{world['listed'].pk}/participants/"
    sign_in(client, people["coordinator"])
    job = _job_of(client.get(url))
    run_jobs()
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT,
        actor=people["coordinator"],
        note="participants list, 3 rows, csv, with names",
    ).exists()

    sign_in(client, people["mod"])
    job = _job_of(client.get(url))
    people["mod"].organisation = people["mia"].organisation
    people["mod"].save(update_fields=["organisation"])
    run_jobs()
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "This list is no longer one you may see."
