"""Evaluators read every report and event page, and change nothing: the pages they open carry no form
that writes (no workflow step, comment, edit, upload or bulk button), the event shows its participants'
counts but never a name, and the list of names stays closed to them (403)."""

from __future__ import annotations

import re

import pytest

from wpsnap.registries.services.participants import participants_add_rows
from wpsnap.reporting import services
from wpsnap.reporting.services import ReportInput

from .conftest import sign_in

pytestmark = pytest.mark.django_db

NAME = "Aygun Testova"


def _main(html: str) -> str:
    """The page's own content (the header's sign-out and language forms left out)."""
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.fixture
def world(events_plan, people, training):
    """MIA's submitted report on 5.2.1.1 for 2021 (another agency than the training's) and MoD's training
    with two participants, one named with consent."""
    focal = people["other_focal"]
    activity = events_plan.activities.get(code="5.2.1.1")
    report = services.report_start(
        actor=focal,
        activity=activity,
        agency=focal.organisation,
        period=events_plan.reporting_periods.get(label="2021"),
    )
    indicator = activity.indicators.first()
    data = (
        ReportInput(progress="completed", done="Done.", values={indicator.pk: {"": "3"}})
        if indicator.kind == "count"
        else ReportInput(progress="completed", done="Done.", answers={indicator.pk: "A list."})
    )
    services.report_save(actor=focal, report=report, data=data)
    services.report_submit(actor=focal, report=report)
    services.comment_add(actor=focal, report=report, text="See the annex.")
    participants_add_rows(
        actor=people["focal"],
        event=training,
        rows=[{"sex": "women", "age": 30, "name": NAME, "consent": "yes"}, {"sex": "men", "age": 41}],
    )
    return {"report": report, "event": training}


def test_every_report_and_event_page_opens_read_only(client, people, world) -> None:
    """The report, its history, the event, the reports browser and the event list answer 200 to an
    evaluator, with no form that posts anywhere in the page's content."""
    report, event = world["report"], world["event"]
    sign_in(client, people["evaluator"])
    for url in (
        f"/reports/{report.pk}/",
        f"/reports/{report.pk}/history/",
        f"/events/{event.pk}/",
        "/reports/browse/",
        "/events/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        main = _main(response.content.decode())
        assert not re.search(r'<form[^>]*method="post"', main), url
        assert 'name="step"' not in main and 'type="checkbox"' not in main, url
        assert "/edit/" not in main, url


def test_the_event_shows_counts_never_names(client, people, world) -> None:
    """The event page gives the evaluator the participants by sex and age band, never a name, and no
    link to the list; the list and its export answer 403."""
    event = world["event"]
    sign_in(client, people["evaluator"])
    html = client.get(f"/events/{event.pk}/").content.decode()
    assert NAME not in html
    assert f"/events/{event.pk}/participants/" not in html
    assert "2" in _main(html).split('id="participants"', 1)[1]
    assert client.get(f"/events/{event.pk}/participants/").status_code == 403
    assert client.get(f"/events/{event.pk}/participants/export.csv").status_code == 403


def test_writes_are_refused(client, people, world) -> None:
    """A comment, a workflow step and a bulk step by an evaluator are refused (403) and change nothing."""
    report = world["report"]
    sign_in(client, people["evaluator"])
    assert client.post(f"/reports/{report.pk}/comment/", {"text": "Fine."}).status_code == 403
    assert client.post(f"/reports/{report.pk}/step/endorse/").status_code == 403
    bulk = {"step": "endorse", "report": [str(report.pk)]}
    assert client.post("/reports/browse/bulk/run/", bulk).status_code == 403
    report.refresh_from_db()
    assert report.status == "submitted" and report.comments.count() == 1
