"""The events API: /api/v1/events/ (with participants and counts), /api/v1/topics/ and /api/v1/derived/ —
an event recorded, changed and deleted with a token; participants added as JSON rows, CSV and XLSX, a
bad batch refused whole with every row named; names only for coordinators; another agency's event
answering 404 (audited); locked periods answering 409; derived values beside reported ones; and
query counts that do not grow with the data."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook
from rest_framework.test import APIClient

from wpsnap.accounts.models import User
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.plan.models import Plan
from wpsnap.registries.models import Event, Participant, ParticipantCount, ParticipantImport
from wpsnap.registries.services.events import EventInput, event_create
from wpsnap.reporting import services as reporting
from wpsnap.reporting.models import IndicatorValue, ProgressReport, ReportingPeriod

from ..conftest import described, fields_of, messages_of, problems_of
from ..registries.conftest import DISTRICTS
from . import token_client

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"
TOPICS = "/api/v1/topics/"
DERIVED = "/api/v1/derived/"

ACTIVITY_CODE = "5.1.2.3"  # MoD trains the defence sector; its indicator counts participants by sex x age
ACTIVITY_KEY = "5.1.2-3"
INDICATOR = "5.1.2-3-i1"

NEW_EVENT = {
    "plan": "az-2020-2023",
    "kind": "training",
    "title": "UNSCR 1325 for officers",
    "starts_on": "2021-03-10",
    "ends_on": "2021-03-11",
    "activities": [ACTIVITY_CODE],
    "topics": ["unscr-1325", "gbv-prevention"],
    "partners": ["mia"],
    "district": "baku",
    "place": "Military Academy",
}
ROWS = [
    {"sex": "women", "age": 23, "district": "baku"},
    {"sex": "men", "age": 40, "organisation_or_position": "Officer", "name": "Rauf M.", "consent": "yes"},
    {"sex": "women", "age_band": "60-plus", "consent": False},
]


def event_url(event: Event | int, part: str = "") -> str:
    pk = event if isinstance(event, int) else event.pk
    return f"{EVENTS}{pk}/{part + '/' if part else ''}"


@pytest.fixture
def plan(az_plan) -> Plan:
    """The plan with its dimensions, periods 2020-2023, districts and suggested derivation rules."""
    from wpsnap.registries.services.setup import events_setup, read_districts

    reporting.reporting_setup(plan=az_plan)
    events_setup(plan=az_plan, districts=read_districts(DISTRICTS))
    return az_plan


@pytest.fixture
def people(plan, make_user) -> dict[str, User]:
    return {
        "focal": make_user("focal_point", "mod", "mod-focal"),
        "approver": make_user("approver", "mod", "mod-approver"),
        "coordinator": make_user("coordinator", "scfwca", "coord"),
        "evaluator": make_user("evaluator", "test-evaluators", "eval"),
        "other_focal": make_user("focal_point", "mia", "mia-focal"),
        "ngo": make_user("ngo_contributor", "test-ngo", "ngo"),
    }


@pytest.fixture
def clients(people) -> dict[str, APIClient]:
    return {name: token_client(user) for name, user in people.items()}


def make_event(
    plan: Plan, actor: User, *, code: str = ACTIVITY_CODE, year: int = 2021, participation: str = "list", **kw
) -> Event:
    return event_create(
        actor=actor,
        plan=plan,
        data=EventInput(
            kind=kw.pop("kind", "training"),
            title=kw.pop("title", "A training"),
            starts_on=date(year, 3, 10),
            ends_on=date(year, 3, 11),
            activities=[plan.activities.get(code=code)],
            participation=participation,
            **kw,
        ),
    )


@pytest.fixture
def training(plan, people) -> Event:
    """MoD's 2021 training for 5.1.2.3, keeping a list of participants."""
    return make_event(plan, people["focal"])


def stored(event: Event) -> dict:
    """What the database holds of ``event``: its row, its links and its participants."""
    row = Event.objects.filter(pk=event.pk).values().get()
    row.pop("updated_at")
    return {
        **row,
        "activities": sorted(event.activities.values_list("pk", flat=True)),
        "topics": sorted(event.topics.values_list("code", flat=True)),
        "partners": sorted(event.partners.values_list("key", flat=True)),
        "participants": list(Participant.objects.filter(event=event).values().order_by("id")),
        "imports": ParticipantImport.objects.filter(event=event).count(),
        "counts": dict(ParticipantCount.objects.filter(event=event).values_list("cell", "value")),
    }


def refusals() -> int:
    return AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).count()


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- events: create, read, change, delete --------------------------------------------------------------


def test_the_organisers_focal_point_records_changes_and_deletes_an_event(clients, people, plan) -> None:
    """With a token, the focal point creates an event (201, Location, activities by number, topics by code,
    partners by key), reads it, changes one field (PATCH) and the whole (PUT), and deletes it (204)."""
    focal = clients["focal"]
    created = focal.post(EVENTS, NEW_EVENT, format="json")
    assert created.status_code == 201, created.data
    event = created.data
    assert created["Location"] == f"http://testserver{event_url(event['id'])}"
    assert event["organiser"] == {"key": "mod", "short_name": people["focal"].organisation.short_name}
    assert event["activities"] == [{"key": ACTIVITY_KEY, "code": ACTIVITY_CODE}]
    assert event["topics"] == ["unscr-1325", "gbv-prevention"]
    assert [p["key"] for p in event["partners"]] == ["mia"]
    assert (event["plan"], event["kind"], event["participation"], event["participants"]) == (
        "az-2020-2023",
        "training",
        "list",
        0,
    )
    url = event_url(event["id"])
    assert focal.get(url).data == event

    patched = focal.patch(url, {"title": "UNSCR 1325 for senior officers"}, format="json")
    assert patched.status_code == 200, patched.data
    assert patched.data["title"] == "UNSCR 1325 for senior officers"
    assert patched.data["topics"] == event["topics"]
    assert patched.data["place"] == "Military Academy"

    whole = {k: v for k, v in NEW_EVENT.items() if k not in ("plan", "topics", "partners", "place")}
    put = focal.put(url, {**whole, "activities": [ACTIVITY_KEY], "kind": "awareness"}, format="json")
    assert put.status_code == 200, put.data
    assert (put.data["kind"], put.data["topics"], put.data["partners"], put.data["place"]) == (
        "awareness",
        [],
        [],
        "",
    )

    assert focal.delete(url).status_code == 204
    assert not Event.objects.filter(pk=event["id"]).exists()
    assert focal.get(url).status_code == 404


def test_an_event_is_recorded_for_the_callers_agency_only(clients, plan) -> None:
    """The organiser, the creator or the plan of an existing event cannot be set: 400 naming the field,
    and nothing is saved."""
    refused = clients["focal"].post(EVENTS, {**NEW_EVENT, "organiser": "mia", "created_by": 1}, format="json")
    assert refused.status_code == 400
    assert sorted(fields_of(refused)) == ["created_by", "organiser"]
    assert Event.objects.count() == 0


def test_a_plan_cannot_be_changed_and_extra_fields_change_nothing(clients, training) -> None:
    """PATCH with ``plan`` or ``organiser`` is refused whole, naming the field; the event is as it was."""
    before = stored(training)
    response = clients["focal"].patch(
        event_url(training), {"title": "Changed", "plan": "other", "organiser": "mia"}, format="json"
    )
    assert response.status_code == 400
    assert sorted(fields_of(response)) == ["organiser", "plan"]
    assert stored(training) == before


def test_unknown_activities_topics_and_partners_are_named(clients, plan) -> None:
    """Each unknown name is a problem of its own field; the rules of the service too (dates, an agency not
    named for the activity); nothing is saved."""
    response = clients["focal"].post(
        EVENTS,
        {**NEW_EVENT, "activities": ["9.9.9"], "topics": ["astrology"], "partners": ["nobody"]},
        format="json",
    )
    assert response.status_code == 400
    assert described(response) == [
        "activities: The plan az-2020-2023 has no activity 9.9.9.",
        "topics: astrology is not a topic (see /api/v1/topics/).",
        "partners: No organisation has the key nobody.",
    ]
    rules = clients["focal"].post(
        EVENTS, {**NEW_EVENT, "activities": ["5.3.3.1"], "ends_on": "2021-03-01"}, format="json"
    )
    assert rules.status_code == 400
    assert fields_of(rules) == ["ends_on", "activities"]
    assert Event.objects.count() == 0


def test_who_may_write_events(clients, training) -> None:
    """Approvers, coordinators and evaluators record no events (403); a partner agency's focal point sees the
    event but does not change it (403); an NGO contributor not named for the activity is refused (400)."""
    for name in ("approver", "coordinator", "evaluator"):
        assert clients[name].post(EVENTS, NEW_EVENT, format="json").status_code == 403
    training.partners.set([clients_org("mia")])
    before = stored(training)
    assert clients["other_focal"].get(event_url(training)).status_code == 200
    assert clients["other_focal"].patch(event_url(training), {"title": "X"}, format="json").status_code == 403
    assert clients["other_focal"].delete(event_url(training)).status_code == 403
    assert stored(training) == before
    ngo = clients["ngo"].post(EVENTS, {**NEW_EVENT, "activities": ["5.2.1.1"]}, format="json")
    assert ngo.status_code == 400
    assert fields_of(ngo)[0] == "activities"


def clients_org(key: str):
    from wpsnap.accounts.models import Organisation

    return Organisation.objects.get(country="AZ", key=key)


def test_another_agencys_event_is_404_and_audited(clients, training) -> None:
    """MIA's focal point asking for MoD's event, its participants, counts or a participant gets 404, as for an
    id that does not exist, and every attempt is in the audit trail; nothing changes."""
    Participant.objects.create(event=training, sex="women", age_band="18-24")
    participant = Participant.objects.get(event=training)
    before = stored(training)
    other = clients["other_focal"]
    count = refusals()
    assert other.get(event_url(training)).status_code == 404
    assert other.patch(event_url(training), {"title": "X"}, format="json").status_code == 404
    assert other.delete(event_url(training)).status_code == 404
    assert other.get(event_url(training, "participants")).status_code == 404
    assert other.post(event_url(training, "participants"), {"rows": ROWS}, format="json").status_code == 404
    assert other.delete(event_url(training, f"participants/{participant.pk}")).status_code == 404
    assert other.get(event_url(training, "counts")).status_code == 404
    assert other.get(event_url(999999)).status_code == 404
    assert refusals() - count == 7
    line = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).order_by("-id")[1]
    assert (line.actor_label, line.object_type) == ("mia-focal", "registries.participant")
    assert stored(training) == before


def test_anonymous_callers_are_refused(plan, training) -> None:
    """Without credentials every endpoint answers 401."""
    anonymous = APIClient()
    for url in (EVENTS, event_url(training), event_url(training, "participants"), TOPICS, DERIVED):
        assert anonymous.get(url).status_code == 401
    assert anonymous.post(EVENTS, NEW_EVENT, format="json").status_code == 401


def test_the_list_shows_what_each_caller_may_see_and_filters(clients, people, plan, training) -> None:
    """Coordinators and evaluators list every event; an agency's people their own and those they were
    partners in; the filters narrow the list."""
    mia_event = make_event(plan, people["other_focal"], code="5.2.1.1", year=2022, kind="awareness")
    older = make_event(plan, people["focal"], code="5.1.2.2", year=2020, title="Earlier")

    def ids(client: APIClient, query: str = "") -> list[int]:
        response = client.get(f"{EVENTS}{query}")
        assert response.status_code == 200, response.data
        return [e["id"] for e in response.data["results"]]

    assert ids(clients["coordinator"]) == [mia_event.pk, training.pk, older.pk]
    assert ids(clients["evaluator"]) == [mia_event.pk, training.pk, older.pk]
    assert ids(clients["focal"]) == [training.pk, older.pk]
    assert ids(clients["ngo"]) == []
    training.partners.set([clients_org("test-ngo")])
    assert ids(clients["ngo"]) == [training.pk]

    coordinator = clients["coordinator"]
    assert ids(coordinator, "?organiser=mia") == [mia_event.pk]
    assert ids(coordinator, "?kind=awareness") == [mia_event.pk]
    assert ids(coordinator, "?year=2020") == [older.pk]
    assert ids(coordinator, f"?activity={ACTIVITY_CODE}") == [training.pk]
    assert ids(coordinator, f"?activity={ACTIVITY_KEY}") == [training.pk]
    assert ids(coordinator, f"?activity={training.activities.get().pk}") == [training.pk]
    assert ids(coordinator, "?starts_after=2021-01-01&starts_before=2021-12-31") == [training.pk]
    assert ids(coordinator, "?plan=az-2020-2023&year=2022") == [mia_event.pk]
    assert ids(coordinator, "?plan=another") == []
    refused = coordinator.get(f"{EVENTS}?kind=party")
    assert refused.status_code == 400
    assert fields_of(refused)[0] == "kind"


# --- participants ------------------------------------------------------------------------------------------


def test_rows_are_added_and_listed(clients, training) -> None:
    """JSON rows become participants (201 with the count); the list shows them in order."""
    response = clients["focal"].post(event_url(training, "participants"), {"rows": ROWS}, format="json")
    assert response.status_code == 201, response.data
    batch = ParticipantImport.objects.get(event=training)
    assert response.data == {"added": 3, "replaced": False, "batch": batch.pk, "participants": 3}
    assert batch.source == "api"
    listed = clients["focal"].get(event_url(training, "participants"))
    assert listed.status_code == 200
    assert listed.data["count"] == 3
    assert [
        (p["sex"], p["age"], p["age_band"], p["district"], p["organisation_or_position"], p["consent"])
        for p in listed.data["results"]
    ] == [
        ("women", 23, "18-24", "baku", "", False),
        ("men", 40, "35-59", "", "Officer", True),
        ("women", None, "60-plus", "", "", False),
    ]
    assert clients["focal"].get(event_url(training)).data["participants"] == 3


def test_replace_makes_the_rows_the_whole_list(clients, training) -> None:
    """With ``replace`` the rows sent become the event's list; without it they are added."""
    url = event_url(training, "participants")
    clients["focal"].post(url, {"rows": ROWS}, format="json")
    clients["focal"].post(url, {"rows": ROWS[:1]}, format="json")
    assert Participant.objects.filter(event=training).count() == 4
    replaced = clients["focal"].post(url, {"rows": ROWS[1:], "replace": True}, format="json")
    assert replaced.status_code == 201
    assert (replaced.data["replaced"], replaced.data["participants"]) == (True, 2)
    assert sorted(Participant.objects.filter(event=training).values_list("sex", flat=True)) == [
        "men",
        "women",
    ]


def test_a_csv_file_and_a_real_xlsx_are_imported(clients, training) -> None:
    """A CSV and an XLSX made with openpyxl, uploaded as multipart ``file``, add their rows."""
    url = event_url(training, "participants")
    csv = "sex,age,district,name,consent\nwomen,23,baku,,no\nqadın,61,,,\n".encode()  # noqa: RUF001 - Azerbaijani for "woman"
    sent = clients["focal"].post(url, {"file": io.BytesIO(csv)}, format="multipart")
    assert sent.status_code == 201, sent.data
    assert sent.data["added"] == 2
    book = xlsx(
        [
            ["Sex", "Age band", "Population group", "Consent"],
            ["men", "18-24", "", "no"],
            ["f", "25-34", "", ""],
        ]
    )
    upload = io.BytesIO(book)
    upload.name = "participants.xlsx"
    sent = clients["focal"].post(url, {"file": upload, "replace": "true"}, format="multipart")
    assert sent.status_code == 201, sent.data
    assert (sent.data["added"], sent.data["replaced"], sent.data["participants"]) == (2, True, 2)
    assert sorted(Participant.objects.filter(event=training).values_list("sex", "age_band")) == [
        ("men", "18-24"),
        ("women", "25-34"),
    ]
    assert ParticipantImport.objects.filter(event=training).values_list("source", flat=True).last() == "xlsx"


def test_a_bad_batch_is_refused_whole_naming_each_row(clients, training) -> None:
    """Rows with a bad sex, an age of 250 or an unknown district are refused with 400 naming each row and
    column; nothing is saved, not even the good rows, and a ``replace`` leaves the old list."""
    url = event_url(training, "participants")
    clients["focal"].post(url, {"rows": ROWS[:1]}, format="json")
    before = stored(training)
    bad = [
        {"sex": "women", "age": 30},
        {"sex": "x", "age": 30},
        {"sex": "men", "age": 250},
        {"sex": "men", "age": 30, "district": "atlantis"},
    ]
    response = clients["focal"].post(url, {"rows": bad, "replace": True}, format="json")
    assert response.status_code == 400
    # The records are named by their index in the list sent.
    assert fields_of(response) == ["rows[1].sex", "rows[2].age", "rows[3].district"]
    assert "250" in messages_of(response)[1]
    assert stored(training) == before


def test_a_bad_file_is_refused_whole(clients, training) -> None:
    """A CSV with a missing column, a file that is not a spreadsheet and an unknown field are refused with
    400 naming the problem; nothing is saved."""
    url = event_url(training, "participants")
    before = stored(training)
    missing = clients["focal"].post(url, {"file": io.BytesIO(b"age\n23\n")}, format="multipart")
    assert missing.status_code == 400
    assert described(missing) == ["columns: The column sex is missing."]
    fake = io.BytesIO(b"\x00\x01\x02 not a spreadsheet")
    fake.name = "list.xlsx"
    broken = clients["focal"].post(url, {"file": fake}, format="multipart")
    assert broken.status_code == 400
    assert fields_of(broken)[0] == "file"
    extra = clients["focal"].post(url, {"rows": [{"sex": "women", "age": 3, "religion": "x"}]}, format="json")
    assert extra.status_code == 400
    assert described(extra) == ["rows[0].religion: Not a participant field."]
    unknown = clients["focal"].post(url, {"rows": ROWS, "event": 7}, format="json")
    assert unknown.status_code == 400
    assert fields_of(unknown) == ["event"]
    assert stored(training) == before


def test_names_are_read_only_by_coordinators(clients, training) -> None:
    """The list has no ``name`` field for the organiser's focal point and approver, has it for the
    coordinator; evaluators read no list (403); every read is audited as an export and not cached."""
    clients["focal"].post(event_url(training, "participants"), {"rows": ROWS}, format="json")
    url = event_url(training, "participants")
    for name in ("focal", "approver"):
        response = clients[name].get(url)
        assert response.status_code == 200
        assert all("name" not in row for row in response.data["results"])
        assert "Rauf" not in response.content.decode()
    coordinator = clients["coordinator"].get(url)
    assert [row["name"] for row in coordinator.data["results"]] == ["", "Rauf M.", ""]
    assert coordinator["Cache-Control"] == "private, no-store"
    assert clients["evaluator"].get(url).status_code == 403
    exports = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(training.pk))
    assert sorted(exports.values_list("note", flat=True)) == [
        "api, with names",
        "api, without names",
        "api, without names",
    ]
    assert not AuditEvent.objects.filter(note__contains="Rauf").exists()


def test_a_partner_sees_counts_but_not_the_list(clients, training) -> None:
    """MIA, a partner of MoD's training, reads the event and its counts, but not its participants (403,
    audited) and adds none."""
    training.partners.set([clients_org("mia")])
    clients["focal"].post(event_url(training, "participants"), {"rows": ROWS}, format="json")
    other = clients["other_focal"]
    count = refusals()
    assert other.get(event_url(training, "counts")).data["total"] == 3
    assert other.get(event_url(training, "participants")).status_code == 403
    assert other.post(event_url(training, "participants"), {"rows": ROWS}, format="json").status_code == 403
    assert refusals() - count == 2
    assert Participant.objects.filter(event=training).count() == 3


def test_a_participant_is_removed(clients, training) -> None:
    """The focal point deletes one participant (204); the approver may not (403); the removal is audited."""
    clients["focal"].post(event_url(training, "participants"), {"rows": ROWS}, format="json")
    first = Participant.objects.filter(event=training).order_by("id").first()
    assert first is not None
    url = event_url(training, f"participants/{first.pk}")
    assert clients["approver"].delete(url).status_code == 403
    assert clients["focal"].delete(url).status_code == 204
    assert Participant.objects.filter(event=training).count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, object_id=str(first.pk)).exists()
    assert clients["focal"].delete(url).status_code == 404


# --- counts --------------------------------------------------------------------------------------------------


def test_counts_of_an_event_with_a_list_come_from_it(clients, training) -> None:
    """GET counts gives every sex x age band cell, counted from the list; the evaluator reads them."""
    clients["focal"].post(event_url(training, "participants"), {"rows": ROWS}, format="json")
    response = clients["evaluator"].get(event_url(training, "counts"))
    assert response.status_code == 200
    counts = response.data["counts"]
    assert (response.data["participation"], response.data["total"]) == ("list", 3)
    assert {k: v for k, v in counts.items() if v} == {
        "sex:women|age:18-24": 1,
        "sex:men|age:35-59": 1,
        "sex:women|age:60-plus": 1,
    }
    assert "sex:men|age:18-24" in counts
    refused = clients["focal"].put(event_url(training, "counts"), {"counts": {}}, format="json")
    assert refused.status_code == 400
    assert fields_of(refused)[0] == "participation"


def test_counts_are_saved_whole_or_not_at_all(clients, people, plan) -> None:
    """PUT counts on an event without a list saves them (0 and blank cells are none); a bad cell or number
    is refused naming it, and the counts are as they were."""
    event = make_event(plan, people["focal"], participation="counts")
    url = event_url(event, "counts")
    saved = clients["focal"].put(
        url,
        {"counts": {"sex:women|age:18-24": 12, "sex:men|age:25-34": "8", "sex:men|age:60-plus": ""}},
        format="json",
    )
    assert saved.status_code == 200, saved.data
    assert saved.data["total"] == 20
    assert clients["coordinator"].get(url).data == saved.data
    assert clients["focal"].get(event_url(event)).data["participants"] == 20
    before = stored(event)
    bad = clients["focal"].put(
        url, {"counts": {"sex:women|age:18-24": "many", "sex:alien": 1}}, format="json"
    )
    assert bad.status_code == 400
    assert fields_of(bad) == ["counts[sex:women|age:18-24]", "counts[sex:alien]"]
    assert clients["approver"].put(url, {"counts": {}}, format="json").status_code == 403
    assert stored(event) == before


def test_a_put_keeps_how_participants_are_recorded(clients, people, plan) -> None:
    """A PUT that leaves out ``participation`` keeps it: an event with counts stays one, counts and all."""
    event = make_event(plan, people["focal"], participation="counts")
    clients["focal"].put(event_url(event, "counts"), {"counts": {"sex:men|age:25-34": 7}}, format="json")
    whole = {k: v for k, v in NEW_EVENT.items() if k != "plan"}
    response = clients["focal"].put(event_url(event), whole, format="json")
    assert response.status_code == 200, response.data
    assert (response.data["participation"], response.data["participants"]) == ("counts", 7)


# --- locked periods ---------------------------------------------------------------------------------------


def test_a_locked_period_answers_409_and_nothing_changes(clients, people, plan, training) -> None:
    """Once 2021 is locked, changing, deleting, adding participants or counts to its events answers 409
    with the reason; so does recording a new event in it."""
    clients["focal"].post(event_url(training, "participants"), {"rows": ROWS}, format="json")
    participant = Participant.objects.filter(event=training).first()
    assert participant is not None
    reporting.period_lock(actor=people["coordinator"], period=plan.reporting_periods.get(label="2021"))
    before = stored(training)
    focal = clients["focal"]
    answers = [
        focal.patch(event_url(training), {"title": "Late"}, format="json"),
        focal.delete(event_url(training)),
        focal.post(event_url(training, "participants"), {"rows": ROWS}, format="json"),
        focal.delete(event_url(training, f"participants/{participant.pk}")),
        focal.post(EVENTS, NEW_EVENT, format="json"),
    ]
    assert [a.status_code for a in answers] == [409] * 5
    assert all([p["code"] for p in problems_of(a)] == ["locked"] for a in answers)
    assert stored(training) == before
    assert Event.objects.count() == 1


# --- topics and derived values ---------------------------------------------------------------------------


def test_topics_are_listed_for_signed_in_callers(clients, plan) -> None:
    """Every role reads the topics, by code and name."""
    for client in clients.values():
        response = client.get(TOPICS)
        assert response.status_code == 200
    codes = [t["code"] for t in response.data["results"]]
    assert codes[0] == "unscr-1325"
    assert {"cedaw", "mediation", "idp-women"} <= set(codes)


def _derived(client: APIClient, period: ReportingPeriod, agency: str):
    return client.get(DERIVED, {"period": period.pk, "agency": agency})


def test_derived_values_equal_the_participants_added_beside_the_report(
    clients, people, plan, training
) -> None:
    """The participants added through the API are the derived values of the activity's indicator, cell by
    cell, beside what MoD's report for 2021 says (null where it says nothing)."""
    period = plan.reporting_periods.get(label="2021")
    clients["focal"].post(event_url(training, "participants"), {"rows": ROWS}, format="json")
    activity = plan.activities.get(code=ACTIVITY_CODE)
    indicator = activity.indicators.get()
    report = reporting.report_start(
        actor=people["focal"], activity=activity, agency=people["focal"].organisation, period=period
    )
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(report=report, indicator=indicator, cell="", value=5),
            IndicatorValue(report=report, indicator=indicator, cell="sex:women|age:18-24", value=2),
        ]
    )
    response = _derived(clients["focal"], period, "mod")
    assert response.status_code == 200, response.data
    assert response.data["agency"]["key"] == "mod"
    assert response.data["period"]["label"] == "2021"
    mine = [v for v in response.data["values"] if v["indicator"] == INDICATOR]
    assert mine == [
        {"indicator": INDICATOR, "cell": "", "derived": 3, "reported": 5},
        {"indicator": INDICATOR, "cell": "sex:men|age:35-59", "derived": 1, "reported": None},
        {"indicator": INDICATOR, "cell": "sex:women|age:18-24", "derived": 1, "reported": 2},
        {"indicator": INDICATOR, "cell": "sex:women|age:60-plus", "derived": 1, "reported": None},
    ]
    listed = next(i for i in response.data["indicators"] if i["indicator"] == INDICATOR)
    assert (listed["measure"], listed["events"], listed["total_only"]) == ("participants", 1, 0)
    by_id = _derived(clients["coordinator"], period, str(people["focal"].organisation_id))
    assert by_id.data == response.data


def test_derived_values_are_for_the_agencys_own_people_and_readers_of_all(clients, plan, training) -> None:
    """Coordinators and evaluators ask about any agency; MIA's focal point and an NGO contributor about
    MoD get 403 (audited); a missing parameter is 400 naming it; an unknown period or agency 404."""
    period = plan.reporting_periods.get(label="2021")
    for name in ("coordinator", "evaluator", "focal", "approver"):
        assert _derived(clients[name], period, "mod").status_code == 200
    count = refusals()
    assert _derived(clients["other_focal"], period, "mod").status_code == 403
    assert _derived(clients["ngo"], period, "mod").status_code == 403
    assert refusals() - count == 2
    assert _derived(clients["other_focal"], period, "mia").status_code == 200
    missing = clients["coordinator"].get(DERIVED, {"agency": "mod"})
    assert missing.status_code == 400
    assert described(missing) == ["period: Give the reporting period's id."]
    assert clients["coordinator"].get(DERIVED, {"period": 999999, "agency": "mod"}).status_code == 404
    assert _derived(clients["coordinator"], period, "nobody").status_code == 404


# --- query counts ------------------------------------------------------------------------------------------


def make_events(plan: Plan, organiser_key: str, count: int) -> None:
    """``count`` events of an agency, each with two participants, a topic and an activity, made directly in
    the database: these tests are about reading them."""
    from wpsnap.registries.models import Topic

    organiser = clients_org(organiser_key)
    activity = plan.activities.get(code=ACTIVITY_CODE)
    topic = Topic.objects.get(code="unscr-1325")
    events = Event.objects.bulk_create(
        [
            Event(
                plan=plan,
                organiser=organiser,
                kind="training",
                title=f"Training {i}",
                starts_on=date(2021, 1 + i % 12, 1),
                ends_on=date(2021, 1 + i % 12, 2),
            )
            for i in range(count)
        ]
    )
    for event in events:
        event.activities.add(activity)
        event.topics.add(topic)
        event.partners.add(clients_org("mia"))
    Participant.objects.bulk_create(
        [Participant(event=e, sex=sex, age_band="18-24") for e in events for sex in ("women", "men")]
    )


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_event_list_costs_the_same_for_2_and_40_events(clients, plan, django_assert_num_queries) -> None:
    """Listing events with their activities, topics, partners and participant totals takes 8 queries
    (token, count, page, activities, topics, partners, list totals, counts totals) for 2 events or 40."""
    make_events(plan, "mod", 2)
    few = _queries(clients["coordinator"], EVENTS)
    Event.objects.all().delete()
    make_events(plan, "mod", 40)
    with django_assert_num_queries(8):
        response = clients["coordinator"].get(EVENTS)
    assert few == 8
    assert response.data["count"] == 40
    assert {e["participants"] for e in response.data["results"]} == {2}
    assert {p["key"] for e in response.data["results"] for p in e["partners"]} == {"mia"}


def test_the_participant_list_costs_the_same_for_3_and_150_rows(
    clients, training, django_assert_num_queries
) -> None:
    """A page of participants takes 5 queries (token, event, count, page, the export's audit line) whatever
    the size of the list."""
    Participant.objects.bulk_create(
        [Participant(event=training, sex="women", age_band="18-24") for _ in range(3)]
    )
    url = event_url(training, "participants")
    few = _queries(clients["focal"], url)
    Participant.objects.bulk_create(
        [Participant(event=training, sex="men", age_band="25-34") for _ in range(147)]
    )
    with django_assert_num_queries(few):
        response = clients["focal"].get(url)
    assert few == 5
    assert (response.data["count"], len(response.data["results"])) == (150, 100)


def test_reports_are_not_needed_for_derived_values(clients, plan, training) -> None:
    """Without any report the derived values stand alone: every ``reported`` is null."""
    period = plan.reporting_periods.get(label="2021")
    assert ProgressReport.objects.count() == 0
    response = _derived(clients["coordinator"], period, "mod")
    assert response.status_code == 200
    assert {v["reported"] for v in response.data["values"]} == {None}
