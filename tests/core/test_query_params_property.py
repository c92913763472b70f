"""Property test of the filters and query parameters of the pages and lists (``core.params``, the pages'
filter forms, ``analytics.filters`` behind the dashboards): any query string (known and unknown names, a
name given twice, odd Unicode, NUL, huge and negative numbers, other scripts' digits, dates that are not)
on the list pages, dashboards, exports and the public portal is answered, or refused with a 4xx page (the
API with its one error body naming fields), never a server error. schemathesis (tests/api/test_fuzz.py)
covers the API's documented parameters; this covers the pages and parameters no schema lists."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ..conftest import problems_of, sign_in
from ..registries.conftest import events_plan, people, training  # noqa: F401 - fixtures asked for by name

SLUG = "az-2020-2023"
PAGES = [
    "/reports/",
    "/reports/queue/",
    "/reports/browse/",
    "/events/",
    "/events/rules/",
    "/registries/publications/",
    "/registries/workforce-counts/",
    "/registries/projects/",
    "/registries/legal-aid/",
    "/accounts/audit/",
    "/accounts/users/",
    "/jobs/",
    "/exports/lists/reports/",
    "/exports/lists/events/",
    "/exports/registries/publications/",
    f"/plans/{SLUG}/",
    f"/plans/{SLUG}/timeline/",
    f"/plans/{SLUG}/agencies/",
    f"/plans/{SLUG}/dashboard/",
    f"/plans/{SLUG}/dashboard/people/",
    f"/plans/{SLUG}/dashboard/financing/",
    f"/plans/{SLUG}/dashboard/indicators/",
    f"/plans/{SLUG}/dashboard/districts/",
    "/en/",
    "/en/search/",
    f"/en/plans/{SLUG}/",
    f"/en/plans/{SLUG}/reports/",
    f"/en/plans/{SLUG}/open-data/",
    "/api/v1/reports/",
    "/api/v1/events/",
    "/api/v1/registries/publications/",
]
NAMES = [
    *("plan", "year", "period", "agency", "organisation", "organiser", "pillar", "activity", "indicator"),
    *("status", "kind", "kinds", "progress", "district", "sex", "age", "topic", "topics", "owner", "role"),
    *("page", "page_size", "cursor", "ordering", "sort", "q", "format", "date_from", "date_to", "from"),
    *("to", "parts", "part", "language", "lang", "missing", "alerts", "seen", "expired", "active", "next"),
    *("participation", "measure", "object_type", "actor", "count"),
]
VALUES = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=10),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", "0", "-1", "2021", "1e9", "NaN", "1.5", "\x00", "\u0663", "\u00b2", "2021-02-30"]),
    st.sampled_from([SLUG, "mod", "women", "training", "baku", "submitted", "-id", "csv", "xlsx", "none"]),
)
QUERIES = st.lists(st.tuples(st.sampled_from(NAMES) | st.text(max_size=12), VALUES), max_size=5)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PAGES), query=QUERIES, who=st.sampled_from(["coordinator", "focal", None]))
def test_any_query_is_answered_or_refused_never_a_server_error(client, request, settings, path, query, who):
    users = request.getfixturevalue("people")
    request.getfixturevalue("training")  # an event with a list, in a plan set up for reporting and events
    settings.WPSNAP_REFUSAL_RATE = "off"  # refusals are throttled per address: this is one address
    cache.clear()
    client.logout()
    if who is not None:
        sign_in(client, users[who])
    response = client.get(f"{path}?{urlencode(query)}")
    event(f"{response.status_code // 100}xx")
    assert response.status_code < 500, (path, query, response.status_code)
    if path.startswith("/api/") and response.status_code >= 400 and response.status_code != 401:
        problems_of(response)
