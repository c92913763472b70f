"""What the exports keep of their own: the coordinator's narratives of the annual report and the
end-of-plan review. Figures are never stored here: the report builder reads them when it runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wpsnap.core.models import TimeStampedModel, VersionedModel
from wpsnap.plan.models import Plan


class Section(models.TextChoices):
    """The report's own sections the coordinator writes. A note on one pillar or one activity is keyed
    ``pillar:<pillar key>`` / ``activity:<activity key>`` (see :func:`pillar_section`)."""

    SUMMARY = "summary", _("Summary")
    CHALLENGES = "challenges", _("Challenges")
    CONCLUSIONS = "conclusions", _("Conclusions")
    RECOMMENDATIONS = "recommendations", _("Recommendations")


class NarrativeLanguage(models.TextChoices):
    AZ = "az", "Azərbaycanca"
    EN = "en", "English"
    RU = "ru", "Русский"


PILLAR_PREFIX = "pillar:"
ACTIVITY_PREFIX = "activity:"
# A plan's keys (plan/schema.py ``Key``), after the prefix of a note on one pillar or activity.
KEY_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
SECTION_PATTERN = rf"^({'|'.join(Section.values)}|pillar:{KEY_PATTERN}|activity:{KEY_PATTERN})$"
# The longest text of one section (characters): a long chapter, not a book.
TEXT_MAX = 20_000


def pillar_section(key: str) -> str:
    return f"{PILLAR_PREFIX}{key}"


def activity_section(key: str) -> str:
    return f"{ACTIVITY_PREFIX}{key}"


class ReportNarrative(VersionedModel, TimeStampedModel):
    """One section of the coordinator's own text in one report, in one language.

    The report is the plan's years ``first_year``..``last_year``: equal for an annual progress report,
    the plan's span for the end-of-plan review. ``text`` is plain text, paragraphs separated by a blank
    line (never HTML: the builder escapes it). ``version`` (``wpsnap.core.versions``) refuses a save made
    on a text someone else has changed since; each version is kept in the history."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="narratives")
    first_year = models.PositiveSmallIntegerField(_("from year"))
    last_year = models.PositiveSmallIntegerField(_("to year"))
    section = models.CharField(_("section"), max_length=80)
    language = models.CharField(_("language"), max_length=2, choices=NarrativeLanguage.choices)
    text = models.TextField(_("text"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "field_versions"])

    class Meta:
        verbose_name = _("report narrative")
        verbose_name_plural = _("report narratives")
        ordering = ["plan", "first_year", "last_year", "section", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "first_year", "last_year", "section", "language"],
                name="narrative_one_per_section",
            ),
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")), name="narrative_years_ordered"
            ),
            models.CheckConstraint(condition=Q(section__regex=SECTION_PATTERN), name="narrative_section_key"),
            models.CheckConstraint(
                condition=Q(language__in=NarrativeLanguage.values), name="narrative_language_valid"
            ),
        ]

    def __str__(self) -> str:
        years = (
            str(self.first_year)
            if self.first_year == self.last_year
            else f"{self.first_year}-{self.last_year}"
        )
        return f"{self.plan.slug} {years} {self.section} ({self.language})"
