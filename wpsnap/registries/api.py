"""The REST API of events and participants: /api/v1/events/ (with their participants and counts) and
/api/v1/topics/ (what the events say beside the reports, /api/v1/derived/, is analytics').

Thin views: each names its action for the permission gate (``wpsnap.accounts.drf.Gate``), finds its
event through the scopes of ``wpsnap.registries.permissions`` (another agency's event answers 404, and
the attempt is audited) and writes through ``wpsnap.registries.services``, which check the object-level
rules and the period lock. A locked period answers 409.

Participants are personal data: their list is not cached, every read of it is written to the audit
trail as an export (counts only), and names are in it only for coordinators.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.cache import patch_cache_control
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from wpsnap.accounts import permissions
from wpsnap.accounts.filters import PageNumberPagination, filter_backends
from wpsnap.accounts.models import Organisation
from wpsnap.core import audit, params, versions
from wpsnap.core.api import error, errors, if_match
from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.core.models import AuditAction
from wpsnap.core.params import JSONParser, MultiPartParser
from wpsnap.plan.models import Activity, Plan, PlanStatus
from wpsnap.plan.permissions import plans_visible_to
from wpsnap.reporting.api import IF_MATCH, LOCKED_OR_STALE, file_responses

from . import selectors
from .models import Event, EventFile, EventKind, Participant, Participation, Topic
from .permissions import event_files_visible_to, events_visible_to, participants_visible_to
from .serializers import (
    CountsInputSerializer,
    CountsSerializer,
    EventCreateSerializer,
    EventFileSerializer,
    EventInputSerializer,
    EventSerializer,
    ParticipantFileSerializer,
    ParticipantRowsSerializer,
    ParticipantsAddedSerializer,
    ParticipantSerializer,
    ParticipantsImportQueuedSerializer,
    TopicSerializer,
)
from .services.events import (
    EVENT_KEYS,
    EventInput,
    counts_save,
    event_create,
    event_delete,
    event_update,
)
from .services.participants import (
    DuplicateImport,
    max_bytes,
    participant_delete,
    participants_add_rows,
    participants_import_file,
    participants_import_start,
    rows_estimate,
    sync_rows,
)

# --- errors (answered by wpsnap.core.api.exception_handler) -----------------------------------------

LOCKED = error(
    409,
    gettext_lazy(
        "The event's first day is in an approved and locked period (code `locked`): its records no "
        "longer change."
    ),
)


EVENT_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=gettext_lazy("The event's id.")
)
PARTICIPANT_ID = OpenApiParameter(
    "participant_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description=gettext_lazy("The participant's id."),
)


def _event(request: Request, event_id: int) -> Event:
    """The event ``event_id`` among those the caller may see, else 404 (audited when it exists)."""
    scope = events_visible_to(request.user).select_related("plan", "organiser")
    return permissions.get_or_refuse(request, scope, pk=event_id)


# --- from the API's names to the services' ----------------------------------------------------------


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(name.strip() for name in names))


def _activities(plan: Plan, names: list[str], problems: list[Problem]) -> list[Activity]:
    """The plan's activities named by key or, failing that, by published number."""
    found = list(Activity.objects.filter(plan=plan).filter(Q(key__in=names) | Q(code__in=names)))
    chosen: list[Activity] = []
    for name in _unique(names):
        by_key = [a for a in found if a.key == name]
        by_code = [a for a in found if a.code == name]
        if by_key or len(by_code) == 1:
            chosen.append((by_key or by_code)[0])
        elif by_code:
            problems.append(
                Problem(
                    "activities",
                    "ambiguous",
                    _("Several activities have the number %(code)s; give the key.") % {"code": name},
                )
            )
        else:
            problems.append(
                Problem(
                    "activities",
                    "not_found",
                    _("The plan %(plan)s has no activity %(name)s.") % {"plan": plan.slug, "name": name},
                )
            )
    return chosen


def _topics(names: list[str], problems: list[Problem]) -> list[Topic]:
    found = {t.code: t for t in Topic.objects.filter(code__in=names)}
    for name in _unique(names):
        if name not in found:
            problems.append(
                Problem(
                    "topics",
                    "not_found",
                    _("%(code)s is not a topic (see /api/v1/topics/).") % {"code": name},
                )
            )
    return [found[name] for name in _unique(names) if name in found]


def _partners(plan: Plan, names: list[str], problems: list[Problem]) -> list[Organisation]:
    found = {o.key: o for o in Organisation.objects.filter(country=plan.country, key__in=names)}
    for name in _unique(names):
        if name not in found:
            problems.append(
                Problem("partners", "not_found", _("No organisation has the key %(key)s.") % {"key": name})
            )
    return [found[name] for name in _unique(names) if name in found]


TEXT_FIELDS = (
    "other_topics",
    "district",
    "place",
    "content",
    "outcomes",
    "issues_raised",
    "answers_given",
)


def event_input(values: dict[str, Any], plan: Plan, base: Event | None = None) -> EventInput:
    """The services' input from a validated ``EventInputSerializer``: activities, topics and partners
    named by key or code become objects (an unknown one is 400, and nothing is saved). With ``base``
    (a PATCH) a field left out keeps the event's value."""
    problems: list[Problem] = []
    activities = (
        list(base.activities.all())
        if base is not None and "activities" not in values
        else _activities(plan, values.get("activities", []), problems)
    )
    topics = (
        list(base.topics.all())
        if base is not None and "topics" not in values
        else _topics(values.get("topics", []), problems)
    )
    partners = (
        list(base.partners.all())
        if base is not None and "partners" not in values
        else _partners(plan, values.get("partners", []), problems)
    )
    if problems:
        raise InvalidInput(problems)

    def value(name: str, default: Any) -> Any:
        if name in values:
            return values[name]
        return getattr(base, name) if base is not None else default

    return EventInput(
        kind=value("kind", ""),
        title=value("title", ""),
        starts_on=value("starts_on", None),
        ends_on=value("ends_on", None),
        activities=activities,
        topics=topics,
        partners=partners,
        participation=value("participation", Participation.LIST),
        **{name: value(name, "") for name in TEXT_FIELDS},
    )


# --- events -----------------------------------------------------------------------------------------


class EventFilter(django_filters.FilterSet):
    plan = params.TextFilter(field_name="plan__slug", help_text=gettext_lazy("The plan's slug."))
    activity = params.TextFilter(
        method="by_activity",
        help_text=gettext_lazy("An activity it implements: its key, published number or id."),
    )
    kind = django_filters.ChoiceFilter(choices=EventKind.choices)
    organiser = params.TextFilter(
        field_name="organiser__key", help_text=gettext_lazy("The organising agency's key.")
    )
    year = params.YearFilter(
        field_name="starts_on", lookup_expr="year", help_text=gettext_lazy("The year of its first day.")
    )
    starts_after = django_filters.DateFilter(
        field_name="starts_on",
        lookup_expr="gte",
        help_text=gettext_lazy("Its first day on or after (YYYY-MM-DD)."),
    )
    starts_before = django_filters.DateFilter(
        field_name="starts_on",
        lookup_expr="lte",
        help_text=gettext_lazy("Its first day on or before (YYYY-MM-DD)."),
    )

    class Meta:
        model = Event
        fields = ["plan", "activity", "kind", "organiser", "year", "starts_after", "starts_before"]

    def by_activity(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        named = Q(activity__key=value) | Q(activity__code=value)
        if (pk := params.digits(value)) is not None:
            named |= Q(activity_id=pk)
        links = Event.activities.through.objects.filter(named).values("event_id")
        return queryset.filter(pk__in=links)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("The events the caller may see, with their number of participants"),
        description=gettext_lazy(
            "Coordinators and evaluators see every event; the people of an agency see the events it "
            "organised or was a partner in. 100 per page, newest first; filter with `?plan=`, "
            "`?activity=`, `?kind=`, `?organiser=`, `?year=`, `?starts_after=`, `?starts_before=`."
        ),
        responses={200: EventSerializer, **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One event"),
        parameters=[EVENT_ID],
        responses={200: EventSerializer, **errors(401, 403, 404)},
    ),
    create=extend_schema(
        summary=gettext_lazy("Record an event of the caller's agency (focal points, NGO contributors)"),
        description=gettext_lazy(
            "The organiser is always the caller's agency, which must be named for each activity. "
            "Activities are named by key or published number, topics by code, partners by key. Any "
            "field not listed here (organiser, created_by, ...) is refused with 400, as is every "
            "problem, each named by its field; nothing is saved then. An event whose first day is in a "
            "locked period answers 409."
        ),
        request=EventCreateSerializer,
        responses={201: EventSerializer, **errors(400, 401, 403), 409: LOCKED},
    ),
    update=extend_schema(
        summary=gettext_lazy("Replace an event's description (its agency's focal points, NGO contributors)"),
        description=gettext_lazy(
            "Every field as in POST, except the plan, which does not change. Optional fields left out "
            "are emptied, except `participation`, which is kept; how participants are recorded "
            "changes only while there are none. `If-Match` is required (428 without it): the `ETag` "
            "of the version you read; on an older version your change merges when the writes since "
            "left the fields you send alone, and is otherwise refused with 409 naming them."
        ),
        parameters=[EVENT_ID, IF_MATCH(True)],
        request=EventInputSerializer,
        responses={200: EventSerializer, **errors(400, 401, 403, 404, 428), 409: LOCKED_OR_STALE},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change part of an event's description"),
        description=gettext_lazy("As PUT, but a field left out is left as it was."),
        parameters=[EVENT_ID, IF_MATCH(True)],
        request=EventInputSerializer,
        responses={200: EventSerializer, **errors(400, 401, 403, 404, 428), 409: LOCKED_OR_STALE},
    ),
    destroy=extend_schema(
        summary=gettext_lazy("Delete an event with its participants, counts and files"),
        parameters=[EVENT_ID, IF_MATCH(True)],
        responses={204: None, **errors(401, 403, 404, 428), 409: LOCKED_OR_STALE},
    ),
)
@extend_schema(tags=["events"])
class EventViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Trainings, awareness-raising, consultations and meetings, surveys and media campaigns that an
    agency organised to implement the plan's activities."""

    serializer_class = EventSerializer
    filterset_class = EventFilter
    pagination_class = PageNumberPagination
    filter_backends = filter_backends()
    orderings = {"id": ("id",), "-id": ("-id",)}
    lookup_value_regex = r"[0-9]+"
    gate_actions = {
        "list": "event.list",
        "retrieve": "event.view",
        "create": "event.create",
        "update": "event.edit",
        "partial_update": "event.edit",
        "destroy": "event.edit",
    }

    def get_queryset(self) -> QuerySet[Event]:
        return (
            events_visible_to(self.request.user)
            .select_related("plan", "organiser")
            .prefetch_related("activities", "topics", "partners")
            .order_by("-starts_on", "-id")
        )

    def get_object(self) -> Event:
        event = permissions.get_or_refuse(self.request, self.get_queryset(), pk=self.kwargs["pk"])
        if self.action == "retrieve":
            self.check_object_permissions(self.request, event)
        return event

    def _answer(self, event: Event, code: int = status.HTTP_200_OK, **kwargs: Any) -> Response:
        fresh = self.get_queryset().get(pk=event.pk)
        response = Response(
            EventSerializer(selectors.events_with_totals([fresh])[0]).data, status=code, **kwargs
        )
        response["ETag"] = versions.etag(fresh)
        return response

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None  # the API is always paginated
        return self.get_paginated_response(
            EventSerializer(selectors.events_with_totals(page), many=True).data
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()
        response = Response(EventSerializer(selectors.events_with_totals([event])[0]).data)
        response["ETag"] = versions.etag(event)
        return response

    def create(self, request: Request) -> Response:
        form = EventCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        plan = _plan(request, form.validated_data.get("plan"))
        data = event_input(form.validated_data, plan)
        event = event_create(actor=request.user, plan=plan, data=data, request=request)
        location = reverse("api:event-detail", kwargs={"pk": event.pk}, request=request)
        return self._answer(event, status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """PUT and PATCH, on the version named by ``If-Match`` (required): a stale version merges when
        the writes since left the sent fields alone (PUT sends them all), and is otherwise refused (409)."""
        event = self.get_object()
        version = _version(request, event)
        partial = request.method == "PATCH"
        form = EventInputSerializer(data=request.data, partial=partial)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        sent = frozenset(values) & set(EVENT_KEYS)
        # How participants are recorded is not emptied by a PUT that leaves it out: it is kept.
        values.setdefault("participation", event.participation)
        data = event_input(values, event.plan, base=event if partial else None)
        data = replace(data, version=version, changed=sent if partial else None)
        event_update(actor=request.user, event=event, data=data, request=request)
        return self._answer(event)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()
        event_delete(actor=request.user, event=event, version=_version(request, event), request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _version(request: Request, event: Event) -> int | None:
    """The event's version a write names in ``If-Match`` (428 without one). Who may not write here at
    all is told so by the service (403) before being asked for a version."""
    if permissions.can(request.user, "event.edit", event) or request.headers.get("If-Match"):
        return if_match(request, event)
    return None


def _plan(request: Request, slug: str | None) -> Plan:
    """The plan named in a new event (by slug), or the latest the caller may see; events are recorded
    under adopted plans, never drafts."""
    plans = plans_visible_to(request.user).exclude(status=PlanStatus.DRAFT).order_by("-start_year", "slug")
    plan = plans.filter(slug=slug).first() if slug else plans.first()
    if plan is None:
        raise InvalidInput.one(
            "plan", "not_found", _("No plan has the slug %(slug)s.") % {"slug": slug or ""}
        )
    return plan


# --- participants -----------------------------------------------------------------------------------

ADDED = OpenApiResponse(
    ParticipantsAddedSerializer,
    description=gettext_lazy(
        "The participants were added; or, for a retry with the same Idempotency-Key, what the first "
        "request added (header `Idempotent-Replayed: true`, nothing added now; `participants` is the "
        "count now)."
    ),
)
KEY_REUSED = error(
    422,
    gettext_lazy(
        "The Idempotency-Key was used before for another request (another file or rows, event, replace "
        "flag or person; code `key_reused`): nothing was done. Send the request with a new key."
    ),
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        "A key of your choosing for this request (a UUID; 1 to 255 visible ASCII characters): the "
        "same request sent again with the same key (a retry after a timeout) adds nothing and answers "
        "what the first one did, with `Idempotent-Replayed: true`; the key with another request is "
        "refused (422). Keys are kept for WPSNAP_IDEMPOTENCY_KEY_DAYS days (7)."
    ),
)


QUEUED = OpenApiResponse(
    ParticipantsImportQueuedSerializer,
    description=gettext_lazy(
        "A file with more rows than WPSNAP_IMPORT_SYNC_ROWS (5,000) is imported by a background task: "
        "the job's address in the API is in the `Location` header (poll it: `/api/v1/jobs/{id}/`) and its "
        "page in `url`; they show the progress, and the rows' problems if the file is refused. Nothing is "
        "added until the whole file is."
    ),
)
DUPLICATE = error(
    409,
    gettext_lazy(
        "The event is locked (code `locked`), or the same rows were imported into this event before and "
        "are still in its list (code `duplicate`, naming when, by whom and how many): nothing was added. "
        "Send `replace` to make them the whole list, or `allow_duplicate` to add them again."
    ),
)


class EventParticipants(generics.GenericAPIView):
    """The event's list of participants: one row per person."""

    gate_actions = {"GET": "participant.view", "POST": "event.edit"}
    serializer_class = ParticipantSerializer
    pagination_class = PageNumberPagination
    parser_classes = [JSONParser, MultiPartParser]
    max_body = "WPSNAP_PARTICIPANTS_MAX_BYTES"  # a participant file (RequestLimitsMiddleware)
    too_large_field = "rows"
    too_large_message = gettext_lazy(
        "The request is larger than %(mb)d MB. Send the rows in several requests, or upload them as a "
        "file (CSV or Excel)."
    )

    def get_queryset(self) -> QuerySet[Participant]:
        return participants_visible_to(self.request.user).order_by("id")

    @extend_schema(
        summary=gettext_lazy("The event's participants (its agency's people and coordinators)"),
        description=gettext_lazy(
            "Personal data: only the organising agency's focal points, approvers and NGO contributors "
            "and coordinators read it (partners and evaluators see counts, at /counts/). Every read is "
            "recorded in the audit trail as an export, and is not cached. `name` is in the answer only "
            "for coordinators, and only where the person consented. 100 per page."
        ),
        parameters=[EVENT_ID],
        responses={200: ParticipantSerializer(many=True), **errors(400, 401, 403, 404)},
        tags=["events"],
    )
    def get(self, request: Request, id: int) -> Response:
        event = _event(request, id)
        permissions.require(request, "participant.view", event)
        page = self.paginate_queryset(self.get_queryset().filter(event=event))
        assert page is not None  # the API is always paginated
        with_names = permissions.can(request.user, "participant.export_names", event)
        audit.record(
            AuditAction.EXPORT,
            obj=event,
            request=request,
            changes=[{"field": "participants", "new": len(page)}],
            note="api, with names" if with_names else "api, without names",
        )
        rows = ParticipantSerializer(page, many=True, context={"with_names": with_names}).data
        response = self.get_paginated_response(rows)
        patch_cache_control(response, private=True, no_store=True)
        return response

    @extend_schema(
        summary=gettext_lazy("Add participants: rows as JSON, or a file (its agency's writers)"),
        description=gettext_lazy(
            'JSON `{"rows": [{"sex": "women", "age": 23, ...}], "replace": false}`, or a multipart '
            "upload of a file made from the template (`file`, CSV or XLSX judged by its content, and "
            "optionally `replace`). With `replace` the rows become the event's whole list. All or "
            "nothing: a batch with any problem is refused with 400 naming each row and column as the "
            "problem's field (`rows[2].age`: the third record sent, or the second line of a file, under "
            "its header), and nothing is saved. "
            "Send an `Idempotency-Key` so that a retry (after a timeout or a lost connection) never adds "
            "the rows twice."
        ),
        parameters=[EVENT_ID, IDEMPOTENCY_KEY],
        request={
            "application/json": ParticipantRowsSerializer,
            "multipart/form-data": ParticipantFileSerializer,
        },
        responses={
            201: ADDED,
            202: QUEUED,
            **errors(400, 401, 403, 404, 413),
            409: DUPLICATE,
            422: KEY_REUSED,
        },
        tags=["events"],
    )
    def post(self, request: Request, id: int) -> Response:
        event = _event(request, id)
        key = request.headers.get("Idempotency-Key", "")
        try:
            if request.content_type.startswith("multipart/"):
                upload = ParticipantFileSerializer(data=request.data)
                upload.is_valid(raise_exception=True)
                file = upload.validated_data["file"]
                content = file.read(max_bytes() + 1)
                options = {
                    "actor": request.user,
                    "event": event,
                    "name": file.name or "",
                    "content": content,
                    "replace": upload.validated_data["replace"],
                    "allow_duplicate": upload.validated_data["allow_duplicate"],
                    "idempotency_key": key,
                    "request": request,
                }
                rows = rows_estimate(content) if len(content) <= max_bytes() else 0
                if rows > sync_rows():
                    return self._queued(
                        request, participants_import_start(source="file", rows=rows, **options), rows
                    )
                result = participants_import_file(**options)
            else:
                form = ParticipantRowsSerializer(data=request.data)
                form.is_valid(raise_exception=True)
                result = participants_add_rows(
                    actor=request.user,
                    event=event,
                    rows=form.validated_data["rows"],
                    replace=form.validated_data["replace"],
                    allow_duplicate=form.validated_data["allow_duplicate"],
                    idempotency_key=key,
                    request=request,
                )
        except DuplicateImport as exc:
            raise exc.worded(replace="replace", anyway="allow_duplicate") from None
        return Response(
            {
                "added": result.rows,
                "replaced": result.batch.replaced,
                "batch": result.batch.pk,
                "participants": Participant.objects.filter(event=event).count(),
            },
            status=status.HTTP_201_CREATED,
            headers={"Idempotent-Replayed": "true"} if result.replayed else None,
        )

    def _queued(self, request: Request, job: Any, rows: int) -> Response:
        # Location: the job in the API, to poll; `url`: its page, for a person.
        location = reverse("api:job-detail", args=[job.pk], request=request)
        page = reverse("jobs:detail", args=[job.pk], request=request)
        return Response(
            {"job": str(job.pk), "status": job.status, "url": page, "rows": rows},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": location},
        )


class EventParticipant(APIView):
    """One participant of an event."""

    gate_actions = {"DELETE": "event.edit"}

    @extend_schema(
        summary=gettext_lazy("Remove a participant from the event's list (its agency's writers)"),
        parameters=[EVENT_ID, PARTICIPANT_ID, IF_MATCH(True)],
        responses={204: None, **errors(401, 403, 404, 428), 409: LOCKED_OR_STALE},
        tags=["events"],
    )
    def delete(self, request: Request, id: int, participant_id: int) -> Response:
        scope = participants_visible_to(request.user).filter(event_id=id).select_related("event")
        participant = permissions.get_or_refuse(request, scope, pk=participant_id)
        version = _version(request, participant.event)
        participant_delete(actor=request.user, participant=participant, version=version, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- counts -----------------------------------------------------------------------------------------


def counts_of(event: Event) -> dict[str, Any]:
    """The event's participants by sex x age band, every cell of the plan given (0 where none): its
    stored counts, or for an event with a list, counted from the list in the database."""
    keys = [cell.key for cell in selectors.count_cells(event.plan).cells()]
    found = selectors.event_cells(event)
    counts = {key: found.get(key, 0) for key in keys}
    # Anything outside today's cells (an option since removed) still shows, and counts in the total.
    counts.update({key: n for key, n in found.items() if key not in counts})
    return {
        "event": event.pk,
        "participation": event.participation,
        "total": sum(found.values()),
        "counts": counts,
    }


class EventCounts(APIView):
    """How many took part, by sex x age band."""

    gate_actions = {"GET": "event.view", "PUT": "event.edit"}

    @extend_schema(
        summary=gettext_lazy("The event's participants by sex x age band (whoever sees the event)"),
        description=gettext_lazy(
            "For an event without a list, its counts; for an event with a list, counted from it. "
            "Numbers only: no person is shown."
        ),
        parameters=[EVENT_ID],
        responses={200: CountsSerializer, **errors(401, 403, 404)},
        tags=["events"],
    )
    def get(self, request: Request, id: int) -> Response:
        event = _event(request, id)
        return Response(counts_of(event), headers={"ETag": versions.etag(event)})

    @extend_schema(
        summary=gettext_lazy("Replace the counts of an event without a list (its agency's writers)"),
        description=gettext_lazy(
            "Every cell is a whole number; a cell left out has none. A cell that is not one of the "
            "plan's sex x age band cells, or a number that is not whole, is refused with 400 naming "
            "it, and nothing changes. Events that keep a list answer 400."
        ),
        parameters=[EVENT_ID, IF_MATCH(True)],
        request=CountsInputSerializer,
        responses={200: CountsSerializer, **errors(400, 401, 403, 404, 428), 409: LOCKED_OR_STALE},
        tags=["events"],
    )
    def put(self, request: Request, id: int) -> Response:
        event = _event(request, id)
        version = _version(request, event)
        form = CountsInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        counts_save(
            actor=request.user,
            event=event,
            counts=form.validated_data["counts"],
            version=version,
            request=request,
        )
        event.refresh_from_db(fields=["version"])
        return Response(counts_of(event), headers={"ETag": versions.etag(event)})


# --- topics -----------------------------------------------------------------------------------------


@extend_schema(
    summary=gettext_lazy("What events can be about (signed-in callers)"),
    responses={200: TopicSerializer, **errors(400, 401, 403)},
    tags=["events"],
)
class TopicList(generics.ListAPIView):
    """The shared list of topics; events name them by code."""

    gate_action = "event.list"
    serializer_class = TopicSerializer
    pagination_class = PageNumberPagination
    filter_backends = filter_backends()
    orderings = {"code": ("code",), "-code": ("-code",)}
    queryset = Topic.objects.order_by("position", "code")


@extend_schema(
    summary=gettext_lazy("One topic events can be about (signed-in callers)"),
    parameters=[
        OpenApiParameter(
            "code", OpenApiTypes.STR, OpenApiParameter.PATH, description=gettext_lazy("The topic's code.")
        )
    ],
    responses={200: TopicSerializer, **errors(401, 403, 404)},
    tags=["events"],
)
class TopicDetail(generics.RetrieveAPIView):
    """One topic of the shared list."""

    gate_action = "event.list"
    serializer_class = TopicSerializer
    queryset = Topic.objects.all()
    lookup_field = "code"


# --- files ------------------------------------------------------------------------------------------

FILE_ID = OpenApiParameter(
    "file_id", OpenApiTypes.INT, OpenApiParameter.PATH, description=gettext_lazy("The file's id.")
)
WHO_SEES = gettext_lazy(
    "Whoever sees the event: coordinators and evaluators every event, an agency's people the events it "
    "organised or was a partner in (another's answers 404)."
)


def _event_file(request: Request, event_id: int, file_id: int) -> EventFile:
    event = _event(request, event_id)
    scope = event_files_visible_to(request.user).select_related("uploaded_by")
    return permissions.get_or_refuse(request, scope, pk=file_id, event_id=event.pk)


class EventFiles(generics.GenericAPIView):
    """An event's files (agenda, materials): what each is."""

    gate_action = "event.view"
    serializer_class = EventFileSerializer
    pagination_class = PageNumberPagination
    filter_backends = filter_backends()
    orderings = {"id": ("id",), "-id": ("-id",)}

    def get_queryset(self) -> QuerySet[EventFile]:
        return (
            event_files_visible_to(self.request.user)
            .select_related("uploaded_by")
            .order_by("created_at", "id")
        )

    @extend_schema(
        summary=gettext_lazy("An event's files: what each is"),
        description=format_lazy("{} {}", WHO_SEES, gettext_lazy("100 per page (`?page=`).")),
        parameters=[EVENT_ID],
        responses={200: EventFileSerializer(many=True), **errors(400, 401, 403, 404)},
        tags=["events"],
    )
    def get(self, request: Request, id: int) -> Response:
        event = _event(request, id)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset().filter(event=event)))
        assert page is not None  # the API is always paginated
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class EventFileDetail(generics.GenericAPIView):
    """One of an event's files: what it is."""

    gate_action = "event.view"
    serializer_class = EventFileSerializer

    @extend_schema(
        summary=gettext_lazy("One of an event's files: what it is"),
        description=WHO_SEES,
        parameters=[EVENT_ID, FILE_ID],
        responses={200: EventFileSerializer, **errors(401, 403, 404)},
        tags=["events"],
    )
    def get(self, request: Request, id: int, file_id: int) -> Response:
        return Response(self.get_serializer(_event_file(request, id, file_id)).data)


class EventFileDownload(APIView):
    """One of an event's files, itself."""

    gate_action = "event.view"

    @extend_schema(
        summary=gettext_lazy("Download one of an event's files"),
        description=format_lazy(
            "{} {}", WHO_SEES, gettext_lazy("Sent as a private attachment; never cached.")
        ),
        parameters=[EVENT_ID, FILE_ID],
        responses=file_responses(401, 403, 404),
        tags=["events"],
    )
    def get(self, request: Request, id: int, file_id: int) -> Any:
        return _event_file(request, id, file_id).as_attachment()
