"""The events pages: the list with its filters, recording, changing and deleting an event, its page with
the participants table, its files, adding participants (upload, paste), the list, the export, counts,
and the indicators counted from events; who may reach each page, what a locked period does, and
what each page costs in queries."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from wpsnap.accounts.models import Organisation
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.registries import page_selectors
from wpsnap.registries.models import DerivationRule, Event, EventFile, Participant, ParticipantCount, Topic
from wpsnap.registries.services.events import EventInput, event_create, event_file_add
from wpsnap.registries.services.participants import participants_import_text

from .conftest import sign_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ROWS = "sex\tage\tdistrict\tname\tconsent\nwomen\t23\tbaku\tAysel Mammadova\tyes\nmen\t40\tganja\t\tno\nqadın\t61\t\t\t\n"  # noqa: RUF001 - Azerbaijani for "woman"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Event files go to a throw-away directory, not the developer's private files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }


@pytest.fixture
def with_people(training):
    """The training with its three participants (one named, with consent)."""
    participants_import_text(actor=_focal(training), event=training, text=ROWS)
    return training


def _focal(event: Event):
    return event.created_by


def _text(response) -> str:
    return response.content.decode()


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _summary(html: str) -> dict[str, list[str]]:
    """The participants table on an event's page: {row heading: [cells...]}."""
    table = re.search(r"<table[^>]*data-summary.*?</table>", html, re.S)
    assert table is not None, "no participants table"
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S):
        heading = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if heading:
            rows[heading.group(1).strip()] = [
                c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            ]
    return rows


def _lock(plan, label: str) -> None:
    plan.reporting_periods.filter(label=label).update(locked_at=timezone.now())


def _mia_activity(plan):
    """An activity MIA may report on and MoD may not."""
    mia, mod = (Organisation.objects.get(country="AZ", key=key) for key in ("mia", "mod"))
    theirs = {a.pk for a in page_selectors.reportable_activities(plan, mod)}
    return next(a for a in page_selectors.reportable_activities(plan, mia) if a.pk not in theirs)


def _event_form(activity, **extra) -> dict:
    data = {
        "title": "Mediation skills for women leaders",
        "kind": "training",
        "starts_on": "2021-05-04",
        "ends_on": "2021-05-05",
        "activities": [str(activity.pk)],
        "participation": "list",
        "topics": [str(Topic.objects.get(code="mediation").pk)],
        "other_topics": "",
        "district": "ganja",
        "place": "Ganja State University",
        "content": "Negotiation, mediation, leadership.",
        "outcomes": "",
        "issues_raised": "",
        "answers_given": "",
    }
    data.update(extra)
    return data


# --- who may reach which page --------------------------------------------------------------------

PAGES = [
    # (url, focal, approver, coordinator, evaluator, other focal at MIA)
    ("/events/", (200, 200, 200, 200, 200)),
    ("/events/new/", (200, 403, 403, 403, 200)),
    ("/events/{pk}/", (200, 200, 200, 200, 404)),
    ("/events/{pk}/edit/", (200, 403, 403, 403, 404)),
    ("/events/{pk}/delete/", (200, 403, 403, 403, 404)),
    ("/events/{pk}/counts/", (200, 403, 403, 403, 404)),
    ("/events/{pk}/participants/", (200, 200, 200, 403, 404)),
    ("/events/{pk}/participants/import/", (200, 403, 403, 403, 404)),
    ("/events/{pk}/participants/clear/", (200, 403, 403, 403, 404)),
    ("/events/{pk}/participants/template.xlsx", (200, 403, 403, 403, 404)),
    ("/events/{pk}/participants/template.csv", (200, 403, 403, 403, 404)),
    ("/events/{pk}/participants/export.csv", (200, 200, 200, 403, 404)),
    ("/events/{pk}/files/{file}/", (200, 200, 200, 200, 404)),
    ("/events/rules/", (200, 200, 200, 200, 200)),
]
ROLES = ("focal", "approver", "coordinator", "evaluator", "other_focal")


@pytest.mark.parametrize(("url", "expected"), PAGES)
def test_each_page_answers_the_roles_it_should(client, people, with_people, url, expected) -> None:
    """Every page renders for the roles allowed and answers 403 (may see the event, not do this) or
    404 (may not see it: MIA's focal point on MoD's event) for the others; anonymous visitors are
    sent to sign in."""
    stored = event_file_add(actor=people["focal"], event=with_people, name="agenda.pdf", content=PDF)
    address = url.format(pk=with_people.pk, file=stored.pk)
    assert client.get(address).status_code == 302
    answers = []
    for role in ROLES:
        sign_in(client, people[role])
        answers.append(client.get(address).status_code)
    assert dict(zip(ROLES, answers, strict=True)) == dict(zip(ROLES, expected, strict=True))


def test_an_evaluator_sees_the_event_and_its_table_but_not_the_people(client, people, with_people) -> None:
    """The evaluator reads the event and the participants by sex and age band, without a link to the
    list; the list itself is refused and the refusal audited."""
    sign_in(client, people["evaluator"])
    page = _text(client.get(f"/events/{with_people.pk}/"))
    assert _summary(page)["Total"][-1] == "3"
    assert "See the list of participants" not in page
    assert "Aysel" not in page
    assert client.get(f"/events/{with_people.pk}/participants/").status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, note="participant.view").exists()


def test_a_partner_sees_the_event_but_not_its_participants(client, people, events_plan) -> None:
    """An event MoD held with MIA as a partner: MIA's focal point sees it in the list and on its page,
    but its participants answer 404 and its page has no edit buttons."""
    mia = people["other_focal"].organisation
    event = event_create(
        actor=people["focal"],
        plan=events_plan,
        data=EventInput(
            kind="training",
            title="Joint training",
            starts_on=date(2021, 6, 1),
            ends_on=date(2021, 6, 1),
            activities=[events_plan.activities.get(code="5.1.2.3")],
            partners=[mia],
        ),
    )
    participants_import_text(actor=people["focal"], event=event, text=ROWS)
    sign_in(client, people["other_focal"])
    assert f'data-event="{event.pk}"' in _text(client.get("/events/"))
    page = _text(client.get(f"/events/{event.pk}/"))
    assert "Joint training" in page
    assert "Change the event" not in page
    assert client.get(f"/events/{event.pk}/participants/").status_code == 404
    assert client.get(f"/events/{event.pk}/participants/export.csv").status_code == 404
    assert client.post(f"/events/{event.pk}/edit/", _event_form(event.activities.get())).status_code == 403
    event.refresh_from_db()
    assert event.title == "Joint training"


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_each_event_with_its_participants(client, people, with_people) -> None:
    """MoD's focal point sees the training with its date, type, organiser and 3 participants, and the
    button to record an event; MIA's focal point sees no events of MoD."""
    sign_in(client, people["focal"])
    page = _text(client.get("/events/"))
    row = re.search(rf'<tr data-event="{with_people.pk}">(.*?)</tr>', page, re.S)
    assert row is not None
    cells = _plain(row.group(1))
    assert "2021-03-10" in cells and "UNSCR 1325 for officers" in cells and "Training" in cells
    assert re.search(r"data-participants>3<", row.group(1))
    assert "Record an event" in page
    assert "1 event recorded." in page

    sign_in(client, people["other_focal"])
    page = _text(client.get("/events/"))
    assert f'data-event="{with_people.pk}"' not in page
    assert "No events are recorded yet." in page


def test_the_list_filters_by_type_year_activity_and_organiser(client, people, events_plan, training) -> None:
    """Filters narrow the list; htmx gets the results region alone; an unknown value is a message
    next to its field, with status 400."""
    activity = training.activities.get()
    event_create(
        actor=people["focal"],
        plan=events_plan,
        data=EventInput(
            kind="awareness",
            title="Awareness day",
            starts_on=date(2022, 2, 1),
            ends_on=date(2022, 2, 1),
            activities=[activity],
        ),
    )
    sign_in(client, people["coordinator"])
    assert "2 events recorded." in _text(client.get("/events/"))
    by_kind = _text(client.get("/events/?kind=awareness"))
    assert "Awareness day" in by_kind and "UNSCR 1325 for officers" not in by_kind
    assert "1 event matches the filters." in by_kind
    by_year = _text(client.get("/events/?year=2021"))
    assert "UNSCR 1325 for officers" in by_year and "Awareness day" not in by_year
    assert "2 events match" in _text(client.get(f"/events/?activity={activity.pk}&organiser=mod"))
    partial = client.get("/events/?kind=training", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in _text(partial) and "UNSCR 1325 for officers" in _text(partial)
    wrong = client.get("/events/?kind=party")
    assert wrong.status_code == 400
    assert "“party” is not in the list." in _text(wrong)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_list_costs_the_same_queries_for_3_and_30_events(
    client, people, events_plan, training, django_assert_max_num_queries
) -> None:
    """The list's query count does not grow with the number of events or their participants."""
    activity = training.activities.get()
    mia = people["other_focal"].organisation

    def add(n: int) -> None:
        for i in range(n):
            event = event_create(
                actor=people["focal"],
                plan=events_plan,
                data=EventInput(
                    kind="training",
                    title=f"Training {i}",
                    starts_on=date(2022, 1, 1) + timedelta(days=i),
                    ends_on=date(2022, 1, 1) + timedelta(days=i),
                    activities=[activity],
                    partners=[mia],
                ),
            )
            participants_import_text(actor=people["focal"], event=event, text=ROWS)

    add(2)
    sign_in(client, people["focal"])
    # Session and user, plans, filter choices (2), count, page, activities, totals (2); the session's
    # last activity saved (3).
    with django_assert_max_num_queries(13):
        client.get("/events/")
    few = _queries(client, "/events/")
    add(27)
    assert Event.objects.count() == 30
    assert _queries(client, "/events/") == few


# --- recording an event --------------------------------------------------------------------------


def test_a_focal_point_records_an_event_through_the_form(client, people, events_plan) -> None:
    """The form offers MoD's activities only; posting it records the event with its topics, partner
    and district, and leads to its page with the next step: adding participants."""
    activity = events_plan.activities.get(code="5.1.2.3")
    mia = people["other_focal"].organisation
    sign_in(client, people["focal"])
    form = _text(client.get("/events/new/"))
    assert f'name="activities" value="{activity.pk}"' in form
    assert f'name="activities" value="{_mia_activity(events_plan).pk}"' not in form
    assert 'data-dialogue-kinds="consultation survey"' in form

    response = client.post("/events/new/", _event_form(activity, partners=[str(mia.pk)]))

    assert response.status_code == 302
    event = Event.objects.get(title="Mediation skills for women leaders")
    assert response["Location"] == f"/events/{event.pk}/"
    assert (event.organiser.key, event.district, event.ends_on) == ("mod", "ganja", date(2021, 5, 5))
    assert [t.code for t in event.topics.all()] == ["mediation"]
    assert [p.key for p in event.partners.all()] == ["mia"]
    page = _text(client.get(response["Location"]))
    assert "is recorded. Now add its participants." in page
    assert "Next: record who took part." in page
    assert f'href="/events/{event.pk}/participants/import/"' in page
    assert "Ganja" in page


def test_problems_are_shown_next_to_their_fields_and_nothing_is_saved(client, people, events_plan) -> None:
    """A form the service refuses (an activity MoD is not named for, a last day before the first) comes
    back with status 400, every problem next to its field and what was typed in place."""
    activity = events_plan.activities.get(code="5.1.2.3")
    sign_in(client, people["focal"])
    response = client.post(
        "/events/new/",
        _event_form(activity, ends_on="2021-05-01", activities=[str(_mia_activity(events_plan).pk)]),
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Choose activities from the list." in page  # not on offer to MoD
    response = client.post("/events/new/", _event_form(activity, ends_on="2021-05-01", title=""))
    page = _text(response)
    assert response.status_code == 400
    assert re.search(r'id="id_title_error">.*Give the event a title.', page, re.S)
    response = client.post("/events/new/", _event_form(activity, ends_on="2021-05-01"))
    assert response.status_code == 400
    assert re.search(r'id="id_ends_on_error">.*The last day is before the first day', _text(response), re.S)
    assert 'value="Mediation skills for women leaders"' in _text(response)
    assert not Event.objects.exists()


def test_a_consultation_keeps_its_issues_and_answers(client, people, events_plan) -> None:
    """The dialogue mechanism: a consultation records the issues raised and the answers given, and its
    page shows them; a training drops them."""
    activity = events_plan.activities.get(code="5.1.2.3")
    sign_in(client, people["focal"])
    client.post(
        "/events/new/",
        _event_form(
            activity,
            kind="consultation",
            title="Meeting with IDP women",
            issues_raised="Housing repairs.",
            answers_given="Referred to the State Committee.",
        ),
    )
    event = Event.objects.get(title="Meeting with IDP women")
    page = _text(client.get(f"/events/{event.pk}/"))
    assert "Housing repairs." in page and "Referred to the State Committee." in page
    client.post("/events/new/", _event_form(activity, title="A training", issues_raised="Ignored."))
    assert Event.objects.get(title="A training").issues_raised == ""


def test_changing_and_deleting_an_event(client, people, with_people) -> None:
    """The edit form starts from the event; saving changes it. Deleting asks first, then removes the
    event with its participants."""
    sign_in(client, people["focal"])
    form = _text(client.get(f"/events/{with_people.pk}/edit/"))
    assert 'value="UNSCR 1325 for officers"' in form
    activity = with_people.activities.get()
    response = client.post(
        f"/events/{with_people.pk}/edit/", _event_form(activity, title="UNSCR 1325 for senior officers")
    )
    assert response.status_code == 302
    with_people.refresh_from_db()
    assert with_people.title == "UNSCR 1325 for senior officers"

    confirm = _text(client.get(f"/events/{with_people.pk}/delete/"))
    assert "3 participants" in confirm
    assert Event.objects.filter(pk=with_people.pk).exists()
    response = client.post(f"/events/{with_people.pk}/delete/")
    assert response.status_code == 302
    assert not Event.objects.filter(pk=with_people.pk).exists()
    assert not Participant.objects.exists()


def test_a_locked_period_is_a_clear_message_not_an_error(client, people, with_people, events_plan) -> None:
    """Once 2021 is locked: the event's page says so and offers no changes; changing, deleting,
    importing, emptying the list, uploading or removing a file answers 409 with the reason, and
    nothing changes."""
    stored = event_file_add(actor=people["focal"], event=with_people, name="agenda.pdf", content=PDF)
    _lock(events_plan, "2021")
    sign_in(client, people["focal"])
    page = _text(client.get(f"/events/{with_people.pk}/"))
    assert "approved and locked" in page
    assert "Change the event" not in page
    activity = with_people.activities.get()
    answers = [
        client.post(f"/events/{with_people.pk}/edit/", _event_form(activity, title="Changed")),
        client.post(f"/events/{with_people.pk}/delete/"),
        client.post(f"/events/{with_people.pk}/participants/import/", {"text": ROWS}),
        client.post(f"/events/{with_people.pk}/participants/clear/"),
        client.post(
            f"/events/{with_people.pk}/files/", {"purpose": "agenda", "file": _upload(PDF, "more.pdf")}
        ),
        client.post(f"/events/{with_people.pk}/files/{stored.pk}/delete/"),
    ]
    assert [r.status_code for r in answers] == [409] * 6
    assert all("approved and locked" in _text(r) for r in answers)
    with_people.refresh_from_db()
    assert with_people.title == "UNSCR 1325 for officers"
    assert Participant.objects.filter(event=with_people).count() == 3
    assert list(EventFile.objects.values_list("original_name", flat=True)) == ["agenda.pdf"]


def _upload(content: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


# --- the event's page ----------------------------------------------------------------------------


def test_the_event_page_shows_the_participants_by_sex_and_age_band(
    client, people, with_people, django_assert_max_num_queries
) -> None:
    """Women 18-24: 1, women 60+: 1, men 35-59: 1 (rows by age band, columns women, men, total); a
    fixed number of queries whatever the number of participants and files."""
    sign_in(client, people["focal"])
    url = f"/events/{with_people.pk}/"
    table = _summary(_text(client.get(url)))
    assert table == {
        "0\u201317": ["0", "0", "0"],
        "18\u201324": ["1", "0", "1"],
        "25\u201334": ["0", "0", "0"],
        "35\u201359": ["0", "1", "1"],
        "60 and over": ["1", "0", "1"],
        "Total": ["2", "1", "3"],
    }
    # Session and user, the event, activities, topics, partners, files, the table, its options (2),
    # the district, the lock.
    with django_assert_max_num_queries(13):
        client.get(url)
    few = _queries(client, url)
    participants_import_text(
        actor=people["focal"], event=with_people, text=ROWS * 1 + ROWS.split("\n", 1)[1] * 20
    )
    event_file_add(actor=people["focal"], event=with_people, name="a.pdf", content=PDF)
    event_file_add(actor=people["focal"], event=with_people, name="b.txt", content=b"notes")
    assert _queries(client, url) == few


def test_files_are_uploaded_downloaded_through_the_gate_and_removed(client, people, training) -> None:
    """An agenda is kept, downloaded as an attachment that browsers must not sniff, and deleted; a
    file that is not what it claims is refused next to the field."""
    sign_in(client, people["focal"])
    with io.BytesIO(PDF) as upload:
        upload.name = "agenda.pdf"
        response = client.post(f"/events/{training.pk}/files/", {"purpose": "agenda", "file": upload})
    assert response.status_code == 302
    stored = EventFile.objects.get(event=training)
    download = client.get(f"/events/{training.pk}/files/{stored.pk}/")
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    with io.BytesIO(b"MZ\x90\x00" + b"\x00" * 64) as upload:
        upload.name = "agenda.pdf"
        refused = client.post(f"/events/{training.pk}/files/", {"purpose": "agenda", "file": upload})
    assert refused.status_code == 400
    assert re.search(r'id="file_file_error">.*is not a PDF', _text(refused), re.S)
    assert client.post(f"/events/{training.pk}/files/{stored.pk}/delete/").status_code == 302
    assert not EventFile.objects.exists()


# --- adding participants -------------------------------------------------------------------------


def test_pasted_rows_are_added(client, people, training) -> None:
    """Rows pasted from a spreadsheet become participants; the list page says how many were added."""
    sign_in(client, people["focal"])
    response = client.post(f"/events/{training.pk}/participants/import/", {"text": ROWS})
    assert response.status_code == 302
    assert response["Location"] == f"/events/{training.pk}/participants/"
    page = client.get(response["Location"])
    assert "3 participants added." in _text(page)
    assert Participant.objects.filter(event=training).count() == 3


def test_a_csv_file_is_added(client, people, training) -> None:
    sign_in(client, people["focal"])
    content = b"sex;age_band;population_group\nwomen;25-34;idp\nmen;18-24;\n"
    with io.BytesIO(content) as upload:
        upload.name = "list.csv"
        response = client.post(f"/events/{training.pk}/participants/import/", {"file": upload})
    assert response.status_code == 302
    assert sorted(Participant.objects.values_list("sex", "age_band", "population_group")) == [
        ("men", "18-24", ""),
        ("women", "25-34", "idp"),
    ]


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_excel_file_is_added_and_can_replace_the_list(client, people, with_people) -> None:
    """A real .xlsx (made with openpyxl) is read; with "replace" ticked it becomes the whole list."""
    content = _xlsx([["Sex", "Age", "District"], ["women", 34, "baku"], ["men", 19, "sumgayit"]])
    sign_in(client, people["focal"])
    with io.BytesIO(content) as upload:
        upload.name = "list.xlsx"
        response = client.post(
            f"/events/{with_people.pk}/participants/import/", {"file": upload, "replace": "on"}
        )
    assert response.status_code == 302
    assert sorted(Participant.objects.filter(event=with_people).values_list("sex", "age", "district")) == [
        ("men", 19, "sumgayit"),
        ("women", 34, "baku"),
    ]


def test_a_bad_file_shows_every_row_problem_and_saves_nothing(client, people, with_people) -> None:
    """A file with a bad sex code, age 250 and an unknown district: status 400, each problem named by
    row and column, and the list is exactly as it was."""
    before = sorted(Participant.objects.values_list("id", "sex", "age"))
    content = b"sex,age,district\nwomen,30,baku\nwoman?,30,\nmen,250,\nmen,30,atlantis\n"
    sign_in(client, people["focal"])
    with io.BytesIO(content) as upload:
        upload.name = "list.csv"
        response = client.post(
            f"/events/{with_people.pk}/participants/import/", {"file": upload, "replace": "on"}
        )
    assert response.status_code == 400
    assert response["Cache-Control"] == "private, no-store"
    page = _plain(_text(response))
    assert "Nothing was saved: 3 problems to correct." in page
    assert "rows[3].sex “woman?” is not one of men, women." in page
    assert "rows[4].age “250” is not an age between 0 and 120." in page
    assert "rows[5].district “atlantis” is not a known district" in page
    assert sorted(Participant.objects.values_list("id", "sex", "age")) == before


def test_a_spreadsheet_that_is_not_one_and_an_empty_form_are_refused(client, people, training) -> None:
    sign_in(client, people["focal"])
    with io.BytesIO(b"PK\x03\x04 not really a zip") as upload:
        upload.name = "list.xlsx"
        response = client.post(f"/events/{training.pk}/participants/import/", {"file": upload})
    assert response.status_code == 400
    assert "is not a spreadsheet" in _text(response)
    empty = client.post(f"/events/{training.pk}/participants/import/", {"text": "  "})
    assert empty.status_code == 400
    assert "Choose a file, or paste the rows" in _text(empty)
    assert not Participant.objects.exists()


# --- the list, removing, exporting ---------------------------------------------------------------


def test_the_participant_list_shows_names_and_is_never_cached(
    client, people, with_people, django_assert_max_num_queries
) -> None:
    """The organising agency and the coordinator see the list with names; the pages are private and
    never stored; the list costs the same queries for 3 and 103 participants."""
    url = f"/events/{with_people.pk}/participants/"
    for role in ("focal", "approver", "coordinator"):
        sign_in(client, people[role])
        response = client.get(url)
        assert response["Cache-Control"] == "private, no-store"
        assert "Aysel Mammadova" in _text(response)
    sign_in(client, people["focal"])
    for path in ("import/", "template.xlsx", "export.csv"):
        assert client.get(url + path)["Cache-Control"] == "private, no-store"
    # Session and user, the event, count, page, option labels, the lock.
    with django_assert_max_num_queries(8):
        client.get(url)
    few = _queries(client, url)
    participants_import_text(
        actor=people["focal"], event=with_people, text=ROWS + ROWS.split("\n", 1)[1] * 40
    )
    assert Participant.objects.count() == 126
    assert _queries(client, url) == few
    assert "Page 1 of 2" in _text(client.get(url))


def test_removing_one_participant_and_the_whole_list(client, people, with_people) -> None:
    sign_in(client, people["focal"])
    first = Participant.objects.filter(event=with_people).order_by("id").first()
    response = client.post(f"/events/{with_people.pk}/participants/{first.pk}/delete/")
    assert response.status_code == 302
    assert Participant.objects.filter(event=with_people).count() == 2
    assert "Participant no. 1 is removed" in _text(client.get(response["Location"]))
    assert "The 2 participants recorded for" in _plain(
        _text(client.get(f"/events/{with_people.pk}/participants/clear/"))
    )
    assert client.post(f"/events/{with_people.pk}/participants/clear/").status_code == 302
    assert not Participant.objects.filter(event=with_people).exists()


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_a_coordinator_exports_with_names_a_focal_point_without(client, people, with_people) -> None:
    """Names leave the platform only by a coordinator's hand; both exports are audited, saying which."""
    url = f"/events/{with_people.pk}/participants/export.csv"
    sign_in(client, people["coordinator"])
    rows = _csv(client.get(url))
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
    assert ["women", "23", "18-24", "", "baku", "", "Aysel Mammadova", "yes"] in rows
    sign_in(client, people["focal"])
    response = client.get(url)
    assert (
        response["Content-Disposition"] == f'attachment; filename="event-{with_people.pk}-participants.csv"'
    )
    rows = _csv(response)
    assert "name" not in rows[0]
    assert len(rows) == 4
    assert all("Aysel" not in cell for row in rows for cell in row)
    notes = list(
        AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(with_people.pk))
        .order_by("id")
        .values_list("actor__username", "note")
    )
    assert notes == [("coord", "with names"), ("mod-focal", "without names")]


def test_the_export_cannot_carry_a_formula(client, people, training) -> None:
    """A cell that a spreadsheet would run as a formula is written with a leading quote."""
    participants_import_text(
        actor=people["focal"],
        event=training,
        text='sex,age,organisation_or_position\nwomen,30,=HYPERLINK("http://x")\nmen,31,@SUM(A1)\n',
    )
    sign_in(client, people["focal"])
    rows = _csv(client.get(f"/events/{training.pk}/participants/export.csv"))
    assert [row[5] for row in rows[1:]] == ['\'=HYPERLINK("http://x")', "'@SUM(A1)"]


# --- counts --------------------------------------------------------------------------------------


def test_counts_by_sex_and_age_band_for_an_event_without_a_list(client, people, events_plan) -> None:
    """An event recorded as counts: the grid saves its cells, the event's page shows them, and a
    word where a number belongs is refused next to its cell."""
    event = event_create(
        actor=people["focal"],
        plan=events_plan,
        data=EventInput(
            kind="awareness",
            title="Open day",
            starts_on=date(2021, 9, 1),
            ends_on=date(2021, 9, 1),
            activities=[events_plan.activities.get(code="5.1.2.3")],
            participation="counts",
        ),
    )
    sign_in(client, people["focal"])
    page = _text(client.get(f"/events/{event.pk}/counts/"))
    assert 'name="n-sex-women--age-18-24"' in page
    response = client.post(
        f"/events/{event.pk}/counts/", {"n-sex-women--age-18-24": "12", "n-sex-men--age-35-59": "8"}
    )
    assert response.status_code == 302
    assert dict(ParticipantCount.objects.filter(event=event).values_list("cell", "value")) == {
        "sex:women|age:18-24": 12,
        "sex:men|age:35-59": 8,
    }
    table = _summary(_text(client.get(f"/events/{event.pk}/")))
    assert table["Total"][-1] == "20"
    refused = client.post(f"/events/{event.pk}/counts/", {"n-sex-women--age-18-24": "many"})
    assert refused.status_code == 400
    assert re.search(
        r'id="id_n-sex-women--age-18-24_error">.*“many” is not a whole number', _text(refused), re.S
    )
    assert ParticipantCount.objects.filter(event=event).count() == 2


# --- indicators counted from events --------------------------------------------------------------


def test_a_coordinator_binds_and_unbinds_an_indicator(client, people, events_plan) -> None:
    """Everyone who may see events sees which indicators are counted from them; the coordinator
    binds one to consultations on IDP women's needs, then stops it; a focal point may not."""
    indicator = events_plan.indicators.get(activity__code="5.1.2.3")
    sign_in(client, people["focal"])
    page = _text(client.get("/events/rules/"))
    assert f'id="indicator-{indicator.pk}"' in page
    assert "rule-form" not in page
    assert client.post(f"/events/rules/{indicator.pk}/", {"action": "remove"}).status_code == 403

    sign_in(client, people["coordinator"])
    topic = Topic.objects.get(code="idp-women")
    response = client.post(
        f"/events/rules/{indicator.pk}/",
        {
            "action": "set",
            "measure": "participants",
            "kinds": ["consultation", "survey"],
            "topics": [str(topic.pk)],
        },
    )
    assert response.status_code == 302
    rule = DerivationRule.objects.get(indicator=indicator)
    assert (rule.kinds, [t.code for t in rule.topics.all()]) == (["consultation", "survey"], ["idp-women"])
    page = _plain(_text(client.get(response["Location"])))
    assert "is now counted from events" in page
    assert "Consultation or meeting, Survey" in page
    response = client.post(f"/events/rules/{indicator.pk}/", {"action": "set", "measure": "everything"})
    assert response.status_code == 400
    assert client.post(f"/events/rules/{indicator.pk}/", {"action": "remove"}).status_code == 302
    assert not DerivationRule.objects.filter(indicator=indicator).exists()


def test_the_form_offers_exactly_the_activities_the_service_accepts(events_plan, people, make_user) -> None:
    """The activities the form offers an agency (read for the whole plan in two queries) are those
    ``may_report`` accepts one by one: for two ministries and for an NGO (a recommended partner)."""
    from wpsnap.reporting.selectors import may_report

    ngo = make_user("ngo_contributor").organisation
    activities = list(
        events_plan.activities.select_related("plan").order_by("priority_area__position", "position")
    )
    for agency in (people["focal"].organisation, people["other_focal"].organisation, ngo):
        offered = [a.pk for a in page_selectors.reportable_activities(events_plan, agency)]
        assert offered
        assert offered == [a.pk for a in activities if may_report(a, agency)]
