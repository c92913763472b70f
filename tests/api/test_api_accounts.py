"""The accounts API: /api/v1/me/, /api/v1/users/ and /api/v1/audit/ — who sees whom, invitations,
role changes and deactivation through the services, mass assignment refused, every refusal audited."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from wpsnap.accounts.models import OrganisationKind, Role, User
from wpsnap.core.models import AuditAction, AuditEvent

from ..conftest import fields_of, messages_of
from . import organisation, person, token_client

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
USERS = "/api/v1/users/"
AUDIT = "/api/v1/audit/"


def user_url(user: User) -> str:
    return f"{USERS}{user.pk}/"


def refusals() -> int:
    return AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).count()


def stored(user: User) -> dict:
    """Everything the database holds of ``user`` (but the last sign-in, which tokens do not touch)."""
    row = User.objects.filter(pk=user.pk).values().get()
    row.pop("last_login")
    return row


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Anonymous calls are throttled per address; each test starts with a clean count."""
    cache.clear()


@pytest.fixture
def coordinator() -> User:
    return person("cora", Role.COORDINATOR)


@pytest.fixture
def focal() -> User:
    return person("fred", Role.FOCAL_POINT)


@pytest.fixture
def coord_api(coordinator) -> APIClient:
    return token_client(coordinator)


# --- the access matrix --------------------------------------------------------------------------------

ALL_ROLES = [None, *Role.values]  # None: anonymous


def _expected(url: str, role: str | None) -> int:
    if role is None:
        return 401
    if url == ME:
        return 200
    return 200 if role == Role.COORDINATOR else 403


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("url", [ME, USERS, AUDIT])
def test_access_matrix(url, role) -> None:
    """Anonymous callers get 401 everywhere; every role reads /me/; only coordinators list users and the
    audit trail. Every refusal leaves an access_refused line naming the action."""
    client = APIClient() if role is None else token_client(person("someone", role))
    before = refusals()
    response = client.get(url)
    expected = _expected(url, role)
    assert response.status_code == expected
    assert refusals() == before + (0 if expected == 200 else 1)


# --- the caller -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "second_factor"),
    [
        (Role.COORDINATOR, True),
        (Role.APPROVER, True),
        (Role.FOCAL_POINT, False),
        (Role.NGO_CONTRIBUTOR, False),
        (Role.EVALUATOR, False),
    ],
)
def test_me_describes_the_caller(role, second_factor) -> None:
    """/me/ shows the caller's own account, role, organisation and whether the pages ask for a second factor."""
    user = person("mia", role)
    response = token_client(user).get(ME)
    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "username": "mia",
        "email": "mia@example.org",
        "first_name": "Mia",
        "last_name": "Tester",
        "role": role,
        "organisation": {"key": user.organisation.key, "name": user.organisation.name},
        "needs_second_factor": second_factor,
    }


def test_a_session_authenticates(client, focal) -> None:
    """A signed-in person's session cookie works on the API as a token does."""
    client.force_login(focal)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "fred"


def test_a_wrong_token_is_401_and_audited() -> None:
    """A token nobody holds is refused with 401, and the attempt is written to the audit trail."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    before = refusals()
    assert client.get(ME).status_code == 401
    assert refusals() == before + 1
    assert AuditEvent.objects.latest("id").note == "api.authenticate"


# --- listing and reading people --------------------------------------------------------------------


def test_a_coordinator_lists_everyone(coord_api, focal, django_assert_num_queries) -> None:
    """Coordinators list every account with its organisation, in a fixed number of queries."""
    for n in range(5):
        person(f"extra{n}", Role.EVALUATOR)
    with django_assert_num_queries(3):
        response = coord_api.get(USERS)
    assert response.status_code == 200
    assert response.data["count"] == User.objects.count()
    assert {row["username"] for row in response.data["results"]} == set(
        User.objects.values_list("username", flat=True)
    )
    row = next(row for row in response.data["results"] if row["username"] == "fred")
    assert row["organisation"] == {"key": focal.organisation.key, "name": focal.organisation.name}
    assert "password" not in row
    assert "is_superuser" not in row


def test_a_focal_point_may_not_list_people(focal) -> None:
    """Listing accounts is for coordinators: a focal point gets 403, and the refusal is audited."""
    before = refusals()
    assert token_client(focal).get(USERS).status_code == 403
    event = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).latest("id")
    assert refusals() == before + 1
    assert (event.actor, event.note) == (focal, "user.list")


def test_a_focal_point_reads_only_their_own_account(focal, coordinator) -> None:
    """A focal point reads their own account; another person's id answers 404 (ids reveal nothing),
    and that attempt is audited."""
    client = token_client(focal)
    own = client.get(user_url(focal))
    assert own.status_code == 200
    assert own.data["username"] == "fred"
    before = refusals()
    assert client.get(user_url(coordinator)).status_code == 404
    assert refusals() == before + 1
    event = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED).latest("id")
    assert (event.actor, event.object_id) == (focal, str(coordinator.pk))


def test_a_coordinator_reads_anyone(coord_api, focal) -> None:
    """Coordinators read any account; an id nobody has is 404."""
    assert coord_api.get(user_url(focal)).data["role"] == Role.FOCAL_POINT
    assert coord_api.get(f"{USERS}999999/").status_code == 404
    assert coord_api.get(f"{USERS}abc/").status_code == 404


# --- invitations -------------------------------------------------------------------------------------


def _invitation(**overrides) -> dict:
    return {
        "email": "Nigar@Example.AZ",
        "first_name": "Nigar",
        "last_name": "Aliyeva",
        "organisation": organisation(OrganisationKind.MINISTRY).key,
        "role": Role.FOCAL_POINT,
        **overrides,
    }


def test_a_coordinator_invites_a_person(coord_api, mailoutbox, django_capture_on_commit_callbacks) -> None:
    """An invitation creates an account without a usable password and e-mails its owner the one-time link."""
    with django_capture_on_commit_callbacks(execute=True):
        response = coord_api.post(USERS, _invitation(), format="json")
    assert response.status_code == 201, response.content
    invited = User.objects.get(pk=response.data["id"])
    assert (invited.username, invited.email) == ("Nigar@example.az", "Nigar@example.az")
    assert (invited.role, invited.organisation.key) == (Role.FOCAL_POINT, "test-ministry")
    assert not invited.has_usable_password()
    assert not invited.is_staff and not invited.is_superuser
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["Nigar@example.az"]
    assert "http://testserver/accounts/" in mailoutbox[0].body
    assert AuditEvent.objects.filter(action=AuditAction.INVITE, object_id=str(invited.pk)).exists()


def test_an_invitation_naming_other_fields_is_refused(coord_api, mailoutbox) -> None:
    """An invitation that tries to set is_superuser (or any field not accepted) creates nobody."""
    response = coord_api.post(USERS, _invitation(is_superuser=True, username="root"), format="json")
    assert response.status_code == 400
    assert fields_of(response) == ["is_superuser", "username"]
    assert not User.objects.filter(email__iexact="nigar@example.az").exists()
    assert mailoutbox == []


def test_an_invitation_with_bad_input_names_each_field(coord_api) -> None:
    """Refused input answers 400 with every problem named by its field, and creates nobody."""
    response = coord_api.post(
        USERS, _invitation(email="not-an-address", organisation="no-such-org", role="king"), format="json"
    )
    assert response.status_code == 400
    assert sorted(fields_of(response)) == ["email", "organisation", "role"]
    assert User.objects.count() == 1


def test_an_organisation_in_another_country_is_not_found(coord_api) -> None:
    """Organisation keys are read in the coordinator's own country."""
    elsewhere = organisation(OrganisationKind.MINISTRY, key="test-foreign-ministry", country="GE")
    response = coord_api.post(USERS, _invitation(organisation=elsewhere.key), format="json")
    assert response.status_code == 400
    assert fields_of(response)[0] == "organisation"


def test_a_role_that_does_not_fit_the_organisation_is_refused(coord_api) -> None:
    """The service's refusal (an evaluator in a ministry) comes back as 400 naming the role."""
    response = coord_api.post(USERS, _invitation(role=Role.EVALUATOR), format="json")
    assert response.status_code == 400
    assert fields_of(response)[0] == "role"


def test_an_existing_address_is_refused(coord_api, focal) -> None:
    """Nobody is invited twice: an address that has an account is 400 naming the e-mail."""
    response = coord_api.post(USERS, _invitation(email="FRED@example.org"), format="json")
    assert response.status_code == 400
    assert fields_of(response)[0] == "email"


@pytest.mark.parametrize("role", [Role.APPROVER, Role.FOCAL_POINT, Role.EVALUATOR])
def test_only_coordinators_invite(role, mailoutbox) -> None:
    """Inviting is for coordinators: anyone else gets 403 for any role, the coordinator role included
    (a coordinator, the highest rank, can grant every role; nobody else grants any)."""
    client = token_client(person("someone", role))
    before = refusals()
    response = client.post(USERS, _invitation(role=Role.COORDINATOR, organisation="test-state-committee"))
    assert response.status_code == 403
    assert refusals() == before + 1
    assert not User.objects.filter(email__iexact="nigar@example.az").exists()


# --- changing a role, deactivating -------------------------------------------------------------------


def test_a_coordinator_changes_a_role(coord_api, coordinator, focal) -> None:
    """PATCH role changes the role through the service, which writes the change to the audit trail."""
    response = coord_api.patch(user_url(focal), {"role": Role.APPROVER}, format="json")
    assert response.status_code == 200
    assert response.data["role"] == Role.APPROVER
    focal.refresh_from_db()
    assert focal.role == Role.APPROVER
    event = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGE, object_id=str(focal.pk))
    assert event.actor == coordinator
    assert event.changes == [{"field": "role", "old": Role.FOCAL_POINT, "new": Role.APPROVER}]


def test_nobody_changes_their_own_role(coord_api, coordinator) -> None:
    """A coordinator's PATCH of their own account is 403, changes nothing, and is audited."""
    before_row, before = stored(coordinator), refusals()
    response = coord_api.patch(user_url(coordinator), {"role": Role.EVALUATOR}, format="json")
    assert response.status_code == 403
    assert stored(coordinator) == before_row
    assert refusals() == before + 1


def test_patch_refuses_every_field_but_role_and_is_active(coord_api, focal) -> None:
    """Mass assignment: a PATCH naming organisation, is_superuser, username or email is 400 naming each,
    and changes nothing at all, the role sent alongside included."""
    before = stored(focal)
    response = coord_api.patch(
        user_url(focal),
        {
            "role": Role.APPROVER,
            "organisation": organisation(OrganisationKind.NGO).pk,
            "is_superuser": True,
            "is_staff": True,
            "username": "root",
            "email": "root@example.org",
            "password": "hunter2hunter2",
        },
        format="json",
    )
    assert response.status_code == 400
    named = sorted(fields_of(response))
    assert named == ["email", "is_staff", "is_superuser", "organisation", "password", "username"]
    assert stored(focal) == before
    assert not AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGE).exists()


def test_an_empty_patch_is_refused(coord_api, focal) -> None:
    """A PATCH with nothing to change is 400, saying what may be sent."""
    response = coord_api.patch(user_url(focal), {}, format="json")
    assert response.status_code == 400
    assert "role" in messages_of(response)[0]


def test_a_role_that_does_not_fit_is_refused_on_change(coord_api, focal) -> None:
    """A ministry's person cannot become an NGO contributor: 400 naming the role, nothing changed."""
    before = stored(focal)
    response = coord_api.patch(user_url(focal), {"role": Role.NGO_CONTRIBUTOR}, format="json")
    assert response.status_code == 400
    assert fields_of(response)[0] == "role"
    assert stored(focal) == before


def test_a_focal_point_changes_nobody(focal, coordinator) -> None:
    """Only coordinators change accounts: anyone else's PATCH is 403 and changes nothing."""
    before = stored(coordinator)
    response = token_client(focal).patch(user_url(coordinator), {"is_active": False}, format="json")
    assert response.status_code == 403
    assert stored(coordinator) == before


def test_deactivation_ends_the_token(coord_api, focal) -> None:
    """Deactivating an account deletes its API token: the old token then gets 401. Reactivating does not
    bring it back."""
    client = token_client(focal)
    assert client.get(ME).status_code == 200
    response = coord_api.patch(user_url(focal), {"is_active": False}, format="json")
    assert response.status_code == 200
    assert response.data["is_active"] is False
    assert not Token.objects.filter(user=focal).exists()
    assert client.get(ME).status_code == 401
    assert AuditEvent.objects.filter(action=AuditAction.DEACTIVATE, object_id=str(focal.pk)).exists()
    assert coord_api.patch(user_url(focal), {"is_active": True}, format="json").data["is_active"] is True
    assert client.get(ME).status_code == 401


# --- the audit trail ---------------------------------------------------------------------------------


def test_a_coordinator_reads_the_role_change_in_the_audit_trail(
    coord_api, focal, django_assert_num_queries
) -> None:
    """The audit endpoint lists events newest first, filtered by action and object, with the change
    recorded and no IP address."""
    coord_api.patch(user_url(focal), {"role": Role.APPROVER}, format="json")
    with django_assert_num_queries(3):
        response = coord_api.get(
            AUDIT, {"action": AuditAction.ROLE_CHANGE, "object_type": "accounts.user", "object_id": focal.pk}
        )
    assert response.status_code == 200
    assert response.data["count"] == 1
    row = response.json()["results"][0]
    assert set(row) == {
        "id",
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "object_label",
        "changes",
        "note",
        "count",
    }
    assert (row["actor"], row["action"], row["object_label"], row["count"]) == (
        "cora",
        "role_change",
        "fred",
        1,
    )
    assert row["changes"] == [{"field": "role", "old": "focal_point", "new": "approver"}]


def test_audit_events_come_newest_first(coord_api) -> None:
    """The trail is ordered from the latest event back."""
    rows = coord_api.get(AUDIT).json()["results"]
    ids = [row["id"] for row in rows]
    assert len(ids) > 1
    assert ids == sorted(ids, reverse=True)


def test_audit_filters_by_actor_text_and_dates(coord_api, focal) -> None:
    """`?actor=` takes a user name, `?q=` searches labels and notes, `?since=`/`?until=` take ISO dates."""
    token_client(focal).get(USERS)  # refused: an access_refused line by fred, note "user.list"
    by_fred = coord_api.get(AUDIT, {"actor": "fred"}).json()["results"]
    assert [(row["action"], row["note"]) for row in by_fred] == [
        ("access_refused", "user.list"),
        ("token_created", ""),
    ]
    assert [row["actor"] for row in coord_api.get(AUDIT, {"q": "USER.LIST"}).json()["results"]] == ["fred"]
    today = timezone.localdate()
    assert coord_api.get(AUDIT, {"actor": "fred", "since": today.isoformat()}).data["count"] == 2
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert coord_api.get(AUDIT, {"actor": "fred", "until": yesterday}).data["count"] == 0
    assert coord_api.get(AUDIT, {"actor": "fred", "until": today.isoformat()}).data["count"] == 2


def test_audit_refuses_a_bad_date_naming_the_filter(coord_api) -> None:
    """`?since=` that is not a date is 400 naming it."""
    response = coord_api.get(AUDIT, {"since": "last tuesday"})
    assert response.status_code == 400
    assert fields_of(response)[0] == "since"


@pytest.mark.parametrize("role", [Role.APPROVER, Role.FOCAL_POINT, Role.NGO_CONTRIBUTOR, Role.EVALUATOR])
def test_only_coordinators_read_the_audit_trail(role) -> None:
    """Every other role gets 403 on the audit trail, and the refusal is itself audited."""
    user = person("someone", role)
    before = refusals()
    assert token_client(user).get(AUDIT).status_code == 403
    assert refusals() == before + 1
    assert AuditEvent.objects.latest("id").note == "audit.view"
