"""Events (trainings, awareness-raising, consultations, ...) and their participants, and the rules
that derive indicator values from them.

Participants are personal data of possibly vulnerable people: minimal fields, consent recorded, no
history table (that would copy them), never in logs. Their changes are audited by import batch,
with counts only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wpsnap.accounts.models import Organisation
from wpsnap.core.models import StoredFile, TimeStampedModel, TranslatedModel, VersionedModel
from wpsnap.plan.models import Activity, Indicator, Plan


class EventKind(models.TextChoices):
    TRAINING = "training", _("Training")
    AWARENESS = "awareness", _("Awareness-raising")
    CONSULTATION = "consultation", _("Consultation or meeting")
    SURVEY = "survey", _("Survey")
    MEDIA_CAMPAIGN = "media_campaign", _("Media campaign")
    OTHER = "other", _("Other")


# The kinds that make up the dialogue mechanism of 5.2.2.1 (consultations with IDP women): they
# record the issues raised and the answers given.
DIALOGUE_KINDS = (EventKind.CONSULTATION, EventKind.SURVEY)


# The longest text an event's content, outcomes, issues raised or answers given may be (forms, API and
# services agree on it).
TEXT_MAX = 5000


class Participation(models.TextChoices):
    LIST = "list", _("A list of participants (one row per person)")
    COUNTS = "counts", _("Counts by sex and age band (no list kept)")


class Topic(TimeStampedModel, TranslatedModel):
    """What an event was about (UNSCR 1325, CEDAW, mediation, ...). A shared reference list."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return str(self.tr("name"))


class Event(VersionedModel, TimeStampedModel):
    """Something an agency organised to implement one or more of the plan's activities."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    activities = models.ManyToManyField(Activity, related_name="events", verbose_name=_("activities"))
    organiser = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="events_organised", verbose_name=_("organiser")
    )
    partners = models.ManyToManyField(
        Organisation, related_name="events_partnered", blank=True, verbose_name=_("partner organisations")
    )
    kind = models.CharField(_("type"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    topics = models.ManyToManyField(Topic, related_name="events", blank=True, verbose_name=_("topics"))
    other_topics = models.CharField(_("other topics"), max_length=300, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    # An option code of the plan's "district" dimension; empty for national or online events.
    district = models.CharField(_("district"), max_length=40, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    content = models.TextField(_("content"), blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    # The dialogue mechanism (consultations and surveys): what people raised and what they were told.
    issues_raised = models.TextField(_("issues raised"), blank=True)
    answers_given = models.TextField(_("answers given"), blank=True)
    participation = models.CharField(
        _("participants recorded as"),
        max_length=10,
        choices=Participation.choices,
        default=Participation.LIST,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "version", "field_versions"])

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="event_dates_ordered"
            ),
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.CheckConstraint(
                condition=Q(participation__in=Participation.values), name="event_participation_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "organiser", "starts_on"], name="event_plan_org_start_idx"),
            models.Index(fields=["plan", "starts_on"], name="event_plan_start_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_dialogue(self) -> bool:
        return self.kind in DIALOGUE_KINDS


def _event_file_name(instance: EventFile, filename: str) -> str:
    # Server-made names only; the uploaded name is kept as data, never as a path.
    return f"events/{instance.event_id}/{uuid.uuid4().hex}"


class EventFilePurpose(models.TextChoices):
    AGENDA = "agenda", _("Agenda")
    MATERIALS = "materials", _("Materials")
    OTHER = "other", _("Other")


class EventFile(StoredFile):
    """The event's agenda or materials: stored outside the web root, served only through the gate."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="files")
    purpose = models.CharField(
        _("what it is"), max_length=20, choices=EventFilePurpose.choices, default=EventFilePurpose.MATERIALS
    )
    file = models.FileField(_("file"), upload_to=_event_file_name)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("event file")
        verbose_name_plural = _("event files")
        ordering = ["event", "created_at"]


class ImportSource(models.TextChoices):
    FORM = "form", _("Typed in")
    CSV = "csv", _("CSV file")
    XLSX = "xlsx", _("Excel file")
    PASTE = "paste", _("Pasted rows")
    API = "api", _("API")


class ParticipantImport(models.Model):
    """Append-only: one row per batch of participants added (by file, paste, form or API). The audit
    trail points here; it carries counts, never people."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="imports")
    source = models.CharField(_("source"), max_length=10, choices=ImportSource.choices)
    replaced = models.BooleanField(_("replaced the list"), default=False)
    rows = models.PositiveIntegerField(_("rows"))
    sha256 = models.CharField(_("checksum"), max_length=64, blank=True)
    # What the rows say once read and checked (services.participants.RowsFingerprint): the same people in
    # any order, spelling or file format give the same fingerprint; an import of rows an earlier import
    # of the event still holds is refused unless the person chose to replace the list or add them anyway.
    fingerprint = models.CharField(_("fingerprint of the rows"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("participant import")
        verbose_name_plural = _("participant imports")
        ordering = ["event", "at", "id"]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.rows} ({self.source})"


class Participant(models.Model):
    """One person at one event. Codes are option codes of the plan's dimensions. ``age_band`` is
    always set (from ``age`` when the age is known). ``name`` is optional and kept only with consent."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    # Which import brought the row: provenance only. No database constraint or index, because a
    # second foreign-key check on every row of a million-row import doubles its cost (bench/README.md);
    # batches are append-only and go only with their event, which takes its participants with it.
    batch = models.ForeignKey(
        ParticipantImport,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    sex = models.CharField(_("sex"), max_length=20)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    age_band = models.CharField(_("age band"), max_length=20)
    population_group = models.CharField(_("population group"), max_length=40, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True)
    affiliation = models.CharField(_("organisation or position"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    consent = models.BooleanField(_("consent given"), default=False)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["event", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(age__isnull=True) | Q(age__lte=120), name="participant_age_range"
            ),
            models.CheckConstraint(
                condition=Q(name="") | Q(consent=True), name="participant_name_needs_consent"
            ),
        ]

    def __str__(self) -> str:
        # Never the name: this string reaches admin pages, audit labels and logs.
        return f"participant {self.pk} of event {self.event_id}"


class ParticipantCount(models.Model):
    """Where no list is kept: the number of participants in one sex x age band cell, in the one cell
    shape ("sex:women|age:18-24"). The total is their sum."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="counts")
    cell = models.CharField(_("cell"), max_length=200)
    value = models.PositiveIntegerField(_("participants"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant count")
        verbose_name_plural = _("participant counts")
        constraints = [models.UniqueConstraint(fields=["event", "cell"], name="count_one_per_cell")]

    def __str__(self) -> str:
        return f"{self.event_id} [{self.cell}] = {self.value}"


class Measure(models.TextChoices):
    PARTICIPANTS = "participants", _("Participants, by the indicator's breakdown")
    EVENTS = "events", _("Number of events")


class DerivationRule(TimeStampedModel):
    """Binds an indicator to event data: which event types and topics count, and what is counted.
    Events count for the organising agency, in the period their first day falls in."""

    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, related_name="derivation")
    measure = models.CharField(_("what is counted"), max_length=20, choices=Measure.choices)
    kinds = models.JSONField(_("event types"), default=list, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="+", verbose_name=_("topics"))

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("derivation rule")
        verbose_name_plural = _("derivation rules")
        constraints = [
            models.CheckConstraint(condition=Q(measure__in=Measure.values), name="rule_measure_valid")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.measure}"


# --- the registries of issue 14 (kinds: ``wpsnap.registries.kinds``) ------------------------------------


class RecordImport(models.Model):
    """Append-only: one row per import of a registry's rows (file, paste, API). Counts only, never the
    rows. ``fingerprint`` says what the rows said once read and checked (the same rows in any order or
    file format give the same one): a file already imported into the same registry and plan, whose
    records are still there, is refused unless the person chooses to add it anyway."""

    kind = models.CharField(_("registry"), max_length=60)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=ImportSource.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("records added"), default=0)
    updated = models.PositiveIntegerField(_("records changed"), default=0)
    unchanged = models.PositiveIntegerField(_("records unchanged"), default=0)
    sha256 = models.CharField(_("checksum"), max_length=64, blank=True)
    fingerprint = models.CharField(_("fingerprint of the rows"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "plan", "fingerprint"], name="record_import_fingerprint_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=ImportSource.values), name="record_import_source_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} import {self.pk}: {self.rows} ({self.source})"


class RegistryRule(TimeStampedModel):
    """Binds an indicator to a registry's count (``RegistryKind.counts``, by key), like the events'
    derivation rules: its value for an agency and a period is derived from the agency's records."""

    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, related_name="registry_rule")
    kind = models.CharField(_("registry"), max_length=60)
    count = models.CharField(_("what is counted"), max_length=60)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("registry rule")
        verbose_name_plural = _("registry rules")

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.kind} {self.count}"


def _record_file_name(instance: RecordFile, filename: str) -> str:
    # Server-made names only; the uploaded name is kept as data, never as a path.
    return f"registries/{instance.registry}/{instance.record_ref}/{uuid.uuid4().hex}"


class RecordFile(StoredFile):
    """A file a registry record carries (``RegistryKind.files``: a media item's article or recording),
    stored outside the web root and served only through the gate. Points at its record by registry and
    ``ref`` (records of every registry carry files here; the record's deletion takes them)."""

    # The registry's name (``kind`` is the file's type, as for every stored file).
    registry = models.CharField(_("registry"), max_length=60)
    record_ref = models.UUIDField(_("record id"), db_index=True)
    file = models.FileField(_("file"), upload_to=_record_file_name, max_length=200)

    class Meta:
        verbose_name = _("registry file")
        verbose_name_plural = _("registry files")
        ordering = ["registry", "record_ref", "created_at", "id"]
