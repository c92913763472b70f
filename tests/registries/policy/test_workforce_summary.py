"""The share of women per position level and year, with its trend, above the staff counts' list and in
its API list (``summary``): over every record the filters keep (all pages), as the viewer may see them,
equal to ``workforce_summary``; one query more than a list without it; a list without a summary shows none."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from wpsnap.accounts.models import Organisation
from wpsnap.registries.workforce.kinds import WORKFORCE_COUNTS
from wpsnap.registries.workforce.models import PositionLevel

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

LIST = "/registries/workforce-counts/"
API = "/api/v1/registries/workforce-counts/"


@pytest.fixture
def counts(add):
    mia = Organisation.objects.get(key="mia")
    add(WORKFORCE_COUNTS, {"year": "2021", "level": "senior", "women": "10", "men": "30"})
    add(WORKFORCE_COUNTS, {"year": "2022", "level": "senior", "women": "15", "men": "25"})
    add(WORKFORCE_COUNTS, {"year": "2022", "level": "senior", "women": "5", "men": "15"}, owner=mia)
    add(WORKFORCE_COUNTS, {"year": "2022", "level": "junior", "women": "0", "men": "0"}, owner=mia)


def test_the_list_page_shows_the_share_of_women_and_its_trend(client, counts, staff) -> None:
    sign_in(client, staff["evaluator"])
    html = client.get(LIST, {"plan": "az-2020-2023"}).content.decode()
    table = html[html.index("data-summary") : html.index("</table>", html.index("data-summary"))]
    assert html.index("data-summary") < html.index("data-records")
    assert "Share of women by position level and year" in table and 'scope="col"' in table
    rows = [r.split("</tr>")[0] for r in table.split("<tr>")[2:]]
    cells = [[c.split(">", 1)[1].split("<", 1)[0] for c in r.split("<t")[1:]] for r in rows]
    # 2021 senior 25.0 %; 2022 senior (both agencies) 20 of 60 = 33.3 %, up 8.3 points; junior: nobody.
    assert cells == [
        ["2021", str(PositionLevel.SENIOR.label), "10", "30", "25.0", "–"],  # noqa: RUF001 - en dash: nothing to show
        ["2021", "All levels", "10", "30", "25.0", "–"],  # noqa: RUF001
        ["2022", str(PositionLevel.SENIOR.label), "20", "40", "33.3", "+8.3"],
        ["2022", str(PositionLevel.JUNIOR.label), "0", "0", "–", "–"],  # noqa: RUF001
        ["2022", "All levels", "20", "40", "33.3", "+8.3"],
    ]
    # The list's filters apply: MIA's records alone.
    html = client.get(LIST, {"plan": "az-2020-2023", "owner": "mia"}).content.decode()
    table = html[html.index("data-summary") : html.index("</table>", html.index("data-summary"))]
    assert "<td>10</td>" not in table and table.count("<tr>") == 4


def test_the_api_list_gives_the_summary_and_a_list_without_one_does_not(counts, staff) -> None:
    client = APIClient()
    client.force_authenticate(staff["evaluator"])
    body = client.get(API, {"year": "2022"}).json()
    assert body["count"] == 3
    assert body["summary"]["caption"] == "Share of women by position level and year"
    assert body["summary"]["rows"] == [
        {
            "year": 2022,
            "level": "senior",
            "women": 20,
            "men": 40,
            "share": "33.3",
            "change": None,
            "trend": "",
        },
        {"year": 2022, "level": "junior", "women": 0, "men": 0, "share": None, "change": None, "trend": ""},
        {"year": 2022, "level": "", "women": 20, "men": 40, "share": "33.3", "change": None, "trend": ""},
    ]
    every = client.get(API).json()["summary"]["rows"]
    assert [(r["year"], r["level"], r["trend"], r["change"]) for r in every if r["level"] == "senior"] == [
        (2021, "senior", "", None),
        (2022, "senior", "up", "8.3"),
    ]
    assert "summary" not in client.get("/api/v1/registries/workforce-reviews/").json()


def test_nobody_else_s_records_and_no_table_when_nothing_is_listed(client, staff, events_plan) -> None:
    sign_in(client, staff["evaluator"])
    html = client.get(LIST, {"plan": "az-2020-2023"}).content.decode()
    assert "data-summary" not in html
    assert (
        "data-summary"
        not in client.get("/registries/workforce-reviews/", {"plan": "az-2020-2023"}).content.decode()
    )
