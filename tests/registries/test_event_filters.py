"""The event list's drill-down filters, as the dashboards link to it: ``period`` (a reporting period's
id: events whose first day falls in it), ``pillar`` (id), ``activity`` (its key), ``agency`` (the
organiser's id), ``district`` (code) and ``kind``; each value that does not fit answers 400 naming the
parameter; the query count does not grow with the events."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wpsnap.registries.models import Event
from wpsnap.registries.services.events import EventInput, event_create

from .conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(events_plan, people):
    """Four events: MoD's 2021 training in Baku (5.1.2.3), MoD's 2022 awareness day (5.1.2.3, no
    district), MIA's 2021 training in Ganja (5.2.1.1, another pillar), MoD's 2022 consultation in Baku
    (5.1.2.3)."""

    def make(user, code, kind, day, district=""):
        return event_create(
            actor=user,
            plan=events_plan,
            data=EventInput(
                kind=kind,
                title=f"{kind} {code} {day}",
                starts_on=day,
                ends_on=day,
                activities=[events_plan.activities.get(code=code)],
                district=district,
            ),
        )

    return {
        "training": make(people["focal"], "5.1.2.3", "training", date(2021, 3, 10), "baku"),
        "awareness": make(people["focal"], "5.1.2.3", "awareness", date(2022, 2, 1)),
        "mia": make(people["other_focal"], "5.2.1.1", "training", date(2021, 6, 1), "ganja"),
        "consultation": make(people["focal"], "5.1.2.3", "consultation", date(2022, 5, 5), "baku"),
    }


def _shown(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/events/(\d+)/"', response.content.decode())}


def test_each_drill_down_filter_keeps_what_matches(client, people, events_plan, events) -> None:
    """Each filter, alone and combined, lists exactly the events that match it (counted here from the
    events made)."""
    periods = {p.label: p for p in events_plan.reporting_periods.all()}
    mia = people["other_focal"].organisation
    pillar_512 = events_plan.activities.get(code="5.1.2.3").priority_area.pillar
    e = {k: v.pk for k, v in events.items()}
    cases = {
        f"period={periods['2021'].pk}": {e["training"], e["mia"]},
        f"period={periods['2022'].pk}": {e["awareness"], e["consultation"]},
        f"pillar={pillar_512.pk}": {e["training"], e["awareness"], e["consultation"]},
        "activity=5.1.2-3": {e["training"], e["awareness"], e["consultation"]},
        f"agency={mia.pk}": {e["mia"]},
        "district=baku": {e["training"], e["consultation"]},
        "kind=training": {e["training"], e["mia"]},
        f"period={periods['2022'].pk}&district=baku&kind=consultation": {e["consultation"]},
    }
    sign_in(client, people["coordinator"])
    for query, expected in cases.items():
        response = client.get(f"/events/?{query}")
        assert response.status_code == 200, query
        assert _shown(response) == expected, query
    labelled = client.get(f"/events/?period={periods['2021'].pk}&district=baku").content.decode()
    assert "Also showing only:" in labelled and "Period: 2021" in labelled


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=abc", "period"),
        ("period=999999", "period"),
        ("pillar=%C2%B2", "pillar"),
        ("agency=0", "agency"),
        ("agency=99999999", "agency"),
        ("district=atlantis", "district"),
        ("activity=no-such-activity", "activity"),
    ],
)
def test_bad_drill_down_values_are_refused_by_name(client, people, events, query, field) -> None:
    """A value that does not fit answers 400 and names its parameter; no event is listed."""
    sign_in(client, people["coordinator"])
    response = client.get(f"/events/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert f"<code>{field}</code>" in html
    assert not _shown(response)


def test_a_bad_kind_is_refused_by_the_form(client, people, events) -> None:
    """``kind`` is the form's own filter: an unknown kind answers 400 next to it."""
    sign_in(client, people["coordinator"])
    response = client.get("/events/?kind=party")
    assert response.status_code == 400
    assert "“party” is not in the list." in response.content.decode()


def test_the_scope_still_holds(client, people, events_plan, events) -> None:
    """Drilling down to another agency's events shows an agency's person nothing of theirs."""
    mia = people["other_focal"].organisation
    sign_in(client, people["focal"])
    response = client.get(f"/events/?agency={mia.pk}")
    assert response.status_code == 200
    assert _shown(response) == set()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_drill_down_costs_a_fixed_number_of_queries(client, people, events_plan, events) -> None:
    """With every drill-down filter given, the list costs the same with 4 events and with 24."""
    periods = {p.label: p for p in events_plan.reporting_periods.all()}
    pillar = events_plan.activities.get(code="5.1.2.3").priority_area.pillar
    mod = people["focal"].organisation
    url = f"/events/?period={periods['2021'].pk}&pillar={pillar.pk}&agency={mod.pk}&district=baku&activity=5.1.2-3"
    sign_in(client, people["coordinator"])
    client.get(url)
    few = _queries(client, url)
    for i in range(20):
        event_create(
            actor=people["focal"],
            plan=events_plan,
            data=EventInput(
                kind="training",
                title=f"More {i}",
                starts_on=date(2021, 4, 1 + i),
                ends_on=date(2021, 4, 1 + i),
                activities=[events_plan.activities.get(code="5.1.2.3")],
                district="baku",
            ),
        )
    assert Event.objects.count() == 24
    assert _queries(client, url) == few
