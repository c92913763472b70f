"""The styled 403 page: what happened in plain words and the ways back (the person's own work, the page
they came from, signing in as someone else); the API's 403 stays JSON."""

from __future__ import annotations

import pytest

from ..conftest import problems_of, sign_in

pytestmark = pytest.mark.django_db


def test_a_refused_page_says_what_happened_and_the_way_back(client, make_user) -> None:
    """A focal point opening the reports browser gets 403 on the site's layout: who they are signed in
    as, that nothing was done, a link to their work (/reports/), back to the page they came from, and a
    form to sign in as someone else that comes back to this page."""
    sign_in(client, make_user("focal_point", "mod", "mod-focal"))
    response = client.get("/reports/browse/", headers={"Referer": "http://testserver/plans/az-2020-2023/"})
    assert response.status_code == 403
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    assert "<h1>You may not open this page</h1>" in html
    assert "You are signed in as mod-focal (Agency focal point)" in html
    assert 'href="/reports/">Go to your work</a>' in html
    assert 'href="http://testserver/plans/az-2020-2023/">Back to the page you came from</a>' in html
    assert 'action="/accounts/logout/"' in html
    assert 'name="next" value="/accounts/login/?next=/reports/browse/"' in html


def test_an_outside_referer_is_not_offered(client, make_user) -> None:
    """A previous page on another site is not offered as the way back."""
    sign_in(client, make_user("focal_point", "mod", "mod-focal"))
    html = client.get("/reports/browse/", headers={"Referer": "https://evil.example.com/"}).content.decode()
    assert "evil.example.com" not in html
    assert "Back to the page you came from" not in html


def test_signing_in_as_someone_else_comes_back_here(client, make_user) -> None:
    """The page's sign-out form ends the session and opens the sign-in page, which returns to the
    refused page."""
    sign_in(client, make_user("focal_point", "mod", "mod-focal"))
    response = client.post("/accounts/logout/", {"next": "/accounts/login/?next=/reports/browse/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/reports/browse/"
    assert client.get("/reports/browse/").status_code == 302  # signed out


@pytest.mark.parametrize(("role", "work"), [("approver", "/reports/queue/"), ("evaluator", "/dashboard/")])
def test_the_way_back_is_each_role_s_work(client, make_user, role, work) -> None:
    """The link back leads to where the role lands after signing in (the audit trail is coordinators')."""
    sign_in(client, make_user(role))
    response = client.get("/accounts/audit/")
    assert response.status_code == 403
    assert f'href="{work}">Go to your work</a>' in response.content.decode()


def test_the_api_answers_403_in_json(client, make_user) -> None:
    """Under /api/ a refusal is still the API's one error body."""
    sign_in(client, make_user("focal_point", "mod", "mod-focal"))
    response = client.get("/api/v1/audit/")
    assert response.status_code == 403
    assert problems_of(response)[0]["code"] == "permission_denied"
