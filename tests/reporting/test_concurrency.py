"""No edit silently overwrites another (issue 9, item 1): two people (or two tabs) editing one report,
through the form, the autosave, the API and the review forms. A write made on an older version merges
when it touches only what the other writes left alone, and is otherwise refused (409) with what changed,
keeping what the person typed."""

from __future__ import annotations

import html as htmllib
import json
import re
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from wpsnap.accounts.services import token_create
from wpsnap.core import versions
from wpsnap.reporting import services
from wpsnap.reporting.disaggregation import TOTAL, field_name
from wpsnap.reporting.models import IndicatorValue, ProgressReport
from wpsnap.reporting.services import ReportInput

from ..conftest import problems_of
from .conftest import sign_in

pytestmark = pytest.mark.django_db

WOMEN = "sex:women|age:18-24"


@pytest.fixture
def report(people, activity_512_3, period_2020) -> ProgressReport:
    return services.report_start(
        actor=people["focal"],
        activity=activity_512_3,
        agency=people["focal"].organisation,
        period=period_2020,
    )


@pytest.fixture
def indicator(activity_512_3):
    return activity_512_3.indicators.get()


@pytest.fixture
def second_focal(make_user):
    """Another focal point of the same agency (MoD)."""
    return make_user("focal_point", "mod", "mod-focal-2")


def hidden(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag is not None, f"no hidden {name}"
    found = re.search(r'value="([^"]*)"', tag.group(0))
    assert found is not None
    return htmllib.unescape(found.group(1))


def opened(client: Client, report: ProgressReport) -> dict[str, str]:
    """The form as the page renders it: its version and base, and every field as shown (the base)."""
    page = client.get(f"/reports/{report.pk}/edit/").content.decode()
    base = hidden(page, "base")
    return {**json.loads(base), "version": hidden(page, "version"), "base": base}


def figures(report: ProgressReport) -> dict[str, int]:
    return {c: int(v) for c, v in IndicatorValue.objects.filter(report=report).values_list("cell", "value")}


# --- the service -----------------------------------------------------------------------------------


def test_every_change_raises_the_version_and_marks_its_fields(people, report, indicator) -> None:
    """A save that changes the narrative and a figure makes one new version and marks both fields with
    it; a save that changes nothing keeps the version."""
    assert report.version == 1
    result = services.report_save(
        actor=people["focal"],
        report=report,
        data=ReportInput(done="Trainings.", values={indicator.pk: {TOTAL: "5"}}),
    )
    report.refresh_from_db()
    assert result.ok
    assert report.version == 2
    assert report.field_versions == {"done": 2, field_name(indicator.pk, TOTAL): 2}
    services.report_save(actor=people["focal"], report=report, data=ReportInput(done="Trainings."))
    report.refresh_from_db()
    assert report.version == 2


def test_a_stale_write_of_other_fields_merges(people, report, indicator) -> None:
    """B saves the challenges on version 1 after A saved the narrative and a figure (version 2): both
    stay."""
    services.report_save(
        actor=people["focal"],
        report=report,
        data=ReportInput(done="A's text", values={indicator.pk: {TOTAL: "7"}}, version=1),
    )
    services.report_save(
        actor=people["focal"], report=report, data=ReportInput(challenges="B's challenges", version=1)
    )
    report.refresh_from_db()
    assert (report.done, report.challenges, report.version) == ("A's text", "B's challenges", 3)
    assert figures(report) == {"": 7}


def test_a_stale_write_of_the_same_field_is_refused_and_saves_nothing(people, report, indicator) -> None:
    """B changes the narrative A changed since B's version: refused, naming the field with both values;
    B's other change in the same save is not stored either."""
    services.report_save(actor=people["focal"], report=report, data=ReportInput(done="A's text", version=1))
    with pytest.raises(versions.StaleWrite) as refused:
        services.report_save(
            actor=people["focal"],
            report=report,
            data=ReportInput(done="B's text", challenges="B's challenges", version=1),
        )
    assert refused.value.conflicts == [versions.Conflict(key="done", current="A's text", yours="B's text")]
    assert refused.value.current_version == 2
    report.refresh_from_db()
    assert (report.done, report.challenges, report.version) == ("A's text", "", 2)


def test_the_same_change_from_both_is_no_conflict(people, report) -> None:
    """Both typed the same text: nothing to refuse."""
    services.report_save(actor=people["focal"], report=report, data=ReportInput(done="Same", version=1))
    services.report_save(actor=people["focal"], report=report, data=ReportInput(done="Same ", version=1))
    report.refresh_from_db()
    assert report.done == "Same"


# --- the form --------------------------------------------------------------------------------------


def test_two_sessions_on_one_form_lose_nothing(client, people, second_focal, report, indicator) -> None:
    """The reproduction: A and B open the form; A saves a text and a figure; B then saves its stale form,
    where only the challenges changed (and the cell A filled is still blank there). A's text and figure
    stay, and B's challenges are saved."""
    other = Client()
    sign_in(client, people["focal"])
    sign_in(other, second_focal)
    a = opened(client, report)
    b = opened(other, report)
    total = field_name(indicator.pk, TOTAL)

    a_post = {**a, "done": "A's text", total: "12"}
    assert client.post(f"/reports/{report.pk}/edit/", a_post).status_code == 302
    b_post = {**b, "challenges": "B's challenges"}
    assert other.post(f"/reports/{report.pk}/edit/", b_post).status_code == 302

    report.refresh_from_db()
    assert (report.done, report.challenges) == ("A's text", "B's challenges")
    assert figures(report) == {"": 12}


def test_a_clash_on_the_form_is_refused_with_what_changed_and_keeps_the_typing(
    client, people, second_focal, report, indicator
) -> None:
    """B changes the text A changed meanwhile: 409; the page names the field with A's text, keeps B's
    typing in the box, shows A's figure (which B left alone), and carries the new version so that
    saving again keeps B's text knowingly."""
    other = Client()
    sign_in(client, people["focal"])
    sign_in(other, second_focal)
    a = opened(client, report)
    b = opened(other, report)
    total = field_name(indicator.pk, TOTAL)
    client.post(f"/reports/{report.pk}/edit/", {**a, "done": "A's text", total: "12"})

    response = other.post(f"/reports/{report.pk}/edit/", {**b, "done": "B's text"})

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this while you were editing." in page
    assert "“A&#x27;s text”" in page or "“A's text”" in page
    assert re.search(r'<textarea[^>]*name="done"[^>]*>\s*B&#x27;s text</textarea>', page)
    assert re.search(rf'name="{re.escape(total)}"[^>]*value="12"', page)
    report.refresh_from_db()
    assert report.done == "A's text"
    again = {
        **json.loads(hidden(page, "base")),
        "version": hidden(page, "version"),
        "base": hidden(page, "base"),
    }
    again["done"] = "B's text"
    assert other.post(f"/reports/{report.pk}/edit/", again).status_code == 302
    report.refresh_from_db()
    assert (report.done, figures(report)) == ("B's text", {"": 12})


def test_simultaneous_autosaves_lose_no_edit(client, people, second_focal, report, indicator) -> None:
    """Ten rounds of two tabs autosaving different fields on the versions they hold: every edit of
    both stays. Each autosave's answer carries the tab's new version and base, and the fields the other
    tab changed (which the page then shows)."""
    other = Client()
    sign_in(client, people["focal"])
    sign_in(other, second_focal)
    tabs: list[dict[str, Any]] = [
        {"client": client, "form": opened(client, report), "field": "done"},
        {"client": other, "form": opened(other, report), "field": "challenges"},
    ]
    for round_ in range(10):
        for tab in tabs:
            post = {**tab["form"], tab["field"]: f"{tab['field']} {round_}"}
            response = tab["client"].post(f"/reports/{report.pk}/autosave/", post)
            assert response.status_code == 200
            answer = response.content.decode()
            base = hidden(answer, "base")
            merged = json.loads(
                htmllib.unescape(re.search(r'id="form-merged"[^>]*data-values="([^"]*)"', answer).group(1))
            )
            # What the page's script does: take the version, the base, and the others' fields.
            tab["form"] = {**tab["form"], **merged, tab["field"]: post[tab["field"]]}
            tab["form"].update(version=hidden(answer, "version"), base=base)
        report.refresh_from_db()
        assert (report.done, report.challenges) == (f"done {round_}", f"challenges {round_}")


def test_an_autosave_clash_is_refused_and_says_which_fields(client, people, second_focal, report) -> None:
    """Both tabs change the narrative: the second autosave answers 409 naming it; nothing is saved."""
    other = Client()
    sign_in(client, people["focal"])
    sign_in(other, second_focal)
    a = opened(client, report)
    b = opened(other, report)
    assert client.post(f"/reports/{report.pk}/autosave/", {**a, "done": "A"}).status_code == 200
    response = other.post(f"/reports/{report.pk}/autosave/", {**b, "done": "B"})
    assert response.status_code == 409
    assert "What was done" in response.content.decode()
    report.refresh_from_db()
    assert report.done == "A"


# --- the API ---------------------------------------------------------------------------------------


def api_for(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user)}")
    return api


def test_the_api_sends_an_etag_and_requires_if_match(people, report) -> None:
    """GET gives the version as ETag; PATCH without If-Match answers 428 and changes nothing; with it,
    200 and the new ETag."""
    api = api_for(people["focal"])
    got = api.get(f"/api/v1/reports/{report.pk}/")
    assert (got.status_code, got["ETag"], got.json()["version"]) == (200, '"1"', 1)
    refused = api.patch(f"/api/v1/reports/{report.pk}/", {"done": "x"}, format="json")
    assert refused.status_code == 428
    assert [(p["field"], p["code"]) for p in problems_of(refused)] == [("If-Match", "precondition_required")]
    report.refresh_from_db()
    assert report.done == ""
    done = api.patch(f"/api/v1/reports/{report.pk}/", {"done": "x"}, format="json", HTTP_IF_MATCH='"1"')
    assert (done.status_code, done["ETag"]) == (200, '"2"')


def test_a_stale_patch_merges_or_answers_409(people, second_focal, report, indicator) -> None:
    """Two clients on ETag "1": A patches the narrative; B patches a figure (merged, 200), then the
    narrative (409 naming `done` with A's text and B's); a malformed If-Match answers 400."""
    a, b = api_for(people["focal"]), api_for(second_focal)
    url = f"/api/v1/reports/{report.pk}/"
    assert a.patch(url, {"done": "A"}, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    value = {"indicator": indicator.key, "cell": "", "value": "9"}
    merged = b.patch(url, {"values": [value]}, format="json", HTTP_IF_MATCH='"1"')
    assert merged.status_code == 200
    assert merged.json()["done"] == "A"
    clash = b.patch(url, {"done": "B"}, format="json", HTTP_IF_MATCH='"1"')
    assert clash.status_code == 409
    body = clash.json()
    assert body["version"] == 3
    assert body["conflicts"] == [{"field": "done", "current": "A", "yours": "B"}]
    assert clash["ETag"] == '"3"'
    assert b.patch(url, {"done": "B"}, format="json", HTTP_IF_MATCH="v3").status_code == 400
    report.refresh_from_db()
    assert (report.done, figures(report)) == ("A", {"": 9})


def test_a_review_step_on_an_older_version_is_refused(client, people, report, indicator) -> None:
    """An approver's page shows version N; the report is returned, corrected and resubmitted meanwhile;
    endorsing from the old page (its hidden version, or If-Match on the API) answers 409."""
    services.report_save(
        actor=people["focal"],
        report=report,
        data=ReportInput(progress="completed", done="Done.", values={indicator.pk: {TOTAL: "3"}}),
    )
    services.report_submit(actor=people["focal"], report=report)
    report.refresh_from_db()
    seen = report.version
    services.report_return(actor=people["approver"], report=report, comment="Add March.")
    services.report_save(actor=people["focal"], report=report, data=ReportInput(done="Done, and March."))
    services.report_submit(actor=people["focal"], report=report)

    api = api_for(people["approver"])
    refused = api.post(f"/api/v1/reports/{report.pk}/endorse/", {}, format="json", HTTP_IF_MATCH=f'"{seen}"')
    assert refused.status_code == 409
    assert "done" in {row["field"] for row in refused.json()["conflicts"]}
    report.refresh_from_db()
    assert report.status == "submitted"


def test_a_review_page_older_than_the_report_takes_no_step(client, people, report, indicator) -> None:
    """The approver's page carries the version it showed; the agency changes the report (returned,
    corrected, resubmitted) before the approver presses Endorse: 409, the page shows the report as it
    stands, and the report stays submitted until endorsed from the fresh page."""
    services.report_save(
        actor=people["focal"],
        report=report,
        data=ReportInput(progress="completed", done="Done.", values={indicator.pk: {TOTAL: "3"}}),
    )
    services.report_submit(actor=people["focal"], report=report)
    sign_in(client, people["approver"])
    page = client.get(f"/reports/{report.pk}/").content.decode()
    seen = hidden(page, "version")
    services.report_return(actor=people["approver"], report=report, comment="Add March.")
    services.report_save(actor=people["focal"], report=report, data=ReportInput(done="Done, and March."))
    services.report_submit(actor=people["focal"], report=report)

    response = client.post(f"/reports/{report.pk}/step/endorse/", {"version": seen, "comment": ""})

    assert response.status_code == 409
    assert "The report changed after you opened it" in response.content.decode()
    assert "Done, and March." in response.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"
    fresh = hidden(response.content.decode(), "version")
    assert (
        client.post(f"/reports/{report.pk}/step/endorse/", {"version": fresh, "comment": ""}).status_code
        == 302
    )
    report.refresh_from_db()
    assert report.status == "endorsed"


def test_an_account_change_needs_if_match_and_refuses_a_stale_one(people) -> None:
    """A coordinator's PATCH of a person's role needs If-Match (428); with the ETag read before another
    coordinator changed the role, it answers 409 and the role stays."""
    api = api_for(people["coordinator"])
    url = f"/api/v1/users/{people['evaluator'].pk}/"
    seen = api.get(url)["ETag"]
    assert api.patch(url, {"is_active": False}, format="json").status_code == 428
    assert api.patch(url, {"is_active": False}, format="json", HTTP_IF_MATCH=seen).status_code == 200
    stale = api.patch(url, {"is_active": True}, format="json", HTTP_IF_MATCH=seen)
    assert stale.status_code == 409
    people["evaluator"].refresh_from_db()
    assert people["evaluator"].is_active is False
