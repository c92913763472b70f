"""The maps page in Chromium: the three district maps are drawn as SVG by vega-embed with the CSP-safe
interpreter (no CSP violation, no console error, no style element of vega's), they fit a phone's width,
and with JavaScript off the page still gives every figure in its tables."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from wpsnap.accounts.models import Organisation
from wpsnap.demo import data as demo
from wpsnap.registries.models import Event, Participant, Participation

from .conftest import DESKTOP, PHONE
from .walk import AXE_PATH, AXE_RUN_JS, OVERFLOW_JS, sign_in

pytestmark = pytest.mark.browser

PASSWORD = "demo-pass-2026"
KEYS = ("districts-events", "districts-people", "districts-reported")
DISTRICTS = Path(__file__).resolve().parents[2] / "plans" / "az-districts.yaml"


def _world(plan) -> None:
    """The demo's people; the plan set up for events; events in Baku, Ganja, Kurdamir and Lankaran with
    their participants (the rollups rebuilt, as after any bulk load)."""
    from wpsnap.analytics.rollups import rollups_rebuild
    from wpsnap.registries.services.setup import events_setup, read_districts
    from wpsnap.reporting.services import reporting_setup

    demo.demo_load(password=PASSWORD, reports=False)
    reporting_setup(plan=plan)
    events_setup(plan=plan, districts=read_districts(DISTRICTS))
    mod = Organisation.objects.get(country="AZ", key="mod")
    activity = plan.activities.get(code="5.1.2.3")
    for n, district in enumerate(("baku", "baku", "ganja", "kurdamir", "lankaran")):
        event = Event.objects.create(
            plan=plan,
            organiser=mod,
            kind="training",
            title=f"Training {n}",
            starts_on=date(2021, 3, 1 + n),
            ends_on=date(2021, 3, 1 + n),
            district=district,
            participation=Participation.LIST,
        )
        event.activities.add(activity)
        Participant.objects.bulk_create(
            Participant(event=event, sex=sex, age_band="25-34")
            for sex in ("women", "women", "men")[: 1 + n % 3]
        )
    rollups_rebuild(plan=plan)


def _signed_in(open_page, base: str, viewport, state: dict | None, **context_args):
    """A page of the coordinator's: signed in through the pages the first time (password and TOTP code),
    then with that session's cookies (a TOTP code is accepted once)."""
    if state is not None:
        return open_page(viewport, storage_state=state, **context_args)
    page = open_page(viewport, **context_args)
    sign_in(page, base, "coordinator", PASSWORD, code=lambda: demo.demo_totp("coordinator"))
    return page


def test_the_maps_are_drawn_and_the_tables_stand_without_javascript(az_live, az_plan, open_page) -> None:
    """At 1,280 and 375 px, signed in as the coordinator: each map's container holds vega's SVG with the
    78 districts' shapes (the boundaries fetched from /geo/districts.geojson) and its table, vega adds no
    style element, the page does not scroll sideways, axe-core finds nothing serious or critical, and
    nothing breaks the Content Security Policy or logs an error. With JavaScript off nothing is drawn, and each map's heading, summary, table (the
    districts leading to their events) and attribution are there."""
    _world(az_plan)
    url = f"{az_live}/plans/{az_plan.slug}/dashboard/districts/"
    state = None
    for viewport in (DESKTOP, PHONE):
        page = _signed_in(open_page, az_live, viewport, state)
        state = page.context.storage_state()
        page.goto(url)
        # vega-embed marks each container when its drawing is done (static/charts.js)
        expect(page.locator('[data-chart-state="drawn"]')).to_have_count(len(KEYS), timeout=60000)
        for key in KEYS:
            canvas = page.locator(f"#chart-{key}")
            assert canvas.locator("svg path").count() >= 78
        fetched = page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
        assert [u for u in fetched if "/geo/districts.geojson?v=" in u], fetched
        assert page.locator("#chart-districts-events-figure table tbody tr").count() == 4
        assert page.locator("style#vega-embed-style, style#vega-tooltip-style").count() == 0
        assert page.evaluate(OVERFLOW_JS)["overflow"] <= 0, viewport
        page.evaluate(AXE_PATH.read_text(encoding="utf-8"))
        assert page.evaluate(AXE_RUN_JS) == [], viewport
        assert page.problems.all(page) == [], viewport

    page = _signed_in(open_page, az_live, DESKTOP, state, java_script_enabled=False)
    page.goto(url)
    assert page.locator("svg.marks").count() == 0
    for key in KEYS:
        figure = page.locator(f"#chart-{key}-figure")
        assert figure.locator("h2").inner_text().strip() != ""
        assert figure.locator(".chart-summary").inner_text().strip() != ""
        assert figure.locator("table").is_visible()
        assert "geoBoundaries" in figure.locator(".chart-notes").inner_text()
    first = page.locator("#chart-districts-events-figure table tbody tr").first
    assert first.locator("th").inner_text().strip() == "Baku"
    assert first.locator("a").get_attribute("href") == "/events/?district=baku"
