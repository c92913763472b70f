# ruff: noqa: F811 - the publishing world's fixtures, imported and used
"""The audited ``unpublish`` step (issue 13): published -> approved, coordinators only, with a reason;
its figures leave the public results at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from wpsnap.core.errors import InvalidInput
from wpsnap.core.models import AuditEvent
from wpsnap.core.versions import StaleWrite
from wpsnap.publishing.public import public_results
from wpsnap.reporting import services
from wpsnap.reporting.models import ProgressReport, ReportTransition
from wpsnap.reporting.workflow import TRANSITIONS, Status, Step, steps_from, transition_for

from ..conftest import sign_in
from ..publishing.conftest import (  # noqa: F401 - the publishing world's fixtures
    SEX_AND_AGE,
    TOTAL_ONLY,
    by_hand,
    events_plan,
    people,
    plan,
    world,
)

pytestmark = pytest.mark.django_db


def test_the_table_has_unpublish_from_published_to_approved_with_a_reason() -> None:
    transition = transition_for(Step.UNPUBLISH, Status.PUBLISHED)
    assert transition is not None
    assert (transition.target, transition.action, transition.needs_comment) == (
        Status.APPROVED,
        "report.unpublish",
        True,
    )
    assert [t.step for t in steps_from(Status.PUBLISHED)] == [Step.UNPUBLISH]
    assert [t for t in TRANSITIONS if t.step == Step.UNPUBLISH] == [transition]
    assert transition_for(Step.UNPUBLISH, Status.APPROVED) is None


def _report(world, activity: int, agency: str, period: int) -> ProgressReport:
    index = next(
        i
        for i, w in enumerate(world.written)
        if (w.activity, w.agency, w.period) == (activity, agency, period) and w.status == Status.PUBLISHED
    )
    return world.reports[index]


def _total(plan, key: str, period_label: str):
    results = public_results(plan)
    indicator = next(i for i in results.indicators if i.indicator == key)
    period = next(p for p in indicator.periods if p.period == period_label)
    return period.total.value if period.total is not None else None


def test_unpublishing_takes_the_figures_off_the_public_results_and_is_audited(world, people) -> None:
    """MoD's 2021 total-only report (41 people) is the period's only one: published it is public;
    unpublished, the period has no figure, the report is approved again, and the audit trail keeps the
    reason."""
    report = _report(world, TOTAL_ONLY, "mod", 1)
    key = world.indicators[TOTAL_ONLY].key
    assert _total(world.plan, key, "2021") == 41
    before = report.version
    services.report_unpublish(actor=people["coordinator"], report=report, reason="The count was doubled.")
    report.refresh_from_db()
    assert report.status == Status.APPROVED and report.published_at is None
    assert report.version > before
    assert _total(world.plan, key, "2021") is None
    transition = ReportTransition.objects.filter(report=report).latest("pk")
    assert (transition.source, transition.target, transition.note) == (
        "published",
        "approved",
        "The count was doubled.",
    )
    assert AuditEvent.objects.filter(
        object_type="reporting.progressreport",
        object_id=str(report.pk),
        note__contains="The count was doubled.",
    ).exists()
    # Published again, it is back.
    services.report_publish(actor=people["coordinator"], report=report)
    assert _total(world.plan, key, "2021") == 41


def test_unpublishing_one_of_two_reports_leaves_the_other_ones_figures(world, people) -> None:
    key = world.indicators[SEX_AND_AGE].key
    both = by_hand(world.written, SEX_AND_AGE, 0)[""]
    mia_only = sum(
        value
        for w in world.written
        if (w.activity, w.agency, w.period, w.status) == (SEX_AND_AGE, "mia", 0, Status.PUBLISHED)
        for cell, value in w.values
        if cell == ""
    )
    assert _total(world.plan, key, "2020") == both
    services.report_unpublish(
        actor=people["coordinator"], report=_report(world, SEX_AND_AGE, "mod", 0), reason="Wrong period."
    )
    assert _total(world.plan, key, "2020") == mia_only


def test_a_reason_is_required_and_nothing_changes_without_one(world, people) -> None:
    report = _report(world, TOTAL_ONLY, "mod", 1)
    with pytest.raises(InvalidInput, match="Say why the report is taken off the public pages") as info:
        services.report_unpublish(actor=people["coordinator"], report=report, reason="  ")
    assert info.value.problems[0].field == "comment"
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    assert not ReportTransition.objects.filter(report=report, target="approved", source="published").exists()


@pytest.mark.parametrize("who", ["evaluator", "mod", "mod_approver", "mia", "ngo"])
def test_only_coordinators_may_unpublish(world, people, who) -> None:
    report = _report(world, TOTAL_ONLY, "mod", 1)
    with pytest.raises((PermissionDenied, Http404)):
        services.report_unpublish(actor=people[who], report=report, reason="Because.")
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED


def test_a_stale_unpublish_is_refused(world, people) -> None:
    report = _report(world, TOTAL_ONLY, "mod", 1)
    seen = report.version
    services.report_unpublish(actor=people["coordinator"], report=report, reason="First.")
    services.report_publish(actor=people["coordinator"], report=report)
    with pytest.raises(StaleWrite):
        services.report_transition(
            actor=people["coordinator"], report=report, step=Step.UNPUBLISH, comment="Again.", version=seen
        )
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED


def test_unpublishing_an_approved_report_is_refused_as_out_of_order(world, people) -> None:
    report = _report(world, TOTAL_ONLY, "mod", 1)
    services.report_unpublish(actor=people["coordinator"], report=report, reason="First.")
    with pytest.raises(InvalidInput, match="cannot be unpublished"):
        services.report_unpublish(actor=people["coordinator"], report=report, reason="Second.")


def test_the_review_page_offers_unpublish_with_a_reason(client, world, people) -> None:
    """The coordinator sees the button and the reason field; without a reason 400 naming it; with one the
    report is approved again. Other readers see no such button."""
    report = _report(world, TOTAL_ONLY, "mod", 1)
    sign_in(client, people["coordinator"])
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'data-step="unpublish"' in page
    assert "Why it is taken off the public pages" in page
    url = f"/reports/{report.pk}/step/unpublish/"
    response = client.post(url, {"comment": "", "version": str(report.version)})
    assert response.status_code == 400
    assert "Say why the report is taken off the public pages" in response.content.decode()
    response = client.post(url, {"comment": "A figure was wrong.", "version": str(report.version)})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.APPROVED
    sign_in(client, people["evaluator"])
    services.report_publish(actor=people["coordinator"], report=report)
    assert 'data-step="unpublish"' not in client.get(f"/reports/{report.pk}/").content.decode()


def test_the_api_step(client, world, people) -> None:
    report = _report(world, TOTAL_ONLY, "mod", 1)
    sign_in(client, people["coordinator"])
    url = f"/api/v1/reports/{report.pk}/unpublish/"
    response = client.post(url, {"comment": ""}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["problems"][0]["field"] == "comment"
    response = client.post(url, {"comment": "Wrong figure."}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
