"""The public open-data downloads (``wpsnap.exports.open_views``, issue 13): anonymous, every file parses
again and holds exactly publishing's figures, never a suppressed value; a draft or unknown plan is 404;
cache headers; query counts pinned."""

# ruff: noqa: F811 - the publishing world's fixtures, imported and used

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from frictionless import validate
from lxml import etree
from openpyxl import load_workbook

from wpsnap.exports.iati import iati_schema_errors
from wpsnap.plan.models import Plan, PlanStatus
from wpsnap.publishing.public import PublicResults, public_results
from wpsnap.reporting.disaggregation import TOTAL, parse_cell_key

from ..analytics.conftest import people  # noqa: F401 - fixture used by the world
from ..conftest import sign_in
from ..publishing.conftest import world  # noqa: F401 - fixture
from ..registries.conftest import events_plan  # noqa: F401 - fixture used by the world

pytestmark = pytest.mark.django_db

NAMES = ("exports:open_csv", "exports:open_xlsx", "exports:open_datapackage", "exports:open_iati")


@pytest.fixture
def plan(events_plan):
    return events_plan


@pytest.fixture
def iati_org(settings):
    settings.WPSNAP_IATI_ORG_REF = "XM-DAC-41304"
    settings.WPSNAP_IATI_ORG_NAME = "State Committee"
    settings.WPSNAP_IATI_ORG_TYPE = "10"


def _url(name: str, slug: str) -> str:
    return reverse(name, kwargs={"slug": slug})


def _expected(
    release: PublicResults,
) -> tuple[dict[tuple[str, str, str], Decimal], set[tuple[str, str, str]]]:
    """The published figures by (indicator, period, cell), and the suppressed ones' keys."""
    shown: dict[tuple[str, str, str], Decimal] = {}
    hidden: set[tuple[str, str, str]] = set()
    for indicator in release.indicators:
        for period in indicator.periods:
            for figure in period.figures():
                key = (indicator.indicator, period.period, figure.cell)
                if figure.value is None:
                    hidden.add(key)
                else:
                    shown[key] = figure.value
    return shown, hidden


def _cell(row: dict[str, str], dimensions: list[str]) -> str:
    pairs = [f"{d}:{row[d]}" for d in dimensions if row.get(d)]
    return "|".join(pairs) if pairs else TOTAL


def _hidden_values(world) -> set[str]:
    """The values of the suppressed figures, as the read model has them: none may appear."""
    from wpsnap.analytics.results import results
    from wpsnap.analytics.scope import PUBLIC

    release = public_results(world.plan)
    raw = results(PUBLIC, plan=world.plan)
    _shown, hidden = _expected(release)
    values: set[str] = set()
    keys = {i.indicator_id: i.indicator for i in release.indicators}
    for indicator in raw.indicators:
        key = keys.get(indicator.indicator_id, "")
        for period in indicator.periods:
            for cell in period.cells:
                if (key, period.period, cell.cell) in hidden:
                    values.add(str(int(cell.value)))
    return values


def test_the_csv_holds_exactly_the_published_figures(client, world) -> None:
    """Anonymous: 200, a CSV that parses, one row per published figure with its value, each suppressed one
    with an empty value and the note ``suppressed``; nothing else."""
    release = public_results(world.plan)
    shown, hidden = _expected(release)
    assert hidden, "the world has suppressed figures"
    response = client.get(_url("exports:open_csv", world.plan.slug))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="{world.plan.slug}-figures.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    header = list(rows[0].keys())
    assert header[:2] == ["indicator", "period"] and header[-2:] == ["value", "note"]
    dimensions = header[2:-2]
    got_shown = {}
    got_hidden = set()
    for row in rows:
        key = (row["indicator"], row["period"], _cell(row, dimensions))
        if row["note"] == "suppressed":
            assert row["value"] == ""
            got_hidden.add(key)
        else:
            assert row["note"] == ""
            got_shown[key] = Decimal(row["value"])
    assert got_shown == shown
    assert got_hidden == hidden


def test_the_xlsx_holds_the_same_rows(client, world) -> None:
    csv_rows = list(
        csv.reader(
            io.StringIO(client.get(_url("exports:open_csv", world.plan.slug)).content.decode("utf-8-sig"))
        )
    )
    response = client.get(_url("exports:open_xlsx", world.plan.slug))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    xlsx_rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert xlsx_rows == csv_rows


def test_the_data_package_unzips_and_validates(client, world, tmp_path: Path) -> None:
    response = client.get(_url("exports:open_datapackage", world.plan.slug))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        assert "datapackage.json" in names and "data/periods.csv" in names
        archive.extractall(tmp_path)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_iati_file_passes_the_schema(client, world, iati_org) -> None:
    response = client.get(_url("exports:open_iati", world.plan.slug))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert iati_schema_errors(response.content) == []
    assert etree.fromstring(response.content).tag == "iati-activities"


def test_no_file_holds_a_suppressed_value(client, world, iati_org, tmp_path: Path) -> None:
    """The suppressed figures' values (from the read model, as the attacker would want them) appear in
    no row of the CSV and in no actual of the IATI file, and no data package row holds one."""
    hidden = _hidden_values(world)
    assert hidden
    text = client.get(_url("exports:open_csv", world.plan.slug)).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    hidden_rows = [row for row in rows if row["note"] == "suppressed"]
    assert hidden_rows and all(row["value"] == "" for row in hidden_rows)
    document = etree.fromstring(client.get(_url("exports:open_iati", world.plan.slug)).content)
    shown_csv = {row["value"] for row in rows if row["value"]}
    actuals = {a.get("value") for a in document.iter("actual") if a.get("value") is not None}
    assert actuals <= shown_csv
    with zipfile.ZipFile(
        io.BytesIO(client.get(_url("exports:open_datapackage", world.plan.slug)).content)
    ) as z:
        for name in z.namelist():
            if name.startswith("data/") and name != "data/periods.csv":
                for row in csv.DictReader(io.StringIO(z.read(name).decode("utf-8"))):
                    assert row["value"] == "suppressed" or row["value"] in shown_csv


@pytest.mark.parametrize("name", NAMES)
def test_a_draft_or_unknown_plan_is_404_even_to_a_coordinator(client, world, people, name) -> None:
    assert client.get(_url(name, "no-such-plan")).status_code == 404
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.DRAFT)
    assert client.get(_url(name, world.plan.slug)).status_code == 404
    sign_in(client, people["coordinator"])
    assert client.get(_url(name, world.plan.slug)).status_code == 404


def test_cache_headers_and_a_conditional_get(client, world) -> None:
    url = _url("exports:open_csv", world.plan.slug)
    response = client.get(url)
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")
    again = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get(url).content == response.content


def test_only_get_and_head(client, world) -> None:
    url = _url("exports:open_csv", world.plan.slug)
    assert client.post(url).status_code == 405
    assert client.head(url).status_code == 200


@pytest.mark.parametrize(("name", "queries"), [(n, q) for n, q in zip(NAMES, (10, 10, 15, 15), strict=True)])
def test_query_counts(client, world, iati_org, django_assert_num_queries, name, queries) -> None:
    url = _url(name, world.plan.slug)
    client.get(url)  # sessions, caches: warm
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_published_then_unpublished_figures_leave_the_csv(client, world, people) -> None:
    """A report's figures are in the CSV while it is published and gone once it is unpublished."""
    from wpsnap.reporting import services
    from wpsnap.reporting.workflow import Status

    from ..publishing.conftest import TOTAL_ONLY

    index = next(
        i
        for i, w in enumerate(world.written)
        if (w.activity, w.agency, w.period, w.status) == (TOTAL_ONLY, "mod", 1, Status.PUBLISHED)
    )
    key = world.indicators[TOTAL_ONLY].key
    url = _url("exports:open_csv", world.plan.slug)

    def total_2021() -> str | None:
        rows = csv.DictReader(io.StringIO(client.get(url).content.decode("utf-8-sig")))
        return next(
            (
                r["value"]
                for r in rows
                if r["indicator"] == key
                and r["period"] == "2021"
                and not any(r[c] for c in r if c not in ("indicator", "period", "value", "note"))
            ),
            None,
        )

    assert total_2021() == "41"
    services.report_unpublish(actor=people["coordinator"], report=world.reports[index], reason="Doubled.")
    assert total_2021() in (None, "")
    assert parse_cell_key  # the cell shape the CSV's dimension columns spell out
