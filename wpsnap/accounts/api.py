"""The REST API of people and the audit trail: /api/v1/me/, /api/v1/users/, /api/v1/audit/.

Thin views: each names its action for the permission gate (``wpsnap.accounts.drf.Gate``), reads
through a scope of ``wpsnap.accounts.permissions`` and writes through ``wpsnap.accounts.services``.
Also the pieces every app's API shares: one shape for refused input (``{"errors": ["field: ..."]}``)
and the documented error responses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import django_filters
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.exceptions import AuthenticationFailed, ParseError, Throttled, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView, exception_handler, set_rollback

from wpsnap.core import params, versions
from wpsnap.core.errors import InvalidInput
from wpsnap.core.models import AuditAction, AuditEvent

from . import permissions, services
from .drf import Gate
from .models import User
from .serializers import (
    AuditEventSerializer,
    ConflictSerializer,
    DetailSerializer,
    ErrorsSerializer,
    MeSerializer,
    UserChangeSerializer,
    UserInviteSerializer,
    UserSerializer,
)

# --- shared by every app's API ----------------------------------------------------------------------


def problems(detail: Any, field: str = "") -> list[str]:
    """DRF's nested error detail as flat messages, each naming its field ("organisation: ...")."""
    if isinstance(detail, dict):
        found: list[str] = []
        for key, value in detail.items():
            name = "" if key == api_settings.NON_FIELD_ERRORS_KEY else str(key)
            found += problems(value, f"{field}.{name}" if field and name else (name or field))
        return found
    if isinstance(detail, list):
        return [message for item in detail for message in problems(item, field)]
    return [f"{field}: {detail}" if field else str(detail)]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with refused input in one shape whether a serializer, a filter or a service
    refused it, or the body is too large to read: 400 ``{"errors": [...]}``. A wrong, revoked or expired token is refused before the
    permission gate runs, so it is written to the audit trail here. Too many refusals from one address answer
    429 in the same shape, with ``Retry-After`` (``accounts.throttle``)."""
    if isinstance(exc, AuthenticationFailed):
        try:
            permissions.refuse_quietly(context.get("request"), "api.authenticate")
        except Throttled as throttled:  # too many refusals from this address: 429, nothing audited
            exc = throttled
    if isinstance(exc, InvalidInput):
        set_rollback()
        return Response({"errors": list(exc.problems)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, versions.StaleWrite):
        set_rollback()
        return conflict_response(exc)
    if isinstance(exc, versions.PreconditionRequired):
        return Response({"errors": [str(exc)]}, status=status.HTTP_428_PRECONDITION_REQUIRED)
    if isinstance(exc, RequestDataTooBig):
        # Django's own answer is a bare HTML page; a view may say what to send instead.
        limit = {"mb": max(1, settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024))}
        message = getattr(context.get("view"), "too_large_message", None) or _(
            "body: the request is larger than %(mb)d MB."
        )
        return Response({"errors": [str(message) % limit]}, status=status.HTTP_400_BAD_REQUEST)
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        response.data = {"errors": problems(exc.detail)}
    if response is not None and isinstance(exc, ParseError):
        # A body that is not JSON (or not the form it says it is) is refused input like any other.
        response.data = {"errors": [f"body: {exc.detail}"]}
    if response is not None and isinstance(exc, Throttled):
        response.data = {"errors": [str(exc.detail)]}  # DRF has set Retry-After
    return response


def conflict_response(exc: versions.StaleWrite, name: Callable[[str], str] = str) -> Response:
    """409 for a stale write: the one error shape, plus the version stored now and each field in
    conflict (named by ``name``, the API's name of a field key) with both values."""
    conflicts = [{"field": name(c.key), "current": c.current, "yours": c.yours} for c in exc.conflicts]
    messages = [str(exc)] + [
        _("%(field)s: changed by someone else since your version.") % {"field": row["field"]}
        for row in conflicts
    ]
    return Response(
        {"errors": messages, "version": exc.current_version, "conflicts": conflicts},
        status=status.HTTP_409_CONFLICT,
        headers={"ETag": f'"{exc.current_version}"'},
    )


def if_match(request: Request, obj: Any) -> int:
    """The version an API write changes, from its ``If-Match`` header (428 without one, 400 for a
    header that is not one of our ETags)."""
    try:
        return versions.if_match_version(request.headers.get("If-Match"), obj)
    except ValueError:
        raise InvalidInput(
            [str(_('If-Match: not an ETag of this record; send the ETag a GET gave, e.g. If-Match: "3".'))]
        ) from None


class GateAutoSchema(AutoSchema):
    """The schema of an endpoint: an endpoint the permission gate opens to anonymous callers is
    documented as needing no credentials (an empty security requirement)."""

    def get_auth(self) -> list[dict[str, Any]]:
        auths = super().get_auth()
        # The generator gives the view a request with the operation's method, as the gate expects.
        action = Gate()._action(self.view.request, self.view)
        if action is not None and permissions.can(AnonymousUser(), action):
            auths.append({})
        return auths


# Mixed into every API view, first, so that its hook and schema win. No docstring: the schema would
# show it as the description of every endpoint.
class ApiDefaults:
    schema = GateAutoSchema()

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return api_exception_handler


_ERRORS = {
    400: OpenApiResponse(
        ErrorsSerializer, description=_("The input was refused; each problem names its field.")
    ),
    401: OpenApiResponse(
        DetailSerializer, description=_("No credentials where they are needed, or a wrong token.")
    ),
    403: OpenApiResponse(DetailSerializer, description=_("The caller's role does not allow this.")),
    404: OpenApiResponse(DetailSerializer, description=_("No such object among those the caller may see.")),
    409: OpenApiResponse(
        ConflictSerializer,
        description=_(
            "Made on an older version (If-Match) and changing what another write changed since: nothing "
            "was saved. GET the record again, or send your change with the new ETag."
        ),
    ),
    428: OpenApiResponse(
        ErrorsSerializer, description=_("No If-Match header: send the ETag of the version you change.")
    ),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses ``codes``, for ``extend_schema(responses={200: ..., **errors(...)})``."""
    return {code: _ERRORS[code] for code in codes}


# --- the caller -------------------------------------------------------------------------------------


class MeView(ApiDefaults, APIView):
    """The account the request is authenticated as."""

    gate_action = "account.view"

    @extend_schema(
        operation_id="me_retrieve",
        summary=_("The caller's own account"),
        responses={200: MeSerializer, **errors(401)},
        tags=["accounts"],
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


# --- people -----------------------------------------------------------------------------------------

USER_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The account's id."))


@extend_schema_view(
    list=extend_schema(
        summary=_("Everyone's accounts (coordinators only)"),
        responses={200: UserSerializer, **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary=_("One account: any for a coordinator, one's own for everyone else"),
        parameters=[USER_ID],
        responses={200: UserSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary=_("Invite a person (coordinators only)"),
        description=_(
            "Creates an account without a password and e-mails its owner a one-time link to choose one. "
            "Nobody grants a role above their own (403); the role must fit the organisation's kind (400)."
        ),
        request=UserInviteSerializer,
        responses={201: UserSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary=_("Change a person's role or deactivate/reactivate the account (coordinators only)"),
        description=_(
            "Only `role` and `is_active` can change; a request naming any other field is refused with "
            "400 and changes nothing. Nobody changes their own account here (403). A role change and "
            "deactivation end the person's sessions and API token. `If-Match` is required (428 without "
            "it): the `ETag` a GET gave; when the role or the status changed since, nothing changes and "
            "the answer is 409."
        ),
        parameters=[
            USER_ID,
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description=_("The ETag of the account as you read it, or `*`."),
            ),
        ],
        request=UserChangeSerializer,
        responses={
            200: UserSerializer,
            **errors(400, 401, 403, 404, 428),
            409: OpenApiResponse(
                ErrorsSerializer,
                description=_("The account changed since the ETag you sent: nothing changed."),
            ),
        },
    ),
)
@extend_schema(tags=["accounts"])
class UserViewSet(ApiDefaults, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """People's accounts. Coordinators see and manage everyone's; everyone else sees only their own
    (another person's id answers 404)."""

    serializer_class = UserSerializer
    lookup_value_regex = r"[0-9]+"
    # Retrieving needs a signed-in caller; which account is the object check "user.view" below.
    gate_actions = {
        "list": "user.list",
        "retrieve": "account.view",
        "create": "user.invite",
        "partial_update": "user.change",
    }

    def get_queryset(self) -> QuerySet[User]:
        return permissions.users_visible_to(self.request.user).order_by("username")

    def get_object(self) -> User:
        user = permissions.get_or_refuse(self.request, self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, user)
        if self.action == "retrieve":
            permissions.require(self.request, "user.view", user)
        return user

    def create(self, request: Request) -> Response:
        form = UserInviteSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        user = services.user_invite(
            actor=request.user,
            **form.validated_data,
            base_url=request.build_absolute_uri("/")[:-1],
            request=request,
        )
        return Response(self.get_serializer(user).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        return Response(self.get_serializer(user).data, headers={"ETag": _account_etag(user)})

    def partial_update(self, request: Request, pk: str) -> Response:
        user = self.get_object()
        form = UserChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # Who may change the account says which state of it they change: a role or status changed by
        # someone else since is not silently overwritten.
        if permissions.can(request.user, "user.change", user):
            sent = request.headers.get("If-Match")
            if not sent:
                raise versions.PreconditionRequired(
                    _('If-Match: send the ETag of the account as you read it (GET it first), or "*".')
                )
            if sent.strip() != "*" and sent.strip() != _account_etag(user):
                return Response(
                    {
                        "errors": [
                            str(_("The account changed since you read it: nothing changed. GET it again."))
                        ]
                    },
                    status=status.HTTP_409_CONFLICT,
                    headers={"ETag": _account_etag(user)},
                )
        # No transaction around both: the role change checks everything the status change does, so
        # once it has passed the second cannot be refused (and a refusal's audit line must survive).
        if "role" in form.validated_data:
            user = services.user_change_role(
                actor=request.user, user=user, role=form.validated_data["role"], request=request
            )
        if "is_active" in form.validated_data:
            user = services.user_set_active(
                actor=request.user, user=user, active=form.validated_data["is_active"], request=request
            )
        return Response(self.get_serializer(user).data, headers={"ETag": _account_etag(user)})


def _account_etag(user: User) -> str:
    """What a change of an account depends on (its role, status and organisation), as an ETag."""
    state = f"{user.role}|{user.is_active}|{user.organisation_id or ''}"
    return '"a-' + hashlib.sha256(state.encode()).hexdigest()[:16] + '"'


# --- the audit trail --------------------------------------------------------------------------------


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    object_type = params.TextFilter(help_text=_('The kind of object, e.g. "accounts.user".'))
    object_id = params.TextFilter()
    actor = params.TextFilter(field_name="actor_label", help_text=_("The user name, as recorded."))
    q = params.TextFilter(
        method="search", help_text=_("Text in the object's label, the user name or the note.")
    )
    since = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", help_text=_("From this day on (YYYY-MM-DD).")
    )
    until = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", help_text=_("Up to and including this day (YYYY-MM-DD).")
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "object_type", "object_id", "actor", "q", "since", "until"]

    def search(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        return queryset.filter(
            Q(object_label__icontains=value) | Q(actor_label__icontains=value) | Q(note__icontains=value)
        )


@extend_schema(
    summary=_("The audit trail, newest first (coordinators only)"),
    responses={200: AuditEventSerializer, **errors(400, 401, 403)},
    tags=["accounts"],
)
class AuditEventList(ApiDefaults, generics.ListAPIView):
    """Who did what to which object, and when: sign-ins, refused access, invitations, role changes and
    every change to the data, newest first."""

    gate_action = "audit.view"
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    queryset = AuditEvent.objects.order_by("-at", "-id")
