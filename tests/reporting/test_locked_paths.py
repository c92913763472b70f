"""Approved, locked data cannot be changed by any path until a coordinator re-opens the period:
the report form, its autosave, evidence upload, the API (edit and every step), the admin, and the
service every import goes through. Each path is tried; the stored figures stay byte for byte."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from wpsnap.accounts.services import token_create
from wpsnap.reporting import services
from wpsnap.reporting.disaggregation import field_name
from wpsnap.reporting.models import IndicatorValue, ProgressReport
from wpsnap.reporting.services import LockedError, ReportInput

from ..conftest import sign_in

pytestmark = pytest.mark.django_db


def _checksum() -> str:
    rows = IndicatorValue.objects.order_by("report_id", "indicator_id", "cell").values_list(
        "report_id", "indicator_id", "cell", "value"
    )
    text = ";".join(f"{r}|{i}|{c}|{v}" for r, i, c, v in rows)
    report_rows = ProgressReport.objects.order_by("pk").values_list("pk", "status", "done", "progress")
    return hashlib.sha256((text + repr(list(report_rows))).encode()).hexdigest()


@pytest.fixture
def locked(people, activity_512_3, period_2020):
    """An approved report (and a second one still in draft) in a locked 2020."""
    focal, approver, coordinator = people["focal"], people["approver"], people["coordinator"]
    report = services.report_start(
        actor=focal, activity=activity_512_3, agency=focal.organisation, period=period_2020
    )
    indicator = activity_512_3.indicators.get()
    services.report_save(
        actor=focal,
        report=report,
        data=ReportInput(
            progress="completed",
            done="Two trainings.",
            values={indicator.pk: {"": "12", "sex:women|age:25-34": "12"}},
        ),
    )
    services.report_submit(actor=focal, report=report)
    services.report_endorse(actor=approver, report=report)
    services.report_approve(actor=coordinator, report=report)
    draft_activity = activity_512_3.priority_area.activities.get(code="5.1.2.2")
    draft = services.report_start(
        actor=focal, activity=draft_activity, agency=focal.organisation, period=period_2020
    )
    services.period_lock(actor=coordinator, period=period_2020)
    return {"approved": report, "draft": draft, "indicator": indicator}


def test_the_form_autosave_and_evidence_refuse(locked, people) -> None:
    """POSTs to the form, its autosave and the evidence upload answer 409 and change nothing."""
    before = _checksum()
    client = sign_in(Client(), people["focal"])
    draft = locked["draft"]
    typed = {"done": "Changed after the lock", "progress": "completed"}
    assert client.post(f"/reports/{draft.pk}/edit/", typed).status_code == 409
    assert client.post(f"/reports/{draft.pk}/autosave/", typed).status_code == 409
    upload = SimpleUploadedFile("late.pdf", b"%PDF-1.4\n%late\n", content_type="application/pdf")
    assert client.post(f"/reports/{draft.pk}/evidence/", {"file": upload}).status_code == 409
    assert _checksum() == before
    assert draft.evidence.count() == 0


def test_the_api_refuses(locked, people) -> None:
    """PATCH and every workflow step through the API answer 409 (the lock, not the person, is what
    refuses them: even the approved report's values and the coordinator's return) and change nothing."""
    before = _checksum()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=people['focal'])}")
    approved, draft = locked["approved"], locked["draft"]
    values = [{"indicator": locked["indicator"].key, "cell": "", "value": 99}]
    assert api.patch(f"/api/v1/reports/{draft.pk}/", {"done": "x"}, format="json").status_code == 409
    assert api.patch(f"/api/v1/reports/{approved.pk}/", {"values": values}, format="json").status_code == 409
    assert api.post(f"/api/v1/reports/{draft.pk}/submit/").status_code == 409
    coordinator = APIClient()
    coordinator.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=people['coordinator'])}")
    response = coordinator.post(
        f"/api/v1/reports/{approved.pk}/return/", {"comment": "Reopen it"}, format="json"
    )
    assert response.status_code == 409
    assert _checksum() == before


def test_the_admin_refuses(locked, people) -> None:
    """The admin is read only: a change to a stored value is refused."""
    before = _checksum()
    client = sign_in(Client(), people["coordinator"])
    value = IndicatorValue.objects.filter(report=locked["approved"]).first()
    response = client.post(
        f"/admin/reporting/indicatorvalue/{value.pk}/change/", {"value": "99", "cell": value.cell}
    )
    assert response.status_code == 403
    assert _checksum() == before


def test_the_service_every_import_uses_refuses(locked, people) -> None:
    """report_save and evidence_add (which imports call) raise LockedError; nothing changes."""
    before = _checksum()
    indicator = locked["indicator"]
    with pytest.raises(LockedError):
        services.report_save(
            actor=people["focal"],
            report=locked["draft"],
            data=ReportInput(values={indicator.pk: {field_name(indicator.pk, ""): "5"}}),
        )
    with pytest.raises(LockedError):
        services.evidence_add(
            actor=people["focal"], report=locked["draft"], name="a.pdf", content=b"%PDF-1.4 x"
        )
    with pytest.raises(LockedError):
        services.report_return(actor=people["coordinator"], report=locked["approved"], comment="Reopen")
    assert _checksum() == before


def test_reopening_lets_corrections_through(locked, people) -> None:
    """After a coordinator re-opens the period with a reason, the draft can be saved again."""
    period = locked["draft"].period
    services.period_reopen(actor=people["coordinator"], period=period, reason="Late figures from MoD.")
    result = services.report_save(
        actor=people["focal"], report=locked["draft"], data=ReportInput(done="Now possible.")
    )
    assert result.ok
