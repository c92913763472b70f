"""Reporting periods, disaggregation (dimensions, options, breakdowns), progress reports and what
they carry: indicator values in one cell shape, qualitative answers, financing, evidence, comments,
transitions and versions."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wpsnap.accounts.models import Organisation
from wpsnap.core.models import StoredFile, TimeStampedModel, TranslatedModel, VersionedModel
from wpsnap.plan.models import Activity, Indicator, Plan

from .workflow import STATUS_LABELS, Status

# A breakdown may not have more cells than this (DHIS2's users learned to keep combinations small).
MAX_CELLS = 60


class ReportingPeriod(TimeStampedModel):
    """A period agencies report for. Locked once the coordinator has approved it; only a coordinator
    re-opens it, with a reason (recorded in the audit trail)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reporting_periods")
    label = models.CharField(_("label"), max_length=60)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    opens_on = models.DateField(_("reporting opens"))
    due_on = models.DateField(_("reports due"))
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["plan", "start"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "start", "end"], name="period_unique_dates"),
            models.UniqueConstraint(fields=["plan", "label"], name="period_unique_label"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="period_ordered"),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("opens_on")), name="period_due_after_open"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def year(self) -> int:
        return self.start.year


class Dimension(TimeStampedModel, TranslatedModel):
    """A way to break a figure down: sex, age band, population group, district, service."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="dimension_unique_code")]

    def __str__(self) -> str:
        return self.tr("name")


class DimensionOption(TimeStampedModel, TranslatedModel):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="options")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["dimension", "position"]
        constraints = [models.UniqueConstraint(fields=["dimension", "code"], name="option_unique_code")]

    def __str__(self) -> str:
        return self.tr("name")


class Breakdown(TimeStampedModel):
    """An ordered set of dimensions an indicator is reported by (sex x age band), versioned: once
    values use a version it is never edited; a change makes the next version."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="breakdowns")
    code = models.SlugField(_("code"), max_length=80)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    dimensions = models.ManyToManyField(Dimension, through="BreakdownDimension", related_name="breakdowns")

    class Meta:
        verbose_name = _("breakdown")
        verbose_name_plural = _("breakdowns")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code", "version"], name="breakdown_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class BreakdownDimension(models.Model):
    breakdown = models.ForeignKey(Breakdown, on_delete=models.CASCADE, related_name="parts")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    # The option codes this version uses, in order: a snapshot, so that adding an option to the
    # dimension later makes a new breakdown version instead of changing this one under its data.
    options = models.JSONField(_("options"), default=list)

    class Meta:
        ordering = ["breakdown", "position"]
        constraints = [
            models.UniqueConstraint(fields=["breakdown", "dimension"], name="breakdown_dimension_once")
        ]

    def __str__(self) -> str:
        return f"{self.breakdown} {self.position}: {self.dimension_id}"


class IndicatorBreakdown(TimeStampedModel):
    """Which breakdown (version) an indicator is reported by now. Values keep the version they used."""

    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, related_name="reporting")
    breakdown = models.ForeignKey(
        Breakdown, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("indicator breakdown")
        verbose_name_plural = _("indicator breakdowns")


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DELAYED = "delayed", _("Delayed")
    CANCELLED = "cancelled", _("Cancelled")


class ProgressReport(VersionedModel, TimeStampedModel):
    """One agency's report on one activity for one period."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reports")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="reports")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="reports")
    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(
        _("review status"),
        max_length=20,
        choices=[(s.value, STATUS_LABELS[s]) for s in Status],
        default=Status.DRAFT,
    )
    progress = models.CharField(
        _("implementation status"),
        max_length=20,
        choices=ProgressStatus.choices,
        default=ProgressStatus.NOT_STARTED,
    )
    done = models.TextField(_("what was done"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    started_on = models.DateField(_("work started on"), null=True, blank=True)
    finished_on = models.DateField(_("work finished on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="reports_created"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    # The version bookkeeping is not history of its own: every version's content is.
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "version", "field_versions"])

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = [
            "period__start",
            "activity__priority_area__position",
            "activity__position",
            "agency__name",
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "agency", "period"], name="report_one_per_agency_period"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="report_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress__in=ProgressStatus.values), name="report_progress_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "status"], name="report_plan_status_idx"),
            # The keyset sort keys of the reports browser and the API list (core/keyset.py): the last
            # change, overall and within one agency (an approver's or focal point's scope); the id
            # order is the primary key's.
            models.Index(fields=["updated_at", "id"], name="report_updated_idx"),
            models.Index(fields=["agency", "updated_at", "id"], name="report_agency_updated_idx"),
            models.Index(fields=["agency", "id"], name="report_agency_id_idx"),
        ]

    def __str__(self) -> str:
        code = self.activity.code or self.activity.key
        return f"{code} · {self.agency.label} · {self.period}"

    @property
    def is_editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.RETURNED)


class IndicatorValue(models.Model):
    """One figure in the one cell shape: (report, indicator, cell) -> value. ``cell`` is the canonical
    key of the options ("age:18-24|sex:women", dimensions in the breakdown's order); "" is the total."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    breakdown = models.ForeignKey(
        Breakdown, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cell = models.CharField(_("cell"), max_length=200, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator", "cell"], name="value_one_per_cell"),
            models.CheckConstraint(condition=Q(value__gte=Decimal(0)), name="value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.key} [{self.cell or 'total'}] = {self.value}"


class IndicatorAnswer(models.Model):
    """The text answer to a qualitative or list/document indicator."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(_("answer"))

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="answer_one_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.text[:60]}"


class FundingSource(models.TextChoices):
    STATE_BUDGET = "state_budget", _("State budget")
    INTERNATIONAL = "international", _("International partners")
    OTHER = "other", _("Other sources")


class FinancingLine(models.Model):
    """Money for the activity in the report's period, by source, in the plan's currency (AZN)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="financing")
    source = models.CharField(_("source"), max_length=20, choices=FundingSource.choices)
    planned = models.DecimalField(_("planned"), max_digits=14, decimal_places=2, null=True, blank=True)
    spent = models.DecimalField(_("spent"), max_digits=14, decimal_places=2, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "source"], name="financing_one_per_source"),
            models.CheckConstraint(
                condition=Q(source__in=FundingSource.values), name="financing_source_valid"
            ),
            models.CheckConstraint(
                condition=(Q(planned__isnull=True) | Q(planned__gte=0))
                & (Q(spent__isnull=True) | Q(spent__gte=0)),
                name="financing_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.planned} / {self.spent}"


def _evidence_name(instance: Evidence, filename: str) -> str:
    # Server-made names only; the uploaded name is kept as data, never as a path.
    return f"evidence/{instance.report_id}/{uuid.uuid4().hex}"


class Evidence(StoredFile):
    """A file backing a report: stored outside the web root, served only through the gate."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(
        _("file"),
        upload_to=_evidence_name,
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    default_name = "evidence"

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["report", "created_at"]


class Comment(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["report", "at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ReportTransition(models.Model):
    """Append-only: one row per workflow step, written by the workflow service."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField(_("from"), max_length=20)
    target = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["report", "at", "id"]

    def __str__(self) -> str:
        return f"{self.source} -> {self.target}"


class ReportVersion(models.Model):
    """What the report said at each workflow step, so that versions can be compared."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20)
    content = models.JSONField(_("content"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="version_unique_number")]

    def __str__(self) -> str:
        return f"{self.report_id} v{self.number}"
