"""The coordinator's side of the public report files, on the report pages (``/exports/plans/<slug>/reports/``):
each report's files on the portal with a form to take one off, and a form putting one of the person's own
finished public builds there; POST, gated, CSRF, then back to the page with a message. The pages are about
the forms: the files here are small PDFs (the real build is tested in tests/publishing/test_report_files.py)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from wpsnap.core.models import AuditEvent
from wpsnap.publishing.models import PublicReportFile

from ..conftest import sign_in
from ..publishing.report_file_jobs import SLUG, finished_job

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _list() -> str:
    return reverse("exports:reports", args=[SLUG])


def _publish(first: int = 2021, last: int = 2021) -> str:
    return reverse("exports:report_file_publish", args=[SLUG, first, last])


def _withdraw(pk: int) -> str:
    return reverse("exports:report_file_withdraw", args=[SLUG, pk])


def _card(html: str, span: str) -> str:
    return html.split(f'data-report="{span}"')[1].split("</li>")[0]


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_coordinator_puts_a_build_on_the_portal_from_the_reports_page(make_user) -> None:
    """The 2021 card offers the coordinator's finished public PDF (not their internal build, nor another
    person's); posting it puts it on the portal and comes back to the card with a message; the card then
    lists it with a form to take it off, and offers the build no more."""
    coordinator = make_user("coordinator")
    job = finished_job(coordinator, PDF)
    internal = finished_job(coordinator, PDF, public=False)
    others = finished_job(make_user("coordinator", "scfwca", "other-coordinator"), PDF)
    client = sign_in(Client(), coordinator)
    card = _card(client.get(_list()).content.decode(), "2021-2021")
    assert f'value="{job.pk}"' in card
    assert f'value="{internal.pk}"' not in card and f'value="{others.pk}"' not in card
    assert f'action="{_publish()}"' in card
    response = client.post(_publish(), {"job": str(job.pk)})
    assert response.status_code == 302
    assert response["Location"] == f"{_list()}#report-2021-2021"
    assert _messages(response) == [
        "Annual progress report 2021 (English, PDF) is on the public portal: anyone may download it."
    ]
    stored = PublicReportFile.objects.get()
    assert (stored.job_id, stored.published_by) == (job.pk, coordinator)
    card = _card(client.get(_list()).content.decode(), "2021-2021")
    assert f'data-file="{stored.pk}"' in card
    assert f'action="{_withdraw(stored.pk)}"' in card
    assert f'value="{job.pk}"' not in card


def test_a_refusal_comes_back_as_a_message_and_nothing_is_stored(make_user) -> None:
    """A build of another report than the card's, or the internal version, is refused with a message."""
    coordinator = make_user("coordinator")
    client = sign_in(Client(), coordinator)
    other_year = finished_job(coordinator, PDF, first_year=2022, last_year=2022)
    response = client.post(_publish(), {"job": str(other_year.pk)})
    assert response.status_code == 302
    assert _messages(response) == ["This build is of another report."]
    internal = finished_job(coordinator, PDF, public=False)
    assert "internal version" in _messages(client.post(_publish(), {"job": str(internal.pk)}))[-1]
    assert not PublicReportFile.objects.exists()


def test_another_persons_build_is_404_and_a_bad_id_is_400(make_user) -> None:
    """A job that is not the person's own is outside their scope (404, audited); a job id that is not one
    is 400 naming ``job``."""
    others = finished_job(make_user("coordinator", "scfwca", "other-coordinator"), PDF)
    client = sign_in(Client(), make_user("coordinator"))
    assert client.post(_publish(), {"job": str(others.pk)}).status_code == 404
    assert AuditEvent.objects.filter(action="access_refused", object_id=str(others.pk)).exists()
    bad = client.post(_publish(), {"job": "not-a-job"})
    assert bad.status_code == 400
    assert "<code>job</code>" in bad.content.decode()
    assert not PublicReportFile.objects.exists()


def test_taking_a_file_off_needs_a_reason(make_user) -> None:
    """Without a reason: a message, the file stays. With one: it leaves the portal, and the page says so."""
    coordinator = make_user("coordinator")
    client = sign_in(Client(), coordinator)
    client.post(_publish(), {"job": str(finished_job(coordinator, PDF).pk)})
    stored = PublicReportFile.objects.get()
    client.get(_list())  # the message of putting it there, shown
    refused = client.post(_withdraw(stored.pk), {"reason": " "})
    assert refused.status_code == 302
    assert _messages(refused) == ["Say why it is taken off the portal; the reason is recorded."]
    stored.refresh_from_db()
    assert stored.withdrawn_at is None
    client.get(_list())
    done = client.post(_withdraw(stored.pk), {"reason": "Wrong year on the cover."})
    assert done.status_code == 302
    assert _messages(done) == [
        "Annual progress report 2021 (English, PDF) is no longer on the public portal."
    ]
    stored.refresh_from_db()
    assert stored.withdrawn_reason == "Wrong year on the cover."
    assert f'data-file="{stored.pk}"' not in client.get(_list()).content.decode()


@pytest.mark.parametrize("role", ["focal_point", "evaluator", "approver", "ngo_contributor"])
def test_others_see_the_files_but_not_the_forms(make_user, role) -> None:
    """Everyone on the reports page sees what is on the portal; only coordinators get the forms, and
    anyone else's POST is refused (403)."""
    coordinator = make_user("coordinator")
    sign_in(Client(), coordinator).post(_publish(), {"job": str(finished_job(coordinator, PDF).pk)})
    stored = PublicReportFile.objects.get()
    person = make_user(role)
    client = sign_in(Client(), person)
    card = _card(client.get(_list()).content.decode(), "2021-2021")
    assert f'data-file="{stored.pk}"' in card
    assert "<form" in card  # the build form
    assert _withdraw(stored.pk) not in card and _publish() not in card
    assert client.post(_publish(), {"job": str(finished_job(person, PDF).pk)}).status_code == 403
    assert client.post(_withdraw(stored.pk), {"reason": "Mine."}).status_code == 403
    stored.refresh_from_db()
    assert stored.withdrawn_at is None


def test_posting_only_and_csrf(make_user) -> None:
    """Both endpoints answer POST only, and a POST without the CSRF token is refused (403)."""
    coordinator = make_user("coordinator")
    job = finished_job(coordinator, PDF)
    client = sign_in(Client(), coordinator)
    assert client.get(_publish()).status_code == 405
    strict = sign_in(Client(enforce_csrf_checks=True), coordinator)
    assert strict.post(_publish(), {"job": str(job.pk)}).status_code == 403
    assert not PublicReportFile.objects.exists()


def test_the_reports_page_reads_in_a_fixed_number_of_queries(make_user, django_assert_num_queries) -> None:
    """The list adds two queries for a coordinator (the files on the portal with who put them there, and
    their own builds) whatever their number: 7."""
    coordinator = make_user("coordinator")
    client = sign_in(Client(), coordinator)
    client.get(_list())
    for year in (2020, 2021):
        job = finished_job(coordinator, PDF, first_year=year, last_year=year)
        client.post(_publish(year, year), {"job": str(job.pk)})
        finished_job(coordinator, PDF, first_year=year, last_year=year, language="ru")
        with django_assert_num_queries(7):
            assert client.get(_list()).status_code == 200
