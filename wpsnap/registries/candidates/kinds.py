"""The women candidates registry as a kind: its columns, who sees it, what it counts, and an example
record for the demo and the tests."""

from __future__ import annotations

from collections.abc import Mapping
from random import Random
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import Column, ColumnType, Count, RegistryKind, Visibility

from .models import Candidate, Education, Language, Service, candidate_problems

# Three years unless the installation says otherwise (WPSNAP_RETENTION_CANDIDATES_DAYS): a candidate who
# is still interested gives her consent again and is recorded anew.
RETENTION_DAYS = int(getattr(settings, "WPSNAP_RETENTION_CANDIDATES_DAYS", 3 * 365))

# Obviously made-up example values: the demo data and the tests never look like a real person.
_DISTRICTS = ("baku", "ganja", "sumgayit", "mingachevir", "lankaran", "shaki", "barda", "absheron")
_BANDS = ((18, 24, "18-24"), (25, 34, "25-34"), (35, 59, "35-59"))
_SKILLS = (
    "Team leadership; first aid; physical fitness",
    "Criminal law; interviewing; report writing",
    "Logistics planning; driving licence (C); radio communications",
    "Cyber security; data analysis",
    "Psychology; crisis counselling; negotiation",
    "Accounting; procurement; project management",
    "Forensic chemistry; laboratory work",
    "Teaching; public speaking; community outreach",
)
_POSITIONS = (
    "Police sergeant",
    "Lawyer",
    "Engineer",
    "Teacher",
    "Nurse",
    "Student",
    "Civil servant",
    "Lieutenant (reserve)",
    "",
)


def validate(values: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The checks across a candidate's columns, each named by its column's header."""
    headers = {column.field: column.header for column in CANDIDATES.columns}
    return [(headers[field], code, message) for field, code, message in candidate_problems(values)]


def example(rng: Random) -> dict[str, str]:
    """One realistic candidate as a file row (owner and activities left to the caller)."""
    low, high, band = rng.choice(_BANDS)
    age = rng.randint(low, high)
    consent_year = rng.randint(2020, 2023)
    languages = [
        "azerbaijani",
        *rng.sample(["russian", "english", "turkish", "georgian", "persian"], rng.randint(0, 2)),
    ]
    experience = max(0, age - 22 - rng.randint(0, 4))
    return {
        "full_name": f"Demo Candidate {rng.randint(1, 99999):05d}",
        "birth_year": str(consent_year - age),
        "age_band": band,
        "education": rng.choice(Education.values),
        "skills": rng.choice(_SKILLS),
        "languages": "; ".join(languages),
        "experience_years": str(experience),
        "current_position": rng.choice(_POSITIONS),
        "district": rng.choice(_DISTRICTS),
        "interested_in": rng.choice(Service.values),
        "leadership_interest": rng.choice(("yes", "no")),
        "contact": "",
        "consent": "yes",
        "consent_on": f"{consent_year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    }


CANDIDATES = RegistryKind(
    name="candidates",
    model=Candidate,
    label=_("Woman candidate"),
    label_plural=_("Women candidates"),
    description=_(
        "Women with skills for military and police service, especially for leadership posts, who agreed "
        "to be considered by the recruiting authorities."
    ),
    title_field="number",
    columns=(
        Column(
            "full_name",
            "full_name",
            _("Full name"),
            ColumnType.TEXT,
            required=True,
            in_list=True,
            personal=True,
        ),
        Column(
            "birth_year",
            "birth_year",
            _("Year of birth"),
            ColumnType.YEAR,
            help=_("Optional: the age band is enough for the counts."),
            personal=True,
        ),
        Column("age_band", "age_band", _("Age band"), ColumnType.AGE_BAND, required=True, in_list=True),
        Column("education", "education", _("Education"), ColumnType.CHOICE, required=True, choices=Education),
        Column(
            "skills",
            "skills",
            _("Skills"),
            ColumnType.LONG_TEXT,
            required=True,
            help=_(
                "What she can do that matters for military or police service: training, licences, specialities."
            ),
            personal=True,
        ),
        Column("languages", "languages", _("Languages"), ColumnType.CHOICES, choices=Language),
        Column("experience_years", "experience_years", _("Years of experience"), ColumnType.INTEGER),
        Column("current_position", "current_position", _("Current position"), ColumnType.TEXT, personal=True),
        Column("district", "district", _("Region"), ColumnType.DISTRICT, required=True, in_list=True),
        Column(
            "interested_in",
            "interested_in",
            _("Interested in"),
            ColumnType.CHOICE,
            required=True,
            choices=Service,
            in_list=True,
        ),
        Column(
            "leadership_interest",
            "leadership_interest",
            _("Interested in leadership posts"),
            ColumnType.BOOLEAN,
            required=True,
            in_list=True,
        ),
        Column(
            "contact",
            "contact",
            _("Phone or e-mail"),
            ColumnType.TEXT,
            help=_("How the recruiting authority reaches her; only if she agreed to be contacted."),
            personal=True,
        ),
        Column(
            "consent",
            "consent",
            _("Consent given"),
            ColumnType.BOOLEAN,
            required=True,
            help=_(
                "She agreed in writing to be kept in this database for the recruiting authorities. Without "
                "her consent she is not recorded."
            ),
        ),
        Column("consent_on", "consent_on", _("Consent given on"), ColumnType.DATE, required=True),
    ),
    visibility=Visibility.AUTHORITIES,
    activity_codes=("5.2.1.2",),
    counts=(
        Count(
            key="candidates",
            label=_("Women candidates in the database"),
            date_field=None,
            age_field="age_band",
        ),
        Count(
            key="authorities",
            label=_("Authorities for which a database of candidates exists"),
            date_field=None,
            distinct="owner",
        ),
    ),
    export_people=True,
    personal=True,
    retention_days=RETENTION_DAYS,
    consent_field="consent",
    ordering=("-id",),
    examples=example,
    validate=validate,
)
