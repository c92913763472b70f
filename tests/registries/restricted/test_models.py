"""The restricted registries' rules of their own: the database refuses a candidate without consent and a
beneficiary code that is a name, the declarations keep personal columns flagged, and nothing a record says
about a person is in its name (``__str__``, which reaches audit labels and logs)."""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.core.errors import InvalidInput
from wpsnap.registries.candidates.models import Candidate
from wpsnap.registries.kinds.base import Visibility
from wpsnap.registries.kinds.columns import clean_values
from wpsnap.registries.legal_aid.models import LegalAidService, code_is_valid

from .conftest import make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(events_plan):
    return events_plan


def _refused(record, **changes):
    for name, value in changes.items():
        setattr(record, name, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()


def test_candidate_needs_consent_and_valid_codes(plan, staff, candidates_kind):
    """The database refuses a candidate without consent, an unknown education or service, more than 60
    years of experience, a blank name, band or region."""
    record = make_record(candidates_kind, plan, staff["mia_focal"])
    for change in (
        {"consent": False},
        {"education": "phd"},
        {"interested_in": "navy"},
        {"experience_years": 61},
        {"birth_year": 1850},
        {"full_name": ""},
        {"age_band": ""},
        {"district": ""},
    ):
        fresh = Candidate.objects.get(pk=record.pk)
        _refused(fresh, **change)


def test_legal_aid_constraints(plan, staff, legal_aid_kind):
    """The database refuses an unknown service, a blank sex, band or district, and a code that is a name."""
    record = make_record(legal_aid_kind, plan, staff["moj_focal"])
    for change in (
        {"service_type": "housing"},
        {"sex": ""},
        {"age_band": ""},
        {"district": ""},
        {"beneficiary_code": "Aysel Mammadova"},
        {"beneficiary_code": "AYSEL"},
        {"beneficiary_code": "bak-2021-1"},
        {"beneficiary_code": "B1"},
    ):
        fresh = LegalAidService.objects.get(pk=record.pk)
        _refused(fresh, **change)


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("BAK-2021-0042", True),
        ("A123", True),
        ("12345678901234567890", True),
        ("123456789012345678901", False),  # 21 characters
        ("A12", False),  # too short
        ("Aysel Mammadova", False),  # a name: a space, small letters
        ("AYSEL", False),  # no digit: a name in capitals
        ("AYSEL MAMMADOVA 1", False),  # spaces
        ("ƏLİYEVA-1", False),  # letters outside A-Z
        ("-BAK1", False),  # starts with a hyphen
        ("bak-2021-0042", False),  # small letters: the canonical form is in capitals
    ],
)
def test_beneficiary_code_rule(code, valid):
    """A code is 4-20 capital Latin letters, digits and hyphens with a digit: a name never passes."""
    assert code_is_valid(code) is valid


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.text(alphabet=st.characters(categories=["L"]), min_size=2, max_size=12),
    last=st.text(alphabet=st.characters(categories=["L"]), min_size=2, max_size=12),
)
def test_no_name_is_a_code(first, last):
    """Nothing shaped like a name (letters, a space, letters) is a valid beneficiary code."""
    assert not code_is_valid(f"{first} {last}")
    assert not code_is_valid(first.upper()) or any(ch.isdigit() for ch in first)


def test_file_rows_name_each_problem(plan, staff, legal_aid_kind, candidates_kind):
    """Checked as a file row, a name given as the code, a date in the future, a candidate without consent
    or with a year of birth that disagrees with her age band are refused, each named by its header."""
    rng = Random(3)
    future = (date.today() + timedelta(days=2)).isoformat()
    raw = {**legal_aid_kind.examples(rng), "beneficiary_code": "Aysel Mammadova", "provided_on": future}
    with pytest.raises(InvalidInput) as refused:
        clean_values(legal_aid_kind, plan, raw, user=staff["moj_focal"])
    assert sorted(p.field for p in refused.value.problems) == ["beneficiary_code", "provided_on"]
    assert "Aysel" not in str(refused.value)

    raw = {**candidates_kind.examples(rng), "consent": "no"}
    with pytest.raises(InvalidInput) as refused:
        clean_values(candidates_kind, plan, raw, user=staff["mia_focal"])
    assert [p.field for p in refused.value.problems] == ["consent"]

    raw = {
        **candidates_kind.examples(rng),
        "birth_year": "1990",
        "age_band": "18-24",
        "consent_on": "2022-05-01",
    }
    with pytest.raises(InvalidInput) as refused:
        clean_values(candidates_kind, plan, raw, user=staff["mia_focal"])
    assert [p.field for p in refused.value.problems] == ["age_band"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=10**6))
def test_examples_are_valid_rows(plan, staff, candidates_kind, legal_aid_kind, seed):
    """Every example row of both kinds passes the checks a file row gets, and the model's own clean()."""
    for kind, actor in ((candidates_kind, staff["mia_focal"]), (legal_aid_kind, staff["moj_focal"])):
        values = clean_values(kind, plan, kind.examples(Random(seed)), user=actor)
        values.pop("activities")
        record = kind.model(plan=plan, owner=actor.organisation, **values)
        record.full_clean(exclude=["plan", "owner"])


def test_names_say_nothing_personal(plan, staff, candidates_kind, legal_aid_kind):
    """A record's name (audit labels, logs, admin) is its number or id, never a personal value."""
    candidate = make_record(candidates_kind, plan, staff["mia_focal"], full_name="Leyla Testova")
    service = make_record(legal_aid_kind, plan, staff["moj_focal"], beneficiary_code="GAN-2022-0007")
    assert str(candidate) == f"candidate {candidate.number}"
    assert str(service) == f"legal aid service {service.pk}"
    for record, kind in ((candidate, candidates_kind), (service, legal_aid_kind)):
        for column in kind.columns:
            value = getattr(record, column.field)
            if column.personal and value not in (None, ""):
                assert str(value) not in str(record)


def test_declarations(candidates_kind, legal_aid_kind):
    """Who sees what, as the issue says: candidates for the authorities, legal aid for its provider and
    never exported person by person; both personal, with a retention and personal columns flagged; a
    record's title is never a name."""
    assert candidates_kind.visibility == Visibility.AUTHORITIES
    assert legal_aid_kind.visibility == Visibility.OWNER
    assert legal_aid_kind.export_people is False
    assert candidates_kind.personal and legal_aid_kind.personal
    assert candidates_kind.retention_days == 3 * 365
    assert legal_aid_kind.retention_days == 5 * 365
    assert candidates_kind.consent_field == "consent"
    personal = {c.field for c in candidates_kind.columns if c.personal}
    assert {"full_name", "birth_year", "contact", "skills", "current_position"} <= personal
    assert {c.field for c in legal_aid_kind.columns if c.personal} == {"beneficiary_code"}
    assert candidates_kind.title_field == "number"
    assert {c.key for c in candidates_kind.counts} == {"candidates", "authorities"}
    authorities = next(c for c in candidates_kind.counts if c.key == "authorities")
    assert (authorities.distinct, authorities.date_field) == ("owner", None)
    beneficiaries = next(c for c in legal_aid_kind.counts if c.key == "beneficiaries")
    assert (beneficiaries.distinct, beneficiaries.sex_field, beneficiaries.age_field) == (
        "beneficiary_code",
        "sex",
        "age_band",
    )
