"""Organisations (implementing agencies, the coordinating body, NGOs, evaluators, donors) and users."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
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


class Role(models.TextChoices):
    """What a person may do. Status codes, never translated strings, are stored."""

    COORDINATOR = "coordinator", _("Coordinator")
    APPROVER = "approver", _("Agency approver")
    FOCAL_POINT = "focal_point", _("Agency focal point")
    NGO_CONTRIBUTOR = "ngo_contributor", _("NGO contributor")
    EVALUATOR = "evaluator", _("Evaluator")


# Higher may grant lower or equal, never higher (see permissions.can_grant_role).
ROLE_RANK = {
    Role.COORDINATOR: 40,
    Role.APPROVER: 30,
    Role.FOCAL_POINT: 20,
    Role.NGO_CONTRIBUTOR: 20,
    Role.EVALUATOR: 10,
}

# Roles that must sign in with a second factor (TOTP).
SECOND_FACTOR_ROLES = frozenset({Role.COORDINATOR, Role.APPROVER})

_GOVERNMENT = {
    OrganisationKind.MINISTRY,
    OrganisationKind.STATE_COMMITTEE,
    OrganisationKind.STATE_AGENCY,
    OrganisationKind.OMBUDSMAN,
    OrganisationKind.LOCAL_EXECUTIVE,
}

# Which kinds of organisation each role may belong to.
ROLE_ORGANISATION_KINDS: dict[str, frozenset[str]] = {
    Role.COORDINATOR: frozenset(_GOVERNMENT | {OrganisationKind.OTHER}),
    Role.APPROVER: frozenset(_GOVERNMENT | {OrganisationKind.NGO}),
    Role.FOCAL_POINT: frozenset(_GOVERNMENT),
    Role.NGO_CONTRIBUTOR: frozenset({OrganisationKind.NGO}),
    Role.EVALUATOR: frozenset(
        {
            OrganisationKind.EVALUATOR,
            OrganisationKind.DONOR,
            OrganisationKind.INTERNATIONAL,
            OrganisationKind.OTHER,
        }
    ),
}


# The interface's languages, each named in itself (a person looks for their own language's name). The
# settings' LANGUAGES must list the same codes (a test says so).
LANGUAGE_NAMES = {"az": "Azərbaycanca", "en": "English", "ru": "Русский"}


class User(AbstractUser):
    """A person who signs in, with one organisation and one role.

    One role per person keeps the permission gate simple and auditable; a person who works for two
    agencies gets two accounts, as official e-mail addresses already do.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    # The language of the staff pages and of the e-mails this person gets; blank: the site's default.
    language = models.CharField(
        _("language"), max_length=8, choices=list(LANGUAGE_NAMES.items()), blank=True, default=""
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="") | models.Q(role__in=Role.values), name="user_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(role="") | models.Q(organisation__isnull=False),
                name="user_role_needs_organisation",
            ),
            models.CheckConstraint(
                condition=models.Q(language="") | models.Q(language__in=list(LANGUAGE_NAMES)),
                name="user_language_valid",
            ),
        ]

    @property
    def needs_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES

    @property
    def rank(self) -> int:
        return ROLE_RANK.get(Role(self.role), 0) if self.role else 0

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django keeps this hash in the session at sign-in and compares it on every request; it covers the
        # password, and here the role and the organisation too, so that a session signed in under one role
        # or agency ends when either changes, by whatever path (services, the demo loader, a shell).
        return salted_hmac(
            "wpsnap.accounts.User.session_auth_hash",
            f"{self.password}\x00{self.role}\x00{self.organisation_id}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()
