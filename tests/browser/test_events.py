"""A focal point on a phone records a training, pastes three participant rows copied from a spreadsheet
(no file downloaded or uploaded), and sees the participants by sex and age band on the event's page;
the page never scrolls sideways, and there are no console errors and no Content Security Policy
violations."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from wpsnap.registries.models import Event, Participant

from .conftest import PHONE

pytestmark = pytest.mark.browser

DISTRICTS = Path(__file__).resolve().parents[2] / "plans" / "az-districts.yaml"
# As copied from a spreadsheet: tab-separated, the header row first.
ROWS = "sex\tage\tdistrict\nwomen\t23\tbaku\nwomen\t31\tganja\nmen\t45\tbaku"


def _sign_in(page, base: str, username: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _no_sideways_scroll(page) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_focal_point_records_a_training_and_pastes_its_participants_on_a_phone(
    az_live, open_page, make_user, az_plan
) -> None:
    from wpsnap.registries.services.setup import events_setup, read_districts
    from wpsnap.reporting.services import reporting_setup

    reporting_setup(plan=az_plan)
    events_setup(plan=az_plan, districts=read_districts(DISTRICTS))
    make_user("focal_point", "mod", "mod-focal")
    page = open_page(PHONE)

    _sign_in(page, az_live, "mod-focal", "/events/")
    page.wait_for_url(re.compile(r"/events/$"))
    expect(page.get_by_text("No events are recorded yet.")).to_be_visible()
    page.get_by_role("link", name="Record an event").click()
    page.wait_for_url(re.compile(r"/events/new/"))
    _no_sideways_scroll(page)

    page.get_by_role("textbox", name="Title").fill("UNSCR 1325 for officers")
    kind = page.get_by_label("Type of event")
    dialogue = page.locator("#dialogue-fields")
    kind.select_option("consultation")
    expect(dialogue).to_be_visible()  # issues raised and answers given: for consultations and surveys
    kind.select_option("training")
    expect(dialogue).to_be_hidden()
    page.get_by_label(re.compile(r"^5\.1\.2\.3 ·")).check()
    page.get_by_label("First day").fill("2021-03-10")
    page.get_by_label("District", exact=True).select_option("baku")
    page.get_by_label(re.compile(r"^UNSCR 1325 \(")).check()
    page.get_by_role("button", name="Record the event").click()
    page.wait_for_url(re.compile(r"/events/\d+/$"))

    event = Event.objects.get(title="UNSCR 1325 for officers")
    assert (event.kind, event.district, event.organiser.key) == ("training", "baku", "mod")
    expect(page.get_by_text("Next: record who took part.")).to_be_visible()
    page.get_by_role("link", name="Add participants").first.click()
    page.wait_for_url(re.compile(r"/participants/import/$"))
    _no_sideways_scroll(page)

    page.get_by_label("Or paste the rows").fill(ROWS)
    page.get_by_role("button", name="Add the participants").click()
    page.wait_for_url(re.compile(rf"/events/{event.pk}/participants/$"))
    expect(page.get_by_role("status").filter(has_text="3 participants added.")).to_be_visible()
    assert Participant.objects.filter(event=event).count() == 3
    _no_sideways_scroll(page)

    page.get_by_role("link", name="Back to the event").click()
    page.wait_for_url(re.compile(rf"/events/{event.pk}/$"))
    table = page.get_by_role("table", name=re.compile("participants, by age band and sex"))
    expect(table).to_be_visible()
    # A row per age band (0-17, 18-24, 25-34, 35-59, 60 and over, total), then women, men, total.
    rows = table.locator("tbody tr, tfoot tr")
    expect(rows).to_have_count(6)
    cells = [
        ["0", "0", "0"],
        ["1", "0", "1"],
        ["1", "0", "1"],
        ["0", "1", "1"],
        ["0", "0", "0"],
        ["2", "1", "3"],
    ]
    for index, expected in enumerate(cells):
        expect(rows.nth(index).get_by_role("cell")).to_have_text(expected)
    expect(table.locator("[data-total]")).to_have_text("3")
    _no_sideways_scroll(page)
    assert page.problems.all(page) == []


def test_focal_point_enters_counts_for_an_event_without_a_list(
    az_live, open_page, make_user, az_plan
) -> None:
    """An open day where no list could be kept: the grid sums itself while the focal point types, and
    the event's page shows the counts saved."""
    from wpsnap.registries.services.events import EventInput, event_create
    from wpsnap.registries.services.setup import events_setup, read_districts
    from wpsnap.reporting.services import reporting_setup

    reporting_setup(plan=az_plan)
    events_setup(plan=az_plan, districts=read_districts(DISTRICTS))
    focal = make_user("focal_point", "mod", "mod-focal")
    event = event_create(
        actor=focal,
        plan=az_plan,
        data=EventInput(
            kind="awareness",
            title="Open day",
            starts_on=date(2021, 9, 1),
            ends_on=date(2021, 9, 1),
            activities=[az_plan.activities.get(code="5.1.2.3")],
            participation="counts",
        ),
    )
    page = open_page(PHONE)
    _sign_in(page, az_live, "mod-focal", f"/events/{event.pk}/")
    page.wait_for_url(re.compile(rf"/events/{event.pk}/$"))
    page.get_by_role("link", name="Enter the counts").click()
    page.wait_for_url(re.compile(r"/counts/$"))
    page.locator("#id_n-sex-women--age-18-24").fill("12")
    page.locator("#id_n-sex-men--age-35-59").fill("8")
    expect(page.locator("output[data-grid-sum]")).to_have_text("20")
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Save the counts").click()
    page.wait_for_url(re.compile(rf"/events/{event.pk}/$"))
    expect(page.get_by_role("status").filter(has_text="20 participants in all")).to_be_visible()
    expect(page.locator("[data-total]")).to_have_text("20")
    assert page.problems.all(page) == []
