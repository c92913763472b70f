"""Breakdowns are versioned, never edited under their data; periods can be semi-annual."""

from __future__ import annotations

import pytest

from wpsnap.core.errors import InvalidInput
from wpsnap.reporting import selectors, services
from wpsnap.reporting.models import IndicatorValue
from wpsnap.reporting.services import ReportInput

pytestmark = pytest.mark.django_db


def _spec(indicator):
    return selectors.indicator_specs([indicator])[indicator.pk]


def test_an_option_added_before_any_data_updates_the_breakdown(people, reporting) -> None:
    """With no values yet, adding a district-like option changes the breakdown in place (same version)."""
    indicator = reporting.activities.get(code="5.1.2.3").indicators.get()
    before, _spec_before = _spec(indicator)
    added = services.dimension_option_add(
        actor=people["coordinator"], plan=reporting, dimension_code="age", code="65-plus", name="65 and over"
    )
    after, spec = _spec(indicator)
    assert after.pk == before.pk and after.version == 1
    assert [o.code for o in spec.dimensions[1].options][-1] == "65-plus"
    assert spec.size == 12
    assert before.pk in [b.pk for b in added.updated]  # and the age-only breakdown of 5.2.4.1


def test_an_option_added_after_data_makes_a_new_version(people, activity_512_3, period_2020) -> None:
    """Once values use sex x age v1, a new age band makes v2 for the indicator; the stored values keep v1
    and its 10 cells."""
    focal = people["focal"]
    report = services.report_start(
        actor=focal, activity=activity_512_3, agency=focal.organisation, period=period_2020
    )
    indicator = activity_512_3.indicators.get()
    services.report_save(
        actor=focal, report=report, data=ReportInput(values={indicator.pk: {"sex:women|age:18-24": "3"}})
    )
    v1, spec_v1 = _spec(indicator)
    added = services.dimension_option_add(
        actor=people["coordinator"],
        plan=activity_512_3.plan,
        dimension_code="age",
        code="65-plus",
        name="65+",
    )
    v2, spec_v2 = _spec(indicator)
    assert (v1.code, v1.version, v2.code, v2.version) == ("sex-age", 1, "sex-age", 2)
    assert added.versioned == [(v1, v2)]
    assert spec_v1.size == 10 and spec_v2.size == 12
    assert set(IndicatorValue.objects.filter(report=report).values_list("breakdown__version", flat=True)) == {
        1
    }
    assert selectors.breakdown_spec(v1).size == 10  # the old version is unchanged


def test_only_coordinators_change_breakdowns_and_the_cap_holds(people, reporting) -> None:
    """A focal point is refused; a breakdown may not grow past 60 cells."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.dimension_option_add(
            actor=people["focal"], plan=reporting, dimension_code="age", code="x", name="x"
        )
    for n in range(40):
        try:
            services.dimension_option_add(
                actor=people["coordinator"],
                plan=reporting,
                dimension_code="age",
                code=f"band-{n}",
                name=f"Band {n}",
            )
        except InvalidInput as exc:
            assert "more than the 60 a form can hold" in exc.problems[0].message
            break
    else:
        raise AssertionError("the cap was never reached")


def test_semiannual_periods(az_plan) -> None:
    """A plan can be reported twice a year: H1 and H2 of each year, each due a month after it ends."""
    result = services.reporting_setup(plan=az_plan, frequency="semiannual")
    periods = list(az_plan.reporting_periods.order_by("start"))
    assert result.periods == 8
    assert [p.label for p in periods[:2]] == ["2020 H1", "2020 H2"]
    assert (periods[0].end.isoformat(), periods[0].due_on.isoformat()) == ("2020-06-30", "2020-07-31")
    with pytest.raises(InvalidInput, match="annual or semiannual"):
        services.reporting_setup(plan=az_plan, frequency="monthly")


def test_the_command_line_sets_up_and_adds_options(people, az_plan) -> None:
    """`wpsnap reports setup` and `wpsnap reports add-option --as COORDINATOR`; a focal point is refused."""
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("reports", "setup", "az-2020-2023", stdout=out)
    assert "4 periods set up" in out.getvalue()
    out = StringIO()
    call_command(
        "reports", "add-option", "az-2020-2023", "age", "65-plus", "65 and over", "--as", "coord", stdout=out
    )
    assert "Added 65-plus" in out.getvalue()
    with pytest.raises(CommandError, match="may not change"):
        call_command("reports", "add-option", "az-2020-2023", "age", "70-plus", "70+", "--as", "mod-focal")
