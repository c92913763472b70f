"""Lists as CSV and XLSX (``/exports/lists/...``): the reports browser, the figures, the events and an
event's participants, each under its page's gate and filters (the same rows as the page; another agency's
rows absent; bad filters 400 naming the parameter), with HXL where offered, XLSX reopened with openpyxl,
the participants' export audited (never its data, never in the logs) and importing back unchanged, a pinned
number of queries, and the same file when repeated."""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import date

import hxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.registries.models import Event, Participant
from wpsnap.registries.services.participants import participants_add_rows, participants_import_file
from wpsnap.reporting.workflow import Status

from ..analytics import conftest as analytics
from ..analytics.conftest import Happened, Written, count_activities, write_events, write_reports
from ..conftest import sign_in

pytestmark = pytest.mark.django_db

# The analytics tests' fixtures: the plan set up for reporting and events, people of every role.
events_plan = analytics.events_plan
plan = analytics.plan
people = analytics.people

CANARY = "Ayşə Canarytest-Quxsal"


@pytest.fixture
def world(plan, people):
    """Reports of MoD and MIA in several statuses (approved ones with figures), events of MoD and MIA
    (lists of participants and counts), and a listed MoD event with a named participant (the canary)."""
    activities = count_activities(plan, 2)
    reports = write_reports(
        plan,
        activities,
        [
            Written(0, "mod", 0, Status.APPROVED, values=(("", 10), ("sex:women|age:18-24", 4))),
            Written(0, "mia", 0, Status.PUBLISHED, values=(("", 5),)),
            Written(1, "mod", 1, Status.SUBMITTED, values=(("", 7),)),
            Written(1, "mia", 1, Status.DRAFT),
            Written(0, "mod", 1, Status.ENDORSED, progress="delayed"),
        ],
    )
    events = write_events(
        plan,
        activities,
        [
            Happened(
                "mod",
                frozenset({0}),
                date(2021, 3, 10),
                participants=(("women", "18-24"), ("men", "60-plus")),
            ),
            Happened(
                "mod", frozenset({1}), date(2022, 5, 1), kind="awareness", counts=(("sex:women|age:0-17", 3),)
            ),
            Happened("mia", frozenset({0}), date(2021, 6, 1), participants=(("women", "25-34"),)),
        ],
    )
    listed = events[0]
    participants_add_rows(
        actor=people["mod"],
        event=listed,
        rows=[
            {
                "sex": "women",
                "age": 30,
                "name": CANARY,
                "consent": "yes",
                "organisation_or_position": "=HYPERLINK(1)",
            }
        ],
    )
    return {"reports": reports, "events": events, "listed": listed, "activities": activities}


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- reports --------------------------------------------------------------------------------------------


def test_reports_are_the_browsers_rows_under_its_filters(client, people, world) -> None:
    """The coordinator's export lists every report the browser lists, in its order; with the browser's
    filters (agency, status), the same rows as the page; the approver only their agency's."""
    sign_in(client, people["coordinator"])
    page = client.get("/reports/browse/").content.decode()
    shown = [int(pk) for pk in re.findall(r'data-report="(\d+)"', page)]
    rows = rows_of(client.get("/exports/lists/reports/"))
    assert rows[0][:3] == ["Report", "Activity", "Activity (text)"]
    assert [int(r[0]) for r in rows[1:]] == shown
    assert len(shown) == len(world["reports"])

    mod = str(world["reports"][0].agency_id)
    query = f"?agency={mod}&status=approved"
    page = client.get("/reports/browse/" + query).content.decode()
    shown = [int(pk) for pk in re.findall(r'data-report="(\d+)"', page)]
    # The page's own download link carries its filters.
    link = (
        re.search(r'<a href="(/exports/lists/reports/[^"]+format=xlsx)"', page).group(1).replace("&amp;", "&")
    )
    sheet = load_workbook(io.BytesIO(client.get(link).content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == shown
    assert (
        [int(r[0]) for r in rows_of(client.get("/exports/lists/reports/" + query))[1:]]
        == shown
        == [world["reports"][0].pk]
    )

    sign_in(client, people["mod_approver"])
    listed = {int(r[0]) for r in rows_of(client.get("/exports/lists/reports/"))[1:]}
    assert listed == {r.pk for r in world["reports"] if r.agency.key == "mod"}


@pytest.mark.parametrize(
    ("query", "field"),
    [("?period=abc", "period"), ("?status=lost", "status"), ("?format=pdf", "format"), ("?hxl=yes", "hxl")],
)
def test_a_bad_filter_is_named(client, people, world, query, field) -> None:
    """A filter or option that does not fit answers 400 naming the parameter, never a file."""
    sign_in(client, people["coordinator"])
    response = client.get("/exports/lists/reports/" + query)
    assert response.status_code == 400
    assert f"<code>{field}</code>" in response.content.decode()


@pytest.mark.parametrize(("role", "status"), [("mod", 403), ("ngo", 403), ("anonymous", 302)])
def test_who_may_not_export_reports(client, people, world, role, status) -> None:
    """As the browser: focal points and NGO contributors are refused (403), anonymous visitors sent to
    sign in."""
    if role != "anonymous":
        sign_in(client, people[role])
    assert client.get("/exports/lists/reports/?format=xlsx").status_code == status


def test_reports_as_xlsx_with_hxl(client, people, world) -> None:
    """The XLSX reopens with openpyxl: header, HXL row, one row per report with ids as numbers and dates
    as dates; the same export twice is the same file."""
    sign_in(client, people["coordinator"])
    first = client.get("/exports/lists/reports/?format=xlsx&hxl=1&sort=id")
    assert first["Content-Type"].startswith("application/vnd.openxmlformats")
    assert first["Cache-Control"] == "private, no-store"
    assert 'filename="wpsnap-reports.xlsx"' in first["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(first.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][:4] == ["#meta+id", "#activity+code", "#activity+name", "#org+name"]
    assert [r[0] for r in rows[2:]] == sorted(r.pk for r in world["reports"])
    assert isinstance(rows[2][6].year, int)  # "From": a date cell
    assert client.get("/exports/lists/reports/?format=xlsx&hxl=1&sort=id").content == first.content


# --- figures --------------------------------------------------------------------------------------------


def test_figures_are_the_approved_and_published_sums(client, people, world) -> None:
    """Indicator x period x cell of approved and published reports only (the submitted report's 7 is not
    there): the first indicator's first period totals 10 + 5 over two reports, its women 18-24 cell 4."""
    sign_in(client, people["coordinator"])
    rows = rows_of(client.get("/exports/lists/figures/?hxl=1"))
    header, tags, data = rows[0], rows[1], rows[2:]
    assert tags[0] == "#indicator+code" and tags[header.index("Value")] == "#indicator+num"
    value, reports, sex, age = (header.index(n) for n in ("Value", "Reports", "Sex", "Age band"))
    assert [(r[sex], r[age], r[value], r[reports]) for r in data] == [
        ("", "", "15", "2"),
        ("women", "18-24", "4", ""),
    ]
    data = hxl.data(io.BytesIO(body_of(client.get("/exports/lists/figures/?hxl=1"))))
    assert [r.get("#indicator+num") for r in data] == ["15", "4"]


@pytest.mark.parametrize(("role", "status"), [("mod", 403), ("mod_approver", 403), ("anonymous", 302)])
def test_figures_are_for_those_who_read_the_whole_plan(client, people, world, role, status) -> None:
    """As /api/v1/results/: coordinators and evaluators; others refused."""
    if role != "anonymous":
        sign_in(client, people[role])
    assert client.get("/exports/lists/figures/").status_code == status


def test_figures_of_an_unknown_plan_are_named(client, people, world) -> None:
    sign_in(client, people["evaluator"])
    response = client.get("/exports/lists/figures/?plan=no-such-plan")
    assert response.status_code == 400 and "<code>plan</code>" in response.content.decode()


# --- events ---------------------------------------------------------------------------------------------


def test_events_are_the_lists_rows_with_people_by_sex_and_age(client, people, world) -> None:
    """MoD's focal point gets MoD's events only (MIA's is absent), as the page lists them; the listed
    event's people by sex and HXL age group (adults, elderly) add up; filters as the page's."""
    sign_in(client, people["mod"])
    page = client.get(f"/events/?plan={world['listed'].plan.slug}").content.decode()
    shown = [int(pk) for pk in re.findall(r'data-event="(\d+)"', page)]
    rows = rows_of(client.get("/exports/lists/events/?hxl=1"))
    tags, data = rows[1], rows[2:]
    assert [int(r[0]) for r in data] == shown
    assert {int(r[0]) for r in data} == {e.pk for e in world["events"] if e.organiser.key == "mod"}
    listed = next(r for r in data if int(r[0]) == world["listed"].pk)
    by_tag = dict(zip(tags, listed, strict=True))
    # Two written participants and the one added through the service (women, 30).
    assert by_tag["#reached"] == "3"
    assert (by_tag["#reached+f"], by_tag["#reached+m"]) == ("2", "1")
    assert (by_tag["#reached+f+adults"], by_tag["#reached+m+elderly"]) == ("2", "1")
    counted = next(r for r in data if int(r[0]) == world["events"][1].pk)
    assert dict(zip(tags, counted, strict=True))["#reached+f+children"] == "3"

    filtered = rows_of(client.get("/exports/lists/events/?kind=awareness"))
    assert [int(r[0]) for r in filtered[1:]] == [world["events"][1].pk]
    page = client.get("/events/?kind=awareness").content.decode()
    link = (
        re.search(r'<a href="(/exports/lists/events/[^"]+format=csv[^"]*)"', page)
        .group(1)
        .replace("&amp;", "&")
    )
    assert [int(r[0]) for r in rows_of(client.get(link))[2:]] == [world["events"][1].pk]
    assert client.get("/exports/lists/events/?year=1900").status_code == 400
    assert "<code>district</code>" in client.get("/exports/lists/events/?district=atlantis").content.decode()


# --- participants ---------------------------------------------------------------------------------------


def test_participants_only_for_those_who_may_see_them(client, people, world) -> None:
    """MIA's focal point gets 404 for MoD's event (audited as refused); the evaluator 403 (never sees
    participants); anonymous to sign in."""
    url = f"/exports/lists/events/{world['listed'].pk}/participants/"
    sign_in(client, people["mia"])
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_REFUSED, object_id=str(world["listed"].pk)
    ).exists()
    sign_in(client, people["evaluator"])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_participants_names_audit_and_canary(client, people, world, caplog) -> None:
    """The coordinator's export has names, the focal point's not; each export writes an audit line naming
    who, which list and how many rows; no participant's name reaches the logs or the audit trail."""
    url = f"/exports/lists/events/{world['listed'].pk}/participants/"
    caplog.set_level(logging.DEBUG)
    sign_in(client, people["coordinator"])
    rows = rows_of(client.get(url))
    assert rows[0] == [
        "sex",
        "age",
        "age_band",
        "population_group",
        "district",
        "organisation_or_position",
        "name",
        "consent",
    ]
    assert CANARY in [r[6] for r in rows[1:]]
    assert "'=HYPERLINK(1)" in [r[5] for r in rows[1:]]
    sign_in(client, people["mod"])
    rows = rows_of(client.get(url))
    assert "name" not in rows[0] and CANARY not in str(rows)
    page = client.get(f"/events/{world['listed'].pk}/participants/").content.decode()
    assert f'href="{url}?format=xlsx"' in page
    lines = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(world["listed"].pk)).order_by(
        "pk"
    )
    assert [(line.actor_id, line.note) for line in lines] == [
        (people["coordinator"].pk, "participants list, 3 rows, csv, with names"),
        (people["mod"].pk, "participants list, 3 rows, csv, without names"),
    ]
    assert CANARY not in caplog.text
    assert not AuditEvent.objects.filter(note__contains="Canarytest").exists()
    assert "hxl" in client.get(url + "?hxl=1").content.decode()  # refused: this list has no HXL row


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_participants_export_imports_back_unchanged(client, people, world, fmt) -> None:
    """The focal point's export (without names), imported into another MoD event, gives the same rows:
    the neutralised formula comes back as it was typed."""
    sign_in(client, people["mod"])
    content = body_of(client.get(f"/exports/lists/events/{world['listed'].pk}/participants/?format={fmt}"))
    fields = ("sex", "age", "age_band", "population_group", "district", "affiliation", "consent")
    before = list(Participant.objects.filter(event=world["listed"]).order_by("id").values_list(*fields))
    other = Event.objects.create(
        plan=world["listed"].plan,
        organiser=world["listed"].organiser,
        kind="training",
        title="Another",
        starts_on=date(2021, 4, 1),
        ends_on=date(2021, 4, 1),
    )
    participants_import_file(actor=people["mod"], event=other, name=f"list.{fmt}", content=content)
    after = list(Participant.objects.filter(event=other).order_by("id").values_list(*fields))
    assert after == before
    assert ("=HYPERLINK(1)" in {row[5] for row in after}) is True


# --- query counts and repeats ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "url", "queries"),
    [
        ("coordinator", "/exports/lists/reports/", 9),
        ("coordinator", "/exports/lists/figures/", 10),
        ("mod", "/exports/lists/events/", 9),
        ("coordinator", "/exports/lists/events/{listed}/participants/", 7),
    ],
)
def test_query_counts_are_pinned(client, people, world, who, url, queries) -> None:
    """Each export costs a fixed number of queries (sign-in and session included), whatever the rows."""
    sign_in(client, people[who])
    url = url.format(listed=world["listed"].pk)
    body_of(client.get(url))  # the first request of a session does its own work (sign-in's last step)
    with CaptureQueriesContext(connection) as first:
        body_of(client.get(url))
    # More rows of each kind: the count does not move.
    write_reports(
        world["listed"].plan, world["activities"], [Written(1, "mod", 2, Status.APPROVED, values=(("", 1),))]
    )
    write_events(
        world["listed"].plan,
        world["activities"],
        [Happened("mod", frozenset({0, 1}), date(2021, 7, 1), participants=(("men", "18-24"),))],
    )
    participants_add_rows(actor=people["mod"], event=world["listed"], rows=[{"sex": "men", "age": 40}])
    with CaptureQueriesContext(connection) as second:
        body_of(client.get(url))
    assert len(second) == len(first) == queries, [q["sql"][:150] for q in second.captured_queries]
