"""A registry's records as a list to export (issue 14): the list page's records (``/registries/<name>/``:
the same filters, the same scope), written by ``kinds.services.records_rows`` in the import template's
columns (``record_id``, ``owner``, ``activities``, then the kind's columns, values as the import reads
them), so that a file exported, changed and imported again updates the same records and changes nothing
else. Text cells are neutralised by ``tables`` like every other list.

Only for whoever may take the records out person by person (``registry.<name>.export``: never legal
aid, coordinators only for a personal registry); an export of a personal registry writes an audit line
(who, which list, how many rows), never the data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import Http404

from wpsnap.accounts import permissions
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.registries import page_selectors
from wpsnap.registries.kinds import catalogue, selectors, services
from wpsnap.registries.kinds.forms import RecordFilterForm
from wpsnap.registries.kinds.templates_files import file_headers, organisations
from wpsnap.registries.kinds.views import filter_activities, list_queryset, year_lookup

from .tables import Column, Row

# Records read a chunk at a time.
CHUNK = 2000


def registry_table(user: Any, data: Any) -> Any:
    """The records of the registry ``data["registry"]`` that the list page shows for ``data`` (plan and
    filters, each bad value named), as a ``table_lists.Table``."""
    from .table_lists import Table

    kind = catalogue.kind_named(str(data.get("registry", "")))
    if kind is None or not permissions.can(user, kind.action("export")):
        raise Http404
    slug = data.get("plan") or None
    _plans, plan = page_selectors.choose_plan(user, slug)
    if plan is None:
        raise Http404
    # A registry of people is never searched by words from an address (a name would land in access
    # logs and browser history): its export takes the other filters only.
    filters = ("owner", "activity", "year") if kind.personal else ("owner", "activity", "year", "q")
    form_data = {k: v for k, v in data.items() if k in filters and v}
    form = RecordFilterForm(
        form_data or None,
        plan=plan,
        owners=organisations(plan),
        activities=filter_activities(kind, plan),
        with_year=year_lookup(kind) is not None,
    )
    if form.is_bound and not form.is_valid():
        raise InvalidInput(
            [
                Problem(name, "invalid", " ".join(str(e) for e in errors))
                for name, errors in form.errors.items()
            ]
        )
    records = list_queryset(kind, user, plan, form.filters())
    columns = [Column(header, "", 24 if header == "record_id" else 16) for header in file_headers(kind)]

    def rows() -> Iterator[Row]:
        ids = list(records.values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            chunk = selectors.with_relations(
                kind, kind.model._default_manager.filter(pk__in=ids[start : start + CHUNK])
            )
            order = {pk: n for n, pk in enumerate(ids[start : start + CHUNK])}
            listed = sorted(chunk.select_related("plan"), key=lambda r: order[r.pk])
            _headers, found = services.records_rows(kind=kind, user=user, records=listed)
            yield from found

    return Table(
        "registry",
        str(kind.label_plural),
        f"{kind.name}-{plan.slug}",
        columns,
        rows,
        records.count,
        personal=kind.personal or any(c.personal for c in kind.columns),
        subject=None,
        hxl=False,
        notes=[kind.name],
        action=kind.action("export"),
    )
