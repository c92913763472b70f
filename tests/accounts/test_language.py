"""A person's stored language (issue 13): the switcher stores it, staff pages follow it, public pages keep
their path's language (docs/languages.md)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from wpsnap.accounts import services
from wpsnap.accounts.language import by_language, language_of
from wpsnap.accounts.middleware import UserLanguageMiddleware
from wpsnap.accounts.models import LANGUAGE_NAMES, User
from wpsnap.core.models import AuditAction, AuditEvent

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

PLAN_URL = "/plans/az-2020-2023/"
SETLANG = "/i18n/setlang/"


def _html(response) -> str:
    return response.content.decode()


def test_the_languages_are_those_of_the_settings_named_in_themselves(settings) -> None:
    assert [code for code, _name in settings.LANGUAGES] == list(LANGUAGE_NAMES)
    assert LANGUAGE_NAMES == {"az": "Azərbaycanca", "en": "English", "ru": "Русский"}
    for code, name in LANGUAGE_NAMES.items():
        assert translation.get_language_info(code)["name_local"] == name


def test_a_signed_in_person_stores_the_choice_and_comes_back_to_the_same_page(client, make_user) -> None:
    person = make_user("focal_point", "mod")
    sign_in(client, person)
    response = client.post(SETLANG, {"language": "ru", "next": f"{PLAN_URL}?x=1"})
    assert response.status_code == 302
    assert response["Location"] == f"{PLAN_URL}?x=1"
    person.refresh_from_db()
    assert person.language == "ru"
    line = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(person.pk), actor=person)
    assert [(c["field"], c["old"], c["new"]) for c in line.changes] == [("language", "", "ru")]
    assert '<html lang="ru"' in _html(client.get(PLAN_URL))

    # Another browser, no language cookie, asking for English: the stored choice wins on staff pages.
    elsewhere = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), person)
    page = _html(elsewhere.get(PLAN_URL))
    assert '<html lang="ru"' in page
    assert '<option value="ru" lang="ru" selected>Русский</option>' in page


def test_an_empty_choice_goes_back_to_the_sites_default(client, make_user) -> None:
    person = make_user("focal_point", "mod")
    person.language = "az"
    person.save(update_fields=["language"])
    sign_in(client, person)
    response = client.post(SETLANG, {"language": "", "next": PLAN_URL})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == ""
    assert '<html lang="en"' in _html(client.get(PLAN_URL))  # the test settings' default


def test_a_visitor_gets_the_cookie_and_nothing_is_written(client, az_plan) -> None:
    lines = AuditEvent.objects.count()
    response = client.post(SETLANG, {"language": "az", "next": PLAN_URL})
    assert response.status_code == 302
    assert response["Location"] == PLAN_URL
    assert response.cookies["django_language"].value == "az"
    assert AuditEvent.objects.count() == lines
    assert '<html lang="az"' in _html(client.get(PLAN_URL))


def test_an_unknown_language_is_refused_naming_the_field(client, make_user) -> None:
    person = make_user("focal_point", "mod")
    sign_in(client, person)
    response = client.post(SETLANG, {"language": "fr", "next": PLAN_URL})
    assert response.status_code == 400
    assert "Choose one of the languages offered." in _html(response)
    person.refresh_from_db()
    assert person.language == ""
    assert client.post(SETLANG, {"next": PLAN_URL}, HTTP_ACCEPT="text/html").status_code == 302  # "": default
    assert Client().post(SETLANG, {"language": "", "next": PLAN_URL}).status_code == 400  # a visitor has none


def test_the_way_back_stays_on_this_site(client, az_plan) -> None:
    response = client.post(SETLANG, {"language": "ru", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get(SETLANG).status_code == 405


def test_the_setter_costs_few_queries(client, make_user, django_assert_num_queries) -> None:
    person = make_user("focal_point", "mod")
    sign_in(client, person)
    client.get(PLAN_URL)  # the session's last-seen time written before the measured request
    # The session and the user; the update, its history row and audit line, and the transaction's own.
    with django_assert_num_queries(8):
        client.post(SETLANG, {"language": "ru", "next": PLAN_URL})


def test_nobody_sets_another_persons_language(make_user) -> None:
    coordinator = make_user("coordinator")
    person = make_user("focal_point", "mod")
    with pytest.raises(PermissionDenied):
        services.user_language_set(actor=coordinator, user=person, language="ru")
    person.refresh_from_db()
    assert person.language == ""


def test_the_database_refuses_an_unknown_language(make_user) -> None:
    from django.db import IntegrityError, transaction

    person = make_user("focal_point", "mod")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=person.pk).update(language="fr")


def test_the_profile_page_offers_the_choice(client, make_user) -> None:
    person = make_user("focal_point", "mod")
    person.language = "ru"
    person.save(update_fields=["language"])
    sign_in(client, person)
    page = _html(client.get(reverse("accounts:user_detail", args=[person.pk])))
    assert 'id="language-heading"' in page
    assert 'name="language" id="language-ru" value="ru" checked' in page
    assert 'for="language-az" lang="az">Azərbaycanca</label>' in page


def test_public_paths_keep_the_language_of_their_prefix(make_user) -> None:
    """A signed-in Russian reader opening /en/...: the public page stays English; a staff page is Russian."""
    person = make_user("focal_point", "mod")
    person.language = "ru"
    middleware = UserLanguageMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    factory = RequestFactory()

    def view(request):  # a staff view (this module is not the portal's)
        return None

    with translation.override("en"):
        request = factory.get("/en/plan/")
        request.user = person
        middleware.process_view(request, view, (), {})
        assert translation.get_language() == "en"
        request = factory.get(PLAN_URL)
        request.user = person
        middleware.process_view(request, view, (), {})
        assert translation.get_language() == "ru"
        request = factory.get(PLAN_URL)
        request.user = AnonymousUser()
        translation.activate("en")
        middleware.process_view(request, view, (), {})
        assert translation.get_language() == "en"


def test_the_switcher_links_to_given_alternatives(rf) -> None:
    """The portal passes each language's version of the same page; the switcher links to them."""
    request = rf.get("/az/plan/")
    alternatives = [
        ("az", "Azərbaycanca", "/az/plan/"),
        ("en", "English", "/en/plan/"),
        ("ru", "Русский", "/ru/plan/"),
    ]
    with translation.override("en"):
        html = render_to_string(
            "partials/language_form.html", {"language_alternatives": alternatives, "request": request}
        )
    assert '<a class="nav-link" href="/ru/plan/" hreflang="ru" lang="ru">Русский</a>' in html
    assert 'href="/en/plan/" hreflang="en" lang="en" aria-current="true">English</a>' in html
    assert "<form" not in html


def test_language_of_and_groups(make_user, settings) -> None:
    settings.LANGUAGE_CODE = "az"
    a = make_user("focal_point", "mod", "a")
    b = make_user("focal_point", "mod", "b")
    c = make_user("approver", "mod", "c")
    b.language, c.language = "ru", "en"
    assert language_of(a) == "az"
    assert by_language([a, b, c]) == {"az": [a], "en": [c], "ru": [b]}
