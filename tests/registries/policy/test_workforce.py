"""Workforce monitoring (5.2.5.3): one row per agency, year and position level, refused twice with a clear
message; monitoring results dated after their year; and ``summary``, the share of women per level
and year with its trend, equal to an independent computation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from wpsnap.accounts.models import Organisation
from wpsnap.core.errors import InvalidInput
from wpsnap.registries.workforce.kinds import ALL_LEVELS, WORKFORCE_COUNTS, WORKFORCE_REVIEWS, summary
from wpsnap.registries.workforce.models import LEVEL_ORDER, PositionLevel, WorkforceCount

COUNT = {"year": "2021", "level": "senior", "women": "12", "men": "30"}


@pytest.mark.django_db
def test_a_count_read_from_a_row(add) -> None:
    """Codes or labels of the level, whole numbers of women and men."""
    count = add(WORKFORCE_COUNTS, {**COUNT, "level": str(PositionLevel.SENIOR.label)})
    assert (count.year, count.level, count.women, count.men, count.total) == (2021, "senior", 12, 30, 42)
    assert not any(c.personal for c in WORKFORCE_COUNTS.columns + WORKFORCE_REVIEWS.columns)


@pytest.mark.django_db
def test_a_second_row_for_the_same_agency_year_and_level_is_refused_with_a_clear_message(add) -> None:
    """The same agency's count for a level and year twice: the check says what to do (change that row),
    and the database refuses it whatever path it comes by. Another year, level or agency is fine."""
    first = add(WORKFORCE_COUNTS, COUNT)
    twin = WorkforceCount(plan=first.plan, owner=first.owner, year=2021, level="senior", women=1, men=1)
    with pytest.raises(ValidationError) as refused:
        twin.validate_constraints()
    assert refused.value.messages == [
        "This agency already has staff counts for this position level and year: change that row instead of "
        "adding another."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    add(WORKFORCE_COUNTS, {**COUNT, "year": "2022"})
    add(WORKFORCE_COUNTS, {**COUNT, "level": "middle"})
    add(WORKFORCE_COUNTS, COUNT, owner=Organisation.objects.get(key="mia"))
    assert WorkforceCount.objects.filter(plan=first.plan).count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", [("level", "intern"), ("year", 1999), ("women", -1), ("men", -3)])
def test_database_refuses_a_bad_count(add, field, value) -> None:
    count = add(WORKFORCE_COUNTS, COUNT)
    setattr(count, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        count.save()


@pytest.mark.django_db
def test_bad_rows_are_refused_by_header(events_plan, staff) -> None:
    from wpsnap.registries.kinds.columns import clean_values

    with pytest.raises(InvalidInput) as refused:
        clean_values(
            WORKFORCE_COUNTS,
            events_plan,
            {"year": "twenty", "level": "boss", "women": "-2", "men": ""},
            user=staff["coordinator"],
        )
    assert {p.field for p in refused.value.problems} == {"year", "level", "women", "men"}


@pytest.mark.django_db
def test_monitoring_results_are_dated_after_their_year(add) -> None:
    """A result completed before the year it is about is refused by the reader (on its column) and by the
    database; the State Committee may keep several agencies' results for one year."""
    from wpsnap.registries.kinds.columns import clean_values
    from wpsnap.registries.workforce.models import WorkforceReview

    row = {"year": "2021", "completed_on": "2022-01-20", "result": "Few women lead.", "proposals": ""}
    first = add(WORKFORCE_REVIEWS, row)
    add(WORKFORCE_REVIEWS, {**row, "result": "Another agency: no woman heads a department."})
    assert WorkforceReview.objects.filter(owner=first.owner, year=2021).count() == 2
    with pytest.raises(InvalidInput) as refused:
        clean_values(
            WORKFORCE_REVIEWS, first.plan, {**row, "completed_on": "2020-12-31"}, user=first.created_by
        )
    assert [p.field for p in refused.value.problems] == ["completed_on"]
    early = WorkforceReview(
        plan=first.plan, owner=first.owner, year=2023, completed_on="2022-12-31", result="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        early.save()


def test_summary_of_a_small_table() -> None:
    """Worked by hand: two agencies' senior staff in 2020 and 2021, leaders in 2021 only."""
    rows = [
        SimpleNamespace(year=2020, level="senior", women=10, men=30),
        SimpleNamespace(year=2020, level="senior", women=5, men=5),
        SimpleNamespace(year=2021, level="senior", women=20, men=30),
        SimpleNamespace(year=2021, level="leadership", women=1, men=2),
        SimpleNamespace(year=2021, level="support", women=0, men=0),
    ]
    found = [(r.year, r.level, r.women, r.men, r.share, r.change, r.trend) for r in summary(rows)]
    assert found == [
        (2020, "senior", 15, 35, Decimal("30.0"), None, ""),
        (2020, ALL_LEVELS, 15, 35, Decimal("30.0"), None, ""),
        (2021, "leadership", 1, 2, Decimal("33.3"), None, ""),
        (2021, "senior", 20, 30, Decimal("40.0"), Decimal("10.0"), "up"),
        (2021, "support", 0, 0, None, None, ""),
        (2021, ALL_LEVELS, 21, 32, Decimal("39.6"), Decimal("9.6"), "up"),
    ]
    assert str(summary(rows)[1].level_label) == "All levels"


counts = st.lists(
    st.builds(
        SimpleNamespace,
        year=st.integers(2018, 2024),
        level=st.sampled_from(LEVEL_ORDER),
        women=st.integers(0, 5000),
        men=st.integers(0, 5000),
    ),
    max_size=40,
)


def _percent(women: int, men: int) -> Decimal | None:
    # Exact fraction, rounded half up to one decimal by integer arithmetic: independent of summary's Decimals.
    if women + men == 0:
        return None
    tenths = Fraction(1000 * women, women + men)
    rounded = int(tenths + Fraction(1, 2))
    return Decimal(rounded) / 10


@given(records=counts)
def test_summary_equals_an_independent_computation(records) -> None:
    """For any table: one row per year and level counted plus one per year over all levels, in order; the
    women, men and share each what the rows add up to; the change what the share moved since the last
    earlier year counted at that level."""
    found = summary(records)
    expected = []
    for year in sorted({r.year for r in records}):
        for level in (*LEVEL_ORDER, ALL_LEVELS):
            mine = [r for r in records if r.year == year and level in (r.level, ALL_LEVELS)]
            if not mine:
                continue
            women, men = sum(r.women for r in mine), sum(r.men for r in mine)
            earlier = [r for r in records if r.year < year and level in (r.level, ALL_LEVELS)]
            change = None
            if earlier:
                last = max(r.year for r in earlier)
                before = [r for r in earlier if r.year == last]
                share_before = _percent(sum(r.women for r in before), sum(r.men for r in before))
                share_now = _percent(women, men)
                if share_before is not None and share_now is not None:
                    change = share_now - share_before
            expected.append((year, level, women, men, _percent(women, men), change))
    assert [(r.year, r.level, r.women, r.men, r.share, r.change) for r in found] == expected
    assert all(
        r.trend == ("" if r.change is None else "up" if r.change > 0 else "down" if r.change < 0 else "same")
        for r in found
    )


@pytest.mark.django_db
def test_the_summary_selector_reads_what_the_viewer_may_see(add, staff, django_assert_num_queries) -> None:
    """One query; all agencies together, or one agency's; nothing for someone who may not read them."""
    from django.contrib.auth.models import AnonymousUser

    from wpsnap.registries.workforce.selectors import workforce_summary

    mia = Organisation.objects.get(key="mia")
    add(WORKFORCE_COUNTS, COUNT)
    add(WORKFORCE_COUNTS, {**COUNT, "women": "18", "men": "22"}, owner=mia)
    plan = WorkforceCount.objects.first().plan
    with django_assert_num_queries(1):
        rows = workforce_summary(user=staff["evaluator"], plan=plan)
    assert [(r.year, r.level, r.women, r.men, r.share) for r in rows] == [
        (2021, "senior", 30, 52, Decimal("36.6")),
        (2021, ALL_LEVELS, 30, 52, Decimal("36.6")),
    ]
    assert [r.women for r in workforce_summary(user=staff["focal"], plan=plan, owner=mia)] == [18, 18]
    assert workforce_summary(user=AnonymousUser(), plan=plan) == []
