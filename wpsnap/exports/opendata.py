"""The Frictionless data package of a plan's published figures (docs/open-data.md).

``datapackage_write(plan, outdir)`` writes ``datapackage.json`` (Frictionless Data Package v1, a tabular
data package) and, in ``data/``, one tidy CSV per count indicator in the Open SDG shape
``period, <dimension columns>, value``: a row per figure, the total with empty dimension cells, a margin
with the dimensions it sums over empty. A figure disclosure control suppressed is the row's value
``SUPPRESSED``, one and the same mark for every suppressed figure, declared as a missing value in the table
schema; its value never leaves. ``data/periods.csv`` gives each period's dates.

Figures come only through ``wpsnap.publishing`` (``public_results``); this module must not import
``wpsnap.analytics`` or any app's selectors (an import-linter contract). The package is written into a
temporary folder beside ``outdir`` and moved into place at the end: a failed or killed write leaves no
package, never half of one.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from wpsnap.core.errors import WpsnapError
from wpsnap.plan.models import Indicator, IndicatorKind, Plan, PlanStatus
from wpsnap.publishing.public import PublicIndicator, PublicResults, public_results
from wpsnap.reporting.disaggregation import TOTAL, parse_cell_key
from wpsnap.reporting.models import Dimension, ReportingPeriod

# The mark of a suppressed figure (docs/disclosure.md, "What a reader sees").
SUPPRESSED = "suppressed"
SUPPRESSED_NOTE = (
    "suppressed: not shown, fewer than {threshold} people, or a figure from which such a group could be "
    "worked out"
)

# Known licences by their SPDX identifier: (title, address).
LICENCES: dict[str, tuple[str, str]] = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("CC0 1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODC-BY-1.0": (
        "Open Data Commons Attribution License 1.0",
        "https://opendatacommons.org/licenses/by/1-0/",
    ),
    "PDDL-1.0": (
        "Open Data Commons Public Domain Dedication and License 1.0",
        "https://opendatacommons.org/licenses/pddl/1-0/",
    ),
}

_NAME = re.compile(r"[^a-z0-9._-]+")


def resource_name(key: str) -> str:
    """A resource's name from an indicator key: lower case, letters, digits, ``.``, ``_`` and ``-``."""
    return _NAME.sub("-", key.lower()).strip("-") or "indicator"


def datapackage_write(
    plan: Plan, outdir: Path | str, *, figures: PublicResults | None = None, now: datetime | None = None
) -> Path:
    """Write the plan's data package into the folder ``outdir`` (which must not exist, or be empty) and
    return its ``datapackage.json``. ``figures`` defaults to ``public_results(plan)``. Raises
    ``WpsnapError`` for a draft plan or a folder that holds files; on any failure nothing is left behind."""
    if plan.status == PlanStatus.DRAFT:
        raise WpsnapError(
            _("The plan %(slug)s is a draft: it is not public, so it has no open data.") % {"slug": plan.slug}
        )
    target = Path(outdir)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise WpsnapError(
            _("%(path)s already exists and is not an empty folder: choose a new folder.") % {"path": target}
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    figures = figures if figures is not None else public_results(plan)
    now = now or timezone.now()
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        _write(plan, temporary, figures, now)
        _fsync_tree(temporary)
        if target.exists():
            target.rmdir()  # empty, checked above
        temporary.replace(target)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return target / "datapackage.json"


def _write(plan: Plan, folder: Path, figures: PublicResults, now: datetime) -> None:
    data = folder / "data"
    data.mkdir()
    periods = list(ReportingPeriod.objects.filter(plan=plan).order_by("start"))
    labels = {period.pk: period.label for period in periods}
    dimensions = {
        dimension.code: dimension
        for dimension in Dimension.objects.filter(plan=plan).prefetch_related("options").order_by("position")
    }
    indicators = {
        indicator.pk: indicator
        for indicator in Indicator.objects.filter(plan=plan, kind=IndicatorKind.COUNT).select_related(
            "activity"
        )
    }
    note = SUPPRESSED_NOTE.format(threshold=figures.threshold)
    resources: list[dict[str, Any]] = [_periods_resource(data, periods)]
    used: set[str] = {"periods"}
    for published in figures.indicators:
        indicator = indicators.get(published.indicator_id)
        if indicator is None:
            continue
        name = resource_name(published.indicator)
        while name in used:
            name += "-"
        used.add(name)
        resources.append(_indicator_resource(data, name, indicator, published, labels, dimensions, note))
    licence = str(getattr(settings, "WPSNAP_OPEN_DATA_LICENCE", "CC-BY-4.0") or "CC-BY-4.0")
    title, address = LICENCES.get(licence, ("", ""))
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": resource_name(plan.slug),
        "title": str(plan.title),
        "description": (
            f"Published figures of the plan's count indicators by reporting period, through disclosure control. "
            f"{note[0].upper()}{note[1:]}."
        ),
        # When the latest published report was published (the figures' date), and when this was written.
        "lastUpdated": _datetime(figures.last_updated) if figures.last_updated else None,
        "created": _datetime(now),
        "licenses": [
            {"name": licence, **({"title": title, "path": address} if address else {})},
        ],
        "keywords": ["UNSCR 1325", "women, peace and security", "national action plan", plan.country.upper()],
        "resources": resources,
    }
    if package["lastUpdated"] is None:
        del package["lastUpdated"]
    if plan.coordinator is not None:
        package["contributors"] = [{"title": plan.coordinator.name, "role": "publisher"}]
    if plan.source_title:
        package["sources"] = [{"title": plan.source_title}]
    (folder / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _periods_resource(data: Path, periods: list[ReportingPeriod]) -> dict[str, Any]:
    _write_csv(
        data / "periods.csv",
        ["period", "start", "end"],
        ([period.label, period.start.isoformat(), period.end.isoformat()] for period in periods),
    )
    return {
        "name": "periods",
        "path": "data/periods.csv",
        "profile": "tabular-data-resource",
        "title": "Reporting periods",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {
            "fields": [
                {"name": "period", "type": "string", "title": "Period", "constraints": {"required": True}},
                {"name": "start", "type": "date", "title": "First day"},
                {"name": "end", "type": "date", "title": "Last day"},
            ],
            "primaryKey": ["period"],
        },
    }


def _indicator_resource(
    data: Path,
    name: str,
    indicator: Indicator,
    published: PublicIndicator,
    labels: dict[int, str],
    dimensions: dict[str, Dimension],
    note: str,
) -> dict[str, Any]:
    # The dimension columns: every dimension any period's table has, in the first order seen.
    columns: list[str] = []
    options: dict[str, list[str]] = {}
    for period in published.periods:
        for code, codes in period.dimensions:
            if code not in columns:
                columns.append(code)
            known = options.setdefault(code, [])
            known.extend(option for option in codes if option not in known)
    rows: list[list[str]] = []
    whole = True
    for period in published.periods:
        for figure in period.figures():
            fixed = dict(parse_cell_key(figure.cell)) if figure.cell != TOTAL else {}
            if figure.value is None:
                value = SUPPRESSED
            else:
                value = _value(figure.value)
                whole = whole and figure.value == figure.value.to_integral_value()
            rows.append(
                [labels.get(period.period_id, period.period), *(fixed.get(c, "") for c in columns), value]
            )
    path = data / f"{name}.csv"
    _write_csv(path, ["period", *columns, "value"], rows)
    fields: list[dict[str, Any]] = [
        {"name": "period", "type": "string", "title": "Period", "constraints": {"required": True}}
    ]
    for code in columns:
        dimension = dimensions.get(code)
        field: dict[str, Any] = {
            "name": code,
            "type": "string",
            "title": dimension.name if dimension is not None else code,
            "description": "Empty: the total over this dimension.",
            "constraints": {"enum": options.get(code, [])},
        }
        if dimension is not None:
            names = {option.code: option.name for option in dimension.options.all()}
            field["description"] += " " + "; ".join(
                f"{option}: {names[option]}" for option in options.get(code, []) if option in names
            )
        fields.append(field)
    fields.append(
        {
            "name": "value",
            "type": "integer" if whole else "number",
            "title": indicator.unit or "Value",
            "description": f"The published figure. {note[0].upper()}{note[1:]}.",
        }
    )
    activity = indicator.activity
    description = str(indicator.text)
    if activity is not None:
        description += f" (activity {activity.code or activity.key})"
    return {
        "name": name,
        "path": f"data/{name}.csv",
        "profile": "tabular-data-resource",
        "title": published.indicator,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {
            "fields": fields,
            "missingValues": ["", SUPPRESSED],
            "foreignKeys": [
                {"fields": ["period"], "reference": {"resource": "periods", "fields": ["period"]}}
            ],
        },
    }


def _write_csv(path: Path, header: list[str], rows: Iterable[Iterable[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    for directory in (folder / "data", folder):
        _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _value(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def _datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()
