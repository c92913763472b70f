"""The coordinator's narratives of the annual report and the end-of-plan review: what the database
refuses, how a save goes, and which language a report gets."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from wpsnap.exports.models import ReportNarrative
from wpsnap.exports.narratives import narratives_for

pytestmark = pytest.mark.django_db


def _narrative(plan, **kwargs) -> ReportNarrative:
    fields = {"first_year": 2020, "last_year": 2023, "section": "summary", "language": "en", "text": "x"}
    fields.update(kwargs)
    return ReportNarrative.objects.create(plan=plan, **fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"first_year": 2023, "last_year": 2020},
        {"section": "foreword"},
        {"section": "pillar:"},
        {"section": "pillar: bad key"},
        {"section": "activity:-x"},
        {"section": "SUMMARY"},
        {"language": "fr"},
    ],
    ids=[
        "years reversed",
        "unknown section",
        "empty pillar key",
        "key with spaces",
        "key with dash first",
        "capitals",
        "language",
    ],
)
def test_database_refuses_bad_rows(az_plan, fields):
    """The database itself refuses reversed years, a section key of the wrong shape, and a language
    other than az, en and ru."""
    with pytest.raises(IntegrityError), transaction.atomic():
        _narrative(az_plan, **fields)


def test_database_accepts_the_section_keys(az_plan):
    """The four sections and notes on one pillar or one activity (by its key) are accepted."""
    for section in [
        "summary",
        "challenges",
        "conclusions",
        "recommendations",
        "pillar:prevention",
        "activity:1.1.2",
        "activity:A_b-3",
    ]:
        _narrative(az_plan, section=section)
    assert ReportNarrative.objects.filter(plan=az_plan).count() == 7


def test_one_text_per_section_and_language(az_plan):
    """A second text of the same report's section in the same language is refused."""
    _narrative(az_plan)
    with pytest.raises(IntegrityError), transaction.atomic():
        _narrative(az_plan, text="other")


def test_narratives_fall_back_az_en_ru(az_plan):
    """A section missing in the language asked comes in az, else en, else ru; empty texts count as
    missing; another report's texts never show."""
    _narrative(az_plan, section="summary", language="ru", text="RU summary")
    _narrative(az_plan, section="summary", language="en", text="EN summary")
    _narrative(az_plan, section="challenges", language="ru", text="RU challenges")
    _narrative(az_plan, section="conclusions", language="az", text="AZ conclusions")
    _narrative(az_plan, section="conclusions", language="en", text="")
    _narrative(
        az_plan,
        section="recommendations",
        language="en",
        text="other report",
        first_year=2021,
        last_year=2021,
    )
    assert narratives_for(plan=az_plan, first_year=2020, last_year=2023, language="ru") == {
        "summary": "RU summary",
        "challenges": "RU challenges",
        "conclusions": "AZ conclusions",
    }
    assert narratives_for(plan=az_plan, first_year=2020, last_year=2023, language="en") == {
        "summary": "EN summary",
        "challenges": "RU challenges",
        "conclusions": "AZ conclusions",
    }
    assert narratives_for(plan=az_plan, first_year=2021, last_year=2021, language="az") == {
        "recommendations": "other report"
    }
