"""The public API (``/api/v1/public/``, issue 13): anonymous callers get the public plans, their structure
and the published figures exactly as ``public_results`` gives them; a suppressed figure is null and never
its value; drafts and unknown keys are 404; query counts pinned."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from wpsnap.plan.models import Indicator, IndicatorKind, Plan, PlanStatus
from wpsnap.publishing.public import public_results
from wpsnap.reporting.disaggregation import TOTAL

from .conftest import SEX_AND_AGE, TOTAL_ONLY

pytestmark = pytest.mark.django_db


def _cell_key(cell: dict[str, str]) -> str:
    return "|".join(f"{d}:{o}" for d, o in cell.items()) if cell else TOTAL


def test_anonymous_lists_the_public_plans_only(client: Client, world) -> None:
    response = client.get("/api/v1/public/plans/")
    assert response.status_code == 200
    slugs = [plan["slug"] for plan in response.json()]
    assert world.plan.slug in slugs
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.DRAFT)
    assert world.plan.slug not in [plan["slug"] for plan in client.get("/api/v1/public/plans/").json()]


def test_the_plan_structure(client: Client, world) -> None:
    response = client.get(f"/api/v1/public/plans/{world.plan.slug}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["slug"] == world.plan.slug and body["threshold"] == 10
    assert body["last_updated"].startswith(world.last_published.strftime("%Y-%m-%d"))
    keys = [
        indicator["key"]
        for pillar in body["pillars"]
        for area in pillar["priority_areas"]
        for activity in area["activities"]
        for indicator in activity["indicators"]
    ]
    assert world.indicators[SEX_AND_AGE].key in keys
    counted = [
        indicator
        for pillar in body["pillars"]
        for area in pillar["priority_areas"]
        for activity in area["activities"]
        for indicator in activity["indicators"]
        if indicator["kind"] == "count"
    ]
    assert all(i["figures"].endswith(f"/indicators/{i['key']}/figures/") for i in counted)
    # No people and no report text anywhere.
    text = response.content.decode()
    assert "mod-focal" not in text and "Work done" not in text


def test_figures_are_public_results_and_never_a_suppressed_value(client: Client, world) -> None:
    release = public_results(world.plan)
    for index in (SEX_AND_AGE, TOTAL_ONLY):
        key = world.indicators[index].key
        response = client.get(f"/api/v1/public/plans/{world.plan.slug}/indicators/{key}/figures/")
        assert response.status_code == 200, response.content
        body = response.json()
        published = next(i for i in release.indicators if i.indicator == key)
        expected = {
            (period.period, figure.cell): figure.value
            for period in published.periods
            for figure in period.figures()
        }
        got = {}
        for period in body["periods"]:
            figures = ([period["total"]] if period["total"] is not None else []) + period["cells"]
            for figure in figures:
                assert figure["suppressed"] is (figure["value"] is None)
                value = None if figure["value"] is None else Decimal(str(figure["value"]))
                got[(period["period"], _cell_key(figure["cell"]))] = value
        assert got == expected
        assert "reason" not in response.content.decode()
    # The world has suppressed figures in the sex x age table: each is null.
    hidden = [
        figure
        for period in next(
            i for i in release.indicators if i.indicator == world.indicators[SEX_AND_AGE].key
        ).periods
        for figure in period.figures()
        if figure.value is None
    ]
    assert hidden


def test_404s(client: Client, world) -> None:
    slug = world.plan.slug
    qualitative = Indicator.objects.filter(plan=world.plan).exclude(kind=IndicatorKind.COUNT).first()
    assert client.get("/api/v1/public/plans/nope/").status_code == 404
    assert client.get(f"/api/v1/public/plans/{slug}/indicators/nope/figures/").status_code == 404
    if qualitative is not None:
        url = f"/api/v1/public/plans/{slug}/indicators/{qualitative.key}/figures/"
        assert client.get(url).status_code == 404
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.DRAFT)
    key = world.indicators[SEX_AND_AGE].key
    assert client.get(f"/api/v1/public/plans/{slug}/").status_code == 404
    assert client.get(f"/api/v1/public/plans/{slug}/indicators/{key}/figures/").status_code == 404


def test_read_only(client: Client, world) -> None:
    assert client.post("/api/v1/public/plans/", {}).status_code == 405
    assert client.delete(f"/api/v1/public/plans/{world.plan.slug}/").status_code == 405


def test_unpublished_figures_leave_at_once(client: Client, world, people) -> None:
    from wpsnap.reporting import services
    from wpsnap.reporting.workflow import Status

    key = world.indicators[TOTAL_ONLY].key
    url = f"/api/v1/public/plans/{world.plan.slug}/indicators/{key}/figures/"

    def total_2021():
        period = next(p for p in client.get(url).json()["periods"] if p["period"] == "2021")
        return period["total"]["value"] if period["total"] else None

    assert total_2021() == 41
    index = next(
        i
        for i, w in enumerate(world.written)
        if (w.activity, w.agency, w.period, w.status) == (TOTAL_ONLY, "mod", 1, Status.PUBLISHED)
    )
    services.report_unpublish(actor=people["coordinator"], report=world.reports[index], reason="Doubled.")
    assert total_2021() is None


@pytest.mark.parametrize(
    ("path", "queries"),
    [("", 1), ("{slug}/", 6), ("{slug}/indicators/{key}/figures/", 11)],
)
def test_query_counts(client: Client, world, django_assert_num_queries, path: str, queries: int) -> None:
    url = "/api/v1/public/plans/" + path.format(slug=world.plan.slug, key=world.indicators[SEX_AND_AGE].key)
    client.get(url)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
