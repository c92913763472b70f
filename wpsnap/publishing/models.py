"""Publishing's records. Each section belongs to one part of the work: keep to your own section.

NOTE to the search-index helper: this file was created by the static-build task (releases) before yours
existed, and its migration 0001_releases is committed. Add your search-index model in its own section
below and your migration after it (0002_...); do not remove the Release section."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wpsnap.core.models import StoredFile
from wpsnap.plan.models import Plan

# --- Releases (static build, docs/static-build.md) -------------------------------------------------------


class Release(models.Model):
    """One publication of a plan's public figures (a static build of the portal): its number, when and by
    whom, the notes the person wrote, the changes computed since the release before (figures added,
    changed and withdrawn by indicator and period), the languages, and every figure it showed. The next
    release, and every live public output meanwhile, take these figures as ``previous`` for disclosure
    control (docs/disclosure.md, "The previous release"). Written once by ``releases.release_create``,
    never changed."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="releases", verbose_name=_("plan"))
    number = models.PositiveIntegerField(_("number"))
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    # The person's user name, or "command" when the server's command line made it without one.
    made_by = models.CharField(_("made by"), max_length=150)
    notes = models.TextField(_("notes"), blank=True)
    languages = models.JSONField(_("languages"), default=list)
    # {"added": n, "changed": n, "withdrawn": n, "periods": [{"indicator", "period_id", "period",
    #  "added": [{"cell", "value"}], "changed": [{"cell", "old", "new"}], "withdrawn": [{"cell", "old"}]}],
    #  "exposed": [{"indicator", "period_id", "cells"}]}
    changes = models.JSONField(_("changes"), default=dict)
    # [{"indicator": key, "period_id": id, "period": label, "cells": {cell key: "value"}}]
    figures = models.JSONField(_("figures"), default=list)

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ("plan", "number")
        constraints = [
            models.UniqueConstraint(fields=("plan", "number"), name="publishing_release_unique_number"),
        ]

    def __str__(self) -> str:
        return _("%(plan)s, release %(number)d") % {"plan": self.plan.slug, "number": self.number}

    def published(self) -> dict[tuple[str, int], dict[str, Decimal]]:
        """The figures this release showed, in the shape of ``PublicResults.published()``."""
        return figures_published(self.figures)


def figures_published(figures: list[dict]) -> dict[tuple[str, int], dict[str, Decimal]]:
    """A release's stored figures as ``PublicResults.published()`` gives them."""
    return {
        (str(entry["indicator"]), int(entry["period_id"])): {
            str(cell): Decimal(str(value)) for cell, value in entry["cells"].items()
        }
        for entry in figures
    }


# --- Public versions of the annual reports (report_files.py, docs/portal.md) ----------------------------


class ReportFileFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", _("Word (DOCX)")


def _report_file_name(instance: PublicReportFile, filename: str) -> str:
    # Server-made names only; the builder's name is kept as data (``original_name``), never as a path.
    return f"public-reports/{instance.plan_id}/{uuid.uuid4().hex}"


class PublicReportFile(StoredFile):
    """A public version of an annual progress report or of the end-of-plan review (published figures
    only, through disclosure control), put on the public portal by a coordinator from one of their own
    finished builds, in one language and format. Anyone downloads the live one
    (``/exports/open/<slug>/reports/<first>-<last>/<lang>.<fmt>``).

    One live file per plan, years, language and format: publishing a newer build withdraws the older.
    A withdrawn file (by a coordinator with a reason, replaced, or because a report it showed was
    unpublished) keeps its row as the record of what was public; its stored file is deleted once the
    withdrawal commits. Written by ``publishing.report_files`` only."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="public_report_files", verbose_name=_("plan")
    )
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    language = models.CharField(_("language"), max_length=10)
    format = models.CharField(_("format"), max_length=10, choices=ReportFileFormat.choices)
    file = models.FileField(_("file"), upload_to=_report_file_name)
    # The background job that built it (its id only: jobs are swept after some days) and when it started:
    # the file holds the figures published at that moment.
    job_id = models.UUIDField(_("built by the task"), null=True, blank=True)
    built_at = models.DateTimeField(_("built"))
    published_at = models.DateTimeField(_("put on the portal"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("put on the portal by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_reason = models.TextField(_("why it was withdrawn"), blank=True)

    default_name = "report"

    class Meta:
        verbose_name = _("public report file")
        verbose_name_plural = _("public report files")
        ordering = ("plan", "first_year", "-last_year", "language", "format", "-published_at")
        constraints = [
            models.UniqueConstraint(
                fields=("plan", "first_year", "last_year", "language", "format"),
                condition=models.Q(withdrawn_at__isnull=True),
                name="publishing_report_file_one_live",
            ),
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year")),
                name="publishing_report_file_years_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(format__in=ReportFileFormat.values),
                name="publishing_report_file_format_valid",
            ),
            models.CheckConstraint(
                condition=(models.Q(withdrawn_at__isnull=True) & models.Q(withdrawn_reason=""))
                | (models.Q(withdrawn_at__isnull=False) & ~models.Q(withdrawn_reason="")),
                name="publishing_report_file_withdrawn_with_reason",
            ),
        ]

    @property
    def is_review(self) -> bool:
        return self.first_year != self.last_year

    @property
    def years(self) -> str:
        if self.is_review:
            return f"{self.first_year}–{self.last_year}"  # noqa: RUF001 - an en dash between years
        return str(self.first_year)

    @property
    def title(self) -> str:
        """What the report is called (the same words as the report pages)."""
        if self.is_review:
            return _("End-of-plan review %(years)s") % {"years": self.years}
        return _("Annual progress report %(year)s") % {"year": self.years}
