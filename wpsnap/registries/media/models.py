"""The media registry (5.4.1.3, issue 14): the media outlets involved in the plan's awareness work, and
the articles and broadcasts they produced ("the number and database of articles written"). Nothing
personal: journalists are not recorded by name. The worked example of a registry: see
``docs/registries/media.md``."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import RegistryRecord


class OutletType(models.TextChoices):
    TELEVISION = "television", _("Television")
    RADIO = "radio", _("Radio")
    PRINT = "print", _("Newspaper or magazine")
    ONLINE = "online", _("Online news site")
    NEWS_AGENCY = "news_agency", _("News agency")
    OTHER = "other", _("Other")


class ItemType(models.TextChoices):
    ARTICLE = "article", _("Article")
    BROADCAST = "broadcast", _("TV or radio broadcast")
    INTERVIEW = "interview", _("Interview")
    AUDIO = "audio", _("Audio recording or podcast")
    VIDEO = "video", _("Video")
    OTHER = "other", _("Other")


class Topic(models.TextChoices):
    WPS = "wps", _("Women, peace and security (UNSCR 1325)")
    PARTICIPATION = "participation", _("Women in decision-making and peace processes")
    GBV = "gbv", _("Gender-based violence")
    IDP_WOMEN = "idp_women", _("Displaced and conflict-affected women")
    SECURITY_SECTOR = "security_sector", _("Women in the army and police")
    STEREOTYPES = "stereotypes", _("Gender stereotypes")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    AZ = "az", _("Azerbaijani")
    RU = "ru", _("Russian")
    EN = "en", _("English")
    OTHER = "other", _("Other")


class MediaOutlet(RegistryRecord):
    """A newspaper, channel, station or site that took part."""

    name = models.CharField(_("name"), max_length=200)
    outlet_type = models.CharField(_("type"), max_length=20, choices=OutletType.choices)
    website = models.URLField(_("website"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("media outlet")
        verbose_name_plural = _("media outlets")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outlet_type__in=OutletType.values), name="media_outlet_type_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="media_outlet_named"),
        ]
        indexes = [models.Index(fields=["plan", "owner"], name="media_outlet_plan_owner_idx")]

    def __str__(self) -> str:
        return self.name


class MediaItem(RegistryRecord):
    """One article or broadcast: when, where (outlet), what about, in which language, and a link or a
    file (the file is a ``registries.RecordFile``)."""

    title = models.CharField(_("title"), max_length=300)
    item_type = models.CharField(_("type"), max_length=20, choices=ItemType.choices)
    published_on = models.DateField(_("published or broadcast on"))
    outlet = models.ForeignKey(
        MediaOutlet,
        on_delete=models.PROTECT,
        related_name="items",
        null=True,
        blank=True,
        verbose_name=_("outlet"),
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    link = models.URLField(_("link"), max_length=500, blank=True)
    summary = models.TextField(_("summary"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("media item")
        verbose_name_plural = _("media items")
        ordering = ["-published_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(item_type__in=ItemType.values), name="media_item_type_valid"),
            models.CheckConstraint(condition=Q(topic__in=Topic.values), name="media_item_topic_valid"),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="media_item_language_valid"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="media_item_titled"),
        ]
        indexes = [models.Index(fields=["plan", "owner", "published_on"], name="media_item_plan_date_idx")]

    def __str__(self) -> str:
        return self.title
