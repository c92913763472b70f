"""What registries count (kinds/figures.py): for every registered kind and each of its counts, the derived
value equals an independent count of the records made (hypothesis); an indicator bound to a registry
count shows the agency's records beside its report (a fixed number of queries); coordinators bind it on
the rules page."""

from __future__ import annotations

from datetime import date
from random import Random

import pytest
from django.db import models, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.core.errors import InvalidInput
from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.figures import count_records, report_figures
from wpsnap.registries.kinds.services import record_create
from wpsnap.registries.models import RegistryRule
from wpsnap.registries.services.rules import registry_rule_remove, registry_rule_set
from wpsnap.reporting import services as reporting
from wpsnap.reporting.disaggregation import TOTAL

from ..conftest import sign_in
from .conftest import example_row, kind_params, writer_for

pytestmark = pytest.mark.django_db

START, END = date(2022, 1, 1), date(2022, 12, 31)


def matches(record, lookup: str, wanted) -> bool:
    """A ``Count.where`` lookup (exact, __in, __isnull, __gte, __lte, __gt, __lt) judged in Python."""
    name, _sep, op = lookup.partition("__")
    value = getattr(record, f"{name}_id", None) if hasattr(record, f"{name}_id") else getattr(record, name)
    if op == "":
        return value == wanted
    if op == "in":
        return value in wanted
    if op == "isnull":
        return (value is None) is bool(wanted)
    if value is None:
        return False
    return {"gte": value >= wanted, "lte": value <= wanted, "gt": value > wanted, "lt": value < wanted}[op]


def independent(kind, count, records, start, end) -> int:
    """The count worked out in Python from the records themselves."""
    kept = []
    for record in records:
        if not all(matches(record, lookup, value) for lookup, value in count.where.items()):
            continue
        if count.date_field and start is not None:
            value = getattr(record, count.date_field)
            if value is None:
                continue
            if isinstance(kind.model._meta.get_field(count.date_field), models.DateField):
                if not start <= value <= end:
                    continue
            elif not start.year <= value <= end.year:
                continue
        kept.append(record)
    if count.distinct:
        return len(
            {getattr(r, f"{count.distinct}_id", getattr(r, count.distinct, None)) for r in kept} - {None}
        )
    return len(kept)


@pytest.mark.parametrize("kind", [k for k in kind_params() if k.values[0].counts])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seeds=st.lists(st.integers(0, 10**6), max_size=5, unique=True), mia=st.lists(st.booleans(), max_size=5)
)
def test_derived_counts_equal_an_independent_count(kind, events_plan, people, seeds, mia):
    with transaction.atomic():
        made = []
        for i, seed in enumerate(seeds):
            actor = writer_for(kind, people)
            if i < len(mia) and mia[i] and actor is people["focal"]:
                actor = people["other_focal"]  # MIA, another owner
            try:
                with transaction.atomic():
                    row = example_row(kind, Random(seed), events_plan, actor)
                    made.append(record_create(kind=kind, actor=actor, plan=events_plan, values=row))
            except InvalidInput:
                continue  # two draws alike where the kind keeps one (its own rule): nothing counted
        records = kind.model.objects.filter(plan=events_plan)
        fresh = list(records)
        for count in kind.counts:
            for start, end in ((START, END), (None, None)):
                counted = count_records(kind, count, records, start=start, end=end)
                assert counted.total == independent(kind, count, fresh, start, end), (count.key, start)
        transaction.set_rollback(True)


@pytest.fixture
def media_report(events_plan, people):
    items = catalogue.kind_named("media-items")
    activity = events_plan.activities.get(code="5.4.1.3")
    indicator = activity.indicators.get()
    focal = people["focal"]
    rng = Random(7)
    for day, actor in (
        ("2021-02-01", focal),
        ("2021-06-30", focal),
        ("2021-12-31", focal),
        ("2022-01-01", focal),
        ("2021-05-05", people["coordinator"]),
    ):
        row = example_row(items, rng, events_plan, actor) | {"published_on": day}
        record_create(kind=items, actor=actor, plan=events_plan, values=row)
    report = reporting.report_start(
        actor=focal,
        activity=activity,
        agency=focal.organisation,
        period=events_plan.reporting_periods.get(label="2021"),
    )
    # As the report pages read it.
    report = type(report).objects.select_related("plan", "agency", "activity", "period").get(pk=report.pk)
    return report, indicator


def test_a_bound_indicator_shows_the_agencys_records(media_report, people, django_assert_num_queries):
    report, indicator = media_report
    assert report_figures(report, [indicator], {}) == {}
    registry_rule_set(actor=people["coordinator"], indicator=indicator, count="media-items:records")
    with django_assert_num_queries(2):
        found = report_figures(report, [indicator], {})
    figures = found[indicator.pk]
    # MoD's three items of 2021; not 2022's, not the one kept by the coordinator's organisation.
    assert figures.cells == {TOTAL: 3}
    assert (
        "/registries/media-items/" in figures.link
        and "owner=mod" in figures.link
        and "year=2021" in figures.link
    )
    registry_rule_set(actor=people["coordinator"], indicator=indicator, count="media-items:outlets")
    assert report_figures(report, [indicator], {})[indicator.pk].total == len(
        set(
            catalogue.kind_named("media-items")
            .model.objects.filter(owner=report.agency, published_on__year=2021)
            .values_list("outlet_id", flat=True)
        )
        - {None}
    )
    registry_rule_remove(actor=people["coordinator"], indicator=indicator)
    assert not RegistryRule.objects.exists()


def test_only_coordinators_bind_and_only_known_counts(media_report, people):
    from django.core.exceptions import PermissionDenied

    from wpsnap.core.errors import InvalidInput

    _report, indicator = media_report
    with pytest.raises(PermissionDenied):
        registry_rule_set(actor=people["focal"], indicator=indicator, count="media-items:records")
    with pytest.raises(InvalidInput):
        registry_rule_set(actor=people["coordinator"], indicator=indicator, count="media-items:nothing")


# The rules page as before (session, user, plans, indicators, event rules, topics) and one more query for
# the registry bindings, whatever the number of indicators or registries.
RULES_PAGE_QUERIES = 12


def test_the_rules_page_binds_an_indicator_to_a_registry(
    client, media_report, people, django_assert_max_num_queries
):
    _report, indicator = media_report
    sign_in(client, people["coordinator"])
    page = client.get(f"/events/rules/?plan={indicator.plan.slug}")
    assert page.status_code == 200
    assert "Count it from a registry" in page.content.decode()
    with django_assert_max_num_queries(RULES_PAGE_QUERIES):
        client.get(f"/events/rules/?plan={indicator.plan.slug}")
    response = client.post(
        f"/events/rules/{indicator.pk}/registry/", {"action": "set", "count": "media-items:articles"}
    )
    assert response.status_code == 302
    assert RegistryRule.objects.get(indicator=indicator).count == "articles"
    page = client.get(f"/events/rules/?plan={indicator.plan.slug}").content.decode()
    assert "Counted from a registry" in page
    response = client.post(f"/events/rules/{indicator.pk}/registry/", {"action": "set", "count": "bogus"})
    assert response.status_code == 400
    assert client.post(f"/events/rules/{indicator.pk}/registry/", {"action": "remove"}).status_code == 302
    assert not RegistryRule.objects.exists()
    sign_in(client, people["focal"])
    assert client.post(f"/events/rules/{indicator.pk}/registry/", {"action": "remove"}).status_code == 403


def test_counts_by_sex_and_age_where_a_kind_records_them():
    # The cells of a kind with sex and age fields are tested by that kind's own tests; here, that every
    # count's fields are fields of its model.
    for kind in catalogue.kinds():
        names = {f.name for f in kind.model._meta.get_fields()}
        for count in kind.counts:
            where = [lookup.split("__")[0] for lookup in count.where]
            for name in (count.date_field, count.distinct, count.sex_field, count.age_field, *where):
                assert name is None or name in names, (kind.name, count.key, name)
