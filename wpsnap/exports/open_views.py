"""The public open-data downloads of a plan, under ``/exports/open/<slug>/`` (docs/open-data.md): no sign-in.

- ``figures.csv`` and ``figures.xlsx``: one tidy table of every count indicator's published figures, a row per
  figure: ``indicator, period, <dimension columns>, value, note``; the total with empty dimension cells, a
  margin with the dimensions it sums over empty. A figure disclosure control suppressed has an empty value
  and ``suppressed`` in ``note``: its value never leaves.
- ``datapackage.zip``: the Frictionless data package (``opendata.datapackage_write``), zipped.
- ``iati.xml``: the IATI activity file (``iati.iati_activities``).
- ``reports/<first>-<last>/<lang>.<pdf|docx>``: the public version of an annual report or the review, as a
  coordinator put it on the portal (``publishing.report_files``); 404 when none is there (withdrawn).

Figures come only through ``wpsnap.publishing`` (``public_results``; an import-linter contract). A draft
plan, or one that does not exist, is 404 whoever asks: these are the public's files. Answers carry
``Last-Modified`` (when the latest published report was published), an ``ETag`` of the file and
``Cache-Control: public``; a matching ``If-None-Match`` answers 304.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import wraps
from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe

from wpsnap.accounts.permissions import gate
from wpsnap.core.files import CONTENT_TYPES
from wpsnap.plan.models import Plan, PlanStatus
from wpsnap.publishing.public import PublicResults, public_results
from wpsnap.publishing.report_files import live_report_file
from wpsnap.reporting.disaggregation import TOTAL, parse_cell_key

from .iati import iati_activities
from .opendata import SUPPRESSED, datapackage_write
from .tables import CSV_TYPE, XLSX_TYPE, Column, Row, write_csv, write_xlsx

# How long a browser or a cache may keep a download before asking again (seconds).
MAX_AGE = 300


def _public_plan(slug: str) -> Plan:
    """The plan by its slug if the public may see it (not a draft); else 404."""
    plan = Plan.objects.filter(slug=slug).exclude(status=PlanStatus.DRAFT).first()
    if plan is None:
        raise Http404
    return plan


def _download(
    build: Callable[[Plan, PublicResults], bytes], content_type: str, filename: str
) -> Callable[[HttpRequest, str], HttpResponse]:
    """A view answering ``build(plan, figures)`` as the file ``<slug>-<filename>``, with cache headers."""

    @gate("opendata.download")
    @require_safe
    @wraps(build)
    def view(request: HttpRequest, slug: str) -> HttpResponse:
        plan = _public_plan(slug)
        figures = public_results(plan)
        body = build(plan, figures)
        etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response: HttpResponse = HttpResponseNotModified()
        else:
            response = HttpResponse(body, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{plan.slug}-{filename}"'
        response["ETag"] = etag
        if figures.last_updated is not None:
            response["Last-Modified"] = http_date(figures.last_updated.timestamp())
        response["Cache-Control"] = f"public, max-age={MAX_AGE}"
        return response

    return view


# --- the tidy table (CSV and XLSX) ----------------------------------------------------------------------


def figure_table(figures: PublicResults) -> tuple[list[Column], Iterator[Row]]:
    """The columns and rows of every published figure of ``figures``, tidy: a suppressed figure's value is
    empty and its note ``suppressed``."""
    dimensions: list[str] = []
    for indicator in figures.indicators:
        for period in indicator.periods:
            for code, _options in period.dimensions:
                if code not in dimensions:
                    dimensions.append(code)
    columns = [
        Column("indicator", width=16),
        Column("period", width=10),
        *(Column(code, width=12) for code in dimensions),
        Column("value", width=10),
        Column("note", width=12),
    ]

    def rows() -> Iterator[Row]:
        for indicator in figures.indicators:
            for period in indicator.periods:
                for figure in period.figures():
                    fixed = dict(parse_cell_key(figure.cell)) if figure.cell != TOTAL else {}
                    yield (
                        indicator.indicator,
                        period.period,
                        *(fixed.get(code, "") for code in dimensions),
                        figure.value,
                        SUPPRESSED if figure.value is None else "",
                    )

    return columns, rows()


def _csv(plan: Plan, figures: PublicResults) -> bytes:
    out = io.BytesIO()
    columns, rows = figure_table(figures)
    write_csv(columns, rows, out)
    return out.getvalue()


def _xlsx(plan: Plan, figures: PublicResults) -> bytes:
    out = io.BytesIO()
    columns, rows = figure_table(figures)
    write_xlsx(columns, rows, out, title=plan.slug)
    return out.getvalue()


def _datapackage(plan: Plan, figures: PublicResults) -> bytes:
    """The data package written into a temporary folder, then zipped (paths as in the package)."""
    folder = Path(tempfile.mkdtemp(prefix="wpsnap-open-"))
    try:
        target = folder / "package"
        datapackage_write(plan, target, figures=figures, now=_today())
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(target.rglob("*")):
                if path.is_file():
                    entry = zipfile.ZipInfo(
                        path.relative_to(target).as_posix(), date_time=(1980, 1, 1, 0, 0, 0)
                    )
                    entry.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(entry, path.read_bytes())
        return out.getvalue()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _today() -> datetime:
    """The start of today (UTC): the files' date of writing, so that the same figures make the same file
    all day (and the same ETag), while IATI's activity status still follows the calendar."""
    return timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)


def _iati(plan: Plan, figures: PublicResults) -> bytes:
    return iati_activities(plan, figures=figures, now=_today())


figures_csv = _download(_csv, CSV_TYPE, "figures.csv")
figures_xlsx = _download(_xlsx, XLSX_TYPE, "figures.xlsx")
datapackage_zip = _download(_datapackage, "application/zip", "datapackage.zip")
iati_xml = _download(_iati, "application/xml; charset=utf-8", "iati.xml")


# --- the public versions of the annual reports (issue 13) ----------------------------------------------


@gate("opendata.download")
@require_safe
def report_file(
    request: HttpRequest, slug: str, first_year: int, last_year: int, language: str, fmt: str
) -> HttpResponse | FileResponse:
    """The live public file of that report, language and format, as an attachment of its judged type;
    404 for a draft or unknown plan, or when no such file is on the portal (never built, or withdrawn)."""
    plan = _public_plan(slug)
    file = live_report_file(plan=plan, first_year=first_year, last_year=last_year, language=language, fmt=fmt)
    if file is None:
        raise Http404
    etag = quote_etag(file.sha256[:32])
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse | FileResponse = HttpResponseNotModified()
    else:
        try:
            handle = file.file.open("rb")
        except FileNotFoundError as missing:
            raise Http404 from missing
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=file.download_name(),
            content_type=CONTENT_TYPES.get(file.kind, "application/octet-stream"),
        )
        response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(file.published_at.timestamp())
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response
