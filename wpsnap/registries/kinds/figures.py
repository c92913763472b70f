"""What a registry's records count (issue 14): each :class:`~.base.Count` of a kind (its rows, or the
distinct values of a field, in the period its date falls in, by sex and age band where the kind records
them), aggregated in the database; and the figure source that shows, beside the figures an agency
reports, what its records say for each indicator bound to a count (``registries.RegistryRule``).

Figures only, never people: counts by cell, and the address of the filtered list of records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models import Count as DbCount
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wpsnap.reporting.disaggregation import TOTAL, BreakdownSpec, cell_key
from wpsnap.reporting.sources import SourceFigures

from . import catalogue
from .base import Count, RegistryKind

__all__ = ["Counted", "count_named", "count_records", "in_period", "registry_link", "report_figures"]

# Which of a Count's fields answers for each dimension of a breakdown.
DIMENSIONS = ("sex", "age")


@dataclass
class Counted:
    """What a registry says for one count: the total (``""``) and, where asked, the sex x age band cells."""

    cells: dict[str, int] = field(default_factory=dict)
    # Rows counted (the records behind the figures, whatever the count counts).
    records: int = 0

    @property
    def total(self) -> int:
        return self.cells.get(TOTAL, 0)


def count_named(kind: RegistryKind, key: str) -> Count | None:
    return next((c for c in kind.counts if c.key == key), None)


def in_period(kind: RegistryKind, count: Count, start: date, end: date) -> Q:
    """The records whose ``count.date_field`` falls in ``start``-``end`` (a year field: the years it
    spans); everything when the count has no date."""
    if not count.date_field:
        return Q()
    model_field = kind.model._meta.get_field(count.date_field)
    if isinstance(model_field, models.DateField):
        return Q(**{f"{count.date_field}__gte": start, f"{count.date_field}__lte": end})
    return Q(**{f"{count.date_field}__gte": start.year, f"{count.date_field}__lte": end.year})


def count_records(
    kind: RegistryKind,
    count: Count,
    records: QuerySet[Any],
    *,
    start: date | None = None,
    end: date | None = None,
    spec: BreakdownSpec | None = None,
) -> Counted:
    """What ``count`` says of ``records`` (already scoped: plan, owner, activity), within ``start``-``end``
    when given. Cells by sex and age band when ``spec`` asks for exactly dimensions the count records
    (``sex_field``, ``age_field``, ``dimensions``); otherwise the total only. Two queries."""
    if count.where:
        records = records.filter(**count.where)
    if start is not None and end is not None:
        records = records.filter(in_period(kind, count, start, end))
    records = records.order_by()
    counted = Counted()
    if count.distinct:
        aggregate = records.aggregate(
            n=DbCount(count.distinct, distinct=True, filter=Q(**{f"{count.distinct}__isnull": False})),
            rows=DbCount("pk"),
        )
        counted.cells[TOTAL] = aggregate["n"]
        counted.records = aggregate["rows"]
    else:
        counted.records = records.count()
        counted.cells[TOTAL] = counted.records
    fields = breakdown_fields(count, spec)
    if fields and spec is not None:
        allowed = {d.code: {o.code for o in d.options} for d in spec.dimensions}
        columns = cell_columns(count, fields)
        plain = [name for code, name in columns.items() if code not in count.dimensions]
        mapped = {columns[code]: mapped_option(count, code) for code in columns if code in count.dimensions}
        grouped = records.values(*plain, **mapped)
        if count.distinct:
            rows = grouped.annotate(
                n=DbCount(count.distinct, distinct=True, filter=Q(**{f"{count.distinct}__isnull": False}))
            )
        else:
            rows = grouped.annotate(n=DbCount("pk"))
        cells: dict[str, int] = defaultdict(int)
        for row in rows:
            pairs = [(code, row[columns[code]]) for code in (d.code for d in spec.dimensions)]
            if all(value in allowed[code] for code, value in pairs):
                cells[cell_key(pairs)] += row["n"]
        for cell in spec.cells():
            counted.cells[cell.key] = cells.get(cell.key, 0)
    return counted


def breakdown_fields(count: Count, spec: BreakdownSpec | None) -> dict[str, str]:
    """{dimension code: model field} when every dimension of ``spec`` is one the count records."""
    if spec is None or not spec.dimensions:
        return {}
    recorded = {"sex": count.sex_field, "age": count.age_field}
    recorded.update({code: name for code, (name, _options) in count.dimensions.items()})
    fields = {d.code: recorded.get(d.code) for d in spec.dimensions}
    if not all(fields.values()):
        return {}
    return {code: name for code, name in fields.items() if name}


def cell_columns(count: Count, fields: dict[str, str]) -> dict[str, str]:
    """{dimension code: the column a grouped row holds it in}: the model field itself, or for a dimension
    of ``count.dimensions`` an annotation mapping the field's values to the dimension's option codes."""
    return {
        code: (f"cell_{code.replace('-', '_')}" if code in count.dimensions else name)
        for code, name in fields.items()
    }


def mapped_option(count: Count, code: str) -> Case:
    """The option code of dimension ``code`` for each record, from ``count.dimensions`` (in the database, so
    a distinct count stays distinct within a cell that several field values fall in); None for a value the
    map does not name."""
    name, options = count.dimensions[code]
    whens = [When(**{name: value}, then=Value(option)) for value, option in options.items()]
    return Case(*whens, default=Value(None), output_field=models.CharField())


# --- the figure source of reports ------------------------------------------------------------------------


def serving(kind: RegistryKind, activity: Any) -> Q:
    """The records that serve ``activity``: linked to it, or every record when the kind is declared for it
    (its ``activity_codes`` hold the activity's code)."""
    if activity is None:
        return Q()
    if activity.code and activity.code in kind.activity_codes:
        return Q()
    return Q(activities=activity)


def registry_link(
    kind: RegistryKind, *, plan: Any, owner: Any = None, activity: Any = None, year: int | None = None
) -> str:
    """The kind's list of records, filtered (the list's own filters: owner, activity, year)."""
    from django.urls import NoReverseMatch, reverse

    try:
        base = reverse("registry_kinds:list", kwargs={"kind": kind.name})
    except NoReverseMatch:
        base = f"/registries/{kind.name}/"
    query: dict[str, Any] = {"plan": plan.slug}
    if owner is not None:
        query["owner"] = owner.key
    if activity is not None and (activity.code or activity.key):
        query["activity"] = activity.code or activity.key
    if year is not None:
        query["year"] = year
    return f"{base}?{urlencode(query)}"


def report_figures(report: Any, indicators: list[Any], specs: dict[int, Any]) -> dict[int, SourceFigures]:
    """The figure source (``reporting.sources``): for each indicator of ``indicators`` bound to a registry
    count, what the report's agency's records in the report's period say. One query for the bindings,
    then two per bound indicator."""
    from ..models import RegistryRule

    rules = {r.indicator_id: r for r in RegistryRule.objects.filter(indicator__in=[i.pk for i in indicators])}
    if not rules:
        return {}
    found: dict[int, SourceFigures] = {}
    period = report.period
    for indicator in indicators:
        rule = rules.get(indicator.pk)
        kind = catalogue.kind_named(rule.kind) if rule is not None else None
        count = count_named(kind, rule.count) if kind is not None and rule is not None else None
        if kind is None or count is None:
            continue
        activity = report.activity
        records = kind.model._default_manager.filter(
            plan_id=report.plan_id, owner_id=report.agency_id
        ).filter(serving(kind, activity))
        spec = specs[indicator.pk][1] if indicator.pk in specs else None
        # Filtering on one activity joins one row per record: nothing counted twice.
        counted = count_records(kind, count, records, start=period.start, end=period.end, spec=spec)
        year = period.start.year if count.date_field else None
        link = registry_link(kind, plan=report.plan, owner=report.agency, activity=activity, year=year)
        found[indicator.pk] = figures_of(kind, count, counted, spec, link)
    return found


def figures_of(kind: RegistryKind, count: Count, counted: Counted, spec: Any, link: str) -> SourceFigures:
    """``counted`` as a report shows it: every cell of the breakdown where the registry records its
    dimensions, else the total only (with a note); no records, no figures."""
    if not counted.records:
        return SourceFigures(
            label=_(
                "No records in %(registry)s for this activity in this period: their figures would show here."
            )
            % {"registry": kind.label_plural}
        )
    note = ""
    if spec is not None and spec.dimensions and not breakdown_fields(count, spec):
        note = _("%(registry)s does not record this indicator's breakdown: the total only.") % {
            "registry": kind.label_plural
        }
    label = ngettext(
        "%(count)s, from %(n)d record of %(registry)s",
        "%(count)s, from %(n)d records of %(registry)s",
        counted.records,
    ) % {"count": count.label, "n": counted.records, "registry": kind.label_plural}
    cells = dict(counted.cells) if not note else {TOTAL: counted.total}
    return SourceFigures(label=label, cells=cells, note=note, link=link)
