"""The women candidates database (5.2.1.2): one record per woman who agreed to be considered for military
or police service. Personal data, kept with her consent until ``retain_until``: no history table (it would
copy her data), no free text in audit lines or logs; ``__str__`` names the record by its number only."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import RegistryRecord
from wpsnap.registries.participants import age_band

# The years of experience a record may state (a working life).
MAX_EXPERIENCE_YEARS = 60
# Birth years the database takes: a sanity range (the check of her age against today is the kind's).
BIRTH_YEAR_MIN, BIRTH_YEAR_MAX = 1900, 2100
# The ages a candidate may be, by her year of birth (service from 18; leadership posts until retirement).
MIN_AGE, MAX_AGE = 17, 70


class Education(models.TextChoices):
    SECONDARY = "secondary", _("Secondary school")
    VOCATIONAL = "vocational", _("Vocational or technical")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")


class Language(models.TextChoices):
    AZERBAIJANI = "azerbaijani", _("Azerbaijani")
    RUSSIAN = "russian", _("Russian")
    ENGLISH = "english", _("English")
    TURKISH = "turkish", _("Turkish")
    GEORGIAN = "georgian", _("Georgian")
    PERSIAN = "persian", _("Persian")
    ARABIC = "arabic", _("Arabic")
    FRENCH = "french", _("French")
    GERMAN = "german", _("German")
    OTHER = "other", _("Other")


class Service(models.TextChoices):
    MILITARY = "military", _("Military service")
    POLICE = "police", _("Police service")
    BOTH = "both", _("Military or police service")


def candidate_problems(values: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """What is wrong across a candidate's values ({model field: value}), as (model field, code, message):
    her consent, her age by her year of birth (and its band), her years of experience."""
    problems: list[tuple[str, str, str]] = []
    if values.get("consent") is not True:
        problems.append(("consent", "required", gettext("Record a candidate only with her written consent.")))
    birth_year = values.get("birth_year")
    if birth_year is not None:
        age = timezone.localdate().year - birth_year
        if not MIN_AGE <= age <= MAX_AGE:
            message = gettext("Give a year of birth for an age from %(low)d to %(high)d.")
            problems.append(("birth_year", "invalid", message % {"low": MIN_AGE, "high": MAX_AGE}))
        else:
            problems += _band_problems(values, birth_year)
    experience = values.get("experience_years")
    if experience is not None and experience > MAX_EXPERIENCE_YEARS:
        message = gettext("Give at most %(max)d years of experience.") % {"max": MAX_EXPERIENCE_YEARS}
        problems.append(("experience_years", "invalid", message))
    unknown = [code for code in values.get("languages") or [] if code not in Language.values]
    if unknown:
        message = gettext("Unknown languages: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}
        problems.append(("languages", "invalid_choice", message))
    return problems


def _band_problems(values: Mapping[str, Any], birth_year: int) -> list[tuple[str, str, str]]:
    # Her age band is her age when she consented (the year of the consent), give or take her birthday.
    band = age_band(str(values.get("age_band") or ""))
    consented = values.get("consent_on")
    if band is None or not isinstance(consented, date):
        return []
    age = consented.year - birth_year
    high = band.high if band.high is not None else MAX_AGE + 1
    if band.low - 1 <= age <= high:
        return []
    message = gettext(
        "Her year of birth and her age band disagree: give the band she was in when she consented."
    )
    return [("age_band", "invalid", message)]


def _candidate_number() -> str:
    # A number to refer to a candidate by without her name (in letters, calls, lists): "WC-" and eight
    # hexadecimal digits, random so that it says nothing of when or where she was recorded.
    return f"WC-{secrets.token_hex(4).upper()}"


class Candidate(RegistryRecord):
    """One woman candidate: what she can do, where she lives, what she is interested in, her consent."""

    number = models.CharField(
        _("candidate number"), max_length=12, unique=True, default=_candidate_number, editable=False
    )
    full_name = models.CharField(_("full name"), max_length=200)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    # An option code of the plan's "age" dimension: the counts' cells.
    age_band = models.CharField(_("age band"), max_length=20)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    skills = models.TextField(_("skills"), max_length=2000)
    # Codes of ``Language``, as a list.
    languages = models.JSONField(_("languages"), default=list, blank=True)
    experience_years = models.PositiveSmallIntegerField(_("years of experience"), null=True, blank=True)
    current_position = models.CharField(_("current position"), max_length=200, blank=True)
    # An option code of the plan's "district" dimension.
    district = models.CharField(_("region"), max_length=40)
    interested_in = models.CharField(_("interested in"), max_length=10, choices=Service.choices)
    leadership_interest = models.BooleanField(_("interested in leadership posts"), default=False)
    contact = models.CharField(_("phone or e-mail"), max_length=200, blank=True)
    # Recorded only with her consent: the constraint below refuses a record without it.
    consent = models.BooleanField(_("consent given"), default=False)
    consent_on = models.DateField(_("consent given on"))

    class Meta:
        verbose_name = _("woman candidate")
        verbose_name_plural = _("women candidates")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(consent=True), name="candidate_consent_given"),
            models.CheckConstraint(
                condition=Q(education__in=Education.values), name="candidate_education_valid"
            ),
            models.CheckConstraint(
                condition=Q(interested_in__in=Service.values), name="candidate_interested_in_valid"
            ),
            models.CheckConstraint(
                condition=Q(experience_years__isnull=True) | Q(experience_years__lte=MAX_EXPERIENCE_YEARS),
                name="candidate_experience_range",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(birth_year__gte=BIRTH_YEAR_MIN, birth_year__lte=BIRTH_YEAR_MAX),
                name="candidate_birth_year_range",
            ),
            models.CheckConstraint(condition=~Q(full_name=""), name="candidate_full_name_given"),
            models.CheckConstraint(condition=~Q(age_band=""), name="candidate_age_band_given"),
            models.CheckConstraint(condition=~Q(district=""), name="candidate_district_given"),
        ]
        indexes = [models.Index(fields=["plan", "owner"], name="candidate_plan_owner_idx")]

    def clean(self) -> None:
        problems = {field: message for field, _code, message in candidate_problems(vars(self))}
        if problems:
            raise ValidationError(problems)

    def __str__(self) -> str:
        # Never her name: this string reaches audit labels and logs.
        return f"candidate {self.number}"
