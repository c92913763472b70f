"""Workforce monitoring (5.2.5.3: "annual monitoring of provision of equal opportunities for women serving
in all positions in state agencies").

``WorkforceCount``: one agency's staff at one position level in one year, women and men counted (one
row per agency, year and level, so that a year's figures are never counted twice). ``WorkforceReview``:
an annual monitoring result and its proposals for changes (the indicator's "monitoring results and package
of proposals for changes"): the agency's own, or the State Committee's over several agencies (then kept by
it, so not unique per keeper and year).

The position levels follow the plan's words: "leadership positions" and "all positions" in state
agencies, from the leadership down to support staff (``PositionLevel``)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import RegistryRecord

# The years a count may be for (the plans run from 2020; earlier years are the baseline).
FIRST_YEAR = 2000
LAST_YEAR = 2100
TEXT_MAX = 5000


class PositionLevel(models.TextChoices):
    # Heads of the agency and their deputies, heads of its bodies (decision-making posts).
    LEADERSHIP = "leadership", _("Leadership (head and deputies)")
    # Heads of departments and divisions.
    SENIOR = "senior", _("Senior (heads of departments and divisions)")
    # Heads of sections, chief and leading specialists.
    MIDDLE = "middle", _("Middle (heads of sections, chief and leading specialists)")
    # Specialists and other officers.
    JUNIOR = "junior", _("Junior (specialists and officers)")
    # Technical and support staff.
    SUPPORT = "support", _("Support and technical staff")


# Top to bottom: the order of the summary's rows.
LEVEL_ORDER = tuple(PositionLevel.values)


class WorkforceCount(RegistryRecord):
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("position level"), max_length=12, choices=PositionLevel.choices)
    women = models.PositiveIntegerField(_("women"))
    men = models.PositiveIntegerField(_("men"))
    # Where the figures come from (the staff list of 1 January, the HR database...).
    source = models.CharField(_("source of the figures"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("workforce count")
        verbose_name_plural = _("workforce counts")
        ordering = ["-year", "owner", "level", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=PositionLevel.values), name="workforce_count_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR), name="workforce_count_year_valid"
            ),
            models.CheckConstraint(
                condition=Q(women__gte=0) & Q(men__gte=0), name="workforce_count_not_negative"
            ),
            models.UniqueConstraint(
                fields=["plan", "owner", "year", "level"],
                name="workforce_count_unique_level_year",
                violation_error_message=_(
                    "This agency already has staff counts for this position level and year: "
                    "change that row instead of adding another."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_level_display()}"

    @property
    def total(self) -> int:
        return self.women + self.men


class WorkforceReview(RegistryRecord):
    year = models.PositiveSmallIntegerField(_("year monitored"))
    completed_on = models.DateField(_("date completed"))
    result = models.TextField(_("monitoring result"), max_length=TEXT_MAX)
    proposals = models.TextField(_("proposals for changes"), max_length=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("workforce monitoring result")
        verbose_name_plural = _("workforce monitoring results")
        ordering = ["-year", "owner", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR), name="workforce_review_year_valid"
            ),
            models.CheckConstraint(condition=~Q(result=""), name="workforce_review_result_given"),
            # A year is monitored once it has begun: the result cannot be dated before the year it is about.
            models.CheckConstraint(
                condition=Q(completed_on__year__gte=F("year")), name="workforce_review_completed_after_year"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Monitoring %(year)s") % {"year": self.year})
