"""The focal point's pages: my activities this period, starting a report, the report form with its
disaggregation table, autosave and evidence; who may reach them, and what a locked period does."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.reporting import form_selectors, services
from wpsnap.reporting.disaggregation import TOTAL, field_name
from wpsnap.reporting.models import Evidence, IndicatorValue, ProgressReport
from wpsnap.reporting.services import ReportInput
from wpsnap.reporting.workflow import Status

from .conftest import sign_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
CELLS = {"sex:women|age:18-24": "4", "sex:women|age:25-34": "6", "sex:men|age:25-34": "10"}
NARRATIVE = "Three trainings at the Military Academy."


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Evidence goes to a throw-away directory, not the developer's private files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }


@pytest.fixture
def report(people, activity_512_3, period_2020) -> ProgressReport:
    """MoD's draft report on 5.1.2.3 for 2020."""
    mod = people["focal"].organisation
    return services.report_start(
        actor=people["focal"], activity=activity_512_3, agency=mod, period=period_2020
    )


@pytest.fixture
def indicator(activity_512_3):
    return activity_512_3.indicators.get()


def form_data(indicator, cells=CELLS, total="20", **extra: str) -> dict[str, str]:
    """What the form posts: the narrative, the dates, every cell (blank unless given), the total and money."""
    data = {
        "progress": "completed",
        "done": NARRATIVE,
        "challenges": "Few women officers could travel.",
        "next_steps": "Two more trainings in 2021.",
        "started_on": "2020-03-01",
        "finished_on": "2020-11-30",
        "fin-state_budget-planned": "1500",
        "fin-state_budget-spent": "1200.50",
        "fin-international-planned": "",
        "fin-international-spent": "",
        "fin-other-planned": "",
        "fin-other-spent": "",
        field_name(indicator.pk, TOTAL): total,
    }
    for sex in ("women", "men"):
        for age in ("0-17", "18-24", "25-34", "35-59", "60-plus"):
            key = f"sex:{sex}|age:{age}"
            data[field_name(indicator.pk, key)] = cells.get(key, "")
    data.update(extra)
    return data


def stored(report) -> dict[str, int]:
    return {
        cell: int(value)
        for cell, value in IndicatorValue.objects.filter(report=report).values_list("cell", "value")
    }


def value_of(html: str, name: str) -> str | None:
    """The value="..." attribute of the input named ``name`` in ``html``."""
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert tag is not None, f"no input named {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def error_of(html: str, name: str) -> str:
    """The message shown next to the field ``name`` (its ``_error`` element)."""
    found = re.search(
        rf'<div class="invalid-feedback d-block" id="id_{re.escape(name)}_error">(.*?)</div>', html, re.S
    )
    assert found is not None, f"no message next to {name}"
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip()


# --- my activities ---------------------------------------------------------------------------------


def test_my_activities_lists_the_agency_activities_with_their_state(
    client, people, period_2020, report, indicator
) -> None:
    """MoD's focal point sees the 17 activities MoD implements in 2020: 5.1.2.3 as a draft to continue,
    5.1.2.2 submitted, the rest not started with a button to start them; the due date shows."""
    other = services.report_start(
        actor=people["focal"],
        activity=period_2020.plan.activities.get(code="5.1.2.2"),
        agency=people["focal"].organisation,
        period=period_2020,
    )
    other_indicator = other.activity.indicators.get()
    services.report_save(
        actor=people["focal"],
        report=other,
        data=ReportInput(progress="completed", done=NARRATIVE, values={other_indicator.pk: {"": "3"}}),
    )
    services.report_submit(actor=people["focal"], report=other)
    sign_in(client, people["focal"])

    response = client.get(f"/reports/?period={period_2020.pk}")

    assert response.status_code == 200
    html = response.content.decode()
    states = dict(re.findall(r'data-activity="([^"]+)".*?data-state="([^"]+)"', html, re.S))
    assert len(states) == 17
    assert (states["5.1.2.3"], states["5.1.2.2"], states["5.4.2.2"]) == ("draft", "submitted", "missing")
    assert html.count("Start the report") == 15
    assert f'href="/reports/{report.pk}/edit/"' in html
    assert "31 Jan 2021" in html
    assert "2 of 17 reports handed in." not in html  # a draft is not handed in
    assert "1 of 17 reports handed in." in html


def test_returned_and_overdue_reports_are_highlighted(client, people, period_2020, report, indicator) -> None:
    """A returned report reads "Returned: corrections asked" and offers to correct it; past the due date
    the outstanding ones are flagged overdue (the 2020 reports were due on 31 January 2021)."""
    services.report_save(
        actor=people["focal"],
        report=report,
        data=ReportInput(progress="completed", done=NARRATIVE, values={indicator.pk: {"": "5"}}),
    )
    services.report_submit(actor=people["focal"], report=report)
    services.report_return(actor=people["approver"], report=report, comment="Add the March training.")
    sign_in(client, people["focal"])

    html = client.get(f"/reports/?period={period_2020.pk}").content.decode()

    assert "Returned: corrections asked" in html
    assert "Correct the report" in html
    assert "overdue-flag" in html


def test_the_default_period_is_the_latest_open_one_that_has_begun(reporting) -> None:
    """Before 1 October 2021 the 2020 period is the default; after it, 2021; a locked period is passed over."""
    periods = list(form_selectors.reporting_periods(None).filter(plan=reporting))
    assert form_selectors.default_period(periods, date(2021, 9, 30)).label == "2020"
    assert form_selectors.default_period(periods, date(2021, 10, 1)).label == "2021"
    periods[1].locked_at = periods[1].created_at
    assert form_selectors.default_period(periods, date(2021, 12, 1)).label == "2020"


def test_approvers_find_a_link_to_their_review_queue(client, people, period_2020) -> None:
    """An approver landing on /reports/ is pointed to the review queue and offered no start buttons."""
    sign_in(client, people["approver"])
    html = client.get(f"/reports/?period={period_2020.pk}").content.decode()
    assert "/reports/queue/" in html
    assert "Start the report" not in html


def test_an_unknown_period_answers_404(client, people) -> None:
    """A period id that does not exist, or is not a number, answers 404."""
    sign_in(client, people["focal"])
    assert client.get("/reports/?period=999999").status_code == 404
    assert client.get("/reports/?period=abc").status_code == 404


# --- starting --------------------------------------------------------------------------------------


def test_start_creates_a_draft_and_opens_the_form(client, people, period_2020, activity_512_3) -> None:
    """Start makes MoD's draft for 5.1.2.3 in 2020 and redirects to its form; starting again reopens it."""
    sign_in(client, people["focal"])
    response = client.post("/reports/start/", {"activity": activity_512_3.key, "period": period_2020.pk})
    report = ProgressReport.objects.get(activity=activity_512_3, period=period_2020)
    assert (report.status, report.agency.key, report.created_by) == (Status.DRAFT, "mod", people["focal"])
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{report.pk}/edit/"
    again = client.post("/reports/start/", {"activity": activity_512_3.key, "period": period_2020.pk})
    assert again["Location"] == response["Location"]
    assert ProgressReport.objects.count() == 1


def test_start_refuses_an_activity_the_agency_is_not_named_for(client, people, period_2020) -> None:
    """An activity MoD is not named for (5.2.2.1) cannot be started by MoD: 400 with the reason, no report."""
    sign_in(client, people["focal"])
    foreign = period_2020.plan.activities.get(code="5.2.2.1")
    response = client.post("/reports/start/", {"activity": foreign.key, "period": period_2020.pk})
    assert response.status_code == 400
    assert "is not named for this activity" in response.content.decode()
    assert not ProgressReport.objects.exists()


# --- the form --------------------------------------------------------------------------------------


def test_the_form_has_a_ten_cell_sex_by_age_table(client, people, report, indicator) -> None:
    """5.1.2.3's indicator is a table of 2 sexes x 5 age bands: 10 numeric inputs named by cell, with row
    and column headers, a caption, and the total field."""
    sign_in(client, people["focal"])
    response = client.get(f"/reports/{report.pk}/edit/")
    html = response.content.decode()
    assert response.status_code == 200
    cells = re.findall(r"<input[^>]*data-cell[^>]*>", html)
    assert len(cells) == 10
    assert all('inputmode="numeric"' in cell for cell in cells)
    assert f'name="{field_name(indicator.pk, "sex:women|age:18-24")}"' in html
    assert f'name="{field_name(indicator.pk, TOTAL)}"' in html
    table = re.search(r'<table class="table table-sm figure-grid[^"]*".*?</table>', html, re.S).group(0)
    assert re.findall(r'<th scope="row"[^>]*>([^<]*)</th>', table) == ["Women", "Men", "Sum"]
    bands = ["0\u201317", "18\u201324", "25\u201334", "35\u201359", "60 and over"]  # en dashes
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table) == ["Sex", *bands, "Sum"]
    assert "<caption" in table and len(re.findall(r"<input[^>]*data-cell", table)) == 10
    for source in ("state_budget", "international", "other"):
        assert f'name="fin-{source}-planned"' in html and f'name="fin-{source}-spent"' in html
    assert f'hx-post="/reports/{report.pk}/autosave/"' in html
    assert 'hx-trigger="input changed delay:2s"' in html


def test_saving_valid_figures_stores_them(client, people, report, indicator) -> None:
    """Save draft stores each figure by its cell, the narrative, dates and money, and comes back to the form."""
    sign_in(client, people["focal"])
    response = client.post(f"/reports/{report.pk}/edit/", {**form_data(indicator), "action": "save"})
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{report.pk}/edit/"
    assert stored(report) == {"": 20, **{key: int(v) for key, v in CELLS.items()}}
    report.refresh_from_db()
    assert (report.progress, report.done, report.status) == ("completed", NARRATIVE, Status.DRAFT)
    assert report.started_on == date(2020, 3, 1)
    assert str(report.financing.get(source="state_budget").spent) == "1200.50"
    page = client.get(response["Location"]).content.decode()
    assert "Draft saved at" in page
    assert value_of(page, field_name(indicator.pk, "sex:men|age:25-34")) == "10"


def test_a_blank_total_becomes_the_sum_of_the_parts(client, people, report, indicator) -> None:
    """Left blank, the total is stored as the sum of the parts (as the page's script shows it)."""
    sign_in(client, people["focal"])
    client.post(f"/reports/{report.pk}/edit/", {**form_data(indicator, total=""), "action": "save"})
    assert stored(report)[""] == 20


def test_invalid_figures_are_named_next_to_their_fields_and_nothing_typed_is_lost(
    client, people, report, indicator
) -> None:
    """A sum mismatch, a negative and "lots": 400, each message next to its field (described by it), a summary
    linking to the fields, and every typed value back in the form, the refused ones as typed."""
    sign_in(client, people["focal"])
    lots = field_name(indicator.pk, "sex:men|age:18-24")
    negative = field_name(indicator.pk, "sex:men|age:60-plus")
    total = field_name(indicator.pk, TOTAL)
    data = form_data(
        indicator,
        cells={**CELLS, "sex:men|age:18-24": "lots", "sex:men|age:60-plus": "-3"},
        total="25",
        challenges="Roads closed in March.",
    )

    response = client.post(f"/reports/{report.pk}/edit/", {**data, "action": "save"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a number" in error_of(html, lots)
    assert "cannot be negative" in error_of(html, negative)
    assert "is not the sum of the parts" in error_of(html, total)
    for name in (lots, negative, total):
        tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html).group(0)
        assert "is-invalid" in tag and f"id_{name}_error" in tag
        assert f'href="#id_{name}"' in html  # the summary at the top links to the field
    assert value_of(html, lots) == "lots"
    assert value_of(html, negative) == "-3"
    assert value_of(html, total) == "25"
    for key, text in CELLS.items():
        assert value_of(html, field_name(indicator.pk, key)) == text
    assert value_of(html, "fin-state_budget-spent") == "1200.50"
    assert value_of(html, "started_on") == "2020-03-01"
    assert f">\n{NARRATIVE}</textarea>" in html
    assert ">\nRoads closed in March.</textarea>" in html
    assert '<option value="completed" selected>' in html
    # The valid entries are in the draft; the refused ones are not.
    assert stored(report) == {"": 25, **{key: int(v) for key, v in CELLS.items()}}


def test_an_impossible_date_is_named_and_the_rest_is_saved(client, people, report, indicator) -> None:
    """A date that does not exist is named next to its field, shown as typed, and not stored; the
    narrative is saved."""
    sign_in(client, people["focal"])
    response = client.post(
        f"/reports/{report.pk}/edit/", {**form_data(indicator, started_on="2020-13-45"), "action": "save"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a date" in error_of(html, "started_on")
    assert value_of(html, "started_on") == "2020-13-45"
    report.refresh_from_db()
    assert (report.started_on, report.done) == (None, NARRATIVE)


def test_submit_with_problems_is_refused(client, people, report, indicator) -> None:
    """Submitting a report whose total does not match its parts leaves it a draft, with the reason next
    to the total; a report with nothing said about what was done is refused too, next to that field."""
    sign_in(client, people["focal"])
    response = client.post(
        f"/reports/{report.pk}/edit/", {**form_data(indicator, total="25"), "action": "submit"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "was not submitted" in html
    assert "is not the sum of the parts" in error_of(html, field_name(indicator.pk, TOTAL))
    report.refresh_from_db()
    assert report.status == Status.DRAFT

    response = client.post(
        f"/reports/{report.pk}/edit/", {**form_data(indicator, done=""), "action": "submit"}
    )
    assert response.status_code == 400
    assert "Say what was done" in error_of(response.content.decode(), "done")
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_submit_without_problems_moves_the_report_to_submitted(client, people, report, indicator) -> None:
    """Submit saves first, then submits: the report is submitted and the form now leads elsewhere."""
    sign_in(client, people["focal"])
    response = client.post(f"/reports/{report.pk}/edit/", {**form_data(indicator), "action": "submit"})
    assert response.status_code == 302
    assert response["Location"] == f"/reports/?period={report.period_id}"
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert stored(report)[""] == 20
    again = client.get(f"/reports/{report.pk}/edit/")
    # To the read-only page once it exists; until then the form is shown disabled.
    assert again.status_code == 302 or 'class="report-fieldset" disabled' in again.content.decode()


def test_autosave_stores_a_draft_and_never_submits(client, people, report, indicator) -> None:
    """The htmx autosave saves the figures and answers the status region; action=submit is ignored."""
    sign_in(client, people["focal"])
    response = client.post(
        f"/reports/{report.pk}/autosave/",
        {**form_data(indicator), "action": "submit"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Draft saved at" in response.content.decode()
    assert 'id="autosave-status"' in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert stored(report) == {"": 20, **{key: int(v) for key, v in CELLS.items()}}


def test_autosave_with_problems_says_how_many_need_attention(client, people, report, indicator) -> None:
    """An autosave with "lots" in a cell answers 400 with the count and a link to the field; the valid
    figures are kept."""
    sign_in(client, people["focal"])
    data = form_data(indicator, cells={**CELLS, "sex:men|age:18-24": "lots"})
    response = client.post(f"/reports/{report.pk}/autosave/", data, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "1 entry needs attention" in html
    assert f'href="#id_{field_name(indicator.pk, "sex:men|age:18-24")}"' in html
    assert stored(report)[""] == 20


# --- who may --------------------------------------------------------------------------------------


def test_another_agency_focal_point_gets_404_and_the_attempt_is_audited(
    client, people, report, indicator
) -> None:
    """MIA's focal point typing MoD's report id reaches nothing, whether reading, saving or autosaving."""
    sign_in(client, people["other_focal"])
    assert client.get(f"/reports/{report.pk}/edit/").status_code == 404
    assert client.post(f"/reports/{report.pk}/edit/", form_data(indicator)).status_code == 404
    assert client.post(f"/reports/{report.pk}/autosave/", form_data(indicator)).status_code == 404
    assert stored(report) == {}
    refused = AuditEvent.objects.filter(
        action=AuditAction.ACCESS_REFUSED, actor=people["other_focal"], object_id=str(report.pk)
    )
    assert refused.count() == 3


def test_an_approver_cannot_write_the_report(client, people, report, indicator) -> None:
    """MoD's approver sees the report elsewhere but may not post the form or autosave it: 403 (the report
    is in their scope, so not hidden)."""
    sign_in(client, people["approver"])
    assert client.post(f"/reports/{report.pk}/edit/", form_data(indicator)).status_code == 403
    assert client.post(f"/reports/{report.pk}/autosave/", form_data(indicator)).status_code == 403
    assert stored(report) == {}
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, actor=people["approver"]).exists()


def test_after_the_period_is_locked_nothing_changes(client, people, report, indicator, period_2020) -> None:
    """Once the coordinator locks 2020, the form, autosave, evidence upload and delete answer 409 with
    the reason, and nothing is saved."""
    sign_in(client, people["focal"])
    client.post(f"/reports/{report.pk}/edit/", {**form_data(indicator), "action": "save"})
    evidence = services.evidence_add(actor=people["focal"], report=report, name="list.pdf", content=PDF)
    services.period_lock(actor=people["coordinator"], period=period_2020)
    before = stored(report)
    changed = form_data(indicator, cells={**CELLS, "sex:men|age:0-17": "7"}, total="27", done="Changed")

    edit = client.post(f"/reports/{report.pk}/edit/", {**changed, "action": "save"})
    autosave = client.post(f"/reports/{report.pk}/autosave/", changed, headers={"HX-Request": "true"})
    upload = client.post(f"/reports/{report.pk}/evidence/", {"file": _upload("more.pdf", PDF)})
    delete = client.post(f"/reports/evidence/{evidence.pk}/delete/")

    assert [edit.status_code, autosave.status_code, upload.status_code, delete.status_code] == [409] * 4
    assert "approved and locked" in edit.content.decode()
    assert "approved and locked" in autosave.content.decode()
    assert value_of(edit.content.decode(), field_name(indicator.pk, TOTAL)) == "27"  # what was typed stays
    assert stored(report) == before
    report.refresh_from_db()
    assert report.done == NARRATIVE
    assert list(Evidence.objects.filter(report=report).values_list("original_name", flat=True)) == [
        "list.pdf"
    ]


# --- evidence -------------------------------------------------------------------------------------


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_pdf_is_kept_and_downloadable_by_the_agency_approver_only(client, people, report) -> None:
    """A real PDF is kept and listed; MoD's approver downloads it as an attachment that the browser must
    not sniff; MIA's focal point gets 404."""
    sign_in(client, people["focal"])
    response = client.post(
        f"/reports/{report.pk}/evidence/", {"file": _upload("Training “list” 2020.pdf", PDF)}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(report=report)
    assert (evidence.kind, evidence.size) == ("pdf", len(PDF))
    page = client.get(f"/reports/{report.pk}/edit/").content.decode()
    assert f'href="/reports/evidence/{evidence.pk}/"' in page
    assert "Training “list” 2020.pdf" in page

    client.logout()
    sign_in(client, people["approver"])
    download = client.get(f"/reports/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Training%20%E2%80%9Clist%E2%80%9D%202020.pdf" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"

    client.logout()
    sign_in(client, people["other_focal"])
    assert client.get(f"/reports/evidence/{evidence.pk}/").status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_REFUSED, actor=people["other_focal"], object_id=str(evidence.pk)
    ).exists()


def test_a_program_renamed_pdf_is_refused_next_to_the_file_field(client, people, report, indicator) -> None:
    """An .exe called .pdf is judged by its content: 400, the message next to the file field, nothing kept."""
    sign_in(client, people["focal"])
    response = client.post(f"/reports/{report.pk}/evidence/", {"file": _upload("report.pdf", EXE)})
    html = response.content.decode()
    assert response.status_code == 400
    found = re.search(
        r'<div class="invalid-feedback d-block" id="evidence_file_error">(.*?)</div>', html, re.S
    )
    assert found is not None and "judged by its content" in found.group(1)
    assert 'aria-describedby="evidence_file_helptext evidence_file_error"' in html
    assert not Evidence.objects.exists()


def test_evidence_can_be_deleted_while_the_report_is_a_draft(client, people, report) -> None:
    """The delete button removes a file from a draft."""
    evidence = services.evidence_add(actor=people["focal"], report=report, name="old.txt", content=b"notes")
    sign_in(client, people["focal"])
    response = client.post(f"/reports/evidence/{evidence.pk}/delete/")
    assert response.status_code == 302
    assert not Evidence.objects.exists()


# --- query counts ---------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_query_counts_are_pinned_and_do_not_grow(
    client, people, period_2020, report, indicator, django_assert_max_num_queries
) -> None:
    """My activities and the form cost a fixed number of queries, however many reports the agency has."""
    sign_in(client, people["focal"])
    client.post(f"/reports/{report.pk}/edit/", {**form_data(indicator), "action": "save"})
    services.evidence_add(actor=people["focal"], report=report, name="a.txt", content=b"notes")
    services.comment_add(actor=people["focal"], report=report, text="First draft.")
    activities_url = f"/reports/?period={period_2020.pk}"
    form_url = f"/reports/{report.pk}/edit/"
    # Session and user, periods, the agency, activities, assignments, collective members, reports (2).
    with django_assert_max_num_queries(9):
        client.get(activities_url)
    # Session and user, the report, indicators, breakdowns (3), values, answers, money, files, comments,
    # and the figure sources' questions (no indicator here is bound to events or to a registry count: one
    # query each).
    with django_assert_max_num_queries(14):
        client.get(form_url)
    few = (_queries(client, activities_url), _queries(client, form_url))

    mod = people["focal"].organisation
    for row in form_selectors.my_activities_page(
        people["focal"], period_id=period_2020.pk, today=date(2021, 1, 1)
    ).rows:
        started = services.report_start(
            actor=people["focal"], activity=row.activity, agency=mod, period=period_2020
        )
        services.evidence_add(actor=people["focal"], report=started, name="b.txt", content=b"more notes")
    services.comment_add(actor=people["focal"], report=report, text="Second thought.")

    assert ProgressReport.objects.count() == 17
    assert (_queries(client, activities_url), _queries(client, form_url)) == few


def test_an_ngo_contributor_can_start_a_contribution(client, make_user, reporting) -> None:
    """Where NGOs are named as partners, an NGO contributor sees the activity as an optional
    contribution (never overdue) and can start a report on it."""
    from ..conftest import sign_in

    contributor = make_user("ngo_contributor")
    sign_in(client, contributor)
    period = reporting.reporting_periods.get(label="2020")
    page = client.get(f"/reports/?period={period.pk}")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-activity="5.1.1.1"' in text  # 5.1.1 recommends NGOs
    assert "Optional contribution" in text
    assert "Overdue" not in text
    response = client.post("/reports/start/", {"activity": "5.1.1-1", "period": period.pk})
    assert response.status_code == 302
    assert contributor.organisation.reports.filter(activity__key="5.1.1-1", period=period).exists()
