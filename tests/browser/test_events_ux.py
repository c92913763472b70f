"""The events pages for a busy official on a phone (375 px): no page scrolls sideways, every input has
a label, every table a caption and header scopes, headings do not skip a level, an empty page says
what to do next, a rejected file's problems get the focus, and one tap on "Remove" asks first. The
report form says which of the events' figures were not entered at all. No console errors and no
Content Security Policy violations."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from wpsnap.registries.models import Event, Participant
from wpsnap.reporting.disaggregation import TOTAL, field_name

from .conftest import PHONE

pytestmark = pytest.mark.browser

DISTRICTS = Path(__file__).resolve().parents[2] / "plans" / "az-districts.yaml"
ROWS = "sex\tage\tdistrict\nwomen\t23\tbaku\nwomen\t31\tganja\nmen\t45\tbaku"
BAD_CSV = b"sex,age,district\nwomen,23,baku\nwoman?,250,atlantis\n"

# What a page must not have; returns one line per problem found.
PAGE_PROBLEMS = """() => {
  const problems = [];
  const textOf = (id) => { const el = document.getElementById(id); return el ? el.textContent.trim() : ""; };
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    const byLabel = [...(el.labels || [])].some((label) => label.textContent.trim());
    const byAria = (el.getAttribute("aria-label") || "").trim();
    const byIds = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean).map(textOf).join("");
    if (!byLabel && !byAria && !byIds) { problems.push("no label: " + (el.name || el.id || el.type)); }
  }
  for (const table of document.querySelectorAll("table")) {
    if (!table.caption || !table.caption.textContent.trim()) { problems.push("no caption: table." + table.className); }
    for (const th of table.querySelectorAll("th")) {
      if (!th.getAttribute("scope")) { problems.push("no scope: th " + th.textContent.trim()); }
    }
  }
  const levels = [...document.querySelectorAll("main :is(h1, h2, h3, h4, h5, h6)")].map((h) => Number(h.tagName[1]));
  if (levels.filter((level) => level === 1).length !== 1) { problems.push("not exactly one h1"); }
  levels.reduce((previous, level) => {
    if (level > previous + 1) { problems.push("h" + level + " right after h" + previous); }
    return level;
  }, 1);
  window.scrollTo(0, 0);
  const sideways = document.documentElement.scrollWidth - window.innerWidth;
  if (sideways > 0) { problems.push("the page scrolls sideways by " + sideways + " px"); }
  return problems;
}"""


def _check(page) -> None:
    assert page.evaluate(PAGE_PROBLEMS) == [], page.url


def _sign_in(page, base: str, username: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _set_up(az_plan) -> None:
    from wpsnap.registries.services.setup import events_setup, read_districts
    from wpsnap.reporting.services import reporting_setup

    reporting_setup(plan=az_plan)
    events_setup(plan=az_plan, districts=read_districts(DISTRICTS))


def test_a_new_agency_is_led_from_an_empty_list_to_its_participants(
    az_live, open_page, make_user, az_plan
) -> None:
    """Empty list -> "Record the first event" -> the form (its problems get the focus) -> the event's
    next step -> a rejected file (problems focused, nothing saved) -> pasted rows -> "Remove" asks
    first; every page fits the phone and labels every input."""
    _set_up(az_plan)
    make_user("focal_point", "mod", "mod-focal")
    page = open_page(PHONE)

    _sign_in(page, az_live, "mod-focal", "/events/")
    page.wait_for_url(re.compile(r"/events/$"))
    expect(page.get_by_text("No events are recorded yet.")).to_be_visible()
    _check(page)
    page.get_by_role("link", name="Record the first event").click()
    page.wait_for_url(re.compile(r"/events/new/"))
    _check(page)

    page.get_by_role("button", name="Record the event").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text("Give the event a title.")
    _check(page)
    page.get_by_role("textbox", name="Title").fill("UNSCR 1325 for officers")
    page.get_by_label("Type of event").select_option("training")
    page.get_by_label(re.compile(r"^5\.1\.2\.3 ·")).check()
    page.get_by_label("First day").fill("2021-03-10")
    page.get_by_role("button", name="Record the event").click()
    page.wait_for_url(re.compile(r"/events/\d+/$"))
    event = Event.objects.get(title="UNSCR 1325 for officers")
    expect(page.get_by_text("Next: record who took part.")).to_be_visible()
    expect(page.get_by_text("No participants are recorded yet.")).to_be_visible()
    expect(page.get_by_role("link", name="See the list of participants")).to_have_count(0)
    expect(page.get_by_text("No files yet: add the agenda")).to_be_visible()
    _check(page)

    page.goto(f"{az_live}/events/{event.pk}/participants/")
    expect(page.get_by_text("No participants are recorded yet.")).to_be_visible()
    _check(page)
    page.get_by_role("link", name="Add participants").click()
    page.wait_for_url(re.compile(r"/participants/import/$"))
    # Nothing to replace yet: no "Replace the current list" box.
    expect(page.get_by_label(re.compile("Replace the current list"))).to_have_count(0)
    _check(page)

    page.get_by_label("The template filled in").set_input_files(
        files=[{"name": "attendance.csv", "mimeType": "text/csv", "buffer": BAD_CSV}]
    )
    page.get_by_role("button", name="Add the participants").click()
    problems = page.locator("#import-problems")
    expect(problems).to_be_focused()
    expect(problems).to_contain_text("Nothing was saved: 3 problems to correct.")
    expect(problems).to_contain_text("rows[3].age “250” is not an age between 0 and 120.")
    expect(problems).to_contain_text("The file is not kept: choose it again once corrected.")
    assert not Participant.objects.filter(event=event).exists()
    _check(page)

    page.get_by_label("Or paste the rows").fill(ROWS)
    page.get_by_role("button", name="Add the participants").click()
    page.wait_for_url(re.compile(rf"/events/{event.pk}/participants/$"))
    _check(page)
    remove = page.get_by_role("button", name="Remove participant no. 1")
    page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    expect(page.locator("tr[data-participant]")).to_have_count(3)
    assert Participant.objects.filter(event=event).count() == 3
    page.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    expect(page.get_by_role("status").filter(has_text="Participant no. 1 is removed")).to_be_visible()
    assert Participant.objects.filter(event=event).count() == 2

    page.get_by_role("link", name="Back to the event").click()
    page.wait_for_url(re.compile(rf"/events/{event.pk}/$"))
    expect(page.get_by_role("link", name="See the list of participants")).to_be_visible()
    _check(page)
    # The form and the file with problems come back with status 400, which Chromium reports.
    assert [p for p in page.problems.all(page) if "status of 400" not in p] == []


def test_counts_and_a_consultation_fit_the_phone(az_live, open_page, make_user, az_plan) -> None:
    """The counts grid (sex x five age bands and the sums) fits a phone without scrolling sideways;
    a consultation's page shows the issues raised and the answers given under their own heading."""
    from wpsnap.registries.services.events import EventInput, event_create

    _set_up(az_plan)
    focal = make_user("focal_point", "mod", "mod-focal")
    activity = az_plan.activities.get(code="5.1.2.3")
    open_day = event_create(
        actor=focal,
        plan=az_plan,
        data=EventInput(
            kind="awareness",
            title="Open day",
            starts_on=date(2021, 9, 1),
            ends_on=date(2021, 9, 1),
            activities=[activity],
            participation="counts",
        ),
    )
    consultation = event_create(
        actor=focal,
        plan=az_plan,
        data=EventInput(
            kind="consultation",
            title="Consultation with servicewomen",
            starts_on=date(2021, 10, 5),
            ends_on=date(2021, 10, 5),
            activities=[activity],
            issues_raised="Childcare during training courses.",
            answers_given="A crèche at the academy from 2022.",
        ),
    )
    page = open_page(PHONE)
    _sign_in(page, az_live, "mod-focal", f"/events/{open_day.pk}/counts/")
    page.wait_for_url(re.compile(r"/counts/$"))
    page.locator("#id_n-sex-women--age-60-plus").fill("1234")
    expect(page.locator("output[data-grid-sum]")).to_have_text("1234")
    grid = page.locator(".grid-wrap")
    assert grid.evaluate("(wrap) => wrap.scrollWidth - wrap.clientWidth") <= 0
    _check(page)

    page.goto(f"{az_live}/events/{consultation.pk}/")
    expect(page.get_by_role("heading", name="Issues raised and answers given")).to_be_visible()
    expect(page.get_by_text("A crèche at the academy from 2022.")).to_be_visible()
    _check(page)

    page.goto(f"{az_live}/events/")
    _check(page)
    assert page.problems.all(page) == []


def test_the_rules_page_and_the_report_form_say_what_differs(az_live, open_page, make_user, az_plan) -> None:
    """A coordinator opens a rule's form on a phone (every box labelled, the button says what it
    does); the focal point's report marks a figure not entered as "not entered", one entered
    differently as "differs", and says what "Use the figures from events" does."""
    from wpsnap.registries.services.events import EventInput, event_create
    from wpsnap.registries.services.participants import participants_add_rows
    from wpsnap.reporting import services
    from wpsnap.reporting.services import ReportInput

    _set_up(az_plan)
    focal = make_user("focal_point", "mod", "mod-focal")
    coordinator = make_user("coordinator", "scfwca", "coord")
    activity = az_plan.activities.get(code="5.1.2.3")
    indicator = activity.indicators.get()
    training = event_create(
        actor=focal,
        plan=az_plan,
        data=EventInput(
            kind="training",
            title="UNSCR 1325 for officers",
            starts_on=date(2021, 3, 10),
            ends_on=date(2021, 3, 11),
            activities=[activity],
        ),
    )
    participants_add_rows(
        actor=focal,
        event=training,
        rows=[{"sex": "women", "age": 19}, {"sex": "men", "age": 30}, {"sex": "men", "age": 31}],
    )
    report = services.report_start(
        actor=focal,
        activity=activity,
        agency=focal.organisation,
        period=az_plan.reporting_periods.get(label="2021"),
    )
    services.report_save(
        actor=focal, report=report, data=ReportInput(values={indicator.pk: {"sex:men|age:25-34": "1"}})
    )

    page = open_page(PHONE)
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    _sign_in(page, az_live, "coord", "/events/rules/")
    page.wait_for_url(re.compile(r"/accounts/two-factor/"))
    page.get_by_label("Code from your authenticator app").fill(f"{TOTP(device.bin_key).token():06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/events/rules/$"))
    card = page.locator(f"#indicator-{indicator.pk}")
    card.locator("summary").click()
    expect(card.get_by_role("button", name="Save what counts")).to_be_visible()
    _check(page)

    page = open_page(PHONE)
    _sign_in(page, az_live, "mod-focal", f"/reports/{report.pk}/edit/")
    page.wait_for_url(re.compile(r"/reports/\d+/edit/$"))
    expect(page.locator(f"#id_{field_name(indicator.pk, 'sex:men|age:25-34')}_source")).to_have_text(
        "≠ events: 2 (differs)"
    )
    expect(page.locator(f"#id_{field_name(indicator.pk, 'sex:women|age:18-24')}_source")).to_have_text(
        "≠ events: 1 (not entered)"
    )
    expect(page.locator(f"#id_{field_name(indicator.pk, TOTAL)}_source")).to_have_text(
        "≠ events: 3 (not entered)"
    )
    expect(page.get_by_text("This puts the events' figures in every box of this indicator")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.problems.all(page) == []
