"""Organisations (implementing agencies, the coordinating body, NGOs, evaluators, donors) and users."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wpsnap.core.models import TimeStampedModel, TranslatedModel


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    STATE_COMMITTEE = "state_committee", _("State committee")
    STATE_AGENCY = "state_agency", _("State agency")
    OMBUDSMAN = "ombudsman", _("Ombudsman")
    NGO = "ngo", _("Non-governmental organisation")
    LOCAL_EXECUTIVE = "local_executive", _("Local executive authority")
    COLLECTIVE = "collective", _("Collective implementer")
    INTERNATIONAL = "international", _("International organisation")
    EVALUATOR = "evaluator", _("Evaluator")
    DONOR = "donor", _("Donor")
    OTHER = "other", _("Other")


class Organisation(TimeStampedModel, TranslatedModel):
    """A body that implements, coordinates, contributes to or evaluates a plan.

    A collective implementer ("all ministries and state committees") has kind ``collective``
    and stands for every organisation of its ``member_kinds`` in the same country.
    """

    country = models.CharField(_("country"), max_length=2)
    key = models.SlugField(_("key"), max_length=64)
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    member_kinds = models.JSONField(_("member kinds"), default=list, blank=True)
    aliases = models.JSONField(_("names used in documents"), default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "key"], name="organisation_unique_key_per_country"),
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.tr("name")

    @property
    def label(self) -> str:
        return self.tr("short_name") or self.tr("name")

    def members(self) -> models.QuerySet[Organisation]:
        """The organisations a collective stands for; an ordinary organisation stands for itself."""
        if self.kind != OrganisationKind.COLLECTIVE:
            return Organisation.objects.filter(pk=self.pk)
        return Organisation.objects.filter(country=self.country, kind__in=self.member_kinds)


class User(AbstractUser):
    """A person who signs in. Custom from the first migration so that it can grow without pain."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
