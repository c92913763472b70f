"""What the REST API shows of events, participants, counts and derived values, and what it accepts.

Every serializer names its fields; output serializers are read-only. Input serializers only check the
shape of a request (``StrictSerializer``: a field they do not name is refused, so the organiser, the
plan of an existing event or ``created_by`` can never be set); the rules are checked, and the writes
made, by ``wpsnap.registries.services``, which name each problem by its field or row.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from wpsnap.accounts.serializers import StrictSerializer
from wpsnap.plan.serializers import NamedChoiceField
from wpsnap.reporting.serializers import (
    ActivityRefSerializer,
    AgencyRefSerializer,
    PeriodRefSerializer,
    PersonField,
)

from .models import (
    TEXT_MAX,
    Event,
    EventFile,
    EventFilePurpose,
    EventKind,
    Participant,
    Participation,
    Topic,
)

# --- events ---------------------------------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer):
    """An event with what it was about, who organised it, and how many took part."""

    plan = serializers.CharField(
        source="plan.slug", read_only=True, help_text=gettext_lazy("The plan's slug.")
    )
    activities = ActivityRefSerializer(many=True, read_only=True)
    organiser = AgencyRefSerializer(read_only=True)
    partners = AgencyRefSerializer(many=True, read_only=True)
    kind = NamedChoiceField(EventKind.choices, enum_name="EventKindEnum", read_only=True)
    topics = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code", help_text=gettext_lazy("The topics' codes.")
    )
    participation = NamedChoiceField(Participation.choices, enum_name="ParticipationEnum", read_only=True)
    # Set for the whole page by the API (``selectors.event_totals``).
    participants = serializers.IntegerField(
        source="participants_total",
        read_only=True,
        help_text=gettext_lazy("How many took part: the rows of the list, or the sum of the counts."),
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "version",
            "plan",
            "activities",
            "organiser",
            "partners",
            "kind",
            "title",
            "topics",
            "other_topics",
            "starts_on",
            "ends_on",
            "district",
            "place",
            "content",
            "outcomes",
            "issues_raised",
            "answers_given",
            "participation",
            "participants",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EventInputSerializer(StrictSerializer):
    """An event as a client writes it. On PATCH a field left out is left as it was."""

    kind = NamedChoiceField(EventKind.choices, enum_name="EventKindEnum")
    title = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    activities = serializers.ListField(
        child=serializers.CharField(max_length=64),
        allow_empty=False,
        help_text=gettext_lazy(
            "The activities the event implements, each by its key (“5.1.2-3”) or published number "
            "(“5.1.2.3”), in the event's plan."
        ),
    )
    topics = serializers.ListField(
        child=serializers.CharField(max_length=60),
        required=False,
        help_text=gettext_lazy("The topics' codes (see /api/v1/topics/)."),
    )
    partners = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        help_text=gettext_lazy("The partner organisations' keys."),
    )
    other_topics = serializers.CharField(max_length=300, required=False, allow_blank=True)
    district = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("A district's code (an option of the plan's district dimension)."),
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    # As long as the event's form takes, so that an event recorded here can be changed there.
    content = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    outcomes = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    issues_raised = serializers.CharField(
        max_length=TEXT_MAX,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Consultations and surveys only: what people raised."),
    )
    answers_given = serializers.CharField(
        max_length=TEXT_MAX,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Consultations and surveys only: the answers they were given."),
    )
    participation = NamedChoiceField(
        Participation.choices,
        enum_name="ParticipationEnum",
        required=False,
        help_text=gettext_lazy("list (one row per person, the default) or counts (by sex and age band)."),
    )


class EventCreateSerializer(EventInputSerializer):
    """A new event of the caller's agency (the organiser is always the caller's agency)."""

    plan = serializers.CharField(
        max_length=64,
        required=False,
        help_text=gettext_lazy("The plan's slug; by default the latest plan the caller may see."),
    )


# --- participants ---------------------------------------------------------------------------------


class ParticipantSerializer(serializers.ModelSerializer):
    """One person at the event. ``name`` is there only for coordinators: reading it through the API
    is an export, and names leave the platform only by a coordinator's hand."""

    organisation_or_position = serializers.CharField(source="affiliation", read_only=True)
    # Not read-only so that the schema documents it as optional (it is left out for most callers);
    # this serializer only ever writes responses.
    name = serializers.CharField(
        required=False,
        help_text=gettext_lazy("Only in coordinators' reads, and only where the person consented."),
    )

    class Meta:
        model = Participant
        fields = [
            "id",
            "sex",
            "age",
            "age_band",
            "population_group",
            "district",
            "organisation_or_position",
            "consent",
            "name",
        ]
        read_only_fields = [f for f in fields if f != "name"]

    def to_representation(self, instance: Participant) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("with_names"):
            data.pop("name", None)
        return data


class ParticipantRowsSerializer(StrictSerializer):
    """Participants as records, one per person, with the template's columns."""

    rows = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        help_text=gettext_lazy(
            "One object per person, with the template's columns: sex, age, age_band, "
            "population_group, district, organisation_or_position, name, consent."
        ),
    )
    replace = serializers.BooleanField(
        default=False, help_text=gettext_lazy("Make these rows the event's whole list (default: add them).")
    )
    allow_duplicate = serializers.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "Add the rows even if an earlier import into this event brought the same rows (default: such "
            "an import is refused with 409, code `duplicate`)."
        ),
    )


class ParticipantFileSerializer(StrictSerializer):
    """Participants in a file made from the template (CSV or XLSX, judged by its content)."""

    file = serializers.FileField()
    replace = serializers.BooleanField(
        default=False, help_text=gettext_lazy("Make the file the event's whole list (default: add it).")
    )
    allow_duplicate = serializers.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "Add the file's rows even if an earlier import into this event brought the same rows "
            "(default: such an import is refused with 409, code `duplicate`)."
        ),
    )


class ParticipantsImportQueuedSerializer(serializers.Serializer):
    job = serializers.UUIDField(help_text=gettext_lazy("The background task's id."))
    status = serializers.CharField(help_text=gettext_lazy("The task's state: `queued` at first."))
    url = serializers.URLField(
        help_text=gettext_lazy(
            "The task's page, for a person (the `Location` header is the task in the API)."
        )
    )
    rows = serializers.IntegerField(help_text=gettext_lazy("About how many rows the file holds."))


class ParticipantsAddedSerializer(serializers.Serializer):
    added = serializers.IntegerField(help_text=gettext_lazy("The rows added."))
    replaced = serializers.BooleanField(help_text=gettext_lazy("Whether they replaced the list."))
    batch = serializers.IntegerField(help_text=gettext_lazy("The import batch's id (in the audit trail)."))
    participants = serializers.IntegerField(help_text=gettext_lazy("The event's participants now."))


# --- counts ---------------------------------------------------------------------------------------


class CountsSerializer(serializers.Serializer):
    event = serializers.IntegerField(help_text=gettext_lazy("The event's id."))
    participation = NamedChoiceField(Participation.choices, enum_name="ParticipationEnum")
    total = serializers.IntegerField()
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=gettext_lazy(
            'Participants by cell ("sex:women|age:18-24"), every sex x age band cell of the plan; '
            "for an event with a list, counted from the list."
        ),
    )


class CountsInputSerializer(StrictSerializer):
    counts = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=12),
        help_text=gettext_lazy(
            'Participants by cell ("sex:women|age:18-24"), whole numbers; a cell left out, blank or 0 '
            "has none. Replaces the event's counts."
        ),
    )


# --- topics and derived values --------------------------------------------------------------------


class TopicSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = ["code", "name", "position"]
        read_only_fields = fields

    def get_name(self, topic: Topic) -> str:
        return str(topic.tr("name"))


class DerivedCellSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text=gettext_lazy("The indicator's key."))
    cell = serializers.CharField(help_text=gettext_lazy('The cell\'s key; "" is the total.'))
    derived = serializers.IntegerField(help_text=gettext_lazy("What the agency's events say."))
    reported = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=True,
        help_text=gettext_lazy("What the agency's reports for the period say; null where they say nothing."),
    )


class DerivedIndicatorSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text=gettext_lazy("The indicator's key."))
    measure = serializers.CharField(help_text=gettext_lazy("participants or events."))
    events = serializers.IntegerField(help_text=gettext_lazy("The events that count for it."))
    total_only = serializers.IntegerField(
        help_text=gettext_lazy(
            "Participants counted in the total only (their breakdown is not in the indicator's)."
        )
    )


class DerivedSerializer(serializers.Serializer):
    agency = AgencyRefSerializer()
    period = PeriodRefSerializer()
    indicators = DerivedIndicatorSerializer(many=True)
    values = DerivedCellSerializer(many=True)


class EventFileSerializer(serializers.ModelSerializer):
    """An event's agenda or materials: what the file is; the file itself is at ``file``."""

    event = serializers.IntegerField(source="event_id", read_only=True)
    purpose = NamedChoiceField(EventFilePurpose.choices, enum_name="EventFilePurposeEnum", read_only=True)
    name = serializers.CharField(
        source="download_name", read_only=True, help_text=gettext_lazy("The name it downloads as.")
    )
    kind = serializers.CharField(read_only=True, help_text=gettext_lazy("Its type, judged by its content."))
    size = serializers.IntegerField(read_only=True, help_text=gettext_lazy("In bytes."))
    sha256 = serializers.CharField(read_only=True)
    uploaded_by = PersonField()
    uploaded_at = serializers.DateTimeField(source="created_at", read_only=True)
    file = serializers.SerializerMethodField(help_text=gettext_lazy("Where to download it."))

    class Meta:
        model = EventFile
        fields = [
            "id",
            "event",
            "purpose",
            "name",
            "kind",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "file",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_file(self, stored: EventFile) -> str:
        return reverse(
            "api:event-file-download",
            kwargs={"id": stored.event_id, "file_id": stored.pk},
            request=self.context.get("request"),
        )
