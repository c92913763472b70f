"""Rollups: sums analytics keeps so that a whole plan's figures cost the same however many reports,
events and participants there are. Written only by ``rollups.py``, inside the writers' transactions
(through ``reporting.hooks`` and ``registries.hooks``) and by ``rollups_rebuild``; never by hand, never by
signals. Each is a cache of the base tables that ``rollups_verify`` can compare with them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wpsnap.plan.models import Indicator, Pillar, Plan
from wpsnap.registries.models import Event
from wpsnap.reporting.models import Breakdown, ReportingPeriod


class ReportFigureRollup(models.Model):
    """The figures of the reports in one counted status, summed by (indicator, period, breakdown version,
    cell): ``value`` is the sum, ``reports`` how many reports give the cell. A whole plan's results read
    at most indicators x periods x cells x 2 of these, however many reports there are."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    # The breakdown version the figures were reported by (people reached reads sex x age breakdowns).
    breakdown = models.ForeignKey(
        Breakdown, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    cell = models.CharField(_("cell"), max_length=200, blank=True)
    # "approved" or "published" (reporting.workflow.COUNTED).
    status = models.CharField(_("review status"), max_length=20)
    # Sums of 14-digit figures over many reports need more room than one figure.
    value = models.DecimalField(_("sum"), max_digits=24, decimal_places=2)
    reports = models.PositiveIntegerField(_("reports"))

    class Meta:
        verbose_name = _("report figure rollup")
        verbose_name_plural = _("report figure rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "breakdown", "cell", "status"],
                condition=Q(breakdown__isnull=False),
                name="rollup_figure_one_per_key",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "cell", "status"],
                condition=Q(breakdown__isnull=True),
                name="rollup_figure_one_per_key_plain",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["approved", "published"]), name="rollup_figure_status_counted"
            ),
        ]
        indexes = [models.Index(fields=["plan", "status"], name="rollup_figure_plan_idx")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.period_id} [{self.cell or 'total'}] {self.status} = {self.value}"


class EventTally(models.Model):
    """One event's participants by sex, age band, population group and district (the participant
    columns; "" where not recorded): its listed participants counted (``listed``), and its counts by cell
    (not ``listed``; a count cell gives sex and age band only). A whole plan's participant figures read
    about events x a few cells of these instead of every participant."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="analytics_tally")
    listed = models.BooleanField(_("from the list"))
    # Named after the dimensions they answer for (registries.selectors.PARTICIPANT_COLUMNS).
    sex = models.CharField(_("sex"), max_length=40, blank=True)
    age = models.CharField(_("age band"), max_length=40, blank=True)
    population_group = models.CharField(_("population group"), max_length=40, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True)
    value = models.PositiveIntegerField(_("participants"))

    class Meta:
        verbose_name = _("event tally")
        verbose_name_plural = _("event tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "listed", "sex", "age", "population_group", "district"],
                name="tally_one_per_cell",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.event_id} [{self.sex}|{self.age}|{self.population_group}|{self.district}] = {self.value}"
        )


class EventPeople(models.Model):
    """One event's participants by sex and age band alone, listed and counted together: the event's
    tallies (``EventTally``) summed over population group and district. What people reached and the
    districts page group by, in about a third of the tallies' rows (at most events x sexes x age bands)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="analytics_people")
    sex = models.CharField(_("sex"), max_length=40, blank=True)
    age = models.CharField(_("age band"), max_length=40, blank=True)
    value = models.PositiveIntegerField(_("participants"))

    class Meta:
        verbose_name = _("event people")
        verbose_name_plural = _("event people")
        constraints = [models.UniqueConstraint(fields=["event", "sex", "age"], name="people_one_per_cell")]

    def __str__(self) -> str:
        return f"{self.event_id} [{self.sex}|{self.age}] = {self.value}"


class EventFigure(models.Model):
    """What one event gives one indicator bound to event data (``derived.py``'s rule): a row for the
    total (``cell`` ""; ``value`` 1 when the rule counts events, else its participants, ``total_only``
    those whose breakdown is not the indicator's) and one per cell its participants fall in, with the
    event's organiser and period beside them. Reported-beside-derived figures for a whole plan sum these
    (about events x indicators x cells rows) instead of matching every event-activity link to the
    indicators on each request. Written by ``rollups.py`` for the events a write touches; valid only
    while the plan's rules, breakdowns, activities and periods are those of ``DerivedState``."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="analytics_figures")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    organiser = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    cell = models.CharField(_("cell"), max_length=200, blank=True)
    value = models.PositiveIntegerField(_("value"))
    total_only = models.PositiveIntegerField(_("participants in the total only"), default=0)

    class Meta:
        verbose_name = _("event figure")
        verbose_name_plural = _("event figures")
        constraints = [
            models.UniqueConstraint(fields=["event", "indicator", "cell"], name="event_figure_one_per_cell")
        ]
        indexes = [models.Index(fields=["plan", "indicator"], name="event_figure_plan_idx")]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.indicator_id} [{self.cell or 'total'}] = {self.value}"


class EventFigureSum(models.Model):
    """``EventFigure`` summed by (indicator, organiser, period, cell): ``value`` and ``total_only`` the
    sums, ``events`` how many events' rows. What a whole plan's reported-beside-derived figures read
    (about 7,000 rows at national scale, against the events' 42,000). Recomputed for an organiser in the
    same transaction as its events' rows (``rollups.events_changed``), so it always equals their sums,
    and valid while they are (``DerivedState``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    organiser = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    cell = models.CharField(_("cell"), max_length=200, blank=True)
    value = models.PositiveBigIntegerField(_("value"))
    total_only = models.PositiveBigIntegerField(_("participants in the total only"))
    events = models.PositiveIntegerField(_("events"))

    class Meta:
        verbose_name = _("event figure sum")
        verbose_name_plural = _("event figure sums")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "organiser", "period", "cell"], name="event_figure_sum_one_per_cell"
            )
        ]
        indexes = [models.Index(fields=["plan", "organiser"], name="event_figure_sum_plan_idx")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.organiser_id}/{self.period_id} [{self.cell or 'total'}] = {self.value}"


class DerivedState(models.Model):
    """The plan's derivation set-up as digests, when ``EventFigure`` was last rebuilt under it: the
    activities' priority areas and the periods' dates (``fingerprint``), and each bound indicator's rule,
    breakdown, activity and priority area (``indicators``: {indicator id: digest}). An indicator's rows
    are read only while both still match: a rule or breakdown changed since sends the reads back to the
    events until the next ``rollups_rebuild``."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(_("digest"), max_length=64)
    indicators = models.JSONField(_("digests of the indicators"), default=dict)
    built_at = models.DateTimeField(_("built at"), auto_now=True)

    class Meta:
        verbose_name = _("derived figures state")
        verbose_name_plural = _("derived figures states")

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.fingerprint[:12]}"


class FinancingRollup(models.Model):
    """The financing lines of the reports in one counted status, summed by (activity, period, source):
    ``planned`` and ``spent`` the sums (None where no line gives an amount), ``lines`` how many lines. A
    whole plan's financing reads at most activities x periods x sources x 2 of these, however many
    reports there are."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey("plan.Activity", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=40)
    # "approved" or "published" (reporting.workflow.COUNTED).
    status = models.CharField(_("review status"), max_length=20)
    planned = models.DecimalField(_("planned"), max_digits=24, decimal_places=2, null=True, blank=True)
    spent = models.DecimalField(_("spent"), max_digits=24, decimal_places=2, null=True, blank=True)
    lines = models.PositiveIntegerField(_("lines"))

    class Meta:
        verbose_name = _("financing rollup")
        verbose_name_plural = _("financing rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "period", "source", "status"], name="rollup_financing_one_per_key"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["approved", "published"]), name="rollup_financing_status_counted"
            ),
        ]
        indexes = [models.Index(fields=["plan", "status"], name="rollup_financing_plan_idx")]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.period_id} [{self.source}] {self.status}"


class EventOrganiser(models.Model):
    """Whose people sums (``PeopleRollup``) one event is counted in: its plan and organiser, as they were
    when its rows were last written. ``event_id`` is a plain number, not a foreign key, so that the row
    outlives the event: when an event is deleted, or moves to another organiser, the sums it was in are
    recomputed too."""

    event_id = models.BigIntegerField(_("event"), primary_key=True)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    organiser = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("event organiser")
        verbose_name_plural = _("event organisers")
        indexes = [models.Index(fields=["plan", "organiser"], name="event_organiser_idx")]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.organiser_id}"


class PeopleRollup(models.Model):
    """The events' participants (``EventPeople``) summed by organiser, pillar, year and period of the
    event's first day, sex and age band: an event counts once in each pillar of the activities it
    implements. People reached for a whole plan (or one agency) reads at most organisers x pillars x years
    x sexes x age bands of these, not events x cells. ``period`` is the period holding the event's first
    day (None: none does). Valid only while the plan's activities, their pillars and the periods' dates
    are those of ``PeopleState``; an organiser's rows are recomputed whenever one of its events changes."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    organiser = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    sex = models.CharField(_("sex"), max_length=40, blank=True)
    age = models.CharField(_("age band"), max_length=40, blank=True)
    value = models.PositiveBigIntegerField(_("participants"))

    class Meta:
        verbose_name = _("people reached rollup")
        verbose_name_plural = _("people reached rollups")
        indexes = [models.Index(fields=["plan", "organiser"], name="rollup_people_plan_idx")]

    def __str__(self) -> str:
        return f"{self.organiser_id}/{self.pillar_id}/{self.year} [{self.sex}|{self.age}] = {self.value}"


class PeopleState(models.Model):
    """The digest of the plan's activities with their pillars and of its periods' dates when
    ``PeopleRollup`` was last rebuilt under them (blank once rows were written under others). The rollup
    is read only while it matches: an activity moved to another pillar, or a period's dates changed, sends
    people reached back to the events until the next ``rollups_rebuild``."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(_("digest"), max_length=64)
    built_at = models.DateTimeField(_("built at"), auto_now=True)

    class Meta:
        verbose_name = _("people reached state")
        verbose_name_plural = _("people reached states")

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.fingerprint[:12]}"


class DistrictRollup(models.Model):
    """The events by organiser, period of their first day (None: none holds it) and district (the
    event's own, "" for none), kept for the maps (``districts.by_district``): a row with ``sex`` None
    holds how many events were held (``value``); a row with a sex (an option code, "" where not recorded)
    their participants of that sex, listed and counted (``EventPeople`` summed). The districts of a whole
    plan read at most organisers x periods x districts x (sexes + 1) of these, not events x cells. Kept
    with ``PeopleRollup``, by organiser, and valid under the same ``PeopleState`` (the periods' dates)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    organiser = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    district = models.CharField(_("district"), max_length=40, blank=True)
    # None: the row counts events; else the participants of this sex.
    sex = models.CharField(_("sex"), max_length=40, null=True, blank=True)  # noqa: DJ001 - None: events
    value = models.PositiveBigIntegerField(_("events or participants"))

    class Meta:
        verbose_name = _("district rollup")
        verbose_name_plural = _("district rollups")
        indexes = [models.Index(fields=["plan", "organiser"], name="rollup_district_plan_idx")]

    def __str__(self) -> str:
        return f"{self.organiser_id}/{self.period_id}/{self.district} [{self.sex}] = {self.value}"


class FigureMismatch(models.Model):
    """The dashboards' alert, stored: for every (indicator bound to event data, agency, period) where the
    counted reports (approved and published) give a figure that differs from what the agency's events
    say in some cell, every cell of it: the events' sums (``derived``, ``total_only``, ``events``; None
    where the events give none) and the reports' (``reported``; None where they give none).
    ``figures.differing`` computes the same rows on each request for any scope; for a whole plan it reads
    these instead. Recomputed by agency and period when counted reports change (``reports_changed``) and
    by organiser when events do (``events_changed``), under the organisations' row locks; read only while
    the events' stored figures are current (``DerivedState``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    cell = models.CharField(_("cell"), max_length=200, blank=True)
    derived = models.BigIntegerField(_("from events"), null=True, blank=True)
    total_only = models.BigIntegerField(_("participants in the total only"), null=True, blank=True)
    events = models.BigIntegerField(_("events"), null=True, blank=True)
    reported = models.DecimalField(_("reported"), max_digits=24, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("figure mismatch")
        verbose_name_plural = _("figure mismatches")
        indexes = [models.Index(fields=["plan", "agency", "period"], name="figure_mismatch_idx")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.agency_id}/{self.period_id} [{self.cell}]"
