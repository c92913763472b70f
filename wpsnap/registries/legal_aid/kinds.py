"""The legal aid and services registry as a kind: its columns, who sees it, what it counts, and an example
record for the demo and the tests."""

from __future__ import annotations

from collections.abc import Mapping
from random import Random
from typing import Any

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import Column, ColumnType, Count, RegistryKind, Visibility

from .models import CODE_RULE, LegalAidService, ServiceType, service_problems

# Five years unless the installation says otherwise (WPSNAP_RETENTION_LEGAL_AID_DAYS): the plan's period
# and its final evaluation; the figures derived from the records stay in the reports.
RETENTION_DAYS = int(getattr(settings, "WPSNAP_RETENTION_LEGAL_AID_DAYS", 5 * 365))

_DISTRICTS = (("baku", "BAK"), ("ganja", "GAN"), ("barda", "BAR"), ("aghjabadi", "AGC"), ("fuzuli", "FZL"))
# Women and girls mostly, and their families.
_SEXES = ("women",) * 6 + ("men",)
_BANDS = ("0-17", "18-24", "25-34", "25-34", "35-59", "35-59", "60-plus")


# The plan's "service" dimension (reporting setup: education, health, social, legal, employment) by type of
# service, for the cells of "recipients disaggregated by service" (5.3.3-2-i1).
SERVICE_OPTIONS: dict[str, str] = {
    ServiceType.LEGAL_ADVICE.value: "legal",
    ServiceType.VOCATIONAL_TRAINING.value: "employment",
    ServiceType.EMPLOYMENT_SUPPORT.value: "employment",
    ServiceType.EDUCATION.value: "education",
    ServiceType.HEALTH.value: "health",
    ServiceType.SOCIAL_SERVICE.value: "social",
}


def validate(values: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The checks across a service's columns (the headers are the model fields' names)."""
    return service_problems(values)


def example(rng: Random) -> dict[str, str]:
    """One service given, as a file row (owner and activities left to the caller)."""
    district, prefix = rng.choice(_DISTRICTS)
    year = rng.randint(2020, 2023)
    return {
        "beneficiary_code": f"{prefix}-{year}-{rng.randint(1, 400):04d}",
        "sex": rng.choice(_SEXES),
        "age_band": rng.choice(_BANDS),
        "district": district,
        "service_type": rng.choice(ServiceType.values),
        "provided_on": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    }


def _service_label(service: ServiceType) -> str:
    return gettext("People who received this service: %(service)s") % {"service": service.label}


def _per_service(service: ServiceType) -> Count:
    return Count(
        key=f"beneficiaries_{service.value}",
        # Translated when shown, not when this module is imported.
        label=lazy(_service_label, str)(service),
        date_field="provided_on",
        distinct="beneficiary_code",
        sex_field="sex",
        age_field="age_band",
        where={"service_type": service.value},
    )


LEGAL_AID = RegistryKind(
    name="legal-aid",
    model=LegalAidService,
    label=_("Legal aid or service"),
    label_plural=_("Legal aid and services"),
    description=_(
        "Legal advice and other services given to internally displaced and conflict-affected women and girls "
        "and their families, each person by a code, never by name. Seen only by the organisation that gave "
        "the service and the coordinators."
    ),
    title_field="beneficiary_code",
    columns=(
        Column(
            "beneficiary_code",
            "beneficiary_code",
            _("Beneficiary code"),
            ColumnType.TEXT,
            required=True,
            help=CODE_RULE,
            in_list=True,
            personal=True,
        ),
        Column("sex", "sex", _("Sex"), ColumnType.SEX, required=True, in_list=True),
        Column("age_band", "age_band", _("Age band"), ColumnType.AGE_BAND, required=True, in_list=True),
        Column("district", "district", _("District"), ColumnType.DISTRICT, required=True),
        Column(
            "service_type",
            "service_type",
            _("Service"),
            ColumnType.CHOICE,
            required=True,
            choices=ServiceType,
            in_list=True,
        ),
        Column(
            "provided_on",
            "provided_on",
            _("Date of the service"),
            ColumnType.DATE,
            required=True,
            in_list=True,
        ),
    ),
    visibility=Visibility.OWNER,
    # 5.3.1.3 is the number the plan gives both the legal aid services (5.3.2-2) and the free legal advice
    # (5.3.2-3); 5.3.3.1 employment and vocational training; 5.3.3.2 education, health and social services.
    activity_codes=("5.3.1.3", "5.3.3.1", "5.3.3.2"),
    counts=(
        Count(
            key="services",
            label=_("Services given"),
            date_field="provided_on",
            sex_field="sex",
            age_field="age_band",
        ),
        Count(
            key="beneficiaries",
            label=_("People who received services (distinct beneficiary codes)"),
            date_field="provided_on",
            distinct="beneficiary_code",
            sex_field="sex",
            age_field="age_band",
            dimensions={"service": ("service_type", SERVICE_OPTIONS)},
        ),
        *(_per_service(service) for service in ServiceType),
    ),
    export_people=False,
    personal=True,
    retention_days=RETENTION_DAYS,
    consent_field=None,
    ordering=("-provided_on", "-id"),
    examples=example,
    validate=validate,
)
