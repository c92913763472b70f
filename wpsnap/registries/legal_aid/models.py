"""Legal aid and services (5.3.2, 5.3.3): one record per service given to one person, who is named only by
a pseudonymous beneficiary code that the providing organisation issues and keeps the key to (never her
name). The records answer the indicators that count recipients by age, sex and service: distinct codes
per period. No free text at all (a note would invite names), no history table (it would copy the rows),
``__str__`` without the code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import RegistryRecord

# A beneficiary code: 4 to 20 capital Latin letters, digits and hyphens, starting with a letter or a digit,
# with at least one digit. A name never passes: it has a space, small or non-Latin letters, or no digit
# ("AYSEL" is refused too). The same two patterns hold in the database (SQLite and PostgreSQL read them
# alike: plain ranges, no classes).
CODE_SHAPE = r"^[A-Z0-9][A-Z0-9-]{3,19}$"
CODE_DIGIT = r"[0-9]"
CODE_MAX = 20
CODE_RULE = _(
    "Give the beneficiary's code, never a name: 4 to 20 capital Latin letters, digits and hyphens, with at "
    "least one digit (e.g. BAK-2021-0042)."
)


def code_is_valid(value: str) -> bool:
    return bool(re.fullmatch(CODE_SHAPE[1:-1], value)) and bool(re.search(CODE_DIGIT, value))


def validate_code(value: str) -> None:
    if not code_is_valid(value):
        raise ValidationError(CODE_RULE, code="invalid")


def service_problems(values: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """What is wrong across a service's values ({model field: value}), as (model field, code, message): a
    beneficiary code that is not one (a name), a date in the future."""
    problems: list[tuple[str, str, str]] = []
    code = values.get("beneficiary_code")
    if code is not None and not code_is_valid(str(code)):
        problems.append(("beneficiary_code", "invalid", str(CODE_RULE)))
    provided_on = values.get("provided_on")
    if isinstance(provided_on, date) and provided_on > timezone.localdate():
        problems.append(
            ("provided_on", "invalid", gettext("The date of the service cannot be in the future."))
        )
    return problems


class ServiceType(models.TextChoices):
    LEGAL_ADVICE = "legal_advice", _("Legal advice")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    EMPLOYMENT_SUPPORT = "employment_support", _("Employment support")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    SOCIAL_SERVICE = "social_service", _("Social service")


class LegalAidService(RegistryRecord):
    """One service given to one person (by her code), on one day, by the record's owner (the provider)."""

    beneficiary_code = models.CharField(
        _("beneficiary code"),
        max_length=CODE_MAX,
        validators=[RegexValidator(CODE_SHAPE, CODE_RULE), validate_code],
        help_text=CODE_RULE,
    )
    # Option codes of the plan's "sex", "age" and "district" dimensions.
    sex = models.CharField(_("sex"), max_length=20)
    age_band = models.CharField(_("age band"), max_length=20)
    district = models.CharField(_("district"), max_length=40)
    service_type = models.CharField(_("service"), max_length=30, choices=ServiceType.choices)
    provided_on = models.DateField(_("date of the service"))

    class Meta:
        verbose_name = _("legal aid or service")
        verbose_name_plural = _("legal aid and services")
        ordering = ["-provided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(beneficiary_code__regex=CODE_SHAPE) & Q(beneficiary_code__regex=CODE_DIGIT),
                name="legal_aid_code_shape",
            ),
            models.CheckConstraint(
                condition=Q(service_type__in=ServiceType.values), name="legal_aid_service_type_valid"
            ),
            models.CheckConstraint(condition=~Q(sex=""), name="legal_aid_sex_given"),
            models.CheckConstraint(condition=~Q(age_band=""), name="legal_aid_age_band_given"),
            models.CheckConstraint(condition=~Q(district=""), name="legal_aid_district_given"),
        ]
        indexes = [
            models.Index(fields=["plan", "owner", "provided_on"], name="legal_aid_plan_owner_date_idx"),
            models.Index(fields=["owner", "beneficiary_code"], name="legal_aid_owner_code_idx"),
        ]

    def clean(self) -> None:
        problems = {field: message for field, _code, message in service_problems(vars(self))}
        if problems:
            raise ValidationError(problems)

    def __str__(self) -> str:
        # Never the beneficiary code: this string reaches audit labels and logs.
        return f"legal aid service {self.pk}"
