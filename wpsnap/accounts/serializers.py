"""What the REST API shows of people and the audit trail, and what it accepts.

Every serializer names its fields; anything a caller may not set is read-only. Writes go through
``wpsnap.accounts.services``: these serializers only validate the shape of the input.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wpsnap.core.models import AuditEvent

from .models import Organisation, Role, User

# --- people ---------------------------------------------------------------------------------------


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["key", "name"]
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "organisation",
            "role",
            "is_active",
            "last_login",
            "date_joined",
        ]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    needs_second_factor = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "organisation",
            "needs_second_factor",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.STR)
class OrganisationKeyField(serializers.SlugRelatedField):
    """An organisation named by its key, among the organisations of the caller's country (keys are
    unique per country only)."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("No organisation in your country has the key {value}."),
        "invalid": gettext_lazy("An organisation key is expected."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="key", **kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        actor = getattr(request, "user", None)
        country = getattr(getattr(actor, "organisation", None), "country", None)
        if country is None:
            return Organisation.objects.none()
        return Organisation.objects.filter(country=country)


class StrictSerializer(serializers.Serializer):
    """Input that names a field this serializer does not accept is refused (400, naming the field)
    rather than ignored, so that a client never believes it set something it did not: a request
    with ``is_superuser`` or ``organisation`` changes nothing at all."""

    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[str]] = {}
        if hasattr(data, "keys"):
            accepted = ", ".join(self.fields)
            for name in sorted(set(data.keys()) - set(self.fields)):
                unknown[name] = [
                    _("This field cannot be set here; the fields accepted are %(fields)s.")
                    % {"fields": accepted}
                ]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({**unknown, **exc.detail}) from exc
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class UserInviteSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    organisation = OrganisationKeyField(
        help_text=gettext_lazy("The key of the person's organisation, in the caller's country.")
    )
    role = serializers.ChoiceField(choices=Role.choices)


class UserChangeSerializer(StrictSerializer):
    """Only the role and whether the account is active change through the API. A request naming any
    other field (username, email, organisation, is_superuser, password, ...) is refused with 400 and
    changes nothing."""

    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError(_("Send role, is_active or both."))
        return attrs


# --- the audit trail --------------------------------------------------------------------------------


class AuditChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    # Absent (not null) when there is no value: "old" of a creation, "new" of a deletion.
    old = serializers.JSONField(required=False)
    new = serializers.JSONField(required=False)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor_label", help_text=gettext_lazy("The user name, as recorded at the time.")
    )
    changes = AuditChangeSerializer(many=True)

    class Meta:
        model = AuditEvent
        # The IP address and the requested path stay out of the API: the audit pages show them.
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_label",
            "changes",
            "note",
            "count",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "count": {
                "help_text": gettext_lazy(
                    "How many like events this line stands for: an anonymous caller refused the same "
                    "action again from one address within an hour is counted here, not written again."
                )
            }
        }
