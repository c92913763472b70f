"""Projects and funds (5.4.4.1: "number and content of projects implemented, and amount of allocated
funds") and IDP settlements (5.4.5.1: "number of consultation meetings, content of standards, and number
of settlements built according to the new standards").

A project's funds are recorded by source, one amount per source (state budget, donors, private, other),
in manats: a project funded by the state budget and a donor at once is one project, and the amount
allocated is their sum (``Project.total_funds``). Beneficiaries are counts by sex and age group (women,
men, girls, boys): no person is recorded. Nothing here is personal data."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import RegistryRecord

TEXT_MAX = 5000
# Amounts in manats: up to a thousand million, with qəpik.
AMOUNT_DIGITS = 14


class FundingSource(models.TextChoices):
    """The sources the plan's section 3 names: the state budget of the implementing agencies "and other
    sources not prohibited by law". Each is one amount column of a project (``FUND_FIELDS``)."""

    STATE_BUDGET = "state_budget", _("State budget")
    DONOR = "donor", _("International donors")
    PRIVATE = "private", _("Private sector")
    OTHER = "other", _("Other sources")


# The amount field of each source.
FUND_FIELDS = {
    FundingSource.STATE_BUDGET: "funds_state_budget",
    FundingSource.DONOR: "funds_donor",
    FundingSource.PRIVATE: "funds_private",
    FundingSource.OTHER: "funds_other",
}


class Project(RegistryRecord):
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"), max_length=TEXT_MAX, blank=True)
    starts_on = models.DateField(_("from"))
    # Empty while the project runs.
    ends_on = models.DateField(_("to"), null=True, blank=True)
    # An option code of the plan's "district" dimension; empty for a project over several districts.
    district = models.CharField(_("district"), max_length=40, blank=True)
    funds_state_budget = models.DecimalField(
        _("funds from the state budget (AZN)"),
        max_digits=AMOUNT_DIGITS,
        decimal_places=2,
        null=True,
        blank=True,
    )
    funds_donor = models.DecimalField(
        _("funds from international donors (AZN)"),
        max_digits=AMOUNT_DIGITS,
        decimal_places=2,
        null=True,
        blank=True,
    )
    funds_private = models.DecimalField(
        _("funds from the private sector (AZN)"),
        max_digits=AMOUNT_DIGITS,
        decimal_places=2,
        null=True,
        blank=True,
    )
    funds_other = models.DecimalField(
        _("funds from other sources (AZN)"), max_digits=AMOUNT_DIGITS, decimal_places=2, null=True, blank=True
    )
    # Beneficiaries counted by sex and age group; empty when not known (not the same as none).
    women = models.PositiveIntegerField(_("women reached"), null=True, blank=True)
    men = models.PositiveIntegerField(_("men reached"), null=True, blank=True)
    girls = models.PositiveIntegerField(_("girls reached"), null=True, blank=True)
    boys = models.PositiveIntegerField(_("boys reached"), null=True, blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="project_title_given"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="project_dates_ordered",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
                    name=f"project_{field}_not_negative",
                )
                for field in FUND_FIELDS.values()
            ),
        ]
        indexes = [models.Index(fields=["plan", "starts_on"], name="project_plan_start_idx")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The project cannot end before it starts.")})

    @property
    def funds_by_source(self) -> dict[str, Decimal]:
        """The amounts given, by source code (sources left empty are left out)."""
        return {
            str(source): amount
            for source, field in FUND_FIELDS.items()
            if (amount := getattr(self, field)) is not None
        }

    @property
    def total_funds(self) -> Decimal | None:
        """The amount allocated from all sources; None when no amount is known."""
        amounts = self.funds_by_source
        return sum(amounts.values(), Decimal(0)) if amounts else None

    @property
    def beneficiaries(self) -> int | None:
        """Everyone reached (the counts known added up); None when none is known."""
        known = [count for count in (self.women, self.men, self.girls, self.boys) if count is not None]
        return sum(known) if known else None


class SettlementStandard(models.TextChoices):
    """What a settlement's design does for the needs of women and girls (5.4.5.1's "new standards"),
    as the consultations with IDP women raise them."""

    LIGHTING = "lighting", _("Lit streets, entrances and stairways")
    SANITATION = "sanitation", _("Water and toilets inside each home")
    PRIVACY = "privacy", _("Separate rooms and lockable doors")
    ACCESSIBILITY = "accessibility", _("Access for older and disabled people and for prams")
    CHILDCARE = "childcare", _("Kindergarten and play areas")
    SERVICES = "services", _("School, health post and shops within walking distance")
    TRANSPORT = "transport", _("Safe public transport stop nearby")
    COMMUNITY = "community", _("Community or women's centre")
    OTHER = "other", _("Other (described in the notes)")


class IdpSettlement(RegistryRecord):
    district = models.CharField(_("district"), max_length=40)
    name = models.CharField(_("name of the settlement or building"), max_length=200)
    units = models.PositiveIntegerField(_("homes (flats or houses)"))
    # Codes of SettlementStandard (a list; the file form separates them with ";").
    standards_applied = models.JSONField(_("standards applied"), default=list, blank=True)
    standards_notes = models.TextField(_("about the standards"), max_length=TEXT_MAX, blank=True)
    to_new_standards = models.BooleanField(_("built to the new standards"), default=False)
    # Empty when not known (not the same as none held).
    consultations_held = models.PositiveIntegerField(_("consultation meetings held"), null=True, blank=True)
    # Empty while it is being built.
    completed_on = models.DateField(_("date completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("IDP settlement")
        verbose_name_plural = _("IDP settlements")
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="idp_settlement_name_given"),
            models.CheckConstraint(condition=~Q(district=""), name="idp_settlement_district_given"),
            models.CheckConstraint(condition=Q(units__gte=1), name="idp_settlement_has_homes"),
            models.CheckConstraint(
                condition=Q(consultations_held__gte=0), name="idp_settlement_meetings_valid"
            ),
        ]
        indexes = [models.Index(fields=["plan", "completed_on"], name="idp_settlement_plan_done_idx")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        standards = self.standards_applied
        if not isinstance(standards, list) or any(
            code not in SettlementStandard.values for code in standards
        ):
            raise ValidationError(
                {
                    "standards_applied": _("Choose the standards from the list (%(codes)s).")
                    % {"codes": ", ".join(SettlementStandard.values)}
                }
            )
        if len(set(standards)) != len(standards):
            raise ValidationError({"standards_applied": _("Each standard once, please.")})
