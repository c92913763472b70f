"""Policy reviews and recommendations (5.2.5.1, 5.3.1.1, 5.4.2.1): what the database refuses, what the
file reader refuses, and the review a recommendation names."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from wpsnap.core.errors import InvalidInput
from wpsnap.registries.kinds.catalogue import kind_named
from wpsnap.registries.policy.kinds import POLICY_RECOMMENDATIONS, POLICY_REVIEWS
from wpsnap.registries.policy.models import PolicyRecommendation

pytestmark = pytest.mark.django_db

REVIEW = {
    "document": "Law on Prevention of Domestic Violence",
    "document_type": "law",
    "reviewed_on": "2021-04-12",
    "findings": "No data by sex is required.",
    "outcome": "modified",
    "changes": "Reporting by sex and age made mandatory.",
}


def test_kinds_are_registered_with_their_activities() -> None:
    """Both kinds are in the catalogue, staff statistics (every agency's staff reads them), serving the
    three review activities, and policy-reviews counts the reviews and the modified ones."""
    assert kind_named("policy-reviews") is POLICY_REVIEWS
    assert kind_named("policy-recommendations") is POLICY_RECOMMENDATIONS
    assert POLICY_REVIEWS.visibility == "staff" == POLICY_RECOMMENDATIONS.visibility
    assert POLICY_REVIEWS.activity_codes == ("5.2.5.1", "5.3.1.1", "5.4.2.1")
    assert [c.key for c in POLICY_REVIEWS.counts] == ["reviewed", "modified"]
    assert not any(c.personal for c in POLICY_REVIEWS.columns + POLICY_RECOMMENDATIONS.columns)


def test_review_read_from_a_row(add, events_plan) -> None:
    """A row in the file's words (a label instead of a code, a dotted date) becomes a review."""
    review = add(POLICY_REVIEWS, {**REVIEW, "document_type": "Law", "reviewed_on": "12.04.2021"})
    assert (review.document_type, review.reviewed_on, review.outcome) == (
        "law",
        date(2021, 4, 12),
        "modified",
    )
    assert str(review) == "Law on Prevention of Domestic Violence"


def test_review_rows_refused_name_the_column(events_plan, staff) -> None:
    """A document type or outcome not on the list, and a missing document, are refused by header."""
    from wpsnap.registries.kinds.columns import clean_values

    with pytest.raises(InvalidInput) as refused:
        clean_values(
            POLICY_REVIEWS,
            events_plan,
            {**REVIEW, "document": "", "document_type": "memo", "outcome": "maybe"},
            user=staff["coordinator"],
        )
    assert {p.field for p in refused.value.problems} == {"document", "document_type", "outcome"}


@pytest.mark.parametrize(
    "field, value",
    [("document_type", "memo"), ("outcome", "maybe"), ("document", "")],
)
def test_database_refuses_a_bad_review(add, field, value) -> None:
    """The database itself refuses a type or outcome off the list and an unnamed document."""
    review = add(POLICY_REVIEWS, REVIEW)
    setattr(review, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        review.save()


def test_recommendation_names_its_review_by_document(add) -> None:
    """A recommendation's review column takes the document's name (or the review's record id)."""
    review = add(POLICY_REVIEWS, REVIEW)
    by_name = add(
        POLICY_RECOMMENDATIONS,
        {
            "review": REVIEW["document"],
            "text": "Publish data by sex.",
            "state": "Accepted",
            "state_on": "2021-06-01",
        },
    )
    by_ref = add(
        POLICY_RECOMMENDATIONS,
        {
            "review": str(review.ref),
            "text": "Consult women's groups.",
            "state": "proposed",
            "state_on": "2021-04-12",
        },
    )
    assert by_name.review == review == by_ref.review
    assert by_name.state == "accepted"
    assert list(review.recommendations.order_by("pk")) == [by_name, by_ref]
    # Never the text: __str__ reaches audit labels.
    assert "Publish" not in str(by_name)


def test_recommendation_dated_before_its_review_is_refused(add, events_plan, staff) -> None:
    """The state of a recommendation cannot be dated before the review it came from: the file reader and
    the model both say so on the date's column."""
    from wpsnap.registries.kinds.columns import clean_values

    review = add(POLICY_REVIEWS, REVIEW)
    row = {
        "review": REVIEW["document"],
        "text": "Publish data by sex.",
        "state": "proposed",
        "state_on": "2021-04-11",
    }
    with pytest.raises(InvalidInput) as refused:
        clean_values(POLICY_RECOMMENDATIONS, events_plan, row, user=staff["coordinator"])
    assert [(p.field, p.code) for p in refused.value.problems] == [("state_on", "invalid")]
    early = PolicyRecommendation(
        plan=events_plan,
        owner=review.owner,
        review=review,
        text="x",
        state="proposed",
        state_on=date(2021, 4, 11),
    )
    with pytest.raises(ValidationError) as invalid:
        early.full_clean()
    assert set(invalid.value.message_dict) == {"state_on"}


def test_an_ambiguous_review_name_asks_for_the_record_id(add) -> None:
    """Two reviews of one document (another day): a recommendation must name its review by record id."""
    from wpsnap.registries.kinds.columns import clean_values

    first = add(POLICY_REVIEWS, REVIEW)
    add(POLICY_REVIEWS, {**REVIEW, "reviewed_on": "2022-04-12"})
    row = {"review": REVIEW["document"], "text": "x", "state": "proposed", "state_on": "2023-01-01"}
    with pytest.raises(InvalidInput) as refused:
        clean_values(POLICY_RECOMMENDATIONS, first.plan, row, user=first.created_by)
    assert [(p.field, p.code) for p in refused.value.problems] == [("review", "ambiguous")]


@pytest.mark.parametrize("field, value", [("state", "done"), ("text", "")])
def test_database_refuses_a_bad_recommendation(add, field, value) -> None:
    review = add(POLICY_REVIEWS, REVIEW)
    recommendation = add(
        POLICY_RECOMMENDATIONS,
        {"review": str(review.ref), "text": "x", "state": "proposed", "state_on": "2021-05-01"},
    )
    setattr(recommendation, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        recommendation.save()


def test_a_review_with_recommendations_cannot_be_deleted(add) -> None:
    """A review's recommendations keep it: delete them first (nothing disappears silently)."""
    from django.db.models import ProtectedError

    review = add(POLICY_REVIEWS, REVIEW)
    add(
        POLICY_RECOMMENDATIONS,
        {"review": str(review.ref), "text": "x", "state": "proposed", "state_on": "2021-05-01"},
    )
    with pytest.raises(ProtectedError), transaction.atomic():
        review.delete()
