"""Publications and audio/video materials (activity 5.2.6.4): what the agencies produced to help gender
officers and others exercise their powers (guides, brochures, reports, posters, audio and video), with
the file itself or a link to it, and who it is for.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import RegistryRecord


class MaterialType(models.TextChoices):
    BOOK = "book", _("Book or handbook")
    GUIDE = "guide", _("Guide or manual")
    BROCHURE = "brochure", _("Brochure or leaflet")
    REPORT = "report", _("Report or study")
    POSTER = "poster", _("Poster or infographic")
    AUDIO = "audio", _("Audio (podcast, radio programme)")
    VIDEO = "video", _("Video (film, clip, recorded lecture)")
    ONLINE_COURSE = "online_course", _("Online course")
    OTHER = "other", _("Other")


# The types an indicator counting "audio/video materials" counts.
AUDIO_VIDEO = (MaterialType.AUDIO, MaterialType.VIDEO)


class Audience(models.TextChoices):
    """Who a material is for. Several may apply."""

    GENDER_OFFICERS = "gender_officers", _("Gender officers")
    CIVIL_SERVANTS = "civil_servants", _("Civil servants")
    MILITARY = "military", _("Armed forces")
    POLICE = "police", _("Police and border guards")
    IDP_WOMEN = "idp_women", _("Internally displaced and conflict-affected women")
    WOMEN_GIRLS = "women_girls", _("Women and girls")
    YOUTH = "youth", _("Young people")
    NGOS = "ngos", _("Non-governmental organisations")
    MEDIA = "media", _("Journalists and media")
    PUBLIC = "public", _("The general public")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    AZERBAIJANI = "az", _("Azerbaijani")
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")
    OTHER = "other", _("Other")


class Publication(RegistryRecord):
    """One publication or audio/video material."""

    title = models.CharField(_("title"), max_length=300)
    material_type = models.CharField(_("type"), max_length=20, choices=MaterialType.choices)
    published_on = models.DateField(_("published on"))
    # Codes of ``Audience``.
    audience = models.JSONField(_("audience"), default=list, blank=True)
    # Codes of ``Language``.
    languages = models.JSONField(_("languages"), default=list, blank=True)
    summary = models.TextField(_("summary"), max_length=5000, blank=True)
    # Who wrote or produced it (an agency, an NGO, a studio): authors are not recorded by name.
    produced_by = models.CharField(_("produced by"), max_length=200, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    # Printed copies or discs handed out; empty when not counted (online only).
    copies = models.PositiveIntegerField(_("copies distributed"), null=True, blank=True)

    class Meta:
        verbose_name = _("publication or audio/video material")
        verbose_name_plural = _("publications and audio/video materials")
        ordering = ["-published_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(material_type__in=MaterialType.values), name="publication_type_valid"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="publication_titled"),
            models.CheckConstraint(
                condition=Q(link="") | Q(link__startswith="https://") | Q(link__startswith="http://"),
                name="publication_link_web",
            ),
        ]
        indexes = [models.Index(fields=["plan", "published_on"], name="publication_plan_date_idx")]

    def __str__(self) -> str:
        return self.title
