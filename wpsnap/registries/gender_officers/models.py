"""Gender officers (priority area 5.2.6): the officers each state agency appoints, one or more per
agency (the record's owner), with the powers they hold and the trainings they took (events of 5.2.6.2
and 5.2.6.3).

An officer is a named person: the name and contact are personal columns, never in logs or audit lines;
``__str__`` and the title (``code``) never show a name.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import RegistryRecord
from wpsnap.registries.models import Event


class Power(models.TextChoices):
    """The powers a gender officer may hold: "the list of powers of gender officers" is the indicator of
    5.2.6.1. The plan itself names their field (gender equality; women, peace and security; the rights
    of women and girls; CEDAW and the other international mechanisms), not the list: these codes are
    the usual powers of a state agency's gender officer, and "other" keeps the rest."""

    ADVISE = "advise", _("Advise the agency's leadership on gender equality")
    REVIEW = "review", _("Review the agency's draft laws, policies and decisions for gender equality")
    EQUAL_TREATMENT = "equal_treatment", _("Watch over equal treatment in hiring, promotion and pay")
    COMPLAINTS = "complaints", _("Receive and look into complaints of discrimination and harassment")
    DATA = "data", _("Collect and report data by sex")
    ACTION_PLAN = "action_plan", _("Coordinate the agency's part in the National Action Plan on 1325")
    INTERNATIONAL = "international", _("Prepare the agency's input to CEDAW and other international reports")
    TRAINING = "training", _("Organise training and awareness-raising for staff")
    COOPERATION = "cooperation", _("Work with civil society and international organisations")
    REPORT = "report", _("Report to the State Committee for Family, Women and Children Affairs")
    OTHER = "other", _("Other")


def _officer_code() -> str:
    # The title of an officer in lists and links: never a person's name.
    return "GO-" + uuid.uuid4().hex[:8].upper()


class GenderOfficer(RegistryRecord):
    """One gender officer of one agency (the owner)."""

    code = models.CharField(_("code"), max_length=20, unique=True, default=_officer_code, editable=False)
    name = models.CharField(_("name"), max_length=200, blank=True)
    # The plan's "sex" dimension.
    sex = models.CharField(_("sex"), max_length=20, blank=True)
    position = models.CharField(_("position"), max_length=200)
    contact = models.CharField(_("phone or email"), max_length=200, blank=True)
    appointed_on = models.DateField(_("appointed on"))
    # Empty while in post.
    left_on = models.DateField(_("left the post on"), null=True, blank=True)
    # Codes of ``Power``.
    powers = models.JSONField(_("powers"), default=list, blank=True)
    other_powers = models.CharField(_("other powers"), max_length=500, blank=True)
    trainings = models.ManyToManyField(Event, related_name="+", blank=True, verbose_name=_("trainings taken"))

    class Meta:
        verbose_name = _("gender officer")
        verbose_name_plural = _("gender officers")
        ordering = ["owner__name", "-appointed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("appointed_on")),
                name="gender_officer_dates_ordered",
            ),
            models.CheckConstraint(condition=~Q(position=""), name="gender_officer_position_given"),
        ]
        indexes = [models.Index(fields=["plan", "owner"], name="gender_officer_plan_owner_idx")]

    def __str__(self) -> str:
        # Never the name: this string reaches audit labels and logs.
        return f"{self._meta.verbose_name} {self.code}"
