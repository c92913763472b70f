"""The REST API of every registry kind (issue 14): /api/v1/registries/<name>/ (list, create),
/api/v1/registries/<name>/<record_id>/ (read, change with ``If-Match``, delete with ``If-Match``) and
/api/v1/registries/<name>/import/ (a file made from the template), one viewset per kind made from its
declaration (:func:`viewset_for`), each documented in the OpenAPI schema with its own components.

Thin: each action names the kind's gate action (``registry.<name>.<verb>``); records are found only
within ``records_visible_to`` (another's answers 404, audited) and written only through
``kinds.services``, which judge the values (each problem named by its header) and refuse stale writes
(409 with the conflicts).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.cache import patch_cache_control
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from wpsnap.accounts import permissions
from wpsnap.accounts.filters import PageNumberPagination, filter_backends
from wpsnap.accounts.models import Organisation
from wpsnap.core import params, versions
from wpsnap.core.api import error, errors, if_match
from wpsnap.core.errors import InvalidInput
from wpsnap.core.params import JSONParser, MultiPartParser
from wpsnap.core.tables import read_table
from wpsnap.plan.models import Plan, PlanStatus
from wpsnap.plan.permissions import plans_visible_to
from wpsnap.reporting.api import IF_MATCH, LOCKED_OR_STALE

from . import selectors, services
from .base import RegistryKind, RegistryRecord
from .columns import OWNER_COLUMN
from .lifecycle_views import api_actions
from .serializers import RecordImportedSerializer, RecordImportSerializer, serializers_for
from .views import _search, max_bytes, year_lookup

RECORD_ID = OpenApiParameter(
    "record_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=gettext_lazy("The record's id.")
)
LOCKED = error(
    409,
    gettext_lazy(
        "The record's date is in an approved and locked reporting period (code `locked`): nothing was saved."
    ),
)
DUPLICATE = error(
    409,
    gettext_lazy(
        "The same rows were imported into this registry before and their records are still there (code "
        "`duplicate`, naming when and by whom), or a row's date is in a locked period (code `locked`): "
        "nothing was saved. Send `allow_duplicate` to add them again."
    ),
)


def _plan(request: Request, slug: str | None) -> Plan:
    """The plan ``slug`` among those the caller may see (adopted), or by default the latest."""
    plans = plans_visible_to(request.user).exclude(status=PlanStatus.DRAFT).order_by("-start_year", "slug")
    if slug:
        plan = plans.filter(slug=params.text("plan", slug, max_length=64)).first()
        if plan is None:
            raise InvalidInput.one("plan", "not_found", _("No plan you may see has this slug."))
        return plan
    plan = plans.first()
    if plan is None:
        raise InvalidInput.one("plan", "not_found", _("There is no adopted plan to record under."))
    return plan


def _owner(plan: Plan, key: str) -> Organisation | None:
    if not key:
        return None
    owner = Organisation.objects.filter(country=plan.country, key=key).first()
    if owner is None:
        raise InvalidInput.one(
            OWNER_COLUMN.header, "not_found", _("No organisation has the key %(key)s.") % {"key": key}
        )
    return owner


def filter_for(kind: RegistryKind) -> type[django_filters.FilterSet]:
    """The list's filters: ``?plan=``, ``?owner=``, ``?activity=``, ``?year=``, ``?q=``."""

    def by_activity(self: Any, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        linked = kind.model._default_manager.filter(Q(activities__code=value) | Q(activities__key=value))
        return queryset.filter(pk__in=linked.values("pk"))

    def by_year(self: Any, queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        lookup = year_lookup(kind)
        return queryset.filter(**{lookup: value}) if lookup else queryset.none()

    def by_words(self: Any, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(_search(kind, value))

    attrs: dict[str, Any] = {
        "plan": params.TextFilter(field_name="plan__slug", help_text=gettext_lazy("The plan's slug.")),
        "owner": params.TextFilter(
            field_name="owner__key", help_text=gettext_lazy("The keeping organisation's key.")
        ),
        "activity": params.TextFilter(
            method="by_activity", help_text=gettext_lazy("An activity it serves, by number or key.")
        ),
        "q": params.TextFilter(method="by_words", help_text=gettext_lazy("Words in its title or text.")),
        "by_activity": by_activity,
        "by_words": by_words,
        "Meta": type("Meta", (), {"model": kind.model, "fields": ["plan", "owner", "activity", "q"]}),
    }
    if kind.personal:
        # Names and codes are searched by POST (``search/``), never in the address.
        del attrs["q"], attrs["by_words"]
        attrs["Meta"].fields.remove("q")
    if year_lookup(kind):
        attrs["year"] = params.YearFilter(method="by_year", help_text=gettext_lazy("The year of its date."))
        attrs["by_year"] = by_year
        attrs["Meta"].fields.append("year")
    return type(f"{kind.model.__name__}Filter", (django_filters.FilterSet,), attrs)


class RecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A registry's records (a subclass per kind)."""

    kind: RegistryKind
    pagination_class = PageNumberPagination
    filter_backends = filter_backends()
    orderings = {"id": ("id",), "-id": ("-id",)}
    lookup_field = "ref"
    lookup_url_kwarg = "record_id"
    lookup_value_regex = r"[0-9a-fA-F-]{36}"
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[Any]:
        records = selectors.records_visible_to(self.kind, self.request.user).select_related("plan")
        return selectors.with_relations(self.kind, records)

    def get_object(self) -> RegistryRecord:
        ref = params.text("record_id", str(self.kwargs["record_id"]), max_length=36)
        try:
            uuid.UUID(ref)
        except ValueError:
            raise InvalidInput.one("record_id", "invalid", _("Not a record id.")) from None
        record = permissions.get_or_refuse(self.request, self.get_queryset(), ref=ref)
        if self.action == "retrieve":
            permissions.require(self.request, self.kind.action("view"), record)
        return record

    def _answer(self, record: RegistryRecord, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=record.pk)
        output, _changed, _created = serializers_for(self.kind)
        response = Response(output(fresh).data, status=code)
        response["ETag"] = versions.etag(fresh)
        if self.kind.personal:
            patch_cache_control(response, private=True, no_store=True)
        return response

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if self.kind.personal and SEARCH_FIELD in request.query_params:
            raise InvalidInput.one(
                SEARCH_FIELD,
                "not_in_address",
                _(
                    "Names and codes of this registry are not searched in the address: send "
                    '{"q": "..."} by POST to search/.'
                ),
            )
        records = self.filter_queryset(self.get_queryset())
        response = self._listed(records)
        if self.kind.summary is not None:
            # The kind's table over every record the filters keep (all pages), e.g. staff counts' shares.
            response.data["summary"] = self.kind.summary(records).data()
        return response

    def _listed(self, records: QuerySet[Any]) -> Response:
        output, _changed, _created = serializers_for(self.kind)
        page = self.paginate_queryset(records)
        assert page is not None  # the API is always paginated
        response = self.get_paginated_response(output(page, many=True).data)
        if self.kind.personal:
            patch_cache_control(response, private=True, no_store=True)
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        output, _changed, _created = serializers_for(self.kind)
        response = Response(output(record).data)
        response["ETag"] = versions.etag(record)
        if self.kind.personal:
            patch_cache_control(response, private=True, no_store=True)
        return response

    def create(self, request: Request) -> Response:
        _output, _changed, created = serializers_for(self.kind)
        form = created(data=request.data)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        plan = _plan(request, values.pop("plan", None))
        owner = _owner(plan, values.pop(OWNER_COLUMN.header, "") or "")
        record = services.record_create(
            kind=self.kind, actor=request.user, plan=plan, values=values, owner=owner, request=request
        )
        return self._answer(record, status.HTTP_201_CREATED)

    def _change(self, request: Request, *, partial: bool) -> Response:
        record = self.get_object()
        version = if_match(request, record)
        _output, changed, _created = serializers_for(self.kind)
        form = changed(data=request.data, partial=partial)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        if not partial:
            # PUT: every column, a column left out is emptied.
            values = {name: values.get(name) for name in changed().fields} | values
        record = services.record_update(
            kind=self.kind, actor=request.user, record=record, values=values, version=version, request=request
        )
        return self._answer(record)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._change(request, partial=False)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._change(request, partial=True)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        version = if_match(request, record)
        services.record_delete(
            kind=self.kind, actor=request.user, record=record, version=version, request=request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=False, methods=["post"], url_path="search", url_name="search")
    def search(self, request: Request) -> Response:
        """The list searched by words sent in the body (a name never in an address or a log); the
        other filters and the page in the query string, as for the list."""
        form = RecordSearchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        records = self.filter_queryset(self.get_queryset())
        return self._listed(records.filter(_search(self.kind, form.validated_data["q"])))

    @action(detail=False, methods=["post"], url_path="import", url_name="import")
    def import_file(self, request: Request) -> Response:
        form = RecordImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        plan = _plan(request, form.validated_data.get("plan"))
        upload = form.validated_data["file"]
        content = upload.read(max_bytes() + 1)
        if len(content) > max_bytes():
            raise InvalidInput.one(
                "file",
                "too_large",
                _("The file is larger than %(mb)d MB: split it into several files.")
                % {"mb": max_bytes() // (1024 * 1024)},
            )
        table = read_table(upload.name or "", content)
        try:
            outcome = services.records_import(
                kind=self.kind,
                actor=request.user,
                plan=plan,
                table=table,
                source=table.source,
                sha256=hashlib.sha256(content).hexdigest(),
                allow_duplicate=form.validated_data["allow_duplicate"],
                request=request,
            )
        except services.DuplicateImport as exc:
            worded = getattr(exc, "worded", None)
            raise (worded(anyway="allow_duplicate") if worded else exc) from None
        body = {"created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged}
        return Response(body, status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK)


SEARCH_FIELD = "q"


class RecordSearchSerializer(drf_serializers.Serializer[Any]):
    q = drf_serializers.CharField(
        max_length=100,
        help_text=gettext_lazy("Words in its title or text (for a personal registry: a name or a code)."),
    )


def viewset_for(kind: RegistryKind) -> type[RecordViewSet]:
    """The viewset of ``kind``: its gate actions, serializers and filters, documented in the schema."""
    output, changed, created = serializers_for(kind)
    who = kind.description
    tag = f"registries: {kind.name}"
    stale = LOCKED_OR_STALE
    schema = extend_schema_view(
        list=extend_schema(
            summary=format_lazy("{}: {}", kind.label_plural, gettext_lazy("the records the caller may see")),
            description=format_lazy(
                "{} {}",
                who,
                gettext_lazy(
                    "100 per page; filter with `?plan=`, `?owner=`, `?activity=`, `?year=` (where the "
                    "registry has a date), `?q=` (words; for a registry of people refused with 400: "
                    "search by POST to `search/`)."
                ),
            ),
            responses={200: output(many=True), **errors(400, 401, 403)},
        ),
        search=extend_schema(
            summary=format_lazy("{}: {}", kind.label_plural, gettext_lazy("search by words")),
            description=gettext_lazy(
                "The list of the records the caller may see whose title or text holds the words sent as "
                '{"q": "..."}: names and codes stay out of addresses and logs. The other filters and '
                "`?page=` in the query string, as for the list."
            ),
            request=RecordSearchSerializer,
            responses={200: output(many=True), **errors(400, 401, 403)},
        ),
        retrieve=extend_schema(
            summary=format_lazy("{}: {}", kind.label, gettext_lazy("one record")),
            parameters=[RECORD_ID],
            responses={200: output, **errors(401, 403, 404)},
        ),
        create=extend_schema(
            summary=format_lazy("{}: {}", kind.label, gettext_lazy("record one")),
            description=gettext_lazy(
                "Values as the import files write them (codes or labels; several values as a list). Any "
                "field not listed is refused with 400, as is every problem, each named by its column; "
                "nothing is saved then."
            ),
            request=created,
            responses={201: output, **errors(400, 401, 403), 409: LOCKED},
        ),
        update=extend_schema(
            summary=format_lazy("{}: {}", kind.label, gettext_lazy("replace a record's values")),
            description=gettext_lazy(
                "Every column; one left out is emptied. `If-Match` is required (428 without it): the "
                "`ETag` of the version you read; a change made on an older version that changes what "
                "another write changed since is refused with 409 naming the columns."
            ),
            parameters=[RECORD_ID, IF_MATCH(True)],
            request=changed,
            responses={200: output, **errors(400, 401, 403, 404, 428), 409: stale},
        ),
        partial_update=extend_schema(
            summary=format_lazy("{}: {}", kind.label, gettext_lazy("change some of a record's values")),
            description=gettext_lazy("As PUT, but a column left out is left as it is."),
            parameters=[RECORD_ID, IF_MATCH(True)],
            request=changed,
            responses={200: output, **errors(400, 401, 403, 404, 428), 409: stale},
        ),
        destroy=extend_schema(
            summary=format_lazy("{}: {}", kind.label, gettext_lazy("delete a record")),
            parameters=[RECORD_ID, IF_MATCH(True)],
            responses={204: None, **errors(401, 403, 404, 428), 409: stale},
        ),
        import_file=extend_schema(
            summary=format_lazy("{}: {}", kind.label_plural, gettext_lazy("import a file")),
            description=gettext_lazy(
                "A file made from the registry's template (multipart, `file`). A row with a `record_id` "
                "changes that record (or leaves it as it is), a row without one adds a record. All or "
                "nothing: any problem is refused with 400 naming the row and column. The same file imported "
                "before is refused with 409 unless `allow_duplicate` is sent."
            ),
            request={"multipart/form-data": RecordImportSerializer},
            responses={
                201: RecordImportedSerializer,
                200: RecordImportedSerializer,
                **errors(400, 401, 403, 413),
                409: DUPLICATE,
            },
        ),
    )
    attrs: dict[str, Any] = {
        "kind": kind,
        "__doc__": str(kind.description),
        "__module__": __name__,
        "serializer_class": output,
        "filterset_class": filter_for(kind),
        "max_body": "WPSNAP_PARTICIPANTS_MAX_BYTES",
        "gate_actions": {
            "list": kind.action("list"),
            "search": kind.action("list"),
            "retrieve": kind.action("view"),
            "create": kind.action("create"),
            "update": kind.action("edit"),
            "partial_update": kind.action("edit"),
            "destroy": kind.action("delete"),
            "import_file": kind.action("import"),
        },
    }
    lifecycle_methods, lifecycle_gates = api_actions(kind)  # consent withdrawn, erase (personal kinds)
    attrs.update(lifecycle_methods)
    attrs["gate_actions"].update(lifecycle_gates)
    cls = type(f"{output.__name__.removesuffix('Serializer')}ViewSet", (RecordViewSet,), attrs)
    return extend_schema(tags=[tag])(schema(cls))


def register_routes(router: Any) -> None:
    """Every kind's viewset on ``router``, under ``registries/<name>``."""
    from . import catalogue

    for kind in catalogue.kinds():
        router.register(f"registries/{kind.name}", viewset_for(kind), basename=f"registry-{kind.name}")
