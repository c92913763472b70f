"""Peacebuilding actors (activity 5.2.3.1): the individuals and organisations working in conflict
resolution and peacebuilding, what they do, where, what they can offer, what they need, and the
trainings they took (events of 5.2.3.2 and others).

Individuals are personal data: their name, organisation and contact are personal columns, kept only
with their consent (a database constraint), never in logs or audit lines; ``__str__`` and the title
(``code``) never show a name.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import RegistryRecord
from wpsnap.registries.models import Event

# The longest a capacities or needs text may be (forms, files and the API agree through max_length).
TEXT_MAX = 5000


class ActorType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANISATION = "organisation", _("Organisation")


class PeaceField(models.TextChoices):
    """What an actor works on. Several may apply."""

    MEDIATION = "mediation", _("Mediation")
    NEGOTIATION = "negotiation", _("Negotiation")
    RECONCILIATION = "reconciliation", _("Reconciliation")
    DIALOGUE = "dialogue", _("Dialogue between communities")
    HUMANITARIAN = "humanitarian", _("Humanitarian aid")
    RESEARCH = "research", _("Research")
    EDUCATION = "education", _("Peace education and training")
    ADVOCACY = "advocacy", _("Advocacy")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    WOMENS_PARTICIPATION = "womens_participation", _("Women's participation in peace processes")
    OTHER = "other", _("Other")


class Need(models.TextChoices):
    """What an actor said they need to take a larger part (the needs assessment of 5.2.3.1)."""

    TRAINING = "training", _("Training")
    FUNDING = "funding", _("Funding")
    NETWORKING = "networking", _("Contacts and networks")
    MENTORING = "mentoring", _("Mentoring")
    INFORMATION = "information", _("Information and research")
    MATERIALS = "materials", _("Materials and equipment")
    LEGAL = "legal", _("Legal advice")
    SECURITY = "security", _("Safety and security")
    RECOGNITION = "recognition", _("Official recognition")
    OTHER = "other", _("Other")


def _actor_code() -> str:
    # The title of an actor in lists and links: never a person's name.
    return "PB-" + uuid.uuid4().hex[:8].upper()


class PeacebuildingActor(RegistryRecord):
    """One individual or organisation in the peacebuilding database."""

    code = models.CharField(_("code"), max_length=20, unique=True, default=_actor_code, editable=False)
    actor_type = models.CharField(_("individual or organisation"), max_length=20, choices=ActorType.choices)
    # A person's own name for an individual; the organisation's name for an organisation.
    name = models.CharField(_("name"), max_length=200)
    # Women and men among individuals (the plan's "sex" dimension); empty for organisations.
    sex = models.CharField(_("sex"), max_length=20, blank=True)
    # An individual's organisation or position.
    affiliation = models.CharField(_("organisation or position"), max_length=200, blank=True)
    contact = models.CharField(_("phone or email"), max_length=200, blank=True)
    fields = models.JSONField(_("fields of work"), default=list, blank=True)
    # An option code of the plan's "district" dimension; empty when national.
    district = models.CharField(_("district"), max_length=40, blank=True)
    capacities = models.TextField(_("capacities"), max_length=TEXT_MAX, blank=True)
    needs = models.JSONField(_("needs"), default=list, blank=True)
    needs_notes = models.TextField(_("needs in their words"), max_length=TEXT_MAX, blank=True)
    needs_assessed_on = models.DateField(_("needs assessed on"), null=True, blank=True)
    trainings = models.ManyToManyField(Event, related_name="+", blank=True, verbose_name=_("trainings taken"))
    registered_on = models.DateField(_("registered on"))
    consent = models.BooleanField(_("consent given"), default=False)

    class Meta:
        verbose_name = _("peacebuilding actor")
        verbose_name_plural = _("peacebuilding actors")
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(actor_type__in=ActorType.values), name="peacebuilding_actor_type_valid"
            ),
            # A person's name is kept only with their consent (withdrawn consent clears the personal
            # columns and keeps the row, counted but nameless); an organisation needs none.
            models.CheckConstraint(
                condition=Q(actor_type=ActorType.ORGANISATION) | Q(name="") | Q(consent=True),
                name="peacebuilding_name_needs_consent",
            ),
            # Sex is a person's: an organisation has none.
            models.CheckConstraint(
                condition=Q(actor_type=ActorType.INDIVIDUAL) | Q(sex=""),
                name="peacebuilding_organisation_no_sex",
            ),
            # An organisation always has its name (it is not personal data).
            models.CheckConstraint(
                condition=Q(actor_type=ActorType.INDIVIDUAL) | ~Q(name=""),
                name="peacebuilding_organisation_named",
            ),
        ]
        indexes = [models.Index(fields=["plan", "registered_on"], name="peacebuilding_plan_date_idx")]

    def __str__(self) -> str:
        # Never the name: this string reaches audit labels and logs.
        return f"{self._meta.verbose_name} {self.code}"
