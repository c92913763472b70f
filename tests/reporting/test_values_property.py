"""Property tests of the report's figures as people type them: ``parse_number``, ``check_money`` and
``check_values`` (one indicator's sex x age cells), and ``report_save`` with them. Any text in any cell
(odd Unicode, NUL, huge or negative numbers, exponents, other scripts' digits, cells that are not the
indicator's) is either a number stored as typed or named by its cell, never an exception; what is stored
fits the database's column and reads back as the same figure (the form shows it again as typed)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from wpsnap.core.errors import InvalidInput
from wpsnap.reporting import selectors, services
from wpsnap.reporting.disaggregation import TOTAL, field_name
from wpsnap.reporting.models import IndicatorValue
from wpsnap.reporting.services import ReportInput
from wpsnap.reporting.validation import MAX_VALUE, check_money, check_values, parse_number

odd_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from(["\x00", "\u00a0", "\u202e", ",", ".", "-", " ", "e", "\u0663", "\uff11"]),
    max_size=25,
)
typed_numbers = st.one_of(
    st.integers(min_value=-(10**18), max_value=10**18).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**12), max_value=10**12).map(
        str
    ),
    st.integers(min_value=0, max_value=10**12).map(lambda n: f"{n:,}".replace(",", " ")),
    st.integers(min_value=0, max_value=10**6).map(lambda n: f"{n},5"),
    st.sampled_from(
        ["", " ", "0", "-0", "1e9", "NaN", "Infinity", "0x1F", "1_000", "\u0663", "\uff11\uff12", "12\x00"]
    ),
)
cell_texts = typed_numbers | odd_text


@settings(max_examples=150)
@given(cell_texts)
def test_a_typed_number_is_a_plain_decimal_a_blank_or_refused(text) -> None:
    try:
        value = parse_number(text)
    except ValueError:
        event("refused")
        return
    if value is None:
        assert text.strip().replace("\u00a0", "").replace(" ", "") == ""
        return
    assert value.is_finite()
    # Shown again as the form shows a stored figure, it reads back the same.
    assert parse_number(f"{value.normalize():f}") == value


@settings(max_examples=150)
@given(cell_texts)
def test_an_amount_fits_the_money_column_or_is_refused_with_a_message(text) -> None:
    value, message = check_money(text)
    assert (value is None) or (message is None)
    if value is not None:
        assert Decimal(0) <= value <= MAX_VALUE * 100
        assert value == value.quantize(Decimal("0.01"))
        assert len(value.quantize(Decimal("0.01")).as_tuple().digits) <= 14  # numeric(14, 2)


# --- one indicator's cells --------------------------------------------------------------------------


@pytest.fixture
def spec(reporting, activity_512_3):
    indicator = activity_512_3.indicators.get()
    return selectors.indicator_specs([indicator])[indicator.pk][1]


def _cells(spec, draw_keys) -> st.SearchStrategy[dict[str, str]]:
    keys = st.sampled_from(sorted(spec.keys())) | draw_keys
    return st.dictionaries(keys, cell_texts, max_size=8)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_cells_are_clean_figures_or_problems_named_by_cell(spec, data) -> None:
    raw = data.draw(_cells(spec, odd_text))
    checked = check_values("count", spec, raw)
    assert {p.field for p in checked.problems} <= set(raw) | {TOTAL}
    for key, value in checked.clean.items():
        assert key in spec.keys()  # noqa: SIM118 - a spec is no mapping
        assert Decimal(0) <= value <= MAX_VALUE
    for key in set(raw) - set(spec.keys()):
        assert any(p.field == key and p.code == "unknown-cell" for p in checked.problems)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_report_saves_what_it_can_and_names_every_other_cell(
    people, activity_512_3, period_2020, data
) -> None:
    # Each example on a fresh report: what one saves is rolled back before the next.
    with transaction.atomic():
        _save_and_check(people, activity_512_3, period_2020, data)
        transaction.set_rollback(True)


def _save_and_check(people, activity_512_3, period_2020, data) -> None:
    report = services.report_start(
        actor=people["focal"],
        activity=activity_512_3,
        agency=people["focal"].organisation,
        period=period_2020,
    )
    indicator = activity_512_3.indicators.get()
    spec = selectors.indicator_specs([indicator])[indicator.pk][1]
    raw = data.draw(st.dictionaries(st.sampled_from(sorted(spec.keys())), cell_texts, max_size=8))
    try:
        result = services.report_save(
            actor=people["focal"], report=report, data=ReportInput(values={indicator.pk: raw})
        )
    except InvalidInput as refused:  # never for cells of the indicator: they are saved or named
        raise AssertionError(refused.problems) from refused
    named = {p.field for p in result.problems}
    assert named <= {field_name(indicator.pk, key) for key in [*raw, TOTAL]}
    stored = {v.cell: v.value for v in IndicatorValue.objects.filter(report=report, indicator=indicator)}
    checked = check_values("count", spec, raw)
    for key, value in stored.items():
        assert Decimal(0) <= value <= MAX_VALUE
        # A figure with more than two decimals (named: not a whole number) is kept rounded to two: half up
        # by PostgreSQL's numeric(14, 2), half to even by Django's quantizing for SQLite.
        typed = checked.clean[key]
        assert value in {
            typed.quantize(Decimal("0.01"), rounding=r) for r in (ROUND_HALF_UP, ROUND_HALF_EVEN)
        }
    event("problems" if named else "clean")
