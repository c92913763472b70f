"""Every URL pattern has a row in an access matrix that runs it for every role (issue 15).

The URL resolver is walked (the admin aside: its own site asks the gate, tests/access/test_url_walk.py).
Each pattern must be answered by one of:

- a case of the access matrix (tests/access/test_access_matrix.py, every role x every case, the exact
  status each role gets): the case's address, made in the matrix's own world, resolves to the pattern;
- the registries' gate matrix (test_registry_gate_matrix: every registered registry x every role x every
  gate action, expected from an independent table): every gate action the pattern's view declares is one
  of a registry's ``registry.<name>.<verb>`` actions that matrix covers;
- the matrix of this module (``EXTRA``) for the rest: each pattern's address, and the status each role
  gets, run here for every role.

A new URL pattern with none of these fails ``test_every_url_pattern_has_a_row`` naming it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve

from ..access.test_access_matrix import CASES, COLUMNS, OWN_ORG, World, _registry_verbs, shared
from ..access.test_url_walk import _gate_of, _walk
from ..conftest import create_user, sign_in

__all__ = ["shared"]  # the access matrix's world, built once for this module too

pytestmark = pytest.mark.django_db


def _patterns() -> dict[str, Any]:
    from django.urls import get_resolver

    return {
        route: callback
        for route, callback in _walk(get_resolver().url_patterns)
        if not route.startswith("admin/")
    }


def _plain(route: str) -> str:
    """A route as the walk and ``resolve`` both write it (a router's regex keeps no anchors)."""
    return route.replace("^", "").replace("$", "")


def _route_of(url: str) -> str:
    return _plain(str(resolve(url.split("?", 1)[0]).route))


def _registry_actions() -> set[str]:
    from wpsnap.registries.kinds import catalogue

    return {f"registry.{kind.name}.{verb}" for kind in catalogue.kinds() for verb in _registry_verbs(kind)}


def _world(shared: Any, role: str = "coordinator") -> World:
    me = create_user(role, OWN_ORG[role], f"coverage-{role}")
    return replace(shared.world, me=me, own_colleague=shared.colleagues[OWN_ORG[role]])


PLAN = "az-2020-2023"


def _first(model: str, **filters: Any) -> int:
    from django.apps import apps

    return int(apps.get_model(model).objects.filter(**filters).order_by("pk").values_list("pk", flat=True)[0])


def _activity_key(w: World) -> str:
    from wpsnap.plan.models import Activity

    return str(Activity.objects.get(plan__slug=PLAN, code="5.1.2.3").key)


def _indicator_key(w: World) -> str:
    return str(w.indicator.key)


# Patterns neither matrix reaches: (method, address, the status each role gets in COLUMNS' order:
# anonymous, coordinator, approver, focal point, NGO contributor, evaluator). Public pages and the public
# API (and the plan's text, public) answer everyone; signed-in pages send a visitor to sign in (302) and the API answers 401; the gate
# refuses with 403, or 404 outside the caller's scope; a step out of order is 409.
EXTRA: dict[str, tuple[str, Any, str]] = {
    "healthz": ("get", lambda w: "/healthz", "200 200 200 200 200 200"),
    "accounts/login/": ("get", lambda w: "/accounts/login/", "200 302 302 302 302 302"),
    "accounts/logout/": ("post", lambda w: "/accounts/logout/", "302 302 302 302 302 302"),
    "accounts/two-factor/": ("get", lambda w: "/accounts/two-factor/", "302 302 302 302 302 302"),
    "accounts/invitation/<str:uidb64>/<str:token>/": (
        "get",
        lambda w: "/accounts/invitation/MQ/not-a-token/",
        "400 400 400 400 400 400",
    ),
    "reports/start/": ("get", lambda w: "/reports/start/", "302 403 403 405 405 403"),
    "reports/<int:pk>/take/<int:indicator_pk>/": (
        "post",
        lambda w: f"/reports/{w.own_draft.pk}/take/{w.own_draft.activity.indicators.first().pk}/",
        "302 403 403 404 404 403",
    ),
    "reports/<int:pk>/evidence/": (
        "post",
        lambda w: f"/reports/{w.own_draft.pk}/evidence/",
        "302 403 403 400 404 403",
    ),
    "reports/evidence/<int:pk>/delete/": (
        "post",
        lambda w: f"/reports/evidence/{w.own_evidence.pk}/delete/",
        "302 403 403 302 404 403",
    ),
    "events/<int:pk>/participants/clear/": (
        "post",
        lambda w: f"/events/{w.own_event.pk}/participants/clear/",
        "302 403 403 302 403 403",
    ),
    "registries/": ("get", lambda w: "/registries/", "302 200 200 200 200 200"),
    "publishing/public-statistics/": (
        "get",
        lambda w: "/publishing/public-statistics/",
        "302 200 403 403 403 403",
    ),
    "publishing/public-statistics/<int:indicator_pk>/": (
        "post",
        lambda w: f"/publishing/public-statistics/{w.indicator.pk}/",
        "302 400 403 403 403 403",
    ),
    "exports/open/<slug:slug>/iati.xml": (
        "get",
        lambda w: f"/exports/open/{PLAN}/iati.xml",
        "200 200 200 200 200 200",
    ),
    "api/v1/docs/": ("get", lambda w: "/api/v1/docs/", "200 200 200 200 200 200"),
    **{
        f"api/v1/^{part}/(?P<pk>[0-9]+)/$": (
            "get",
            lambda w, part=part, model=model: f"/api/v1/{part}/{_first(model)}/",
            "200 200 200 200 200 200",
        )
        for part, model in (
            ("pillars", "plan.Pillar"),
            ("objectives", "plan.Objective"),
            ("expected-results", "plan.ExpectedResult"),
            ("priority-areas", "plan.PriorityArea"),
            ("indicators", "plan.Indicator"),
            ("assignments", "plan.Assignment"),
        )
    },
    **{
        f"api/v1/^{part}/$": ("get", lambda w, part=part: f"/api/v1/{part}/", "200 200 200 200 200 200")
        for part in (
            "objectives",
            "expected-results",
            "priority-areas",
            "activities",
            "indicators",
            "assignments",
        )
    },
    "api/v1/reports/<int:id>/evidence/<int:evidence_id>/": (
        "get",
        lambda w: f"/api/v1/reports/{w.own_draft.pk}/evidence/{w.own_evidence.pk}/",
        "401 200 200 200 404 200",
    ),
    "api/v1/^reports/(?P<pk>[0-9]+)/submit/$": (
        "post",
        lambda w: f"/api/v1/reports/{w.own_draft.pk}/submit/",
        "401 403 403 200 404 403",
    ),
    "api/v1/^reports/(?P<pk>[0-9]+)/approve/$": (
        "post",
        lambda w: f"/api/v1/reports/{w.own_submitted.pk}/approve/",
        "401 400 403 403 403 403",
    ),
    "api/v1/^reports/(?P<pk>[0-9]+)/publish/$": (
        "post",
        lambda w: f"/api/v1/reports/{w.own_submitted.pk}/publish/",
        "401 400 403 403 403 403",
    ),
    "api/v1/^reports/(?P<pk>[0-9]+)/return/$": (
        "post",
        lambda w: f"/api/v1/reports/{w.own_submitted.pk}/return/",
        "401 403 200 403 404 403",
    ),
    "api/v1/public/plans/": ("get", lambda w: "/api/v1/public/plans/", "200 200 200 200 200 200"),
    "api/v1/public/plans/<slug:slug>/": (
        "get",
        lambda w: f"/api/v1/public/plans/{PLAN}/",
        "200 200 200 200 200 200",
    ),
    "api/v1/public/plans/<slug:slug>/indicators/<str:key>/figures/": (
        "get",
        lambda w: f"/api/v1/public/plans/{PLAN}/indicators/{_indicator_key(w)}/figures/",
        "200 200 200 200 200 200",
    ),
    "<lang:lang>/search/": ("get", lambda w: "/en/search/?q=women", "200 200 200 200 200 200"),
    "<lang:lang>/plans/<slug:slug>/pillars/<slug:key>/": (
        "get",
        lambda w: f"/en/plans/{PLAN}/pillars/prevention/",
        "200 200 200 200 200 200",
    ),
    "<lang:lang>/plans/<slug:slug>/areas/<str:code>/": (
        "get",
        lambda w: f"/en/plans/{PLAN}/areas/5.1.2/",
        "200 200 200 200 200 200",
    ),
    "<lang:lang>/plans/<slug:slug>/activities/<str:key>/": (
        "get",
        lambda w: f"/en/plans/{PLAN}/activities/{_activity_key(w)}/",
        "200 200 200 200 200 200",
    ),
    "<lang:lang>/plans/<slug:slug>/indicators/<str:key>/figures.json": (
        "get",
        lambda w: f"/en/plans/{PLAN}/indicators/{_indicator_key(w)}/figures.json",
        "200 200 200 200 200 200",
    ),
    "<lang:lang>/plans/<slug:slug>/open-data/": (
        "get",
        lambda w: f"/en/plans/{PLAN}/open-data/",
        "200 200 200 200 200 200",
    ),
    "<lang:lang>/plans/<slug:slug>/reports/": (
        "get",
        lambda w: f"/en/plans/{PLAN}/reports/",
        "200 200 200 200 200 200",
    ),
}


def test_every_url_pattern_has_a_row(shared) -> None:
    world = _world(shared)
    from_cases = {}
    for case in CASES:
        try:
            url = case.url(world)
        except Exception as error:  # a case whose address needs more than the shared world
            raise AssertionError(f"{case.name}: {error!r}") from error
        from_cases.setdefault(_route_of(url), case.name)
    registry = _registry_actions()
    missing = []
    counted = dict.fromkeys(("matrix", "registries", "extra"), 0)
    for route, callback in _patterns().items():
        if _plain(route) in from_cases:
            counted["matrix"] += 1
        elif (actions := _gate_of(route, callback)) and set(actions) <= registry:
            counted["registries"] += 1
        elif route in EXTRA:
            counted["extra"] += 1
        else:
            missing.append(route)
    assert not missing, f"{len(missing)} URL patterns without a row: {missing}"
    # Today: 387 patterns (the admin aside): 125 through the access matrix's cases, 220 the registries', 42 here.
    assert counted["matrix"] + counted["registries"] + counted["extra"] == len(_patterns())
    assert counted["matrix"] >= 120 and counted["registries"] >= 200, counted


def _answer(w: World, role: str, method: str, url: str) -> int:
    client = Client()
    if role != "anonymous":
        sign_in(client, w.me)
    if url.startswith("/api/"):
        # A step that needs a reason gets one: what is asked is the gate's answer, not the form's.
        body = {"comment": "Add the March training."} if url.endswith("/return/") else {}
        return getattr(client, method)(url, body, content_type="application/json").status_code
    return getattr(client, method)(url).status_code


@pytest.mark.parametrize("role", COLUMNS)
def test_the_patterns_no_other_matrix_reaches(role: str, shared) -> None:
    """EXTRA's rows, each in its own savepoint, for one role: every status as given."""
    from django.db import transaction

    w = _world(shared, "focal_point") if role == "anonymous" else _world(shared, role)
    if role == "anonymous":
        w = replace(w, me=None)
    wrong = {}
    for route, (method, address, codes) in EXTRA.items():
        with transaction.atomic():
            url = address(w)
            got = _answer(w, role, method, url)
            transaction.set_rollback(True)
        expected = int(codes.split()[COLUMNS.index(role)])
        if got != expected:
            wrong[route] = f"{method.upper()} {url}: {got}, expected {expected}"
    assert not wrong, "\n".join(f"{route}: {why}" for route, why in wrong.items())
