"""Every dashboard page costs a fixed number of queries whatever the amount of data: the same count with
one year of reports and events as with three years and twice the events, for each role's view and with
filters chosen."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wpsnap.accounts.models import Organisation
from wpsnap.plan.models import Activity

from ..analytics.conftest import Happened, Written, write_events, write_reports
from ..conftest import sign_in
from .test_figures import W25, activities, world

pytestmark = pytest.mark.django_db

# Queries per page for a coordinator without filters: the session, its user and second factor, the plan,
# the filters' choices, then the page's selectors (see docs/dashboards.md). Roles without a second factor
# (evaluators, focal points) one fewer; the overview's who to chase, for coordinators, one more.
PAGES = {"": 27, "people/": 17, "financing/": 9, "indicators/": 10}
# With a period, a pillar and an agency chosen. The overview's status then reads the period's grid of
# reports owed and compliance every period's (three queries each); without a filter they share one.
FILTERED = {"": 30, "people/": 17, "financing/": 9, "indicators/": 10}
SECOND_FACTOR = {"coordinator": 0, "mod_approver": 0, "evaluator": -1, "mod": -1}
# People reached for those who see every agency come from the people rollup: two queries more to check
# that it is current (the activities with its stored digest, the periods), then one for the rows.
ROLLUP = {"coordinator": 2, "evaluator": 2, "mod": 0, "mod_approver": 0}


def count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def more_events(plan) -> None:
    chosen = activities(plan)
    write_events(
        plan,
        chosen,
        [
            Happened(
                "mod",
                frozenset({1, 0}),
                date(2020 + n % 3, 1 + n % 12, 1 + n),
                "training",
                (("women", "18-24"),) * n,
            )
            for n in range(1, 20)
        ],
    )


@pytest.mark.parametrize("role", ["coordinator", "evaluator", "mod", "mod_approver"])
@pytest.mark.parametrize("page", list(PAGES))
def test_the_queries_do_not_grow_with_the_data(plan, people, page, role) -> None:
    """The same number of queries with a year of data as with three years and many more events."""
    client = sign_in(Client(), people[role])
    path = f"/plans/{plan.slug}/dashboard/{page}"
    client.get(path)  # the session's first request settles its own rows
    world(plan)
    few = count(client, path)
    world(plan, periods=(0, 2))
    more_events(plan)
    assert (
        count(client, path)
        == few
        == PAGES[page]
        + SECOND_FACTOR[role]
        + (page == "" and role == "coordinator")
        + (page == "people/" and ROLLUP[role] - 2)
    )


@pytest.mark.parametrize("page", list(PAGES))
def test_the_queries_do_not_grow_with_filters_chosen(plan, people, page) -> None:
    """With a period, a pillar and an agency chosen too."""
    client = sign_in(Client(), people["coordinator"])
    period = plan.reporting_periods.get(label="2021")
    pillar = plan.pillars.order_by("position").first()
    mod = Organisation.objects.get(country="AZ", key="mod")
    path = f"/plans/{plan.slug}/dashboard/{page}?period={period.pk}&pillar={pillar.pk}&agency={mod.pk}"
    client.get(path)
    world(plan)
    few = count(client, path)
    world(plan, periods=(0, 2))
    more_events(plan)
    assert count(client, path) == few == FILTERED[page]


def test_the_alert_costs_the_same_with_or_without_differences(plan, people) -> None:
    """The overview asks the same queries whether or not an approved report differs from its events: an
    approved report matching its training, then a second training that makes them differ."""
    activity = Activity.objects.get(plan=plan, code="5.1.2.3")
    write_reports(plan, [activity], [Written(0, "mod", 1, "approved", "completed", (("", 3), (W25, 3)))])
    training = Happened("mod", frozenset({0}), date(2021, 3, 10), "training", (("women", "25-34"),) * 3)
    write_events(plan, [activity], [training])
    client = sign_in(Client(), people["evaluator"])
    path = f"/plans/{plan.slug}/dashboard/"
    client.get(path)
    assert client.get(path).context["page"].alerts == ()
    quiet = count(client, path)
    write_events(plan, [activity], [training])
    assert client.get(path).context["page"].alerts != ()
    assert count(client, path) == quiet == PAGES[""] + SECOND_FACTOR["evaluator"]
