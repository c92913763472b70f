"""Registry values as text and back (kinds/columns.py): every column type reads what people type in the
three languages, refuses the rest naming the column, and writes what it reads (round trip)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from wpsnap.core.errors import InvalidInput
from wpsnap.registries.kinds.base import Column, ColumnType
from wpsnap.registries.kinds.columns import format_value, parse_value


class Colour(models.TextChoices):
    DARK_RED = "dark_red", "Dark red"
    BLUE = "blue", "Blue"


def col(data_type, **kw):
    return Column(field="x", header="x", label="X", data_type=data_type, **kw)


def parse(column, text):
    # Types that read nothing from the database: no plan or user needed.
    return parse_value(column, text, plan=None, user=None)


@pytest.mark.parametrize(
    ("data_type", "text", "value"),
    [
        (ColumnType.TEXT, "  A title ", "A title"),
        (ColumnType.LONG_TEXT, "two\nlines", "two\nlines"),
        (ColumnType.INTEGER, "1 234", 1234),
        (ColumnType.INTEGER, 7, 7),
        (ColumnType.DECIMAL, "1500,50", Decimal("1500.50")),
        (ColumnType.DECIMAL, "12,500.25", Decimal("12500.25")),
        (ColumnType.DATE, "2024-03-31", date(2024, 3, 31)),
        (ColumnType.DATE, "31.03.2024", date(2024, 3, 31)),
        (ColumnType.DATE, "2024-03-31T00:00:00", date(2024, 3, 31)),
        (ColumnType.DATE, date(2024, 3, 31), date(2024, 3, 31)),
        (ColumnType.YEAR, "2024", 2024),
        (ColumnType.BOOLEAN, "bəli", True),
        (ColumnType.BOOLEAN, "нет", False),
        (ColumnType.BOOLEAN, True, True),
        (ColumnType.URL, "https://example.org/a?b=1", "https://example.org/a?b=1"),
        (ColumnType.TEXT, "", ""),
        (ColumnType.INTEGER, "", None),
        (ColumnType.CHOICES, "", []),
    ],
)
def test_reads_what_people_type(data_type, text, value):
    assert parse(col(data_type), text) == value


def test_choices_read_codes_and_labels():
    column = col(ColumnType.CHOICE, choices=Colour)
    assert parse(column, "dark_red") == "dark_red"
    assert parse(column, "Dark Red") == "dark_red"
    assert parse(column, "dark-red") == "dark_red"
    several = col(ColumnType.CHOICES, choices=Colour)
    assert parse(several, "blue; Dark red; blue") == ["blue", "dark_red"]
    assert parse(several, ["blue", "dark_red"]) == ["blue", "dark_red"]


@pytest.mark.parametrize(
    ("data_type", "text", "code"),
    [
        (ColumnType.INTEGER, "-3", "invalid"),
        (ColumnType.INTEGER, "²", "invalid"),
        (ColumnType.DECIMAL, "1e5", "invalid"),
        (ColumnType.DECIMAL, "-1", "invalid"),
        (ColumnType.DATE, "2024-02-30", "invalid"),
        (ColumnType.DATE, "yesterday", "invalid"),
        (ColumnType.YEAR, "24", "invalid"),
        (ColumnType.BOOLEAN, "maybe", "invalid"),
        (ColumnType.URL, "javascript:alert(1)", "invalid"),
        (ColumnType.URL, "ftp://example.org/", "invalid"),
        (ColumnType.TEXT, "x" * 201, "max_length"),
        (ColumnType.TEXT, "bell\x07", "invalid"),
    ],
)
def test_refuses_naming_the_column(data_type, text, code):
    with pytest.raises(InvalidInput) as refused:
        parse(col(data_type), text)
    [problem] = refused.value.problems
    assert (problem.field, problem.code) == ("x", code)


def test_refuses_an_unknown_choice_listing_the_codes():
    with pytest.raises(InvalidInput) as refused:
        parse(col(ColumnType.CHOICE, choices=Colour), "green")
    assert "dark_red, blue" in refused.value.problems[0].message


@given(
    st.one_of(
        st.tuples(st.just(ColumnType.INTEGER), st.integers(0, 2_000_000_000)),
        st.tuples(
            st.just(ColumnType.DECIMAL),
            st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
        ),
        st.tuples(st.just(ColumnType.DATE), st.dates(date(1950, 1, 1), date(2100, 1, 1))),
        st.tuples(st.just(ColumnType.YEAR), st.integers(1900, 2100)),
        st.tuples(st.just(ColumnType.BOOLEAN), st.booleans()),
        st.tuples(
            st.just(ColumnType.TEXT),
            st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=200).map(
                str.strip
            ),
        ),
        st.tuples(st.just(ColumnType.CHOICE), st.sampled_from(Colour.values)),
        st.tuples(st.just(ColumnType.CHOICES), st.lists(st.sampled_from(Colour.values), unique=True)),
    )
)
def test_round_trip(pair):
    data_type, value = pair
    column = col(data_type, choices=Colour)
    text = format_value(column, value)
    assert parse(column, text) == value
    assert format_value(column, parse(column, text)) == text


@pytest.mark.django_db
def test_plan_vocabulary_organisations_and_activities(events_plan, people):
    plan, user = events_plan, people["focal"]

    def read(data_type, text):
        return parse_value(col(data_type), text, plan=plan, user=user)

    assert read(ColumnType.DISTRICT, "Gəncə") == "ganja"
    assert read(ColumnType.DISTRICT, "ganja") == "ganja"
    assert read(ColumnType.SEX, "qadın") == "women"  # noqa: RUF001
    assert read(ColumnType.ORGANISATION, "MOD").key == "mod"
    activities = read(ColumnType.ACTIVITIES, "5.4.1.3; 5.1.2.3")
    assert [a.code for a in activities] == ["5.4.1.3", "5.1.2.3"]
    assert format_value(col(ColumnType.ACTIVITIES), activities) == "5.4.1.3; 5.1.2.3"
    for data_type, text in (
        (ColumnType.DISTRICT, "Atlantis"),
        (ColumnType.ORGANISATION, "nobody"),
        (ColumnType.ACTIVITIES, "9.9.9"),
        (ColumnType.EVENTS, "12345"),
    ):
        with pytest.raises(InvalidInput):
            read(data_type, text)


@pytest.mark.django_db
def test_events_only_those_the_writer_sees(events_plan, people, training):
    column = col(ColumnType.EVENTS)
    assert parse_value(column, str(training.pk), plan=events_plan, user=people["focal"]) == [training]
    assert format_value(column, [training]) == str(training.pk)
    with pytest.raises(InvalidInput):
        parse_value(column, str(training.pk), plan=events_plan, user=people["other_focal"])
