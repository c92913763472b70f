"""The REST API of people and the audit trail: /api/v1/me/, /api/v1/users/, /api/v1/audit/.

Thin views: each names its action for the permission gate (``wpsnap.accounts.drf.Gate``), reads
through a scope of ``wpsnap.accounts.permissions`` and writes through ``wpsnap.accounts.services``.
What every app's API shares (the error handler and body, the documented errors) is ``wpsnap.core.api``'s.
"""

from __future__ import annotations

import hashlib
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wpsnap.core import params, versions
from wpsnap.core.api import error, errors
from wpsnap.core.errors import WpsnapError
from wpsnap.core.models import AuditAction, AuditEvent

from . import permissions, services
from .filters import PageNumberPagination, filter_backends
from .models import Role, User
from .serializers import (
    AuditEventSerializer,
    MeSerializer,
    UserChangeSerializer,
    UserInviteSerializer,
    UserSerializer,
)

# --- the caller -------------------------------------------------------------------------------------


class MeView(APIView):
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


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    organisation = params.TextFilter(field_name="organisation__key", help_text=_("The organisation's key."))
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = User
        fields = ["role", "organisation", "is_active"]


@extend_schema_view(
    list=extend_schema(
        summary=_("Everyone's accounts (coordinators only)"),
        description=_(
            "By user name; filter with `?role=`, `?organisation=`, `?is_active=`; 100 per page (`?page=`)."
        ),
        responses={200: UserSerializer, **errors(400, 401, 403)},
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
            409: error(409, _("The account changed since the ETag you sent: nothing changed.")),
        },
    ),
)
@extend_schema(tags=["accounts"])
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """People's accounts. Coordinators see and manage everyone's; everyone else sees only their own
    (another person's id answers 404)."""

    serializer_class = UserSerializer
    filterset_class = UserFilter
    pagination_class = PageNumberPagination
    filter_backends = filter_backends()
    orderings = {"id": ("id",), "-id": ("-id",), "username": ("username",), "-username": ("-username",)}
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
                    _('Send the ETag of the account as you read it (GET it first), or "*".')
                )
            if sent.strip() != "*" and sent.strip() != _account_etag(user):
                raise AccountChanged(etag=_account_etag(user))
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


class AccountChanged(WpsnapError):
    """A change of an account made on an older state of it (its role, status or organisation): 409."""

    status = 409
    code = "stale"

    def __init__(self, *, etag: str) -> None:
        super().__init__(_("The account changed since you read it: nothing changed. GET it again."))
        self.etag = etag

    def headers(self) -> dict[str, str]:
        return {"ETag": self.etag}


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
class AuditEventList(generics.ListAPIView):
    """Who did what to which object, and when: sign-ins, refused access, invitations, role changes and
    every change to the data, newest first."""

    gate_action = "audit.view"
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    pagination_class = PageNumberPagination
    filter_backends = filter_backends()
    orderings = {"id": ("id",), "-id": ("-id",)}
    queryset = AuditEvent.objects.order_by("-at", "-id")
