"""The maps page (``/plans/<slug>/dashboard/districts/``) and the district boundaries it draws on
(``/geo/districts.geojson``): who may open them, what the three maps and their tables show (counted by
hand over what the test wrote), the drill-down to the events list, the attribution under every map, an
installation's own boundaries, and queries that do not grow with the data."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from wpsnap.analytics.rollups import rollups_rebuild
from wpsnap.dashboards import maps
from wpsnap.registries.models import Event
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.workflow import Status

from ..analytics.conftest import Written, write_reports
from ..analytics.test_districts import Held, activities, write_events
from ..conftest import sign_in

pytestmark = pytest.mark.django_db

SHIPPED = Path(__file__).resolve().parents[2] / "wpsnap" / "dashboards" / "geo" / "az-adm2.geojson"


def url(plan, query: str = "") -> str:
    return f"/plans/{plan.slug}/dashboard/districts/" + (f"?{query}" if query else "")


def world(plan, n: int = 2) -> None:
    """``n`` events by MoD, MIA and MoE in Baku, Ganja, Kurdamir and Lankaran (a woman each), and ``n``
    approved reports with a figure of 2 in a district cell."""
    chosen = activities(plan)
    districts = ("baku", "ganja", "kurdamir", "lankaran")
    write_events(
        plan,
        chosen,
        [
            Held(
                ("mod", "mia", "moe")[i % 3],
                frozenset({i % 3}),
                date(2021, 1 + i % 12, 1),
                districts[i % 4],
                ("women",),
            )
            for i in range(n)
        ],
    )
    write_reports(
        plan,
        chosen,
        [
            Written(
                i % 3,
                ("mod", "mia", "moe")[(i // 3) % 3],
                (i // 9) % 4,
                Status.APPROVED,
                values=((f"sex:women|district:{districts[i % 4]}", 2),),
            )
            for i in range(n)
        ],
    )
    rollups_rebuild(plan=plan)


@pytest.mark.parametrize("role", ["coordinator", "evaluator", "mod_approver", "mod", "ngo"])
def test_every_signed_in_role_opens_the_maps(plan, people, role) -> None:
    """Each role gets the page (200) with three maps, each with its heading, summary, table and the
    boundaries' attribution (not an official source)."""
    world(plan)
    body = sign_in(Client(), people[role]).get(url(plan)).content.decode()
    for key in ("districts-events", "districts-people", "districts-reported"):
        assert f'id="chart-{key}-spec"' in body
        assert f'id="chart-{key}-figure"' in body
    assert body.count("geoBoundaries") == 3
    assert body.count("Not an official source") == 3
    assert body.count("CC BY-SA 3.0") == 3
    assert "partials" not in body and "vega-embed.min.js" in body


def test_signed_out_visitors_are_sent_to_sign_in(plan) -> None:
    response = Client().get(url(plan))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_tables_give_the_figures_and_lead_to_the_events(plan, people) -> None:
    """For a coordinator: events per district (Baku 2, Ganja 1, Kurdamir 1), the district's name leading
    to the events list filtered by that district (and by the page's filters), people by sex, and the
    reported sums; the summaries say the totals."""
    world(plan, 4)
    write_events(
        plan, activities(plan), [Held("mod", frozenset({0}), date(2021, 5, 1), "baku", ("men", "women"))]
    )
    rollups_rebuild(plan=plan)
    page = maps.district_maps(people["coordinator"], plan, _bar(plan, people["coordinator"]))
    events, reached, reported = page.charts
    rows = {cell.text: rest for cell, *rest in events.table.rows}
    assert rows == {"Baku": [2], "Ganja": [1], "Kurdamir": [1], "Lankaran": [1]}
    first = events.table.rows[0][0]
    assert (first.text, first.href) == ("Baku", "/events/?district=baku")
    assert events.summary == "5 events took place in 4 of 74 districts; the most in Baku (2)."
    assert reached.table.columns[:2] == ("District", "People reached")
    baku = next(r for r in reached.table.rows if r[0].text == "Baku")
    sexes = dict(zip(reached.table.columns[2:], baku[2:], strict=True))
    assert baku[1] == 3 and sorted(v for v in sexes.values() if v) == [1, 2]
    assert {r[0].text: r[1] for r in reported.table.rows} == {
        k: Decimal(2) for k in ("Baku", "Ganja", "Kurdamir", "Lankaran")
    }


def test_filters_narrow_the_maps_and_the_links(plan, people) -> None:
    """With a period, the events and reports of that period only, and the links carry the period."""
    world(plan, 4)
    period = plan.reporting_periods.order_by("start")[1]  # 2021
    client = sign_in(Client(), people["coordinator"])
    body = client.get(url(plan, f"period={period.pk}")).content.decode()
    assert (
        f"/events/?period={period.pk}&amp;district=baku" in body
        or f"/events/?district=baku&amp;period={period.pk}" in body
    )
    page = maps.district_maps(
        people["coordinator"], plan, _bar(plan, people["coordinator"], period=period.pk)
    )
    assert sum(r[1] for r in page.charts[0].table.rows) == 4
    assert page.charts[2].table.rows == ()  # the reports are all for the first period


@pytest.mark.parametrize("param", ["period", "pillar", "agency"])
def test_a_filter_that_is_not_the_plans_answers_400_naming_it(plan, people, param) -> None:
    response = sign_in(Client(), people["coordinator"]).get(url(plan, f"{param}=999999"))
    assert response.status_code == 400
    assert param in response.content.decode()


def test_the_boundaries_are_served_to_all_and_cached(plan) -> None:
    """/geo/districts.geojson is the shipped file, to anyone (public geometry), cacheable, with an ETag
    that a repeated request is answered 304 by; the maps ask for it with that fingerprint."""
    response = Client().get("/geo/districts.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "max-age=86400" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert response.content == SHIPPED.read_bytes()
    again = Client().get("/geo/districts.geojson", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    assert maps.boundaries_url() == f"/geo/districts.geojson?v={maps.boundaries().etag}"


def test_an_installation_replaces_the_boundaries(plan, people, settings, tmp_path) -> None:
    """WPSNAP_DISTRICT_BOUNDARIES names another file: it is served, and a district without a shape there
    is in the tables only, as a note says."""
    mine = {
        "type": "FeatureCollection",
        "features": [
            f for f in json.loads(SHIPPED.read_text())["features"] if f["properties"]["plan_code"] != "ganja"
        ],
    }
    path = tmp_path / "districts.geojson"
    path.write_text(json.dumps(mine))
    settings.WPSNAP_DISTRICT_BOUNDARIES = path
    world(plan, 2)
    assert Client().get("/geo/districts.geojson").content == path.read_bytes()
    body = sign_in(Client(), people["coordinator"]).get(url(plan)).content.decode()
    assert "Not on the map (the boundaries have no shape for them), in the tables only: Ganja." in body


def test_print_inlines_the_boundaries(plan, people) -> None:
    """With inline=True the spec carries the 78 shapes (vl-convert fetches nothing), and draws to SVG."""
    from wpsnap.core.charts import render_svg

    world(plan)
    page = maps.district_maps(people["coordinator"], plan, _bar(plan, people["coordinator"]), inline=True)
    spec = json.dumps(page.charts[0].spec)
    assert "/geo/districts.geojson" not in spec and spec.count('"plan_code"') >= 78
    assert render_svg(page.charts[0]).startswith("<svg")


def _bar(plan, viewer, **query):
    from wpsnap.dashboards.filters import read_filters

    return read_filters({k: str(v) for k, v in query.items()}, plan=plan, viewer=viewer)


def test_the_page_queries_do_not_grow_with_the_data(plan, people) -> None:
    """The same number of queries for 2 events and reports as for 20."""
    client = sign_in(Client(), people["coordinator"])
    world(plan, 2)
    client.get(url(plan))  # warm: the session and the boundaries file

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url(plan)).status_code == 200
    ProgressReport.objects.all().delete()
    Event.objects.all().delete()
    world(plan, 20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(plan)).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    # the session, the user, their OTP devices, the plan, the periods, pillars and agencies to filter by,
    # the district rollup's state (two) and rows (events and participants), the reported sums, the
    # districts' names (2) and the sexes' names
    assert len(few) == 14, [q["sql"][:120] for q in few.captured_queries]
