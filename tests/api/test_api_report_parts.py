"""What a report and an event keep beside their content, through the API: a report's evidence (what each
file is, and the file), comments, workflow steps and versions; a period by id; an event's files; a topic
by code. Each is read by whoever may read its report or event, another agency's answers 404 (audited),
and the lists are paged in a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from wpsnap.accounts.models import Organisation, Role, User
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.plan.models import Plan
from wpsnap.registries.models import Event
from wpsnap.registries.services.events import EventInput, event_create, event_file_add
from wpsnap.reporting import services
from wpsnap.reporting.models import ProgressReport

from ..conftest import fields_of
from . import person, token_client

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\nagenda\n"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Refusals are throttled per address; each test starts with a clean count."""
    cache.clear()


@pytest.fixture
def plan(az_plan) -> Plan:
    from wpsnap.registries.services.setup import events_setup, read_districts

    from ..registries.conftest import DISTRICTS

    services.reporting_setup(plan=az_plan)
    events_setup(plan=az_plan, districts=read_districts(DISTRICTS))
    return az_plan


@pytest.fixture
def people(plan) -> dict[str, User]:
    mod = Organisation.objects.get(country="AZ", key="mod")
    mia = Organisation.objects.get(country="AZ", key="mia")
    return {
        "focal": person("mod-focal", Role.FOCAL_POINT, org=mod),
        "approver": person("mod-approver", Role.APPROVER, org=mod),
        "other": person("mia-focal", Role.FOCAL_POINT, org=mia),
        "coordinator": person("coord", Role.COORDINATOR),
        "evaluator": person("eval", Role.EVALUATOR),
    }


@pytest.fixture
def report(plan, people) -> ProgressReport:
    """MoD's 2020 report on 5.1.2.3, submitted (one version, one step), with two files and a comment."""
    focal = people["focal"]
    made = services.report_start(
        actor=focal,
        activity=plan.activities.get(code="5.1.2.3"),
        agency=focal.organisation,
        period=plan.reporting_periods.get(label="2020"),
    )
    services.report_save(actor=focal, report=made, data=services.ReportInput(done="Three trainings."))
    services.evidence_add(actor=focal, report=made, name="agenda.pdf", content=PDF)
    services.evidence_add(actor=focal, report=made, name="list.pdf", content=PDF + b"list\n")
    services.comment_add(actor=focal, report=made, text="The agenda is attached.")
    services.report_submit(actor=focal, report=made)
    return made


def refusals() -> int:
    return AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).count()


def test_a_reports_evidence_is_listed_and_downloaded_by_its_readers(report, people) -> None:
    """MoD's approver lists the report's two files, with their names, types, sizes and checksums, and
    downloads one: the same bytes, as a private PDF attachment."""
    client = token_client(people["approver"])
    listed = client.get(f"/api/v1/reports/{report.pk}/evidence/")
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [(row["name"], row["kind"], row["size"]) for row in rows] == [
        ("agenda.pdf", "pdf", len(PDF)),
        ("list.pdf", "pdf", len(PDF) + 5),
    ]
    assert rows[0]["uploaded_by"] == "Mod-focal Tester"
    one = client.get(f"/api/v1/reports/{report.pk}/evidence/{rows[0]['id']}/")
    assert one.json() == rows[0]
    download = client.get(rows[0]["file"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content) == PDF


def test_another_agencys_report_parts_answer_404_and_are_audited(report, people) -> None:
    """MIA's focal point gets 404 for every part of MoD's report, each attempt in the audit trail;
    nobody gets a file through another report's address."""
    evidence = report.evidence.first()
    client = token_client(people["other"])
    before = refusals()
    for part in (
        "evidence/",
        f"evidence/{evidence.pk}/",
        f"evidence/{evidence.pk}/file/",
        "comments/",
        "transitions/",
        "versions/",
        "versions/1/",
    ):
        assert client.get(f"/api/v1/reports/{report.pk}/{part}").status_code == 404, part
    assert refusals() - before >= 7
    theirs = services.report_start(
        actor=people["other"],
        activity=report.plan.activities.get(code="5.2.1.1"),
        agency=people["other"].organisation,
        period=report.period,
    )
    own = token_client(people["other"]).get(f"/api/v1/reports/{theirs.pk}/evidence/{evidence.pk}/file/")
    assert own.status_code == 404


def test_comments_steps_and_versions(report, people) -> None:
    """The coordinator reads the comment, the submission step (draft -> submitted, by the focal point)
    and the version it made, with what the report said."""
    client = token_client(people["coordinator"])
    comments = client.get(f"/api/v1/reports/{report.pk}/comments/").json()["results"]
    assert [(c["author"], c["text"]) for c in comments] == [("Mod-focal Tester", "The agenda is attached.")]
    steps = client.get(f"/api/v1/reports/{report.pk}/transitions/").json()["results"]
    assert [(s["source"], s["target"], s["actor"]) for s in steps] == [
        ("draft", "submitted", "Mod-focal Tester")
    ]
    versions = client.get(f"/api/v1/reports/{report.pk}/versions/").json()["results"]
    assert [(v["number"], v["status"]) for v in versions] == [(1, "submitted")]
    assert "content" not in versions[0]
    version = client.get(f"/api/v1/reports/{report.pk}/versions/1/").json()
    assert version["content"]["done"] == "Three trainings."
    assert client.get(f"/api/v1/reports/{report.pk}/versions/2/").status_code == 404


def test_report_part_lists_take_a_fixed_number_of_queries(report, people) -> None:
    """A list of what a report keeps costs the same few queries whatever its length (the caller, the
    report, the count and the page, with who did it joined in): five more comments, files and steps
    add none."""
    client = token_client(people["coordinator"])

    def queries() -> dict[str, int]:
        counted = {}
        for part in ("evidence", "comments", "transitions", "versions"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(f"/api/v1/reports/{report.pk}/{part}/").status_code == 200
            counted[part] = len(captured)
        return counted

    before = queries()
    services.report_return(actor=people["approver"], report=report, comment="Add the list.")
    for n in range(5):
        services.comment_add(actor=people["approver"], report=report, text=f"Note {n}.")
        services.evidence_add(actor=people["focal"], report=report, name=f"{n}.pdf", content=PDF + bytes([n]))
    services.report_submit(actor=people["focal"], report=report)
    assert queries() == before
    assert max(before.values()) <= 5, before


def test_a_period_by_id_and_the_period_filters(plan, people) -> None:
    """A period is read at its id; the list filters by label and by lock, and refuses an unknown order."""
    client = token_client(people["focal"])
    period = plan.reporting_periods.get(label="2021")
    assert client.get(f"/api/v1/periods/{period.pk}/").json()["label"] == "2021"
    assert [p["label"] for p in client.get("/api/v1/periods/", {"label": "2021"}).json()["results"]] == [
        "2021"
    ]
    assert client.get("/api/v1/periods/", {"locked": "true"}).json()["count"] == 0
    assert client.get("/api/v1/periods/", {"locked": "false"}).json()["count"] == 4
    refused = client.get("/api/v1/periods/", {"ordering": "label"})
    assert refused.status_code == 400
    assert fields_of(refused) == ["ordering"]
    assert APIClient().get(f"/api/v1/periods/{period.pk}/").status_code == 401


def test_an_events_files_are_read_by_whoever_sees_the_event(plan, people) -> None:
    """MoD's training's agenda is listed and downloaded by MoD's approver and the evaluator; MIA's focal
    point gets 404 for the list, the file's description and the file."""
    event: Event = event_create(
        actor=people["focal"],
        plan=plan,
        data=EventInput(
            kind="training",
            title="A training",
            starts_on=date(2021, 3, 10),
            ends_on=date(2021, 3, 11),
            activities=[plan.activities.get(code="5.1.2.3")],
        ),
    )
    stored = event_file_add(actor=people["focal"], event=event, name="agenda.pdf", content=PDF)
    for reader in ("approver", "evaluator"):
        client = token_client(people[reader])
        rows = client.get(f"/api/v1/events/{event.pk}/files/").json()["results"]
        assert [(r["id"], r["purpose"], r["name"]) for r in rows] == [
            (stored.pk, stored.purpose, "agenda.pdf")
        ]
        download = client.get(rows[0]["file"])
        assert b"".join(download.streaming_content) == PDF
    other = token_client(people["other"])
    for part in ("files/", f"files/{stored.pk}/", f"files/{stored.pk}/file/"):
        assert other.get(f"/api/v1/events/{event.pk}/{part}").status_code == 404, part


def test_a_topic_by_code(people) -> None:
    """A topic is read at its code; an unknown code is 404."""
    client = token_client(people["focal"])
    assert client.get("/api/v1/topics/unscr-1325/").json()["code"] == "unscr-1325"
    assert client.get("/api/v1/topics/no-such-topic/").status_code == 404


def test_the_figures_one_by_one(report, people, plan) -> None:
    """/api/v1/values/ lists each figure with its report, period, agency, activity, indicator and cell:
    MoD's to MoD's people, nothing of MoD's to MIA's focal point, every agency's to the coordinator;
    filters narrow it, and pages are walked by cursor without a figure twice or missed, in the same
    number of queries on every page."""
    indicator = plan.indicators.get(key="5.1.2-3-i1")
    services.report_return(actor=people["approver"], report=report, comment="Figures, please.")
    cells = {"": "20", "sex:women|age:18-24": "4", "sex:women|age:25-34": "6", "sex:men|age:25-34": "10"}
    services.report_save(
        actor=people["focal"], report=report, data=services.ReportInput(values={indicator.pk: cells})
    )
    mine = token_client(people["approver"]).get("/api/v1/values/").json()
    assert {(row["indicator"], row["cell"], row["value"]) for row in mine["results"]} == {
        ("5.1.2-3-i1", cell, value) for cell, value in cells.items()
    }
    first = next(row for row in mine["results"] if row["cell"] == "sex:women|age:18-24")
    assert first["cell_options"] == {"sex": "women", "age": "18-24"}
    assert (first["report"], first["period"], first["agency"], first["status"]) == (
        report.pk,
        "2020",
        "mod",
        "returned",
    )
    assert token_client(people["other"]).get("/api/v1/values/").json()["results"] == []
    coordinator = token_client(people["coordinator"])
    totals = coordinator.get("/api/v1/values/", {"total": "true", "agency": "mod", "period": "2020"}).json()
    assert [(row["cell"], row["value"]) for row in totals["results"]] == [("", "20")]
    assert coordinator.get("/api/v1/values/", {"status": "approved"}).json()["results"] == []
    refused = coordinator.get("/api/v1/values/", {"ordering": "value"})
    assert refused.status_code == 400
    assert fields_of(refused) == ["ordering"]


def test_the_figures_are_walked_by_cursor(report, people, plan) -> None:
    """With pages of two, the four figures come in two pages by id, then back by ``previous``; every page
    costs the same queries."""
    from wpsnap.reporting.api import ValueCursorPagination

    indicator = plan.indicators.get(key="5.1.2-3-i1")
    services.report_return(actor=people["approver"], report=report, comment="Figures, please.")
    cells = {"": "20", "sex:women|age:18-24": "4", "sex:women|age:25-34": "6", "sex:men|age:25-34": "10"}
    services.report_save(
        actor=people["focal"], report=report, data=services.ReportInput(values={indicator.pk: cells})
    )
    client = token_client(people["coordinator"])
    client.get("/api/v1/me/")
    size = ValueCursorPagination.page_size
    ValueCursorPagination.page_size = 2
    try:
        with CaptureQueriesContext(connection) as first_page:
            page = client.get("/api/v1/values/").json()
        ids = [row["id"] for row in page["results"]]
        assert page["previous"] is None
        with CaptureQueriesContext(connection) as second_page:
            page = client.get(page["next"]).json()
        ids += [row["id"] for row in page["results"]]
        assert ids == sorted(ids) and len(set(ids)) == 4
        assert len(first_page) == len(second_page)
        back = client.get(page["previous"]).json()
        assert [row["id"] for row in back["results"]] == ids[:2]
    finally:
        ValueCursorPagination.page_size = size
