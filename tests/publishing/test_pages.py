"""The public statistics page (``/publishing/public-statistics/``): coordinators see the plan's count
indicators with what is published of each and mark one as public statistics with a reason, or no longer;
a missing reason is shown next to the field; nobody else sees the page or changes anything."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import sign_in
from wpsnap.core.models import AuditEvent
from wpsnap.plan.models import Indicator

from .conftest import NOT_PEOPLE, SEX_AND_AGE, activities_of

pytestmark = pytest.mark.django_db

PAGE = "/publishing/public-statistics/"


@pytest.fixture
def indicator(plan) -> Indicator:
    return Indicator.objects.get(activity=activities_of(plan)[SEX_AND_AGE])


def _set(indicator: Indicator) -> str:
    return reverse("publishing:public_statistics_set", args=[indicator.pk])


def test_a_coordinator_sees_every_count_indicator_and_its_status(client, people, plan, indicator) -> None:
    """Every count indicator is listed with its status: protected, or counts of things."""
    Indicator.objects.filter(activity=activities_of(plan)[NOT_PEOPLE]).update(counts_people=False)
    response = sign_in(client, people["coordinator"]).get(PAGE, {"plan": plan.slug})
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count('data-indicator="') == Indicator.objects.filter(plan=plan, kind="count").count()
    assert f'data-indicator="{indicator.key}"' in text
    assert "Counts things: published as reported" in text
    assert "Protected: small counts suppressed" in text


def test_a_coordinator_marks_and_unmarks_with_a_reason(client, people, indicator) -> None:
    """Marking with a reason redirects to the indicator and says so; the audit line has the reason;
    unmarking works the same way."""
    signed_in = sign_in(client, people["coordinator"])
    response = signed_in.post(_set(indicator), {"public": "on", "reason": "Staff in posts are published."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#indicator-{indicator.pk}")
    indicator.refresh_from_db()
    assert indicator.public_statistics
    assert AuditEvent.objects.filter(
        note="Staff in posts are published.", actor=people["coordinator"]
    ).exists()
    page = signed_in.get(response["Location"].split("#")[0])
    assert "Public statistics: published whole" in page.content.decode()
    signed_in.post(_set(indicator), {"public": "off", "reason": "No longer published."})
    indicator.refresh_from_db()
    assert not indicator.public_statistics


def test_a_missing_reason_is_shown_next_to_the_field(client, people, indicator) -> None:
    """400, the page again with the message at the reason field, nothing changed."""
    response = sign_in(client, people["coordinator"]).post(_set(indicator), {"public": "on", "reason": " "})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Say why: the reason is kept with the decision in the audit trail." in text
    assert 'class="form-control is-invalid"' in text
    indicator.refresh_from_db()
    assert not indicator.public_statistics


@pytest.mark.parametrize("who", ["evaluator", "mod", "mod_approver", "ngo"])
def test_nobody_else_sees_the_page_or_changes_anything(client, people, indicator, who) -> None:
    """Other roles get 403 for the page and for the form's address; the indicator is unchanged."""
    signed_in = sign_in(client, people[who])
    assert signed_in.get(PAGE).status_code == 403
    response = signed_in.post(_set(indicator), {"public": "on", "reason": "Because."})
    assert response.status_code == 403
    indicator.refresh_from_db()
    assert not indicator.public_statistics


def test_an_anonymous_visitor_is_sent_to_sign_in(client, indicator) -> None:
    """The page asks for a sign-in first."""
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_unknown_plan_is_not_found(client, people) -> None:
    """A plan slug nobody loaded answers 404."""
    assert sign_in(client, people["coordinator"]).get(PAGE, {"plan": "no-such-plan"}).status_code == 404
