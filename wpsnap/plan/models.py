"""The plan's structure. Loaded from a plan file (see ``schema.py``), keyed by stable keys, never by ids."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wpsnap.accounts.models import Organisation
from wpsnap.core.models import TimeStampedModel, TranslatedModel


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")
    ACTIVE = "active", _("Being implemented")
    CLOSED = "closed", _("Closed")


class Role(models.TextChoices):
    IMPLEMENTER = "implementer", _("Implementing agency")
    RECOMMENDED = "recommended", _("Recommended partner")


class IndicatorKind(models.TextChoices):
    COUNT = "count", _("Count")
    QUALITATIVE = "qualitative", _("Qualitative")
    DOCUMENT = "document", _("List or document")


DIMENSION_LABELS = {
    "sex": _("sex"),
    "age": _("age"),
    "service": _("service"),
    "population_group": _("population group"),
    "district": _("district"),
}


class YearPeriod(models.Model):
    """A period of whole years; both ends empty means "to be determined"."""

    start_year = models.PositiveSmallIntegerField(_("from year"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def period_label(self) -> str:
        if self.start_year is None or self.end_year is None:
            return str(_("to be determined"))
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"  # noqa: RUF001 - an en dash between years is deliberate

    def years(self) -> range:
        if self.start_year is None or self.end_year is None:
            return range(0)
        return range(self.start_year, self.end_year + 1)


def _period_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(start_year__isnull=True, end_year__isnull=True)
            | Q(start_year__isnull=False, end_year__isnull=False, end_year__gte=models.F("start_year")),
            name=f"{prefix}_period_ordered",
        )
    ]


class Plan(TimeStampedModel, TranslatedModel, YearPeriod):
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    country = models.CharField(_("country"), max_length=2)
    title = models.TextField(_("title"))
    short_title = models.CharField(_("short title"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    default_language = models.CharField(_("default language"), max_length=10, default="en")
    languages = models.JSONField(_("languages"), default=list)
    # Languages whose translations of the plan's text are the platform's, not an adopted text: pages in
    # them say so (core.templatetags.language_tags.unofficial_translation).
    unofficial_translations = models.JSONField(_("unofficial translations"), default=list, blank=True)
    source_title = models.TextField(_("source document"), blank=True)
    source_file = models.CharField(_("source file"), max_length=300, blank=True)
    source_sha256 = models.CharField(_("source checksum"), max_length=64, blank=True)
    coordinator = models.ForeignKey(
        Organisation,
        verbose_name=_("coordinating body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinated_plans",
    )
    introduction = models.JSONField(_("introduction"), default=list, blank=True)
    purpose_code = models.CharField(_("purpose section"), max_length=32, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    financing_code = models.CharField(_("financing section"), max_length=32, blank=True)
    financing = models.TextField(_("financing"), blank=True)
    agencies = models.ManyToManyField(
        Organisation, verbose_name=_("agencies"), related_name="plans", blank=True
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-start_year", "slug"]
        constraints = _period_constraints("plan")

    def __str__(self) -> str:
        return self.tr("short_title") or self.tr("title")


class Pillar(TimeStampedModel, TranslatedModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="pillars")
    key = models.SlugField(_("key"), max_length=64)
    number = models.CharField(_("number"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    definition = models.TextField(_("definition"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="pillar_unique_key")]

    def __str__(self) -> str:
        return self.tr("title")


class Objective(TimeStampedModel, TranslatedModel):
    pillar = models.OneToOneField(Pillar, on_delete=models.CASCADE, related_name="objective")
    code = models.CharField(_("code"), max_length=32)
    text = models.TextField(_("text"))

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return f"{self.code} {self.tr('text')}"


class ExpectedResult(TimeStampedModel, TranslatedModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="expected_results")
    code = models.CharField(_("code"), max_length=32)
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("expected result")
        verbose_name_plural = _("expected results")
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="expected_result_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.tr('text')}"


class PriorityArea(TimeStampedModel, TranslatedModel, YearPeriod):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priority_areas")
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="priority_areas")
    code = models.CharField(_("code"), max_length=32)
    title = models.TextField(_("title"))
    note = models.TextField(_("note"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("priority area")
        verbose_name_plural = _("priority areas")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="priority_area_unique_code"),
            *_period_constraints("priority_area"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.tr('title')}"


class Activity(TimeStampedModel, TranslatedModel, YearPeriod):
    """A specific activity. ``code`` is the number the document publishes (it may repeat or be
    missing); ``key`` is unique in the plan and stable across plan versions."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities")
    priority_area = models.ForeignKey(PriorityArea, on_delete=models.CASCADE, related_name="activities")
    key = models.CharField(_("key"), max_length=64)
    code = models.CharField(_("published number"), max_length=32, blank=True)
    text = models.TextField(_("text"))
    note = models.TextField(_("note"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["plan", "priority_area__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="activity_unique_key"),
            *_period_constraints("activity"),
        ]

    def __str__(self) -> str:
        return f"{self.code or _('(unnumbered)')} {self.tr('text')}"

    @property
    def effective_start_year(self) -> int | None:
        return self.start_year if self.start_year is not None else self.priority_area.start_year

    @property
    def effective_end_year(self) -> int | None:
        return self.end_year if self.end_year is not None else self.priority_area.end_year

    @property
    def effective_period_label(self) -> str:
        return self.period_label if self.start_year is not None else self.priority_area.period_label


class Indicator(TimeStampedModel, TranslatedModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    priority_area = models.ForeignKey(PriorityArea, on_delete=models.CASCADE, related_name="indicators")
    # Empty for an indicator the document lists without an activity to pair with.
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="indicators", null=True, blank=True
    )
    key = models.CharField(_("key"), max_length=64)
    text = models.TextField(_("text"))
    kind = models.CharField(_("kind"), max_length=20, choices=IndicatorKind.choices)
    disaggregation = models.JSONField(_("disaggregated by"), default=list, blank=True)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    baseline = models.TextField(_("baseline"), blank=True)
    target = models.TextField(_("target"), blank=True)
    note = models.TextField(_("note"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # From the plan file (``counts_people``): whether a count indicator's figures count people. True unless
    # the plan says otherwise, because a count of people published below the disclosure threshold points at
    # people, and a count of laws or trainings wrongly taken for one only loses some detail.
    counts_people = models.BooleanField(_("counts people"), default=True)
    # The coordinator's decision in the platform, never the plan file's (publishing's
    # ``indicator_set_public_statistics``, audited with its reason): figures public by law or by decision,
    # such as staff in posts, are published whole, without disclosure control's suppression.
    public_statistics = models.BooleanField(_("public statistics"), default=False)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["plan", "priority_area__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="indicator_unique_key"),
            models.CheckConstraint(condition=Q(kind__in=IndicatorKind.values), name="indicator_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.tr("text")

    @property
    def disaggregation_labels(self) -> list[str]:
        return [str(DIMENSION_LABELS.get(code, code)) for code in self.disaggregation]


class Assignment(TimeStampedModel):
    """An agency's role on a priority area (and, where the plan says so, on one activity)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="assignments")
    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="assignments")
    priority_area = models.ForeignKey(PriorityArea, on_delete=models.CASCADE, related_name="assignments")
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="assignments", null=True, blank=True
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["priority_area__position", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["priority_area", "agency"],
                condition=Q(activity__isnull=True),
                name="assignment_unique_agency_per_area",
            ),
            models.UniqueConstraint(
                fields=["activity", "agency"],
                condition=Q(activity__isnull=False),
                name="assignment_unique_agency_per_activity",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="assignment_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.get_role_display()}"
