"""The audit trail's pages: searching the log, one object's history, times in Baku time, paging,
fixed query counts, and coordinators only."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wpsnap.accounts import services
from wpsnap.accounts.models import Role, User
from wpsnap.core import audit
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.demo import data as demo

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

AUDIT_LOG = "/accounts/audit/"
# The session, the user, their second-factor device, then the count and the page of events.
AUDIT_LOG_QUERIES = 5
AUDIT_OBJECT_QUERIES = 5


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Argon2 is slow on purpose; these tests are about pages, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people() -> dict[str, User]:
    """The demo people (a coordinator, focal points, approvers, an NGO contributor, an evaluator)."""
    demo.demo_load(password="demo password for tests", reports=False)
    return {user.username: user for user in User.objects.filter(username__in=demo.USERNAMES)}


@pytest.fixture
def coordinator(people) -> User:
    return people["coordinator"]


@pytest.fixture
def signed_in(client, coordinator) -> Client:
    """The coordinator, signed in, after a first request (which writes the session's timestamps, so
    that later requests are counted alone)."""
    sign_in(client, coordinator)
    client.get(AUDIT_LOG)
    return client


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html(response)).split())


def shown(response) -> list[int]:
    """The ids of the audit events a page lists, in order."""
    return [int(pk) for pk in re.findall(r'data-event="(\d+)"', html(response))]


def note_event(
    label: str, *, action: str = AuditAction.UPDATE, actor_label: str = "someone", note: str = ""
) -> int:
    return audit.record(
        action,
        actor_label=actor_label,
        object_type="plan.activity",
        object_id=label.lower().replace(" ", "-"),
        object_label=label,
        note=note,
    ).pk


def backdate(pk: int, at: datetime.datetime) -> None:
    # Audit lines are append-only for the application; a test moves one in time with a plain UPDATE.
    AuditEvent.objects.filter(pk=pk).update(at=at)


# --- the log ---------------------------------------------------------------------------------------------


def test_the_log_lists_the_latest_events_first(signed_in):
    """Without a search the log lists every event, the latest first."""
    first = note_event("Alpha activity")
    second = note_event("Beta activity")
    response = signed_in.get(AUDIT_LOG)
    assert response.status_code == 200
    ids = shown(response)
    assert ids.index(second) < ids.index(first)
    assert ids == sorted(ids, reverse=True)


def test_searching_text_finds_the_object_the_person_and_the_note(signed_in):
    """The search words match the object's name, the person's name or the note, ignoring case."""
    by_object = note_event("Alpha activity")
    by_actor = note_event("Beta activity", actor_label="alpha.tester")
    by_note = note_event("Gamma activity", note="changed after the ALPHA review")
    note_event("Delta activity")
    response = signed_in.get(AUDIT_LOG, {"q": "alpha"})
    assert response.status_code == 200
    assert shown(response) == [by_note, by_actor, by_object]
    assert "3 events" in text(response)


def test_searching_by_action_returns_only_that_action(signed_in, people, coordinator):
    """Choosing "changed the role of" lists role changes and nothing else."""
    services.user_change_role(actor=coordinator, user=people["mod.focal"], role=Role.APPROVER)
    services.user_change_role(actor=coordinator, user=people["moe.focal"], role=Role.APPROVER)
    note_event("Alpha activity")
    response = signed_in.get(AUDIT_LOG, {"action": AuditAction.ROLE_CHANGE})
    expected = AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGE).order_by("-at", "-id")
    assert shown(response) == [event.pk for event in expected]
    assert len(shown(response)) == 2
    assert set(re.findall(r'data-action="([^"]+)"', html(response))) == {AuditAction.ROLE_CHANGE}


def test_searching_by_kind_of_object_and_person_combines_the_filters(signed_in, people, coordinator):
    """The kind of object and the person narrow the search together."""
    services.user_change_role(actor=coordinator, user=people["mod.focal"], role=Role.APPROVER)
    note_event("Alpha activity", actor_label="coordinator")
    response = signed_in.get(AUDIT_LOG, {"object_type": "plan.activity", "actor": "coord"})
    assert shown(response) == list(
        AuditEvent.objects.filter(object_type="plan.activity", actor_label__icontains="coord")
        .order_by("-at", "-id")
        .values_list("pk", flat=True)
    )
    assert len(shown(response)) == 1


def test_searching_by_dates_uses_days_in_baku_time(signed_in):
    """From and until are whole days in Baku time: an event at 21:30 UTC on 1 March happened on
    2 March in Baku (UTC+4), and the page shows it at 01:30."""
    late = note_event("Alpha activity")
    backdate(late, datetime.datetime(2026, 3, 1, 21, 30, tzinfo=datetime.UTC))
    early = note_event("Beta activity")
    backdate(early, datetime.datetime(2026, 2, 27, 8, 0, tzinfo=datetime.UTC))
    note_event("Gamma activity")  # today
    response = signed_in.get(AUDIT_LOG, {"date_from": "2026-03-02", "date_to": "2026-03-02"})
    assert shown(response) == [late]
    assert "2026-03-02 01:30:00" in text(response)
    assert "times are Asia/Baku time" in text(response)
    response = signed_in.get(AUDIT_LOG, {"date_from": "2026-02-01", "date_to": "2026-03-01"})
    assert shown(response) == [early]


def test_an_end_date_before_the_start_date_is_refused_on_its_field(signed_in):
    """A period that ends before it starts answers 400 with the problem next to the end date."""
    response = signed_in.get(AUDIT_LOG, {"date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert response.status_code == 400
    assert re.search(r'id="id_date_to_error">The end date comes before the start date.<', html(response))
    assert shown(response) == []


def test_an_unknown_action_is_refused_on_its_field(signed_in):
    """An action the trail does not know answers 400, naming the field."""
    response = signed_in.get(AUDIT_LOG, {"action": "hack"})
    assert response.status_code == 400
    assert "“hack” is not something the trail records." in text(response)


def test_each_row_says_who_when_what_and_the_changes_in_words(signed_in, people, coordinator):
    """A role change reads as who did it, the action, the person (linked to their history) and the
    change with the roles' names."""
    person = people["mod.focal"]
    services.user_change_role(actor=coordinator, user=person, role=Role.APPROVER)
    event = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGE)
    page = html(signed_in.get(AUDIT_LOG, {"action": AuditAction.ROLE_CHANGE}))
    row = page[page.index(f'data-event="{event.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'href="/accounts/users/{coordinator.pk}/">coordinator</a>' in row
    assert "changed the role of" in row
    assert (
        f'href="/accounts/audit/accounts.user/{person.pk}/">mod.focal</a> <span class="small text-body-secondary">(User)</span>'
        in row
    )
    assert '<span class="fw-semibold">Role</span>: Agency focal point → Agency approver' in row


def test_the_log_is_paged_by_50(signed_in):
    """Fifty events to a page, the next page continuing where the first stopped."""
    for i in range(60):
        note_event(f"Paged activity {i}")
    first = shown(signed_in.get(AUDIT_LOG, {"q": "paged"}))
    second = shown(signed_in.get(AUDIT_LOG, {"q": "paged", "page": 2}))
    assert (len(first), len(second)) == (50, 10)
    assert first[-1] > second[0]
    assert "Page 1 of 2" in text(signed_in.get(AUDIT_LOG, {"q": "paged"}))


def test_the_log_makes_the_same_number_of_queries_for_5_or_50_events(
    signed_in, django_assert_max_num_queries
):
    """The log's query count does not grow with the number of events shown."""
    for i in range(5):
        note_event(f"Counted activity {i}")
    with CaptureQueriesContext(connection) as few:
        assert len(shown(signed_in.get(AUDIT_LOG, {"q": "counted"}))) == 5
    for i in range(5, 50):
        note_event(f"Counted activity {i}")
    with django_assert_max_num_queries(AUDIT_LOG_QUERIES), CaptureQueriesContext(connection) as many:
        assert len(shown(signed_in.get(AUDIT_LOG, {"q": "counted"}))) == 50
    assert len(many) == len(few)


# --- one object's history -----------------------------------------------------------------------------


def test_an_objects_page_lists_all_its_changes_and_nothing_else(signed_in, people, coordinator):
    """A person's history page lists every event about them (creation, history rows, the role change)
    with the changes, and no event about anyone else."""
    person = people["mod.focal"]
    services.user_change_role(actor=coordinator, user=person, role=Role.APPROVER)
    services.user_change_role(actor=coordinator, user=people["moe.focal"], role=Role.APPROVER)
    response = signed_in.get(f"/accounts/audit/accounts.user/{person.pk}/")
    assert response.status_code == 200
    expected = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(person.pk)).order_by(
        "-at", "-id"
    )
    assert shown(response) == [event.pk for event in expected]
    assert [event.action for event in expected][:2] == [AuditAction.ROLE_CHANGE, AuditAction.UPDATE]
    assert expected.last().action == AuditAction.CREATE
    assert "History of mod.focal" in text(response)
    assert text(response).count("Agency focal point → Agency approver") == 2
    assert f'href="/accounts/users/{person.pk}/"' in html(response)


def test_an_object_with_no_history_answers_404(signed_in):
    """An object the trail never mentioned is not found."""
    assert signed_in.get("/accounts/audit/plan.activity/no-such-thing/").status_code == 404


def test_an_objects_page_makes_a_fixed_number_of_queries(signed_in, django_assert_max_num_queries):
    """One object's history costs the same with 5 or 50 events."""
    for _ in range(5):
        note_event("Busy activity")
    with CaptureQueriesContext(connection) as few:
        assert len(shown(signed_in.get("/accounts/audit/plan.activity/busy-activity/"))) == 5
    for _ in range(45):
        note_event("Busy activity")
    with django_assert_max_num_queries(AUDIT_OBJECT_QUERIES), CaptureQueriesContext(connection) as many:
        assert len(shown(signed_in.get("/accounts/audit/plan.activity/busy-activity/"))) == 50
    assert len(many) == len(few)


# --- who may read the trail ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["mod.focal", "mod.approver", "evaluator", "ngo.contributor"])
def test_only_coordinators_read_the_trail(client, people, username):
    """Everyone else gets 403 on the log and on an object's history, and the refusal is logged."""
    me = people[username]
    sign_in(client, me)
    assert client.get(AUDIT_LOG).status_code == 403
    assert client.get(f"/accounts/audit/accounts.user/{me.pk}/").status_code == 403
    refused = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, actor=me, note="audit.view")
    assert refused.count() == 2


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    """Someone not signed in is sent to the sign-in page."""
    response = client.get(AUDIT_LOG)
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/accounts/audit/"
