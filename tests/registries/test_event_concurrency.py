"""No edit of an event silently overwrites another (issue 9, item 1): the event form, the events API
(ETag, If-Match, 428, merge or 409), the counts and the participant list."""

from __future__ import annotations

import html as htmllib
import json
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from wpsnap.accounts.services import token_create
from wpsnap.registries.models import Event, Participation
from wpsnap.registries.services.events import EventInput, counts_save, event_create

from ..conftest import sign_in

pytestmark = pytest.mark.django_db


def hidden(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag is not None, f"no hidden {name}"
    found = re.search(r'value="([^"]*)"', tag.group(0))
    assert found is not None
    return htmllib.unescape(found.group(1))


def opened(client: Client, event: Event) -> dict[str, object]:
    """The edit form as posted back unchanged: every field as shown, its version and base."""
    page = client.get(f"/events/{event.pk}/edit/").content.decode()
    base = hidden(page, "base")
    fields: dict[str, object] = {}
    for name, text in json.loads(base).items():
        lists = ("activities", "topics", "partners")
        fields[name] = (text.split(",") if text else []) if name in lists else text
    return {**fields, "version": hidden(page, "version"), "base": base}


@pytest.fixture
def second_focal(make_user):
    return make_user("focal_point", "mod", "mod-focal-2")


def api_for(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user)}")
    return api


def test_two_sessions_on_one_event_form_lose_nothing(client, people, second_focal, training) -> None:
    """A changes the place; B, on the form it opened before, changes the outcomes: both stay."""
    other = Client()
    sign_in(client, people["focal"])
    sign_in(other, second_focal)
    a, b = opened(client, training), opened(other, training)
    assert client.post(f"/events/{training.pk}/edit/", {**a, "place": "Ganja"}).status_code == 302
    assert other.post(f"/events/{training.pk}/edit/", {**b, "outcomes": "A network"}).status_code == 302
    training.refresh_from_db()
    assert (training.place, training.outcomes, training.version) == ("Ganja", "A network", 3)


def test_a_clash_on_the_event_form_is_refused_keeping_the_typing(
    client, people, second_focal, training
) -> None:
    """Both change the title: B's save answers 409 naming it with A's title, keeps B's typing, shows
    A's place (B left it alone), and saving again keeps B's title."""
    other = Client()
    sign_in(client, people["focal"])
    sign_in(other, second_focal)
    a, b = opened(client, training), opened(other, training)
    client.post(f"/events/{training.pk}/edit/", {**a, "title": "A's title", "place": "Ganja"})

    response = other.post(f"/events/{training.pk}/edit/", {**b, "title": "B's title"})

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this while you were editing." in page
    assert re.search(r'name="title"[^>]*value="B&#x27;s title"', page)
    assert re.search(r'name="place"[^>]*value="Ganja"', page)
    training.refresh_from_db()
    assert training.title == "A's title"
    base = hidden(page, "base")
    again = {
        **opened(other, training),
        "version": hidden(page, "version"),
        "base": base,
        "title": "B's title",
    }
    assert other.post(f"/events/{training.pk}/edit/", again).status_code == 302
    training.refresh_from_db()
    assert (training.title, training.place) == ("B's title", "Ganja")


def test_the_events_api_requires_if_match_and_merges_or_refuses(people, second_focal, training) -> None:
    """GET gives the ETag; PATCH without If-Match answers 428; on a stale ETag a PATCH of another field
    merges and one of the same field answers 409 naming it; DELETE needs If-Match too and is refused
    on a stale version."""
    a, b = api_for(people["focal"]), api_for(second_focal)
    url = f"/api/v1/events/{training.pk}/"
    got = a.get(url)
    assert (got["ETag"], got.json()["version"]) == ('"1"', 1)
    assert a.patch(url, {"place": "x"}, format="json").status_code == 428
    assert a.patch(url, {"place": "Ganja"}, format="json", HTTP_IF_MATCH='"1"')["ETag"] == '"2"'
    merged = b.patch(url, {"outcomes": "A network"}, format="json", HTTP_IF_MATCH='"1"')
    assert merged.status_code == 200
    assert merged.json()["place"] == "Ganja"
    clash = b.patch(url, {"place": "Sheki"}, format="json", HTTP_IF_MATCH='"1"')
    assert clash.status_code == 409
    assert clash.json()["conflicts"] == [{"field": "place", "current": "Ganja", "yours": "Sheki"}]
    assert b.delete(url).status_code == 428
    assert b.delete(url, HTTP_IF_MATCH='"1"').status_code == 409
    assert Event.objects.filter(pk=training.pk).exists()
    assert b.delete(url, HTTP_IF_MATCH='"3"').status_code == 204


def test_counts_on_a_stale_version_that_changed_are_refused(events_plan, people) -> None:
    """Two callers hold version 1 of an event with counts: A replaces the counts; B's PUT of other
    counts on version 1 answers 409, B's on the new ETag goes through."""
    activity = events_plan.activities.get(code="5.1.2.3")
    event = event_create(
        actor=people["focal"],
        plan=events_plan,
        data=EventInput(
            kind="training",
            title="Counts",
            starts_on=events_plan.reporting_periods.get(label="2021").start,
            ends_on=events_plan.reporting_periods.get(label="2021").start,
            activities=[activity],
            participation=Participation.COUNTS,
        ),
    )
    api = api_for(people["focal"])
    url = f"/api/v1/events/{event.pk}/counts/"
    first = api.put(url, {"counts": {"sex:women|age:18-24": 4}}, format="json", HTTP_IF_MATCH='"1"')
    assert (first.status_code, first["ETag"]) == (200, '"2"')
    stale = api.put(url, {"counts": {"sex:men|age:18-24": 3}}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    assert (
        api.put(url, {"counts": {"sex:men|age:18-24": 3}}, format="json", HTTP_IF_MATCH='"2"').status_code
        == 200
    )
    counts_save(actor=people["focal"], event=event, counts={"sex:men|age:18-24": 3})
    event.refresh_from_db()
    assert event.version == 3  # the same counts again change nothing


def test_the_counts_page_refuses_to_overwrite_counts_saved_meanwhile(
    client, people, second_focal, events_plan
) -> None:
    """Two people open the counts of one event; the first saves 12 women; the second's table, opened
    before, is refused (409) and says what the event now holds; saving again from the page it got
    keeps the second's counts."""
    event = event_create(
        actor=people["focal"],
        plan=events_plan,
        data=EventInput(
            kind="awareness",
            title="Open day",
            starts_on=events_plan.reporting_periods.get(label="2021").start,
            ends_on=events_plan.reporting_periods.get(label="2021").start,
            activities=[events_plan.activities.get(code="5.1.2.3")],
            participation=Participation.COUNTS,
        ),
    )
    other = Client()
    sign_in(client, people["focal"])
    sign_in(other, second_focal)
    url = f"/events/{event.pk}/counts/"
    a_version = hidden(client.get(url).content.decode(), "version")
    b_version = hidden(other.get(url).content.decode(), "version")
    assert client.post(url, {"version": a_version, "n-sex-women--age-18-24": "12"}).status_code == 302
    refused = other.post(url, {"version": b_version, "n-sex-men--age-35-59": "8"})
    assert refused.status_code == 409
    assert "12 participants in all" in refused.content.decode()
    assert dict(event.counts.values_list("cell", "value")) == {"sex:women|age:18-24": 12}
    again = {"version": hidden(refused.content.decode(), "version"), "n-sex-men--age-35-59": "8"}
    assert other.post(url, again).status_code == 302
    assert dict(event.counts.values_list("cell", "value")) == {"sex:men|age:35-59": 8}
