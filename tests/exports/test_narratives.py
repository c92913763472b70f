"""The coordinator's narratives of the annual report and the end-of-plan review: what the database
refuses, how a save goes, and which language a report gets."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from wpsnap.core.errors import InvalidInput
from wpsnap.core.models import AuditEvent
from wpsnap.exports.models import TEXT_MAX, ReportNarrative
from wpsnap.exports.narratives import narratives_for, report_spans
from wpsnap.exports.services import NarrativeStale, narrative_save, narratives_save

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


# --- the service -------------------------------------------------------------------------------------


def _save(viewer, plan, section="conclusions", text="We conclude.", base=0, **kwargs):
    fields = {"first_year": 2020, "last_year": 2023, "language": "en"}
    fields.update(kwargs)
    return narrative_save(viewer=viewer, plan=plan, section=section, text=text, base_version=base, **fields)


def test_reports_of_a_plan(az_plan):
    """The Azerbaijan plan (2020-2023) has four annual reports and the end-of-plan review."""
    assert [(s.first_year, s.last_year) for s in report_spans(az_plan)] == [
        (2020, 2020),
        (2021, 2021),
        (2022, 2022),
        (2023, 2023),
        (2020, 2023),
    ]
    assert report_spans(az_plan)[-1].is_review


def test_coordinator_saves_with_history_and_audit(az_plan, make_user):
    """A coordinator's save stores the text (line breaks as LF, trimmed), version 1, then 2 on a change,
    each version in the history, each save on the audit trail with its author; saving the same text again
    changes nothing."""
    coordinator = make_user("coordinator")
    row = _save(coordinator, az_plan, text="First.\r\n\r\nSecond paragraph.  ")
    assert (row.text, row.version, row.created_by, row.updated_by) == (
        "First.\n\nSecond paragraph.",
        1,
        coordinator,
        coordinator,
    )
    row = _save(coordinator, az_plan, text="Changed.", base=1)
    assert (row.text, row.version) == ("Changed.", 2)
    assert _save(coordinator, az_plan, text="Changed.", base=2).version == 2
    assert list(row.history.order_by("history_id").values_list("text", "version")) == [
        ("First.\n\nSecond paragraph.", 1),
        ("Changed.", 2),
    ]
    lines = AuditEvent.objects.filter(object_type="exports.reportnarrative", object_id=str(row.pk))
    assert list(lines.order_by("id").values_list("action", "actor")) == [
        ("create", coordinator.pk),
        ("update", coordinator.pk),
    ]


@pytest.mark.parametrize("role", ["approver", "focal_point", "ngo_contributor", "evaluator"])
def test_only_coordinators_write(az_plan, make_user, role):
    """Everyone else is refused (403), the refusal audited, nothing saved; evaluators read, never write."""
    with pytest.raises(PermissionDenied):
        _save(make_user(role), az_plan)
    assert not ReportNarrative.objects.exists()
    assert AuditEvent.objects.filter(action="access_refused", note="exports.narrative.edit").exists()


def test_stale_write_refused_naming_the_section(az_plan, make_user):
    """Two coordinators open the same text; the second one's save on the older version is refused,
    naming the section, with the text now stored beside theirs; nothing of the save is kept, not even a
    section that did not conflict. Saved again on the new version, it goes through."""
    first, second = make_user("coordinator"), make_user("coordinator", "scfwca", "second-coordinator")
    _save(first, az_plan, text="Theirs.", base=0)
    with pytest.raises(NarrativeStale) as refused:
        narratives_save(
            viewer=second,
            plan=az_plan,
            first_year=2020,
            last_year=2023,
            language="en",
            texts={"conclusions": "Mine.", "summary": "A summary."},
            base_versions={"conclusions": 0, "summary": 0},
        )
    assert "Conclusions" in str(refused.value)
    assert [(p.field, p.code) for p in refused.value.problems] == [("", "stale"), ("conclusions", "stale")]
    assert refused.value.extra() == {
        "versions": {"conclusions": 1},
        "conflicts": [{"field": "conclusions", "current": "Theirs.", "yours": "Mine."}],
    }
    assert list(ReportNarrative.objects.values_list("section", "text")) == [("conclusions", "Theirs.")]
    assert _save(second, az_plan, text="Mine.", base=1).text == "Mine."


def test_stale_write_of_the_same_text_goes_through(az_plan, make_user):
    """Two people typing the same words do not conflict; a version never written is refused."""
    coordinator = make_user("coordinator")
    _save(coordinator, az_plan, text="Same.", base=0)
    assert _save(coordinator, az_plan, text="Same.", base=0).version == 1
    with pytest.raises(InvalidInput) as refused:
        _save(coordinator, az_plan, text="Other.", base=7)
    assert refused.value.problems[0].field == "conclusions"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"section": "foreword"}, "section"),
        ({"section": "pillar:no-such-pillar"}, "section"),
        ({"section": "activity:no-such-activity"}, "section"),
        ({"language": "fr"}, "language"),
        ({"first_year": 2020, "last_year": 2021}, "period"),
        ({"first_year": 2019, "last_year": 2019}, "period"),
        ({"text": "x" * (TEXT_MAX + 1)}, "conclusions"),
        ({"text": "nul\x00"}, "conclusions"),
    ],
    ids=["section", "pillar", "activity", "language", "two years", "year outside", "too long", "NUL"],
)
def test_bad_input_names_the_field(az_plan, make_user, fields, field):
    """A section not of this report, a language, a period that is not a report of the plan, a text too
    long or with a control character: refused naming the field, nothing saved."""
    with pytest.raises(InvalidInput) as refused:
        _save(make_user("coordinator"), az_plan, **fields)
    assert [p.field for p in refused.value.problems] == [field]
    assert not ReportNarrative.objects.exists()


def test_notes_on_pillars_and_activities(az_plan, make_user):
    """A note on one of the plan's pillars or activities is saved under its key."""
    coordinator = make_user("coordinator")
    pillar = az_plan.pillars.order_by("position").first()
    activity = az_plan.activities.order_by("pk").first()
    _save(coordinator, az_plan, section=f"pillar:{pillar.key}", text="On the pillar.")
    _save(
        coordinator,
        az_plan,
        section=f"activity:{activity.key}",
        text="On the activity.",
        first_year=2021,
        last_year=2021,
    )
    assert narratives_for(plan=az_plan, first_year=2020, last_year=2023, language="en") == {
        f"pillar:{pillar.key}": "On the pillar."
    }
    assert narratives_for(plan=az_plan, first_year=2021, last_year=2021, language="az") == {
        f"activity:{activity.key}": "On the activity."
    }
