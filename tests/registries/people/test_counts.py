"""What the people and publications registries count, for generated registries: every count of the three
kinds, as the derived figures read it (``kinds.figures.count_records``: the total and, where the count
records sex, the cells by sex), equals an independent count written from the plan's words over the
generated rows, plan-wide and per agency, in every reporting period; and the figure a report shows beside
its reported one (``kinds.figures.report_figures``, an indicator bound by a ``RegistryRule``) is the
agency's independent count for the report's period."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.accounts.models import Organisation
from wpsnap.plan.models import Indicator
from wpsnap.registries.gender_officers.models import GenderOfficer
from wpsnap.registries.kinds.catalogue import kind_named
from wpsnap.registries.kinds.figures import count_records, report_figures
from wpsnap.registries.models import RegistryRule
from wpsnap.registries.peacebuilding.models import PeacebuildingActor
from wpsnap.registries.publications.models import Publication
from wpsnap.reporting.disaggregation import TOTAL, BreakdownSpec, DimensionSpec, Option
from wpsnap.reporting.models import ReportingPeriod

pytestmark = pytest.mark.django_db

AGENCIES = ("mod", "mia", "scfwca")
SEXES = ("women", "men")
SEX_SPEC = BreakdownSpec((DimensionSpec("sex", "Sex", tuple(Option(s, s) for s in SEXES)),))
days = st.dates(min_value=date(2019, 6, 1), max_value=date(2024, 6, 30))


def within(day, period) -> bool:
    return day is not None and period.start <= day <= period.end


# The independent counts: {(kind, count): (rows, period) -> the rows counted}; a count of distinct
# owners is the number of distinct owners among them.
COUNTED = {
    ("peacebuilding-actors", "actors"): lambda rows, p: [r for r in rows if within(r.registered_on, p)],
    ("peacebuilding-actors", "individuals"): lambda rows, p: [
        r for r in rows if within(r.registered_on, p) and r.actor_type == "individual"
    ],
    ("peacebuilding-actors", "organisations"): lambda rows, p: [
        r for r in rows if within(r.registered_on, p) and r.actor_type == "organisation"
    ],
    # In post, whatever the period: the registry as it stands.
    ("gender-officers", "officers"): lambda rows, p: [r for r in rows if r.left_on is None],
    ("gender-officers", "agencies"): lambda rows, p: [r for r in rows if r.left_on is None],
    ("gender-officers", "appointed"): lambda rows, p: [r for r in rows if within(r.appointed_on, p)],
    ("publications", "publications"): lambda rows, p: [r for r in rows if within(r.published_on, p)],
    ("publications", "audio_video"): lambda rows, p: [
        r for r in rows if within(r.published_on, p) and r.material_type in ("audio", "video")
    ],
}
DISTINCT_OWNERS = {("gender-officers", "agencies")}
# The indicators bound to a count in the report test: the activity's own indicator.
BOUND = {
    "5.2.3-1-i1": ("peacebuilding-actors", "actors"),
    "5.2.6-1-i1": ("gender-officers", "officers"),
    "5.2.6-4-i1": ("publications", "publications"),
}


def expected(key, rows, period) -> dict[str, int]:
    counted = COUNTED[key](rows, period)
    total = len({r.owner for r in counted}) if key in DISTINCT_OWNERS else len(counted)
    cells = {TOTAL: total}
    if key not in DISTINCT_OWNERS and _has_sex(key):
        for sex in SEXES:
            cells[f"sex:{sex}"] = sum(r.sex == sex for r in counted)
    return cells


def _has_sex(key) -> bool:
    name, count_key = key
    count = next(c for c in kind_named(name).counts if c.key == count_key)
    return count.sex_field is not None


def test_every_count_has_an_independent_count():
    declared = {
        (name, c.key)
        for name in ("peacebuilding-actors", "gender-officers", "publications")
        for c in kind_named(name).counts
    }
    assert declared == set(COUNTED)
    assert {key for key in COUNTED if _has_sex(key)} == {
        ("peacebuilding-actors", "individuals"),
        ("gender-officers", "officers"),
        ("gender-officers", "appointed"),
    }


actors = st.lists(
    st.one_of(
        st.builds(
            SimpleNamespace,
            owner=st.sampled_from(AGENCIES),
            actor_type=st.just("individual"),
            sex=st.sampled_from(("women", "men", "")),
            registered_on=days,
        ),
        st.builds(
            SimpleNamespace,
            owner=st.sampled_from(AGENCIES),
            actor_type=st.just("organisation"),
            sex=st.just(""),
            registered_on=days,
        ),
    ),
    max_size=12,
)
officers = st.lists(
    st.builds(
        SimpleNamespace,
        owner=st.sampled_from(AGENCIES),
        sex=st.sampled_from(("women", "men", "")),
        appointed_on=days,
        served=st.none() | st.integers(0, 900),
    ),
    max_size=10,
)
publications = st.lists(
    st.builds(
        SimpleNamespace,
        owner=st.sampled_from(AGENCIES),
        material_type=st.sampled_from(("guide", "brochure", "audio", "video", "poster")),
        published_on=days,
    ),
    max_size=10,
)


def _insert(plan, orgs, actors, officers, publications):
    PeacebuildingActor.objects.bulk_create(
        PeacebuildingActor(
            plan=plan,
            owner=orgs[a.owner],
            actor_type=a.actor_type,
            name=f"Actor {n}",
            sex=a.sex,
            registered_on=a.registered_on,
            consent=True,
            code=f"PB-T{n:07d}",
        )
        for n, a in enumerate(actors)
    )
    for o in officers:
        o.left_on = None if o.served is None else o.appointed_on + timedelta(days=o.served)
    GenderOfficer.objects.bulk_create(
        GenderOfficer(
            plan=plan,
            owner=orgs[o.owner],
            name=f"Officer {n}",
            sex=o.sex,
            position="Adviser",
            appointed_on=o.appointed_on,
            left_on=o.left_on,
            code=f"GO-T{n:07d}",
        )
        for n, o in enumerate(officers)
    )
    Publication.objects.bulk_create(
        Publication(
            plan=plan,
            owner=orgs[p.owner],
            title=f"Material {n}",
            material_type=p.material_type,
            published_on=p.published_on,
        )
        for n, p in enumerate(publications)
    )
    return {"peacebuilding-actors": actors, "gender-officers": officers, "publications": publications}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actors=actors, officers=officers, publications=publications)
def test_counts_equal_an_independent_count(events_plan, actors, officers, publications):
    orgs = {key: Organisation.objects.get(country="AZ", key=key) for key in AGENCIES}
    periods = list(ReportingPeriod.objects.filter(plan=events_plan).order_by("start"))
    assert periods
    with transaction.atomic():
        rows = _insert(events_plan, orgs, actors, officers, publications)
        for key in COUNTED:
            name, count_key = key
            kind = kind_named(name)
            count = next(c for c in kind.counts if c.key == count_key)
            spec = SEX_SPEC if _has_sex(key) else None
            for period in periods:
                for agency in (None, *AGENCIES):
                    records = kind.model._default_manager.filter(plan=events_plan)
                    theirs = rows[name]
                    if agency is not None:
                        records = records.filter(owner=orgs[agency])
                        theirs = [r for r in theirs if r.owner == agency]
                    counted = count_records(
                        kind, count, records, start=period.start, end=period.end, spec=spec
                    )
                    assert counted.cells == expected(key, theirs, period), (key, period.label, agency)
        transaction.set_rollback(True)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actors=actors, officers=officers, publications=publications)
def test_report_shows_the_agencys_count(events_plan, actors, officers, publications):
    """An agency's report for an activity shows, beside its own figure, what its records count in the
    report's period (total only: these indicators have no breakdown)."""
    orgs = {key: Organisation.objects.get(country="AZ", key=key) for key in AGENCIES}
    periods = list(ReportingPeriod.objects.filter(plan=events_plan).order_by("start"))
    indicators = {
        i.key: i for i in Indicator.objects.filter(plan=events_plan, key__in=BOUND).select_related("activity")
    }
    assert set(indicators) == set(BOUND)
    with transaction.atomic():
        rows = _insert(events_plan, orgs, actors, officers, publications)
        for indicator_key, (name, count_key) in BOUND.items():
            RegistryRule.objects.create(indicator=indicators[indicator_key], kind=name, count=count_key)
        for indicator_key, (name, count_key) in BOUND.items():
            indicator = indicators[indicator_key]
            for period in periods:
                for agency in AGENCIES:
                    report = SimpleNamespace(
                        plan=events_plan,
                        plan_id=events_plan.pk,
                        agency=orgs[agency],
                        agency_id=orgs[agency].pk,
                        period=period,
                        activity=indicator.activity,
                    )
                    figures = report_figures(report, [indicator], {})
                    theirs = [r for r in rows[name] if r.owner == agency]
                    total = expected((name, count_key), theirs, period)[TOTAL]
                    if total:
                        assert figures[indicator.pk].cells == {TOTAL: total}, (
                            indicator_key,
                            period.label,
                            agency,
                        )
                    else:
                        assert not figures[indicator.pk].cells
        transaction.set_rollback(True)
