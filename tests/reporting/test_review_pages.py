"""The review pages: the queue per role, a report's read-only page with the steps its reader may take,
comments, history with the difference between versions, and reporting periods with their locks."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.reporting import services
from wpsnap.reporting.models import ProgressReport, ReportTransition
from wpsnap.reporting.services import ReportInput
from wpsnap.reporting.workflow import Status

from .conftest import sign_in

pytestmark = pytest.mark.django_db

CELLS = {"sex:women|age:18-24": "4", "sex:women|age:25-34": "6", "sex:men|age:25-34": "10"}


def _fill(people, report, total="20", cells=CELLS):
    indicator = report.activity.indicators.get()
    result = services.report_save(
        actor=people["focal"],
        report=report,
        data=ReportInput(
            progress="completed",
            done="Three trainings at the Military Academy.",
            values={indicator.pk: {"": total, **cells}},
            financing={"state_budget": {"planned": "1500", "spent": "1200.50"}},
        ),
    )
    assert result.ok, result.problems


@pytest.fixture
def submitted(people, activity_512_3, period_2020):
    """MoD's report on 5.1.2.3 for 2020, filled and submitted by its focal point."""
    report = services.report_start(
        actor=people["focal"],
        activity=activity_512_3,
        agency=people["focal"].organisation,
        period=period_2020,
    )
    _fill(people, report)
    return services.report_submit(actor=people["focal"], report=report)


@pytest.fixture
def endorsed(people, submitted):
    return services.report_endorse(actor=people["approver"], report=submitted)


def _steps(html: str) -> list[str]:
    """The workflow buttons on a page, by their step."""
    return re.findall(r'<button type="submit" class="btn[^"]*" data-step="(\w+)"', html)


def _status(report) -> str:
    return ProgressReport.objects.get(pk=report.pk).status


# --- the queue --------------------------------------------------------------------------------------


def test_queue_shows_each_reviewer_what_waits_for_them(client, people, submitted) -> None:
    """The approver sees their agency's submitted report; the coordinator sees it only once endorsed,
    then once approved under "ready to publish"."""
    sign_in(client, people["approver"])
    page = client.get("/reports/queue/").content.decode()
    assert f'data-report="{submitted.pk}"' in page
    assert "Waiting for your endorsement" in page
    assert f'href="/reports/{submitted.pk}/"' in page

    sign_in(client, people["coordinator"])
    page = client.get("/reports/queue/").content.decode()
    assert f'data-report="{submitted.pk}"' not in page
    services.report_endorse(actor=people["approver"], report=submitted)
    page = client.get("/reports/queue/").content.decode()
    endorsed_section = page.split('data-queue="endorsed"')[1].split('data-queue="approved"')[0]
    assert f'data-report="{submitted.pk}"' in endorsed_section
    assert "5.1.2.3" in endorsed_section and "2020" in endorsed_section

    services.report_approve(actor=people["coordinator"], report=submitted)
    page = client.get("/reports/queue/").content.decode()
    assert f'data-report="{submitted.pk}"' in page.split('data-queue="approved"')[1]
    sign_in(client, people["approver"])
    assert f'data-report="{submitted.pk}"' not in client.get("/reports/queue/").content.decode()


def test_queue_refuses_focal_points_and_evaluators(client, people, make_user, submitted) -> None:
    """Focal points and evaluators get 403; another agency's approver sees nothing of MoD's."""
    for who in ("focal", "evaluator"):
        sign_in(client, people[who])
        assert client.get("/reports/queue/").status_code == 403
    sign_in(client, make_user("approver", "mia", "mia-approver"))
    response = client.get("/reports/queue/")
    assert response.status_code == 200
    assert f'data-report="{submitted.pk}"' not in response.content.decode()
    client.logout()
    assert client.get("/reports/queue/").status_code == 302


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reports/queue/")
    assert response.status_code == 200
    return len(queries)


def _bulk_submitted(reporting, period, agency, count: int) -> None:
    activities = list(reporting.activities.order_by("pk").exclude(reports__period=period)[:count])
    now = timezone.now()
    ProgressReport.objects.bulk_create(
        ProgressReport(
            plan=reporting,
            period=period,
            activity=a,
            agency=agency,
            status=Status.SUBMITTED,
            submitted_at=now,
        )
        for a in activities
    )


def test_queue_query_count_does_not_grow(client, people, reporting, period_2020) -> None:
    """Twenty reports in the queue cost the same queries as two (pinned)."""
    mod = people["approver"].organisation
    sign_in(client, people["approver"])
    client.get("/reports/queue/")  # the first request of a session also writes the session
    _bulk_submitted(reporting, period_2020, mod, 2)
    few = _queue_queries(client)
    _bulk_submitted(reporting, period_2020, mod, 18)
    assert ProgressReport.objects.filter(agency=mod, status=Status.SUBMITTED).count() == 20
    many = _queue_queries(client)
    assert many == few
    # session, user, OTP device, the queue itself
    assert few == 4


# --- a report's page --------------------------------------------------------------------------------


def test_report_page_shows_the_figures_as_a_grid(client, people, submitted) -> None:
    """The total, each cell under its sex and age band, the narrative, financing and evidence links."""
    returned = services.report_return(actor=people["approver"], report=submitted, comment="Add the agenda.")
    evidence = services.evidence_add(
        actor=people["focal"], report=returned, name="agenda.pdf", content=b"%PDF-1.7\n..."
    )
    sign_in(client, people["approver"])
    page = client.get(f"/reports/{submitted.pk}/").content.decode()
    assert '<span data-cell="total">20</span>' in page
    grid = page.split('figures-grid">')[1].split("</table>")[0]
    rows = re.findall(r"<tr><th scope=\"row\" class=\"fw-normal\">(.*?)</th>(.*?)</tr>", grid)
    cells = {label: re.findall(r'<td class="text-end">(.*?)</td>', tds) for label, tds in rows}
    assert cells["Women"] == ["—", "4", "6", "—", "—"]
    assert cells["Men"] == ["—", "—", "10", "—", "—"]
    assert "18–24" in grid  # noqa: RUF001
    assert "Three trainings at the Military Academy." in page
    assert "1200.50" in page
    assert f'href="/reports/evidence/{evidence.pk}/"' in page


def test_approver_may_endorse_or_return_a_submitted_report(client, people, submitted) -> None:
    """On a submitted report of their agency the approver sees Endorse and Return, nothing else; the
    coordinator, focal point and evaluator see none of them."""
    sign_in(client, people["approver"])
    page = client.get(f"/reports/{submitted.pk}/").content.decode()
    assert _steps(page) == ["endorse", "return"]
    assert "waits for your endorsement" in page
    for who in ("coordinator", "focal", "evaluator"):
        sign_in(client, people[who])
        response = client.get(f"/reports/{submitted.pk}/")
        assert response.status_code == 200
        assert _steps(response.content.decode()) == []


def test_coordinator_may_approve_or_return_an_endorsed_report(client, people, endorsed) -> None:
    """On an endorsed report the coordinator sees Approve and Return; the approver no longer sees any."""
    sign_in(client, people["coordinator"])
    assert _steps(client.get(f"/reports/{endorsed.pk}/").content.decode()) == ["approve", "return"]
    sign_in(client, people["approver"])
    assert _steps(client.get(f"/reports/{endorsed.pk}/").content.decode()) == []


def test_focal_point_sees_edit_on_a_returned_report_only(client, people, submitted) -> None:
    """No Edit while the report is under review; Edit once it is returned; no workflow buttons either way."""
    sign_in(client, people["focal"])
    page = client.get(f"/reports/{submitted.pk}/").content.decode()
    assert f'href="/reports/{submitted.pk}/edit/"' not in page
    services.report_return(actor=people["approver"], report=submitted, comment="Add the March training.")
    page = client.get(f"/reports/{submitted.pk}/").content.decode()
    assert f'href="/reports/{submitted.pk}/edit/"' in page
    assert "returned for correction" in page
    assert _steps(page) == []


def test_another_agencys_approver_is_told_nothing(client, people, make_user, submitted) -> None:
    """MIA's approver gets 404 on MoD's report and its history, and the attempt is in the audit trail."""
    mia_approver = make_user("approver", "mia", "mia-approver")
    sign_in(client, mia_approver)
    assert client.get(f"/reports/{submitted.pk}/").status_code == 404
    assert client.get(f"/reports/{submitted.pk}/history/").status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_REFUSED,
        actor=mia_approver,
        object_type="reporting.progressreport",
        object_id=str(submitted.pk),
    ).exists()


# --- workflow steps ---------------------------------------------------------------------------------


def test_approver_endorses_from_the_page(client, people, submitted) -> None:
    """Endorse: the report moves on, the approver lands on the queue with a message saying what happens next."""
    sign_in(client, people["approver"])
    response = client.post(f"/reports/{submitted.pk}/step/endorse/", follow=True)
    assert response.redirect_chain[-1][0] == "/reports/queue/"
    assert "waits for the coordinator" in response.content.decode()
    assert _status(submitted) == Status.ENDORSED


def test_steps_the_user_may_not_take_are_refused_and_change_nothing(
    client, people, make_user, submitted
) -> None:
    """The focal point, the coordinator and the evaluator get 403 on endorse; another agency's approver
    404; an unknown step 404; a step the status does not allow 400. The report stays submitted."""
    url = f"/reports/{submitted.pk}/step/endorse/"
    for who in ("focal", "coordinator", "evaluator"):
        sign_in(client, people[who])
        assert client.post(url).status_code == 403, who
    sign_in(client, make_user("approver", "mia", "mia-approver"))
    assert client.post(url).status_code == 404
    sign_in(client, people["approver"])
    assert client.post(f"/reports/{submitted.pk}/step/submit/").status_code == 404
    response = client.post(f"/reports/{submitted.pk}/step/publish/")
    assert response.status_code == 400
    assert "cannot be published" in response.content.decode()
    assert _status(submitted) == Status.SUBMITTED
    assert not ReportTransition.objects.filter(report=submitted, source=Status.SUBMITTED).exists()
    assert client.get(url).status_code == 405


def test_a_return_needs_a_comment(client, people, endorsed) -> None:
    """Without a comment: 400, the message next to the field, nothing changes. With one: returned, and
    the comment is in the thread."""
    sign_in(client, people["coordinator"])
    response = client.post(f"/reports/{endorsed.pk}/step/return/", {"comment": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say what needs correcting" in page
    assert 'aria-invalid="true"' in page
    assert _status(endorsed) == Status.ENDORSED
    response = client.post(f"/reports/{endorsed.pk}/step/return/", {"comment": "Add the March training."})
    assert response.status_code == 302
    assert _status(endorsed) == Status.RETURNED
    sign_in(client, people["focal"])
    assert "Add the March training." in client.get(f"/reports/{endorsed.pk}/").content.decode()


def test_a_locked_period_answers_409(client, people, endorsed, period_2020) -> None:
    """Once the period is locked, returning an approved report is refused with the lock as the reason."""
    services.report_approve(actor=people["coordinator"], report=endorsed)
    services.period_lock(actor=people["coordinator"], period=period_2020)
    sign_in(client, people["coordinator"])
    page = client.get(f"/reports/{endorsed.pk}/").content.decode()
    assert _steps(page) == ["publish"]
    response = client.post(f"/reports/{endorsed.pk}/step/return/", {"comment": "One more thing."})
    assert response.status_code == 409
    assert "locked" in response.content.decode()
    assert _status(endorsed) == Status.APPROVED
    assert client.post(f"/reports/{endorsed.pk}/step/publish/").status_code == 302
    assert _status(endorsed) == Status.PUBLISHED


# --- comments ---------------------------------------------------------------------------------------


def test_the_comment_thread(client, people, submitted) -> None:
    """The focal point and the approver write in the thread; an empty comment is refused with a message;
    an evaluator may read but not write; htmx gets the thread alone."""
    sign_in(client, people["focal"])
    response = client.post(f"/reports/{submitted.pk}/comment/", {"text": "The agenda follows."})
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{submitted.pk}/#comments"
    response = client.post(f"/reports/{submitted.pk}/comment/", {"text": " "})
    assert response.status_code == 400
    assert "Write the comment first" in response.content.decode()

    sign_in(client, people["approver"])
    response = client.post(
        f"/reports/{submitted.pk}/comment/", {"text": "Thank you."}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section class="plan-section comments" id="comments"')
    assert fragment.index("The agenda follows.") < fragment.index("Thank you.")

    sign_in(client, people["evaluator"])
    page = client.get(f"/reports/{submitted.pk}/").content.decode()
    assert "Thank you." in page and 'class="comment-form"' not in page
    assert client.post(f"/reports/{submitted.pk}/comment/", {"text": "Me too."}).status_code == 403
    assert list(submitted.comments.values_list("text", flat=True)) == ["The agenda follows.", "Thank you."]


# --- history ----------------------------------------------------------------------------------------


def test_history_shows_each_step_and_the_corrections(client, people, submitted) -> None:
    """After a return and a correction, the history lists the steps with the note, and the resubmitted
    version's differences from the returned one."""
    services.report_return(actor=people["approver"], report=submitted, comment="Men 18-24 are missing.")
    _fill(people, submitted, total="25", cells={**CELLS, "sex:men|age:18-24": "5"})
    sign_in(client, people["focal"])
    page = client.get(f"/reports/{submitted.pk}/history/").content.decode()
    assert 'data-change="Total: 20 → 25"' in page  # not yet submitted: shown as pending
    assert "Changes not yet submitted" in page
    services.report_submit(actor=people["focal"], report=submitted)

    response = client.get(f"/reports/{submitted.pk}/history/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Changes not yet submitted" not in page
    assert "Men 18-24 are missing." in page
    assert page.count("→ Returned for correction") == 1
    latest = page.split('data-version="3"')[1]
    assert 'data-change="Total: 20 → 25"' in latest
    assert 'data-change="Men 18–24: (none) → 5"' in latest  # noqa: RUF001
    assert "The first version" in page.split('data-version="1"')[1]


# --- periods ----------------------------------------------------------------------------------------


def _row(page: str, label: str) -> str:
    return page.split(f'data-period="{label}"')[1].split("</tr>")[0]


def test_periods_page_counts_reports_by_status(client, people, submitted, make_user) -> None:
    """Each period with its dates and counts, in a fixed number of queries; a focal point may look but
    not lock."""
    sign_in(client, people["coordinator"])
    client.get("/reports/periods/")  # the first request of a session also writes the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reports/periods/")
    assert response.status_code == 200, [q["sql"] for q in queries]
    # session, user, OTP device, plans, counts (one aggregate), periods with who locked them
    assert len(queries) == 6
    page = response.content.decode()
    row = _row(page, "2020")
    assert "2021-01-31" in row
    counts = re.findall(r'<td class="text-end[^"]*"[^>]*>(\d+)</td>', row)
    assert counts == ["0", "1", "0", "0", "0", "0"]
    # On a phone each count is named by its status (the stacked table's labels).
    labels = re.findall(r'<td class="text-end stack-half" data-label="([^"]+)">', row)
    assert labels == ["Draft", "Submitted", "Endorsed", "Returned", "Approved", "Published"]
    assert "1 report still waits for review" in row
    assert "Approve and lock" in row

    sign_in(client, people["focal"])
    page = client.get("/reports/periods/").content.decode()
    assert "Approve and lock" not in page and "2021-01-31" in page
    assert client.post(f"/reports/periods/{submitted.period_id}/lock/").status_code == 403
    client.logout()
    assert client.get("/reports/periods/").status_code == 302


def test_a_period_locks_only_when_nothing_waits(client, people, submitted, period_2020) -> None:
    """Refused (400, with the reason) while a report waits; after its approval the period locks."""
    sign_in(client, people["coordinator"])
    response = client.post(f"/reports/periods/{period_2020.pk}/lock/")
    assert response.status_code == 400
    assert "1 report still waits for review" in response.content.decode()
    period_2020.refresh_from_db()
    assert not period_2020.is_locked

    services.report_endorse(actor=people["approver"], report=submitted)
    services.report_approve(actor=people["coordinator"], report=submitted)
    response = client.post(f"/reports/periods/{period_2020.pk}/lock/", follow=True)
    assert response.redirect_chain[-1][0] == "/reports/periods/?plan=az-2020-2023"
    assert "is approved and locked" in response.content.decode()
    period_2020.refresh_from_db()
    assert period_2020.is_locked and period_2020.locked_by == people["coordinator"]
    assert "Re-open" in _row(response.content.decode(), "2020")


def test_reopening_needs_a_reason_which_is_audited(client, people, period_2020) -> None:
    """Without a reason: 400 and the message by the field, still locked. With one: open, and the
    reason is in the audit trail."""
    services.period_lock(actor=people["coordinator"], period=period_2020)
    sign_in(client, people["coordinator"])
    url = f"/reports/periods/{period_2020.pk}/reopen/"
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    row = _row(response.content.decode(), "2020")
    assert "Say why the period is re-opened" in row
    period_2020.refresh_from_db()
    assert period_2020.is_locked
    response = client.post(url, {"reason": "MoD sent late figures."})
    assert response.status_code == 302
    period_2020.refresh_from_db()
    assert not period_2020.is_locked
    assert AuditEvent.objects.filter(
        object_type="reporting.reportingperiod",
        object_id=str(period_2020.pk),
        note__contains="MoD sent late figures.",
    ).exists()
