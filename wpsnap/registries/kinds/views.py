"""The pages of every registry kind, under /registries/ (issue 14), generated from its declaration: the
index of the registries the viewer may see, and per kind its list (filters: owner, activity, year,
words; 50 a page; only the numbers for whoever may see counts but not records), a record's page,
recording, changing (a stale form is refused with both values shown) and deleting a record, the import
(file or pasted rows, all or nothing, a file imported before refused unless "Add anyway") and its
template (Excel with the allowed values as drop-down lists, and CSV). The exports are the exports
app's (``exports.registry_views``).

Thin: each view is bound to its kind by ``urls`` (``bind``), which names the kind's gate action
(``registry.<name>.<verb>``) on the view; records are found only within ``records_visible_to`` (a record
outside answers 404 and is audited) and written only through ``kinds.services``. Pages of personal
registries are never cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from wpsnap.accounts import permissions
from wpsnap.core import versions
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.core.forms import add_problems
from wpsnap.core.middleware import max_body
from wpsnap.core.tables import read_table, read_text
from wpsnap.plan.models import Activity, Plan

from .. import page_selectors
from ..models import RecordFile
from ..permissions import events_visible_to
from . import catalogue, selectors, services
from .base import Column, ColumnType, RegistryKind, RegistryRecord
from .columns import file_columns, format_value, read_value
from .forms import RecordFileForm, RecordFilterForm, RecordForm, RecordImportForm, record_initial
from .index_rules import INDEX_ACTION, index_rule  # noqa: F401 (registers the rule)
from .templates_files import (
    CSV_TYPE,
    XLSX_TYPE,
    Allowed,
    allowed_values,
    file_headers,
    kind_activities,
    organisations,
    template_csv,
    template_xlsx,
    what_to_write,
)

PER_PAGE = 50
# The largest import file read while the person waits.
IMPORT_MAX_BYTES_SETTING = "WPSNAP_PARTICIPANTS_MAX_BYTES"

View = Callable[..., HttpResponse]


# --- binding a view to a kind (urls) ------------------------------------------------------------------


def may(user: Any, kind: RegistryKind, verb: str, obj: Any = None) -> bool:
    return permissions.can(user, kind.action(verb), obj)


def bind(view: View, kind: RegistryKind, verb: str, *others: str) -> View:
    """``view`` for ``kind``: signed-in only, passed by the gate when the user may do ``verb`` (or one
    of ``others``) in it; the action is kept on the view for the URL walk."""

    @wraps(view)
    def wrapped(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        kwargs.pop("kind", None)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not any(may(request.user, kind, v) for v in (verb, *others)):
            permissions.refuse(request, kind.action(verb))
        response = view(request, kind, **kwargs)
        if kind.personal:
            response["Cache-Control"] = "private, no-store"
        return response

    wrapped.gate_action = kind.action(verb)  # type: ignore[attr-defined]
    return wrapped


def url(name: str, kind: RegistryKind, *args: Any) -> str:
    """The address of ``kind``'s page ``name`` (of the record ``args[0]``)."""
    return reverse(f"registry_kinds:{name}", kwargs={"kind": kind.name, **({"ref": args[0]} if args else {})})


def _plan(request: HttpRequest) -> tuple[list[Plan], Plan]:
    slug = request.GET.get("plan") or None
    plans, plan = page_selectors.choose_plan(request.user, slug)
    if plan is None:
        raise Http404
    return plans, plan


def _record(request: HttpRequest, kind: RegistryKind, ref: Any, verb: str = "") -> RegistryRecord:
    """The record ``ref`` if the user may see it (else 404, audited), and may do ``verb`` to it (else
    403, audited)."""
    scope = selectors.records_visible_to(kind, request.user).select_related("plan", "owner")
    record = permissions.get_or_refuse(request, scope, ref=ref)
    if verb:
        permissions.require(request, kind.action(verb), record)
    return record


# --- what a value looks like on a page ----------------------------------------------------------------


@dataclass
class Labels:
    """What codes mean on a page: the plan's options (districts, sexes, age bands), read once."""

    plan: Plan
    _options: dict[str, dict[str, str]] | None = None

    def option(self, dimension: str, code: str) -> str:
        if self._options is None:
            self._options = page_selectors.option_labels(self.plan)
        return self._options.get(dimension, {}).get(code, code)


_DIMENSION = {ColumnType.SEX: "sex", ColumnType.AGE_BAND: "age", ColumnType.DISTRICT: "district"}


def shown(column: Column, value: Any, labels: Labels) -> str:
    """``value`` of ``column`` as a person reads it (labels, not codes)."""
    kind = column.data_type
    if value is None or value == "" or value == []:
        return ""
    if kind == ColumnType.CHOICE and column.choices is not None:
        return str(dict(column.choices.choices).get(value, value))
    if kind == ColumnType.CHOICES and column.choices is not None:
        names = dict(column.choices.choices)
        return ", ".join(str(names.get(v, v)) for v in value)
    if kind in _DIMENSION:
        return labels.option(_DIMENSION[kind], str(value))
    if kind == ColumnType.BOOLEAN:
        return _("Yes") if value else _("No")
    if kind == ColumnType.ORGANISATION:
        return str(value.label)
    if kind == ColumnType.ACTIVITIES:
        return ", ".join(a.code or a.key for a in value)
    if kind == ColumnType.EVENTS:
        return ", ".join(e.title for e in value)
    if kind == ColumnType.RECORD:
        target = catalogue.kind_named(column.target or "")
        return title_of(target, value) if target is not None else str(value.ref)
    return format_value(column, value)


def title_of(kind: RegistryKind, record: RegistryRecord) -> str:
    return str(getattr(record, kind.title_field) or "") or _("Record %(n)d") % {"n": record.pk}


# --- the index ------------------------------------------------------------------------------------------


@dataclass
class IndexRow:
    kind: RegistryKind
    records: int | None  # how many in the plan (a number only, also for whoever may see only counts)
    may_create: bool
    counts_only: bool


@require_safe
def registry_index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    permissions.require(request, INDEX_ACTION)
    plans, plan = page_selectors.choose_plan(user, request.GET.get("plan") or None)
    rows = []
    for kind in catalogue.kinds():
        lists, counts = may(user, kind, "list"), may(user, kind, "counts")
        if not (lists or counts):
            continue
        records = None
        if plan is not None:
            records = _counted(kind, user, plan).count()
        rows.append(IndexRow(kind, records, may(user, kind, "create"), counts_only=not lists))
    context = {"plan": plan, "plans": plans, "rows": rows}
    return render(request, "registries/kinds/index.html", context)


registry_index.gate_action = INDEX_ACTION  # type: ignore[attr-defined]


def _counted(kind: RegistryKind, user: Any, plan: Plan) -> QuerySet[Any]:
    """The kind's records of ``plan`` that the user may count: those they may see, or every record for
    whoever may see only the numbers."""
    if may(user, kind, "list"):
        return selectors.records_visible_to(kind, user).filter(plan=plan)
    return kind.model._default_manager.filter(plan=plan)


# --- the list -------------------------------------------------------------------------------------------


def year_lookup(kind: RegistryKind) -> str | None:
    """The lookup that puts a record in a year: its counts' date, else its first date or year column."""
    for count in kind.counts:
        if count.date_field:
            # A date field is put in its year; a year field (staff counts) is the year itself.
            is_date = isinstance(kind.model._meta.get_field(count.date_field), models.DateField)
            return f"{count.date_field}__year" if is_date else count.date_field
    for column in kind.columns:
        if column.data_type == ColumnType.DATE:
            return f"{column.field}__year"
        if column.data_type == ColumnType.YEAR:
            return column.field
    return None


def _search(kind: RegistryKind, words: str) -> Q:
    fields = [kind.title_field] + [
        c.field
        for c in kind.columns
        if c.data_type in (ColumnType.TEXT, ColumnType.LONG_TEXT) and c.field != kind.title_field
    ]
    found = Q()
    for name in fields:
        found |= Q(**{f"{name}__icontains": words})
    return found


def filter_activities(kind: RegistryKind, plan: Plan) -> list[Activity]:
    """The activities the list filters by: those the kind serves, and any other its records are linked
    to (an activity page links to the list filtered by its activity)."""
    offered = kind_activities(kind, plan)
    known = {a.pk for a in offered}
    linked = Activity.objects.filter(
        pk__in=kind.model._default_manager.filter(plan=plan).values("activities")
    ).exclude(pk__in=known)
    return offered + list(linked.order_by("priority_area__position", "position", "id"))


def list_queryset(kind: RegistryKind, user: Any, plan: Plan, filters: dict[str, Any]) -> QuerySet[Any]:
    records = selectors.records_visible_to(kind, user).filter(plan=plan)
    if filters.get("owner") is not None:
        records = records.filter(owner=filters["owner"])
    if filters.get("activity") is not None:
        records = records.filter(activities=filters["activity"])
    lookup = year_lookup(kind)
    if filters.get("year") and lookup:
        records = records.filter(**{lookup: filters["year"]})
    if filters.get("q"):
        records = records.filter(_search(kind, filters["q"]))
    return records.order_by(*kind.ordering, "-pk")


def _list_columns(kind: RegistryKind) -> list[Column]:
    return [c for c in kind.columns if c.in_list and c.field != kind.title_field]


@dataclass
class ListRow:
    record: RegistryRecord
    title: str
    cells: list[str] = field(default_factory=list)


# Fields of the words search of a personal kind, sent by POST only (a name never in an address or a log).
SEARCH_FIELD = "q"


def record_list(request: HttpRequest, kind: RegistryKind) -> HttpResponse:
    """The list. For a personal kind the words (a name, a code) are searched by POST only: ``?q=`` is
    ignored, and the POST answer shows the first page of what matches (with a note when there are more),
    so that no name lands in an address, a browser's history or an access log."""
    user = request.user
    plans, plan = _plan(request)
    if request.method == "POST" and not kind.personal:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if not may(user, kind, "list"):
        return _counts_page(request, kind, plans, plan)
    owners = organisations(plan)
    activities = filter_activities(kind, plan)
    searched = request.method == "POST"
    data = (request.POST if searched else request.GET).copy()
    for name in ("plan", "page", "csrfmiddlewaretoken"):
        data.pop(name, None)
    if kind.personal and not searched:
        data.pop(SEARCH_FIELD, None)
    form = RecordFilterForm(
        data or None, plan=plan, owners=owners, activities=activities, with_year=year_lookup(kind) is not None
    )
    page: Page[Any] | None = None
    rows: list[ListRow] = []
    columns = _list_columns(kind)
    status = 200
    summary = None
    if not form.is_bound or form.is_valid():
        records = list_queryset(kind, user, plan, form.filters())
        # The kind's table over every record listed (all pages), e.g. the share of women per level.
        summary = kind.summary(records) if kind.summary is not None else None
        paginator = Paginator(selectors.with_relations(kind, records), PER_PAGE)
        # A search by POST shows its first page (paging links would put it back in the address).
        page = paginator.get_page(1 if searched else request.GET.get("page"))
        labels = Labels(plan)
        rows = [
            ListRow(r, title_of(kind, r), [shown(c, read_value(r, c), labels) for c in columns])
            for r in page.object_list
        ]
    else:
        status = 400
    form.mark_problems()
    context = {
        "kind": kind,
        "plan": plan,
        "plans": plans,
        "form": form,
        "page": page,
        "rows": rows,
        "columns": columns,
        "filtered": form.is_bound and form.is_valid() and form.active,
        "may_create": may(user, kind, "create"),
        "may_import": may(user, kind, "import"),
        "may_export": may(user, kind, "export"),
        "search_by_post": kind.personal,
        "searched": searched,
        "more_found": searched and page is not None and page.has_next(),
        "summary": summary,
    }
    return render(request, "registries/kinds/list.html", context, status=status)


@dataclass
class CountRow:
    label: str
    records: int


def _counts_page(request: HttpRequest, kind: RegistryKind, plans: list[Plan], plan: Plan) -> HttpResponse:
    """Only the numbers: how many records, in all and by the organisation keeping them."""
    records = kind.model._default_manager.filter(plan=plan)
    by_owner = [
        CountRow(row["owner__short_name"] or row["owner__name"], row["n"])
        for row in records.values("owner__name", "owner__short_name")
        .annotate(n=Count("pk"))
        .order_by("owner__name")
    ]
    context = {
        "kind": kind,
        "plan": plan,
        "plans": plans,
        "total": sum(row.records for row in by_owner),
        "by_owner": by_owner,
    }
    return render(request, "registries/kinds/counts.html", context)


# --- one record -----------------------------------------------------------------------------------------


@dataclass
class DetailRow:
    label: str
    value: str
    personal: bool
    link: str = ""


def _detail_rows(kind: RegistryKind, record: RegistryRecord) -> list[DetailRow]:
    labels = Labels(record.plan)
    rows = []
    for column in file_columns(kind):
        value = read_value(record, column)
        link = str(value) if column.data_type == ColumnType.URL and value else ""
        rows.append(DetailRow(str(column.label), shown(column, value, labels), column.personal, link))
    return rows


def _render_detail(
    request: HttpRequest,
    kind: RegistryKind,
    record: RegistryRecord,
    *,
    file_form: RecordFileForm | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    file_form = file_form or RecordFileForm()
    file_form.mark_problems()
    context = {
        "kind": kind,
        "plan": record.plan,
        "record": record,
        "title": title_of(kind, record),
        "rows": _detail_rows(kind, record),
        "may_edit": may(user, kind, "edit", record),
        "may_delete": may(user, kind, "delete", record),
        "files": services.record_files(kind, [record]).get(record.ref, []) if kind.files else [],
        "file_form": file_form,
        "file_types": ", ".join(kind.files.kinds) if kind.files else "",
        "max_mb": file_max_bytes(kind) // (1024 * 1024),
        "notice": notice,
    }
    return render(request, "registries/kinds/detail.html", context, status=status)


def record_detail(request: HttpRequest, kind: RegistryKind, ref: Any) -> HttpResponse:
    return _render_detail(request, kind, _record(request, kind, ref))


# --- a record's files ---------------------------------------------------------------------------------


def _stored(request: HttpRequest, kind: RegistryKind, record: RegistryRecord, file_pk: int) -> RecordFile:
    scope = RecordFile.objects.filter(registry=kind.name, record_ref=record.ref)
    return permissions.get_or_refuse(request, scope, pk=file_pk)


def record_file_add(request: HttpRequest, kind: RegistryKind, ref: Any) -> HttpResponse:
    record = _record(request, kind, ref, "edit")
    if kind.files is None:
        raise Http404
    form = RecordFileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        # One byte over the limit is enough to know a file is too large (a body declared larger was refused
        # before it was read).
        limit = file_max_bytes(kind)
        content = upload.read(limit + 1)
        try:
            if len(content) > limit:
                raise InvalidInput.one(
                    "file",
                    "too_large",
                    _("The file is larger than %(mb)d MB, the most this registry takes.")
                    % {"mb": limit // (1024 * 1024)},
                )
            stored = services.record_file_add(
                kind=kind,
                actor=request.user,
                record=record,
                name=upload.name or "",
                content=content,
                request=request,
            )
        except services.RecordLockedError as exc:
            return _render_detail(
                request, kind, record, file_form=form, notice=f"{exc} {_('Nothing was saved.')}", status=409
            )
        except InvalidInput as exc:
            add_problems(form, exc.problems)
        else:
            messages.success(
                request, _("“%(name)s” is added to the record's files.") % {"name": stored.original_name}
            )
            return redirect(url("detail", kind, record.ref) + "#files")
    return _render_detail(request, kind, record, file_form=form, status=400)


def record_file(request: HttpRequest, kind: RegistryKind, ref: Any, file_pk: int) -> Any:
    """The file, as a private attachment, to whoever may see its record."""
    record = _record(request, kind, ref)
    return _stored(request, kind, record, file_pk).as_attachment()


def record_file_delete(request: HttpRequest, kind: RegistryKind, ref: Any, file_pk: int) -> HttpResponse:
    record = _record(request, kind, ref, "edit")
    stored = _stored(request, kind, record, file_pk)
    try:
        services.record_file_delete(
            kind=kind, actor=request.user, record=record, stored=stored, request=request
        )
    except services.RecordLockedError as exc:
        return _render_detail(request, kind, record, notice=f"{exc} {_('Nothing was deleted.')}", status=409)
    messages.success(
        request, _("“%(name)s” is removed from the record's files.") % {"name": stored.original_name}
    )
    return redirect(url("detail", kind, record.ref) + "#files")


# --- recording and changing ---------------------------------------------------------------------------


def _form(
    request: HttpRequest,
    kind: RegistryKind,
    plan: Plan,
    data: Any = None,
    *,
    record: RegistryRecord | None = None,
    allowed: Allowed | None = None,
) -> RecordForm:
    user = request.user
    allowed = allowed or allowed_values(kind, plan)
    activities = kind_activities(kind, plan)
    if record is not None:
        offered = {a.pk for a in activities}
        activities += [a for a in record.activities.all() if a.pk not in offered]
    record_options: dict[str, list[tuple[str, str]]] = {}
    event_options: list[tuple[str, str]] = []
    for column in kind.columns:
        if column.data_type == ColumnType.RECORD and column.target:
            target = catalogue.kind_named(column.target)
            if target is not None:
                found = (
                    selectors.records_visible_to(target, user).filter(plan=plan).order_by(target.title_field)
                )
                record_options[column.header] = [(str(r.ref), title_of(target, r)) for r in found]
        if column.data_type == ColumnType.EVENTS and not event_options:
            events = events_visible_to(user).filter(plan=plan).order_by("-starts_on", "-pk")
            event_options = [(str(e.pk), f"{e.starts_on:%Y-%m-%d} · {e.title}") for e in events]
    return RecordForm(
        data,
        kind=kind,
        allowed=allowed,
        activities=activities,
        show_owner=permissions.is_coordinator(user),
        record_options=record_options,
        event_options=event_options,
        initial=record_initial(kind, record) if record is not None else None,
    )


def _render_form(
    request: HttpRequest,
    kind: RegistryKind,
    plan: Plan,
    form: RecordForm,
    *,
    record: RegistryRecord | None = None,
    notice: str = "",
    conflicts: list[dict[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    form.mark_problems()
    sync = None
    if record is not None:
        texts = (
            form.texts()
            if not form.is_bound
            else _form(request, kind, plan, record=_fresh(kind, record)).texts()
        )
        sync = versions.sync_of(_fresh(kind, record) if form.is_bound else record, texts)
    context = {
        "kind": kind,
        "plan": plan,
        "record": record,
        "title": title_of(kind, record) if record is not None else "",
        "form": form,
        "sync": sync,
        "notice": notice,
        "conflicts": conflicts or [],
    }
    return render(request, "registries/kinds/form.html", context, status=status)


def _fresh(kind: RegistryKind, record: RegistryRecord) -> RegistryRecord:
    return kind.model._default_manager.select_related("plan", "owner").get(pk=record.pk)


def _owner(request: HttpRequest, form: RecordForm, plan: Plan) -> Any:
    key = form.owner_key()
    if not key:
        return None
    return next((o for o in organisations(plan) if o.key == key), None)


def record_create(request: HttpRequest, kind: RegistryKind) -> HttpResponse:
    _plans, plan = _plan(request)
    if request.method != "POST":
        return _render_form(request, kind, plan, _form(request, kind, plan))
    form = _form(request, kind, plan, request.POST)
    if form.is_valid():
        try:
            record = services.record_create(
                kind=kind,
                actor=request.user,
                plan=plan,
                values=form.raw(),
                owner=_owner(request, form, plan),
                request=request,
            )
        except InvalidInput as exc:
            add_problems(form, exc.problems)
        else:
            messages.success(
                request, _("The record “%(title)s” is saved.") % {"title": title_of(kind, record)}
            )
            return redirect(url("detail", kind, record.ref))
    return _render_form(request, kind, plan, form, status=400)


def _conflict_rows(form: RecordForm, exc: versions.StaleWrite) -> list[dict[str, str]]:
    rows = []
    for conflict in exc.conflicts:
        known = conflict.key in form.fields
        rows.append(
            {
                "label": str(form.fields[conflict.key].label) if known else conflict.key,
                "anchor": form[conflict.key].auto_id if known else "record-form",
                "current": conflict.current,
                "yours": conflict.yours,
            }
        )
    return rows


def record_edit(request: HttpRequest, kind: RegistryKind, ref: Any) -> HttpResponse:
    record = _record(request, kind, ref, "edit")
    plan = record.plan
    if request.method != "POST":
        return _render_form(request, kind, plan, _form(request, kind, plan, record=record), record=record)
    form = _form(request, kind, plan, request.POST, record=record)
    if form.is_valid():
        changed = form.changed_headers()
        try:
            record = services.record_update(
                kind=kind,
                actor=request.user,
                record=record,
                values=form.raw(changed, with_owner=True),
                version=versions.posted_version(request.POST),
                request=request,
            )
        except versions.StaleWrite as exc:
            # Shown again with what the person changed kept and the rest as stored now (409).
            fresh = _fresh(kind, record)
            current = _form(request, kind, plan, record=fresh).texts()
            again = _form(request, kind, plan, form.rebased(current), record=fresh)
            return _render_form(
                request,
                kind,
                plan,
                again,
                record=fresh,
                notice=str(exc),
                conflicts=_conflict_rows(form, exc),
                status=409,
            )
        except services.RecordLockedError as exc:
            return _render_form(
                request,
                kind,
                plan,
                form,
                record=record,
                notice=f"{exc} {_('Nothing was saved.')}",
                status=409,
            )
        except InvalidInput as exc:
            add_problems(form, exc.problems)
        else:
            messages.success(
                request, _("The changes to “%(title)s” are saved.") % {"title": title_of(kind, record)}
            )
            return redirect(url("detail", kind, record.ref))
    return _render_form(request, kind, plan, form, record=record, status=400)


def record_delete(request: HttpRequest, kind: RegistryKind, ref: Any) -> HttpResponse:
    """GET asks for confirmation; POST deletes the record."""
    record = _record(request, kind, ref, "delete")
    context: dict[str, Any] = {
        "kind": kind,
        "plan": record.plan,
        "record": record,
        "title": title_of(kind, record),
    }
    if request.method != "POST":
        return render(request, "registries/kinds/delete.html", context)
    try:
        services.record_delete(
            kind=kind,
            actor=request.user,
            record=record,
            version=versions.posted_version(request.POST),
            request=request,
        )
    except versions.StaleWrite as exc:
        context["notice"] = str(exc)
        context["record"] = _fresh(kind, record)
        return render(request, "registries/kinds/delete.html", context, status=409)
    except services.RecordLockedError as exc:
        context["notice"] = f"{exc} {_('Nothing was deleted.')}"
        return render(request, "registries/kinds/delete.html", context, status=409)
    except InvalidInput as exc:
        # Other records point at it (an outlet with its articles).
        context["notice"] = " ".join(p.message for p in exc.problems)
        return render(request, "registries/kinds/delete.html", context, status=409)
    messages.success(request, _("The record “%(title)s” is deleted.") % {"title": context["title"]})
    return redirect(f"{url('list', kind)}?plan={record.plan.slug}")


# --- the import and its template ----------------------------------------------------------------------


def max_bytes() -> int:
    return int(getattr(settings, IMPORT_MAX_BYTES_SETTING))


# The installation's ceiling on a record's file (each kind's ``FileRule.max_bytes`` below it).
FILE_MAX_BYTES_SETTING = "WPSNAP_REGISTRY_FILE_MAX_BYTES"


def file_max_bytes(kind: RegistryKind) -> int:
    """The largest file a record of ``kind`` takes: its own limit, under the installation's ceiling."""
    ceiling = int(getattr(settings, FILE_MAX_BYTES_SETTING))
    return min(kind.files.max_bytes, ceiling) if kind.files else 0


def _file_body_limit(kind: RegistryKind) -> Callable[[], int]:
    """The body a record's file upload of ``kind`` may declare (``core.middleware`` refuses more with 413
    by its Content-Length, before reading it): the kind's file limit (the form's default without files)."""
    return lambda: file_max_bytes(kind) if kind.files else int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def _render_import(
    request: HttpRequest,
    kind: RegistryKind,
    plan: Plan,
    form: RecordImportForm,
    *,
    problems: list[Problem] | None = None,
    notice: str = "",
    duplicate: bool = False,
    status: int = 200,
) -> HttpResponse:
    form.mark_problems()
    allowed = allowed_values(kind, plan)
    by_header = {c.header: c for c in file_columns(kind)}
    guide = [
        (
            header,
            str(by_header[header].label) if header in by_header else _("Record id"),
            what_to_write(kind, by_header.get(header), header),
            allowed.get(header),
        )
        for header in file_headers(kind)
    ]
    context = {
        "kind": kind,
        "plan": plan,
        "form": form,
        "problems": problems or [],
        "notice": notice,
        "duplicate": duplicate,
        "guide": guide,
        "max_mb": max_bytes() // (1024 * 1024),
    }
    return render(request, "registries/kinds/import.html", context, status=status)


def record_import(request: HttpRequest, kind: RegistryKind) -> HttpResponse:
    _plans, plan = _plan(request)
    if request.method != "POST":
        return _render_import(request, kind, plan, RecordImportForm())
    form = RecordImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_import(request, kind, plan, form, status=400)
    data = form.cleaned_data
    upload = data.get("file")
    try:
        if upload:
            content = upload.read(max_bytes() + 1)
            if len(content) > max_bytes():
                raise InvalidInput.one(
                    "file",
                    "too_large",
                    _("The file is larger than %(mb)d MB: split it into several files.")
                    % {"mb": max_bytes() // (1024 * 1024)},
                )
            table = read_table(upload.name or "", content)
            source = table.source
        else:
            content = data["text"].encode("utf-8")
            table = read_text(data["text"])
            source = "paste"
        outcome = services.records_import(
            kind=kind,
            actor=request.user,
            plan=plan,
            table=table,
            source=source,
            sha256=hashlib.sha256(content).hexdigest(),
            allow_duplicate=data["allow_duplicate"],
            request=request,
        )
    except services.DuplicateImport as exc:
        notice = exc.problems[0].message
        if upload:
            notice += " " + _("The file is not kept: choose it again, with “Add anyway” ticked.")
        return _render_import(request, kind, plan, form, notice=notice, duplicate=True, status=409)
    except services.RecordLockedError as exc:
        return _render_import(
            request, kind, plan, form, notice=f"{exc} {_('Nothing was saved.')}", status=409
        )
    except InvalidInput as exc:
        return _render_import(request, kind, plan, form, problems=exc.problems, status=400)
    messages.success(
        request,
        " ".join(
            [
                ngettext("%(n)d record added.", "%(n)d records added.", outcome.created)
                % {"n": outcome.created},
                ngettext("%(n)d changed.", "%(n)d changed.", outcome.updated) % {"n": outcome.updated},
                ngettext("%(n)d unchanged.", "%(n)d unchanged.", outcome.unchanged)
                % {"n": outcome.unchanged},
            ]
        ),
    )
    return redirect(f"{url('list', kind)}?plan={plan.slug}")


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def template_xlsx_view(request: HttpRequest, kind: RegistryKind) -> HttpResponse:
    _plans, plan = _plan(request)
    return _download(template_xlsx(kind, plan), XLSX_TYPE, f"{kind.name}-template.xlsx")


def template_csv_view(request: HttpRequest, kind: RegistryKind) -> HttpResponse:
    _plan(request)
    return _download(template_csv(kind), CSV_TYPE, f"{kind.name}-template.csv")


# The pages of a kind: (URL under /registries/<name>/, name, view, gate verb, other verbs, methods).
PAGES: tuple[tuple[str, str, View, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("", "list", record_list, "list", ("counts",), ("GET", "HEAD", "POST")),
    ("new/", "create", record_create, "create", (), ("GET", "HEAD", "POST")),
    (
        "import/",
        "import",
        max_body(IMPORT_MAX_BYTES_SETTING)(record_import),
        "import",
        (),
        ("GET", "HEAD", "POST"),
    ),
    ("template.xlsx", "template_xlsx", template_xlsx_view, "import", (), ("GET", "HEAD")),
    ("template.csv", "template_csv", template_csv_view, "import", (), ("GET", "HEAD")),
    ("<uuid:ref>/", "detail", record_detail, "view", (), ("GET", "HEAD")),
    ("<uuid:ref>/edit/", "edit", record_edit, "edit", (), ("GET", "HEAD", "POST")),
    ("<uuid:ref>/delete/", "delete", record_delete, "delete", (), ("GET", "HEAD", "POST")),
    ("<uuid:ref>/files/", "file_add", record_file_add, "edit", (), ("POST",)),
    ("<uuid:ref>/files/<int:file_pk>/", "file", record_file, "view", (), ("GET", "HEAD")),
    ("<uuid:ref>/files/<int:file_pk>/delete/", "file_delete", record_file_delete, "edit", (), ("POST",)),
)


def pages_of(kind: RegistryKind) -> list[tuple[str, str, View]]:
    """(route, name, view) of each page of ``kind``, bound and gated."""
    found = []
    for route, name, view, verb, others, methods in PAGES:
        page = require_http_methods(list(methods))(bind(view, kind, verb, *others))
        if name == "file_add":
            # Each kind's own file limit, refused by Content-Length before the body is read.
            page.max_body = _file_body_limit(kind)  # type: ignore[attr-defined]
        found.append((route, name, page))
    return found
