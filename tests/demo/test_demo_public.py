"""The route to the public on the demo (``wpsnap demo load``): what ``publishing.public_results`` gives
of the demo plan holds the same properties as on the publishing tests' world: published reports' figures
only, nothing of people below the threshold, no small figure recoverable from the release (the proof's
attacker), every figure shown equal to the read model's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.publishing.attacker import THRESHOLD, recoverable_small_cells
from tests.publishing.release import family_of, published_of
from wpsnap.accounts.models import User
from wpsnap.analytics.results import results
from wpsnap.analytics.scope import PUBLIC
from wpsnap.publishing.disclosure import Reason
from wpsnap.publishing.public import public_results
from wpsnap.reporting.disaggregation import parse_cell_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(plan):
    return public_results(plan, threshold=THRESHOLD)


@pytest.fixture
def public_model(plan) -> dict:
    """The read model's sums over the published reports, by (indicator id, period id)."""
    return {
        (i.indicator_id, p.period_id): p for i in results(PUBLIC, plan=plan).indicators for p in i.periods
    }


def test_the_demo_publishes_figures_and_suppresses_some(release) -> None:
    """The demo's published reports give figures to show and small ones to hide."""
    figures = [f for i in release.indicators for p in i.periods for f in p.figures()]
    assert sum(f.value is not None for f in figures) >= 20
    assert sum(f.reason == Reason.SMALL for f in figures) >= 5
    assert release.last_updated is not None


def test_only_published_reports_count(release, public_model, plan) -> None:
    """Where the coordinator's figures (approved and published reports) differ from the published
    reports' alone, the release gives the published ones."""
    coordinator = User.objects.filter(role="coordinator").first()
    counted = {
        (i.indicator_id, p.period_id): p
        for i in results(coordinator, plan=plan).indicators
        for p in i.periods
    }
    differing = 0
    for indicator in release.indicators:
        for period in indicator.periods:
            key = (indicator.indicator_id, period.period_id)
            if period.total is None or period.total.value is None:
                continue
            assert period.total.value == public_model[key].total
            differing += period.total.value != counted[key].total
    assert differing >= 1


def test_nothing_small_is_published(release) -> None:
    """No demo indicator is public statistics or a count of things: no figure below the threshold."""
    assert all(i.counts_people and not i.public_statistics for i in release.indicators)
    values = [
        f.value for i in release.indicators for p in i.periods for f in p.figures() if f.value is not None
    ]
    assert min(values) >= THRESHOLD


def test_every_small_figure_is_unrecoverable(release, public_model) -> None:
    """For every indicator and period, the attacker given the release cannot narrow a small figure."""
    families = 0
    for indicator in release.indicators:
        for period in indicator.periods:
            if period.total is None:
                continue
            summed = public_model[(indicator.indicator_id, period.period_id)]
            truth = {c.cell: c.value for c in summed.cells}
            if summed.total is not None:
                truth[""] = summed.total
            family = family_of(period, truth)
            assert recoverable_small_cells(family, published_of(period), THRESHOLD) == [], (
                indicator.indicator,
                period.period,
            )
            families += 1
    assert families >= 5


def test_shown_figures_are_the_read_models(release, public_model) -> None:
    """Each figure shown is the read model's total, cell, or sum of the cells under a margin."""
    compared = 0
    for indicator in release.indicators:
        for period in indicator.periods:
            summed = public_model[(indicator.indicator_id, period.period_id)]
            for figure in period.figures():
                if figure.value is None:
                    continue
                fixed = set(parse_cell_key(figure.cell))
                expected = (
                    summed.total
                    if figure.cell == ""
                    else sum(
                        (c.value for c in summed.cells if fixed <= set(parse_cell_key(c.cell))), Decimal(0)
                    )
                )
                assert figure.value == expected, (indicator.indicator, period.period, figure)
                compared += 1
    assert compared >= 20
