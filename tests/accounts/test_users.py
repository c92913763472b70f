"""The people pages: the list, invitations and their one-time link, a person's page, changing a role,
deactivating, who may reach each page and what a refused request leaves behind."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wpsnap.accounts import services
from wpsnap.accounts.models import Organisation, Role, User
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.demo import data as demo

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "demo password for tests"
NEW_PASSWORD = "a long passphrase nobody guesses 42"
USER_LIST = "/accounts/users/"
INVITE = "/accounts/users/invite/"
LOGIN_URL = "/accounts/login/"

# The most queries each page may make, whatever the number of rows (see the growth tests below): the
# session, the user, their second-factor device, then the page's own (organisations and people for the
# list; the person and their history for a person's page).
USER_LIST_QUERIES = 5
USER_DETAIL_QUERIES = 5


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Argon2 is slow on purpose; these tests are about pages, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people() -> dict[str, User]:
    """The demo people (a coordinator, focal points, approvers, an NGO contributor, an evaluator)."""
    demo.demo_load(password=PASSWORD, reports=False)
    return {user.username: user for user in User.objects.filter(username__in=demo.USERNAMES)}


@pytest.fixture
def coordinator(people) -> User:
    return people["coordinator"]


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The page's text without tags and with single spaces, for assertions on sentences."""
    return " ".join(re.sub(r"<[^>]+>", " ", html(response)).split())


def listed(response) -> list[str]:
    """The user names a people list shows, in order."""
    return re.findall(r'data-user="([^"]+)"', html(response))


def detail(user: User) -> str:
    return reverse("accounts:user_detail", args=[user.pk])


def role_url(user: User) -> str:
    return reverse("accounts:user_role", args=[user.pk])


def active_url(user: User) -> str:
    return reverse("accounts:user_active", args=[user.pk])


def organisation(key: str) -> Organisation:
    return Organisation.objects.get(country="AZ", key=key)


def refusals(note: str) -> int:
    return AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, note=note).count()


# --- the list -----------------------------------------------------------------------------------------


def test_coordinator_sees_everyone_with_organisation_role_and_status(client, people, coordinator):
    """The list shows each person with their organisation, role and status, and offers an invitation."""
    people["mia.focal"].is_active = False
    people["mia.focal"].save(update_fields=["is_active"])
    invited = services.user_invite(
        actor=coordinator,
        email="nigar.aliyeva@example.org",
        first_name="Nigar",
        last_name="Əliyeva",
        organisation=organisation("moj"),
        role=Role.FOCAL_POINT,
    )
    response = sign_in(client, coordinator).get(USER_LIST)
    assert response.status_code == 200
    assert set(listed(response)) == {*demo.USERNAMES, invited.username}
    page = html(response)
    row = page[
        page.index('data-user="mod.approver"') : page.index("</tr>", page.index('data-user="mod.approver"'))
    ]
    assert "Elnur Quliyev" in row
    assert "MoD" in row
    assert "Agency approver" in row
    assert "Active" in row
    invited_row = page[page.index(f'data-user="{invited.username}"') :]
    assert "Invited, not joined yet" in invited_row[: invited_row.index("</tr>")]
    deactivated_row = page[page.index('data-user="mia.focal"') :]
    assert "Deactivated" in deactivated_row[: deactivated_row.index("</tr>")]
    assert f'href="{INVITE}"' in page
    assert "Invite someone" in text(response)


def test_the_list_filters_by_organisation_and_role(client, people, coordinator):
    """Choosing an organisation and a role lists only the people who have both."""
    sign_in(client, coordinator)
    mod = organisation("mod")
    response = client.get(USER_LIST, {"organisation": mod.pk, "role": Role.APPROVER})
    assert response.status_code == 200
    assert listed(response) == ["mod.approver"]
    response = client.get(USER_LIST, {"role": Role.FOCAL_POINT})
    assert set(listed(response)) == {"mod.focal", "mia.focal", "scridp.focal", "mlspp.focal", "moe.focal"}


def test_an_unknown_filter_value_is_refused_with_a_message_naming_the_field(client, people, coordinator):
    """A role that does not exist answers 400 with the problem next to the role filter, and lists nobody."""
    response = sign_in(client, coordinator).get(USER_LIST, {"role": "superuser"})
    assert response.status_code == 400
    assert "“superuser” is not a role." in text(response)
    assert listed(response) == []


def test_the_list_makes_the_same_number_of_queries_for_5_or_50_more_people(
    client, people, coordinator, django_assert_max_num_queries
):
    """The list's query count does not grow with the number of people (organisations are joined)."""
    sign_in(client, coordinator)
    moh = organisation("moh")

    def add(count: int, start: int) -> None:
        User.objects.bulk_create(
            User(username=f"extra{i}", email=f"extra{i}@example.org", role=Role.FOCAL_POINT, organisation=moh)
            for i in range(start, start + count)
        )

    client.get(USER_LIST)  # the first request of a session writes its timestamps
    add(5, 0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(USER_LIST).status_code == 200
    add(45, 5)
    with django_assert_max_num_queries(USER_LIST_QUERIES), CaptureQueriesContext(connection) as many:
        response = client.get(USER_LIST)
    assert len(listed(response)) == len(demo.USERNAMES) + 50
    assert len(many) == len(few)


# --- inviting -------------------------------------------------------------------------------------------


def test_an_invitation_link_sets_a_password_once(
    client, people, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    """Inviting someone e-mails them a link; it lets them choose a password once, sends them to sign
    in, and then no longer works."""
    sign_in(client, coordinator)
    form = {
        "email": "nigar.aliyeva@example.org",
        "first_name": "Nigar",
        "last_name": "Əliyeva",
        "organisation": organisation("moj").pk,
        "role": Role.FOCAL_POINT,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE, form)
    invited = User.objects.get(email="nigar.aliyeva@example.org")
    assert response.status_code == 302
    assert response.url == detail(invited)
    assert (invited.role, invited.organisation.key, invited.has_usable_password()) == (
        Role.FOCAL_POINT,
        "moj",
        False,
    )
    assert AuditEvent.objects.filter(action=AuditAction.INVITE, object_id=str(invited.pk)).count() == 1

    assert [mail.to for mail in mailoutbox] == [["nigar.aliyeva@example.org"]]
    link = re.search(r"http://testserver(/accounts/invitation/\S+/)", mailoutbox[0].body).group(1)

    anonymous = Client()
    page = anonymous.get(link)
    assert page.status_code == 200
    assert "Choose your password" in text(page)
    done = anonymous.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.url == LOGIN_URL
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)
    accepted = AuditEvent.objects.filter(object_id=str(invited.pk), note=services.INVITATION_ACCEPTED_NOTE)
    assert [(event.action, event.actor_id) for event in accepted] == [(AuditAction.UPDATE, invited.pk)]

    again = anonymous.get(link)
    assert again.status_code == 400
    assert "expired or was already used" in text(again)
    reuse = anonymous.post(
        link, {"new_password1": "another passphrase 1234", "new_password2": "another passphrase 1234"}
    )
    assert reuse.status_code == 400
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)


def test_an_invitation_password_must_pass_the_password_rules(client, people, coordinator):
    """A short or mismatched password is refused next to its field, and the link keeps working."""
    invited = services.user_invite(
        actor=coordinator,
        email="nigar.aliyeva@example.org",
        first_name="Nigar",
        last_name="Əliyeva",
        organisation=organisation("moj"),
        role=Role.FOCAL_POINT,
    )
    link = services.invitation_link(invited)
    short = client.post(link, {"new_password1": "short", "new_password2": "short"})
    assert short.status_code == 400
    assert "This password is too short." in text(short)
    mismatch = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "!"})
    assert mismatch.status_code == 400
    assert "The two password fields didn’t match." in text(mismatch)  # noqa: RUF001 - Django's own apostrophe
    invited.refresh_from_db()
    assert not invited.has_usable_password()
    assert client.get(link).status_code == 200


def test_a_malformed_invitation_link_says_it_no_longer_works(client, people):
    """A link with a made-up id or token answers 400 with the explanation, not an error page."""
    response = client.get(reverse("accounts:invitation", args=["Zm9v", "made-up-token"]))
    assert response.status_code == 400
    assert "This link no longer works" in text(response)


def test_an_invitation_to_a_deactivated_account_no_longer_works(client, people, coordinator):
    """Deactivating an invited person before they choose a password makes their link stop working."""
    invited = services.user_invite(
        actor=coordinator,
        email="nigar.aliyeva@example.org",
        first_name="Nigar",
        last_name="Əliyeva",
        organisation=organisation("moj"),
        role=Role.FOCAL_POINT,
    )
    link = services.invitation_link(invited)
    services.user_set_active(actor=coordinator, user=invited, active=False)
    assert client.get(link).status_code == 400
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 400
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_invitation_problems_are_shown_on_the_field_they_name(client, people, coordinator):
    """An e-mail address already in use is shown on the e-mail field, a role that does not fit the
    organisation on the role field; nobody is created."""
    sign_in(client, coordinator)
    before = User.objects.count()
    taken = client.post(
        INVITE,
        {
            "email": people["mod.focal"].email.upper(),
            "first_name": "Rauf",
            "last_name": "Həsənov",
            "organisation": organisation("mod").pk,
            "role": Role.FOCAL_POINT,
        },
    )
    assert taken.status_code == 400
    assert 'id="id_email_error">Someone with this e-mail address already has an account.' in html(taken)
    misfit = client.post(
        INVITE,
        {
            "email": "new.person@example.org",
            "first_name": "New",
            "last_name": "Person",
            "organisation": organisation(demo.NGO).pk,
            "role": Role.FOCAL_POINT,
        },
    )
    assert misfit.status_code == 400
    role_error = re.search(r'id="id_role_error">([^<]+)<', html(misfit)).group(1)
    assert "is not open to Women for Peace Network" in role_error
    assert User.objects.count() == before


def test_an_invitation_cannot_grant_an_unknown_role(client, people, coordinator):
    """A role that is not on the list is refused on the role field; nobody is created."""
    sign_in(client, coordinator)
    response = client.post(
        INVITE,
        {
            "email": "new.person@example.org",
            "first_name": "New",
            "last_name": "Person",
            "organisation": organisation("mod").pk,
            "role": "superuser",
        },
    )
    assert response.status_code == 400
    assert "You cannot give the role “superuser”." in text(response)
    assert not User.objects.filter(email="new.person@example.org").exists()


# --- a person's page, role and status -----------------------------------------------------------------


def test_coordinator_changes_a_role_and_the_change_is_in_the_history(client, people, coordinator):
    """Changing a role saves it, writes a history row and a role-change audit line with the old and
    new role, and the person's page then shows the change."""
    person = people["mod.focal"]
    sign_in(client, coordinator)
    response = client.post(role_url(person), {"role": Role.APPROVER}, follow=True)
    assert response.redirect_chain == [(detail(person), 302)]
    assert "Rauf Həsənov is now Agency approver." in text(response)
    person.refresh_from_db()
    assert person.role == Role.APPROVER
    latest, previous = person.history.all()[:2]
    assert (previous.role, latest.role, latest.history_user_id) == (
        Role.FOCAL_POINT,
        Role.APPROVER,
        coordinator.pk,
    )
    event = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGE, object_id=str(person.pk))
    assert event.actor_id == coordinator.pk
    assert event.changes == [{"field": "role", "old": Role.FOCAL_POINT, "new": Role.APPROVER}]
    changes = re.findall(r'<li><span class="fw-semibold">([^<]+)</span>: ([^<]+)</li>', html(response))
    assert (
        changes[:2] == [("Role", "Agency focal point → Agency approver")] * 2
    )  # the role change, the history


def test_the_role_form_offers_only_roles_that_fit_the_organisation(client, people, coordinator):
    """For a ministry's focal point the role choices are the government roles, never NGO contributor
    or evaluator."""
    page = html(sign_in(client, coordinator).get(detail(people["mod.focal"])))
    form = page[page.index(f'action="{role_url(people["mod.focal"])}"') :]
    form = form[: form.index("</form>")]
    assert re.findall(r'<option value="([^"]+)"', form) == [Role.COORDINATOR, Role.APPROVER, Role.FOCAL_POINT]


def test_a_coordinator_cannot_change_their_own_role(client, people, coordinator):
    """A coordinator's own page has no role or deactivation controls and says why; posting anyway is
    refused with 403, logged, and changes nothing."""
    sign_in(client, coordinator)
    page = client.get(detail(coordinator))
    assert page.status_code == 200
    assert "You cannot change your own role." in text(page)
    assert role_url(coordinator) not in html(page)
    assert active_url(coordinator) not in html(page)

    before = refusals("user.change")
    assert client.post(role_url(coordinator), {"role": Role.APPROVER}).status_code == 403
    assert client.post(active_url(coordinator), {"active": "0"}).status_code == 403
    coordinator.refresh_from_db()
    assert (coordinator.role, coordinator.is_active) == (Role.COORDINATOR, True)
    assert refusals("user.change") == before + 2


def test_a_role_change_cannot_grant_an_unknown_role(client, people, coordinator):
    """An unknown role answers 400 with the problem on the role field, and the role stays."""
    person = people["mod.focal"]
    sign_in(client, coordinator)
    response = client.post(role_url(person), {"role": "superuser"})
    assert response.status_code == 400
    assert "You cannot give the role “superuser” here." in text(response)
    person.refresh_from_db()
    assert person.role == Role.FOCAL_POINT


def test_a_person_without_an_organisation_is_offered_no_role(client, people, coordinator):
    """Every role belongs to an organisation: for someone without one the page offers no role, and a
    posted role is refused (400) instead of failing."""
    loner = User.objects.create(username="loner", email="loner@example.org")
    sign_in(client, coordinator)
    assert "No other role fits this person's organisation." in text(client.get(detail(loner)))
    response = client.post(role_url(loner), {"role": Role.EVALUATOR})
    assert response.status_code == 400
    loner.refresh_from_db()
    assert loner.role == ""


def test_a_role_change_ignores_every_field_but_the_role(client, people, coordinator):
    """Extra fields in the POST (organisation, superuser, user name, e-mail, staff) change nothing:
    only the role does."""
    person = people["mod.focal"]
    sign_in(client, coordinator)
    response = client.post(
        role_url(person),
        {
            "role": Role.APPROVER,
            "organisation": organisation("moe").pk,
            "organisation_id": organisation("moe").pk,
            "is_superuser": "on",
            "is_staff": "on",
            "username": "taken.over",
            "email": "attacker@example.com",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.role, person.organisation.key, person.is_superuser, person.is_staff) == (
        Role.APPROVER,
        "mod",
        False,
        False,
    )
    assert (person.username, person.email) == ("mod.focal", "rauf.hasanov@example.org")


def test_coordinator_deactivates_and_reactivates_an_account(client, people, coordinator):
    """Deactivating signs the person out of wpsnap and is logged; reactivating lets them back in."""
    person = people["moe.focal"]
    sign_in(client, coordinator)
    focal = sign_in(Client(), person)
    assert focal.get(detail(person)).status_code == 200

    response = client.post(active_url(person), {"active": "0"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    assert AuditEvent.objects.filter(action=AuditAction.DEACTIVATE, object_id=str(person.pk)).count() == 1
    assert focal.get(detail(person)).status_code == 302  # their session ended: back to signing in
    assert "Deactivated" in text(client.get(detail(person)))

    assert client.post(active_url(person), {"active": "1"}).status_code == 302
    person.refresh_from_db()
    assert person.is_active
    assert AuditEvent.objects.filter(action=AuditAction.REACTIVATE, object_id=str(person.pk)).count() == 1


def test_a_person_page_shows_their_history_as_object_and_as_actor(client, people, coordinator):
    """A person's page lists what was done to them and what they did, latest first."""
    # A newcomer: the demo people already have more than a page of history (their demo reports).
    person = services.user_invite(
        actor=coordinator,
        email="lala.mammadova@example.org",
        first_name="Lalə",
        last_name="Məmmədova",
        organisation=people["mod.focal"].organisation,
        role=Role.FOCAL_POINT,
    )
    services.user_change_role(actor=coordinator, user=person, role=Role.APPROVER)
    sign_in(client, coordinator)

    def events(user: User) -> list[tuple[str, str]]:
        page = html(client.get(detail(user)))
        return re.findall(r'data-event="(\d+)" data-action="([^"]+)"', page)

    change = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGE, object_id=str(person.pk))
    by_coordinator = events(coordinator)
    assert (str(change.pk), AuditAction.ROLE_CHANGE) in by_coordinator  # as the one who acted
    assert by_coordinator[0][1] == AuditAction.LOGIN  # the latest: signing in for this test
    about_person = events(person)
    assert about_person[0] == (str(change.pk), AuditAction.ROLE_CHANGE)  # as the one acted on
    assert about_person[-1][1] == AuditAction.CREATE


def test_a_person_page_makes_a_fixed_number_of_queries(
    client, people, coordinator, django_assert_max_num_queries
):
    """A person's page costs the same however long their history is."""
    person = people["mod.focal"]
    sign_in(client, coordinator)
    client.get(detail(person))  # the first request of a session writes its timestamps
    for role in [Role.APPROVER, Role.FOCAL_POINT] * 30:
        services.user_change_role(actor=coordinator, user=person, role=role)
    with django_assert_max_num_queries(USER_DETAIL_QUERIES):
        response = client.get(detail(person))
    assert len(re.findall(r"data-event=", html(response))) == 50


# --- who may do what ---------------------------------------------------------------------------------

OTHERS = ["mod.focal", "mod.approver", "evaluator", "ngo.contributor"]


def _pages(people: dict[str, User]) -> list[tuple[str, str, dict[str, str]]]:
    target = people["moe.focal"]
    return [
        ("get", USER_LIST, {}),
        ("get", INVITE, {}),
        (
            "post",
            INVITE,
            {"email": "x@example.org", "first_name": "X", "last_name": "Y", "role": Role.COORDINATOR},
        ),
        ("post", role_url(target), {"role": Role.COORDINATOR}),
        ("post", active_url(target), {"active": "0"}),
        ("get", "/accounts/audit/", {}),
        ("get", f"/accounts/audit/accounts.user/{target.pk}/", {}),
    ]


@pytest.mark.parametrize("username", OTHERS)
def test_only_coordinators_reach_the_people_and_audit_pages(client, people, username):
    """A focal point, an approver, an evaluator and an NGO contributor get 403 on every people and
    audit page and every POST; each refusal is logged, and nothing changes."""
    sign_in(client, people[username])
    before = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, actor=people[username]).count()
    pages = _pages(people)
    for method, url, form in pages:
        assert getattr(client, method)(url, form).status_code == 403, (method, url)
    target = User.objects.get(username="moe.focal")
    assert (target.role, target.is_active) == (Role.FOCAL_POINT, True)
    assert not User.objects.filter(email="x@example.org").exists()
    after = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, actor=people[username]).count()
    assert after == before + len(pages)


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    """Someone not signed in is sent to the sign-in page from every people and audit page and POST."""
    for method, url, form in _pages(people):
        response = getattr(client, method)(url, form)
        assert response.status_code == 302, (method, url)
        assert response.url.startswith(f"{LOGIN_URL}?next="), (method, url)
    assert User.objects.get(username="moe.focal").is_active


@pytest.mark.parametrize("username", OTHERS)
def test_another_persons_id_answers_404_and_is_logged(client, people, username):
    """Anyone but a coordinator who puts another person's id in the address gets 404 (ids reveal
    nothing), and the attempt is written to the audit trail."""
    me = people[username]
    sign_in(client, me)
    other = people["coordinator"]
    response = client.get(detail(other))
    assert response.status_code == 404
    refused = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, actor=me).latest("id")
    assert (refused.object_type, refused.object_id, refused.note) == (
        "accounts.user",
        str(other.pk),
        "accounts.user.view",
    )
    assert client.get(reverse("accounts:user_detail", args=[99999999])).status_code == 404


@pytest.mark.parametrize("username", OTHERS)
def test_everyone_sees_their_own_page_without_controls(client, people, username):
    """A signed-in person sees their own page, with no role or deactivation controls."""
    me = people[username]
    response = sign_in(client, me).get(detail(me))
    assert response.status_code == 200
    assert me.get_full_name() in text(response)
    assert role_url(me) not in html(response)
    assert active_url(me) not in html(response)
    assert "/accounts/audit/" not in html(response)


def test_every_people_and_audit_page_has_a_gate():
    """Each view under these URLs names the permission rule it passes (none is left ungated), and the
    invitation page's rule is registered: it is public, the link being the credential."""
    from wpsnap.accounts import manage_urls, permissions

    gates = {pattern.name: pattern.callback.gate_action for pattern in manage_urls.urlpatterns}
    assert gates == {
        "user_list": "user.list",
        "user_invite": "user.invite",
        "user_detail": "account.view",
        "user_role": "user.change",
        "user_active": "user.change",
        "invitation": "account.invitation",
        "audit_log": "audit.view",
        "audit_object": "audit.view",
    }
    assert set(gates.values()) <= set(permissions.actions())
