"""What the restricted registries count, against independent counts over generated records (hypothesis):
services and distinct beneficiaries (in all, per type of service, by sex x age band) per provider and
reporting period; candidates by age band and the number of authorities keeping a database. The derived
figures are the real ones (``kinds.figures.count_records``, and the report's figure source)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.accounts.models import Organisation
from wpsnap.registries.candidates.models import Candidate
from wpsnap.registries.kinds.figures import count_named, count_records, report_figures
from wpsnap.registries.legal_aid.models import LegalAidService, ServiceType
from wpsnap.registries.models import RegistryRule
from wpsnap.reporting import services as reporting_services
from wpsnap.reporting.disaggregation import TOTAL, BreakdownSpec, cell_key
from wpsnap.reporting.models import ReportingPeriod
from wpsnap.reporting.selectors import indicator_specs

from .conftest import make_record

pytestmark = pytest.mark.django_db

PROVIDERS = ("moj", "mlspp")
SEXES = ("women", "men")
BANDS = ("0-17", "18-24", "25-34", "35-59", "60-plus")
CODES = ("BAK-0001", "BAK-0002", "GAN-0003", "GAN-0004", "BAR-0005", "FZL-0006", "FZL-0007")

services_given = st.lists(
    st.fixed_dictionaries(
        {
            "owner": st.sampled_from(PROVIDERS),
            "code": st.sampled_from(CODES),
            "sex": st.sampled_from(SEXES),
            "age": st.sampled_from(BANDS),
            "service": st.sampled_from(ServiceType.values),
            "day": st.dates(min_value=date(2019, 6, 1), max_value=date(2024, 6, 30)),
        }
    ),
    max_size=40,
)


@pytest.fixture
def plan(events_plan):
    return events_plan


@pytest.fixture
def sex_age(plan):
    """The sex x age band breakdown of 5.3.2-3-i1 (recipients of free legal advice)."""
    indicator = plan.indicators.get(key="5.3.2-3-i1")
    return indicator, indicator_specs([indicator])[indicator.pk][1]


def expected_counts(rows, owner, period, *, distinct: bool, service: str | None) -> dict[str, int]:
    """Written from the issue's words, not from the declaration: within the provider's services of the
    period (of one type, if given), the services, or the distinct beneficiary codes, in all and by cell."""
    chosen = [
        r
        for r in rows
        if r["owner"] == owner
        and period.start <= r["day"] <= period.end
        and (service is None or r["service"] == service)
    ]
    if distinct:
        cells = defaultdict(set)
        for r in chosen:
            cells[cell_key([("sex", r["sex"]), ("age", r["age"])])].add(r["code"])
        found = {key: len(codes) for key, codes in cells.items()}
        found[TOTAL] = len({r["code"] for r in chosen})
        return found
    found = defaultdict(int)
    for r in chosen:
        found[cell_key([("sex", r["sex"]), ("age", r["age"])])] += 1
    found[TOTAL] = len(chosen)
    return dict(found)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=services_given)
def test_beneficiaries_are_distinct_codes(plan, sex_age, legal_aid_kind, rows):
    """Every count of legal aid, per provider and reporting period, in all and per sex x age cell, equals
    the independent count: services as rows, beneficiaries as distinct codes."""
    _indicator, spec = sex_age
    owners = {key: Organisation.objects.get(country="AZ", key=key) for key in PROVIDERS}
    periods = list(ReportingPeriod.objects.filter(plan=plan).order_by("start"))
    with transaction.atomic():
        LegalAidService.objects.bulk_create(
            LegalAidService(
                plan=plan,
                owner=owners[r["owner"]],
                beneficiary_code=r["code"],
                sex=r["sex"],
                age_band=r["age"],
                district="baku",
                service_type=r["service"],
                provided_on=r["day"],
            )
            for r in rows
        )
        for count in legal_aid_kind.counts:
            service = count.where.get("service_type")
            for key, owner in owners.items():
                records = LegalAidService.objects.filter(plan=plan, owner=owner)
                for period in periods:
                    derived = count_records(
                        legal_aid_kind, count, records, start=period.start, end=period.end, spec=spec
                    )
                    expected = expected_counts(
                        rows, key, period, distinct=count.distinct is not None, service=service
                    )
                    assert {k: v for k, v in derived.cells.items() if v} == {
                        k: v for k, v in expected.items() if v
                    }, (count.key, key, period.label)
        transaction.set_rollback(True)


candidates_kept = st.lists(
    st.tuples(st.sampled_from(("mia", "mod")), st.sampled_from(("18-24", "25-34", "35-59"))), max_size=25
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=candidates_kept)
def test_candidates_and_authorities(plan, sex_age, candidates_kind, rows):
    """Candidates by age band (every period: the database as it stands) and the authorities keeping one
    (distinct owners: 0, 1 or 2), plan-wide and per authority, equal the independent counts."""
    _indicator, full = sex_age
    by_age = BreakdownSpec(dimensions=tuple(d for d in full.dimensions if d.code == "age"))
    owners = {key: Organisation.objects.get(country="AZ", key=key) for key in ("mia", "mod")}
    period = ReportingPeriod.objects.filter(plan=plan).order_by("start").first()
    candidates = count_named(candidates_kind, "candidates")
    authorities = count_named(candidates_kind, "authorities")
    with transaction.atomic():
        Candidate.objects.bulk_create(
            Candidate(
                plan=plan,
                owner=owners[owner],
                full_name=f"Demo Candidate {i}",
                age_band=band,
                education="bachelor",
                skills="Leadership",
                district="baku",
                interested_in="police",
                consent=True,
                consent_on=date(2021, 1, 1),
            )
            for i, (owner, band) in enumerate(rows)
        )
        every = Candidate.objects.filter(plan=plan)
        derived = count_records(candidates_kind, authorities, every, start=period.start, end=period.end)
        assert derived.total == len({owner for owner, _band in rows})
        for key, owner in owners.items():
            mine = [band for o, band in rows if o == key]
            derived = count_records(
                candidates_kind,
                candidates,
                every.filter(owner=owner),
                start=period.start,
                end=period.end,
                spec=by_age,
            )
            expected = {TOTAL: len(mine)} | {cell_key([("age", b)]): mine.count(b) for b in set(mine)}
            assert {k: v for k, v in derived.cells.items() if v} == {k: v for k, v in expected.items() if v}
            assert count_records(candidates_kind, authorities, every.filter(owner=owner)).total == int(
                bool(mine)
            )
        transaction.set_rollback(True)


def test_report_shows_the_beneficiaries(plan, staff, legal_aid_kind, sex_age):
    """Bound to the count of legal advice recipients, MoJ's 2021 report on free legal advice shows the
    distinct beneficiaries of its 2021 legal advice by sex x age band, beside the figures it reports;
    another provider's services, other years and other services are not counted."""
    indicator, _spec = sex_age
    RegistryRule.objects.create(indicator=indicator, kind="legal-aid", count="beneficiaries_legal_advice")
    focal = staff["moj_focal"]
    advice = {"service_type": "legal_advice", "sex": "women", "age_band": "25-34"}
    make_record(legal_aid_kind, plan, focal, beneficiary_code="MOJ-0001", provided_on="2021-02-01", **advice)
    make_record(legal_aid_kind, plan, focal, beneficiary_code="MOJ-0001", provided_on="2021-05-03", **advice)
    make_record(
        legal_aid_kind,
        plan,
        focal,
        beneficiary_code="MOJ-0002",
        provided_on="2021-06-09",
        **{**advice, "sex": "men"},
    )
    make_record(legal_aid_kind, plan, focal, beneficiary_code="MOJ-0003", provided_on="2022-01-10", **advice)
    make_record(
        legal_aid_kind,
        plan,
        focal,
        beneficiary_code="MOJ-0004",
        provided_on="2021-03-03",
        **{**advice, "service_type": "health"},
    )
    make_record(
        legal_aid_kind,
        plan,
        staff["mlspp_focal"],
        beneficiary_code="MOJ-0005",
        provided_on="2021-03-03",
        **advice,
    )
    report = reporting_services.report_start(
        actor=focal,
        activity=indicator.activity,
        agency=focal.organisation,
        period=plan.reporting_periods.get(label="2021"),
    )
    figures = report_figures(report, [indicator], indicator_specs([indicator]))[indicator.pk]
    cells = {key: value for key, value in figures.cells.items() if value}
    assert cells == {TOTAL: 2, "sex:women|age:25-34": 1, "sex:men|age:25-34": 1}
    assert "MOJ-000" not in figures.label + figures.note + figures.link


# Written from the words: the plan's service options for each type of service given.
SERVICE_CELL = {
    "legal_advice": "legal",
    "vocational_training": "employment",
    "employment_support": "employment",
    "education": "education",
    "health": "health",
    "social_service": "social",
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=services_given)
def test_beneficiaries_by_service(plan, legal_aid_kind, rows):
    """The recipients of services disaggregated by service (5.3.3-2-i1), per provider and reporting period:
    each service cell holds the distinct beneficiary codes of the services of its types (one person given
    vocational training and employment support counts once under employment), and with sex x service the
    same per sex; equal to the independent count."""
    indicator = plan.indicators.get(key="5.3.3-2-i1")
    by_service = indicator_specs([indicator])[indicator.pk][1]
    assert [d.code for d in by_service.dimensions] == ["service"]
    sex_age = indicator_specs([plan.indicators.get(key="5.3.2-3-i1")])
    sex = next(d for d in next(iter(sex_age.values()))[1].dimensions if d.code == "sex")
    by_sex_service = BreakdownSpec(dimensions=(sex, *by_service.dimensions))
    beneficiaries = count_named(legal_aid_kind, "beneficiaries")
    owners = {key: Organisation.objects.get(country="AZ", key=key) for key in PROVIDERS}
    periods = list(ReportingPeriod.objects.filter(plan=plan).order_by("start"))
    with transaction.atomic():
        LegalAidService.objects.bulk_create(
            LegalAidService(
                plan=plan,
                owner=owners[r["owner"]],
                beneficiary_code=r["code"],
                sex=r["sex"],
                age_band=r["age"],
                district="baku",
                service_type=r["service"],
                provided_on=r["day"],
            )
            for r in rows
        )
        for key, owner in owners.items():
            records = LegalAidService.objects.filter(plan=plan, owner=owner)
            for period in periods:
                chosen = [r for r in rows if r["owner"] == key and period.start <= r["day"] <= period.end]
                one: dict[str, set[str]] = defaultdict(set)
                two: dict[str, set[str]] = defaultdict(set)
                for r in chosen:
                    one[cell_key([("service", SERVICE_CELL[r["service"]])])].add(r["code"])
                    two[cell_key([("sex", r["sex"]), ("service", SERVICE_CELL[r["service"]])])].add(r["code"])
                total = len({r["code"] for r in chosen})
                for spec, cells in ((by_service, one), (by_sex_service, two)):
                    derived = count_records(
                        legal_aid_kind, beneficiaries, records, start=period.start, end=period.end, spec=spec
                    )
                    expected = {k: len(v) for k, v in cells.items()} | {TOTAL: total}
                    assert {k: v for k, v in derived.cells.items() if v} == {
                        k: v for k, v in expected.items() if v
                    }, (key, period.label)
                    assert set(derived.cells) == {TOTAL} | {c.key for c in spec.cells()}
        transaction.set_rollback(True)
