"""The declarations of the policy registries (``wpsnap.registries.kinds.base``) and their examples.

- ``policy-reviews``: counts ``reviewed`` (every review, by the day of the review) and ``modified`` (the
  reviews whose document was modified), the two halves of 5.3.1.1's "number of policies reviewed and
  modified" (5.4.2.1's "number of changes made" is ``modified`` too).
- ``policy-recommendations``: counts ``recommendations`` (by the day of their state) and
  ``implemented`` (those implemented)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from random import Random
from typing import Any

from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import Column, ColumnType, Count, RegistryKind, Visibility

from .models import DocumentType, PolicyRecommendation, PolicyReview, RecommendationState, ReviewOutcome

ACTIVITY_CODES = ("5.2.5.1", "5.3.1.1", "5.4.2.1")

# Realistic documents an agency of the plan reviews (English: the demo's working language).
_DOCUMENTS = (
    ("Law on Ensuring Gender (Men and Women) Equality", DocumentType.LAW),
    ("Law on Prevention of Domestic Violence", DocumentType.LAW),
    ("Law on Social Services", DocumentType.LAW),
    ("State Programme on Internally Displaced Persons", DocumentType.PROGRAMME),
    ("National Action Plan on Combating Domestic Violence", DocumentType.PROGRAMME),
    ("Strategy on Employment", DocumentType.STRATEGY),
    ("Concept of Police Training", DocumentType.STRATEGY),
    ("Rules on Admission to Military Service", DocumentType.REGULATION),
    ("Order on Community Policing in Districts", DocumentType.SECURITY_MEASURE),
    ("Internal Rules on Recruitment and Promotion", DocumentType.POLICY),
)
_FINDINGS = (
    "The document does not mention the different needs of women and girls.",
    "No data disaggregated by sex is required in the reporting.",
    "Gender-neutral wording hides unequal access to the services described.",
    "The document is gender-sensitive; two definitions need updating.",
    "Women are not named among the groups consulted.",
)
_CHANGES = (
    "A clause on the needs of women and girls was added.",
    "Reporting by sex and age was made mandatory.",
    "Definitions were aligned with CEDAW.",
)
_RECOMMENDATIONS = (
    "Collect and publish data disaggregated by sex and age.",
    "Add a clause on the security needs of women and girls in the districts bordering the former line of contact.",
    "Consult women's organisations before the next revision.",
    "Name a gender focal point responsible for the document's implementation.",
    "Train the staff applying the document on gender equality.",
)


_AGENCIES = (
    "",
    "",
    "Ministry of Justice",
    "Ministry of Internal Affairs",
    "Ministry of Labour and Social Protection of Population",
)
_ADDRESSEES = (
    "",
    "Ministry of Justice",
    "Ministry of Labour and Social Protection of Population",
    "Human resources department",
    "Milli Majlis (parliament)",
)


def _day(rng: Random, first: date = date(2020, 2, 1), last: date = date(2023, 11, 30)) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _edition(rng: Random, document: str) -> str:
    # A document as it is cited, with its year: the same title reviewed twice is rarer (a recommendation
    # names its review by title).
    return f"{document} ({rng.randint(1996, 2022)})"


def review_example(rng: Random) -> dict[str, str]:
    """One review as a file row: a document of the plan's agencies, reviewed between 2020 and 2023."""
    document, document_type = rng.choice(_DOCUMENTS)
    outcome = rng.choice(ReviewOutcome.values)
    return {
        "document": _edition(rng, document),
        "document_type": str(document_type),
        "document_agency": rng.choice(_AGENCIES),
        "reviewed_on": _day(rng).isoformat(),
        "findings": rng.choice(_FINDINGS),
        "outcome": outcome,
        "changes": rng.choice(_CHANGES) if outcome == ReviewOutcome.MODIFIED else "",
    }


def recommendation_example(rng: Random) -> dict[str, str]:
    """One recommendation as a file row; ``review`` names the review by its document (the caller puts
    the document of a review that exists; the state's date is then set after that review's day)."""
    document, _type = rng.choice(_DOCUMENTS)
    return {
        "review": _edition(rng, document),
        "text": rng.choice(_RECOMMENDATIONS),
        "state": rng.choice(RecommendationState.values),
        "state_on": _day(rng, first=date(2023, 12, 1), last=date(2023, 12, 31)).isoformat(),
        "addressed_to": rng.choice(_ADDRESSEES),
    }


def recommendation_validate(values: Mapping[str, Any]) -> Iterable[tuple[str, str, Any]]:
    """A recommendation comes from its review: its state cannot be dated before the review."""
    review, state_on = values.get("review"), values.get("state_on")
    if review is not None and state_on is not None and state_on < review.reviewed_on:
        yield (
            "state_on",
            "invalid",
            _("The date of the state cannot be before the review it came from (%(day)s).")
            % {"day": review.reviewed_on.isoformat()},
        )


POLICY_REVIEWS = RegistryKind(
    name="policy-reviews",
    model=PolicyReview,
    label=_("Policy review"),
    label_plural=_("Policy reviews"),
    description=_(
        "Laws, strategies and other documents reviewed for the needs of women and girls, what was found, "
        "and whether the document was changed."
    ),
    title_field="document",
    columns=(
        Column("document", "document", _("Document reviewed"), ColumnType.TEXT, required=True, in_list=True),
        Column(
            "document_type",
            "document_type",
            _("Type of document"),
            ColumnType.CHOICE,
            required=True,
            choices=DocumentType,
            in_list=True,
        ),
        Column(
            "document_agency",
            "document_agency",
            _("Agency responsible for the document"),
            ColumnType.TEXT,
            help=_(
                "Its name, for example Ministry of Justice. Leave empty when it is the agency that made the review."
            ),
        ),
        Column(
            "reviewed_on",
            "reviewed_on",
            _("Date of the review"),
            ColumnType.DATE,
            required=True,
            in_list=True,
        ),
        Column("findings", "findings", _("Findings"), ColumnType.LONG_TEXT),
        Column(
            "outcome",
            "outcome",
            _("Outcome"),
            ColumnType.CHOICE,
            required=True,
            choices=ReviewOutcome,
            in_list=True,
            help=_("Choose “Reviewed and modified” once the document was changed after the review."),
        ),
        Column(
            "changes",
            "changes",
            _("Changes made"),
            ColumnType.LONG_TEXT,
            help=_("What was changed, if anything."),
        ),
    ),
    visibility=Visibility.STAFF,
    activity_codes=ACTIVITY_CODES,
    counts=(
        Count("reviewed", _("Policies reviewed"), date_field="reviewed_on"),
        Count(
            "modified",
            _("Policies modified"),
            date_field="reviewed_on",
            where={"outcome": ReviewOutcome.MODIFIED.value},
        ),
    ),
    ordering=("-reviewed_on", "-id"),
    examples=review_example,
)

POLICY_RECOMMENDATIONS = RegistryKind(
    name="policy-recommendations",
    model=PolicyRecommendation,
    label=_("Policy recommendation"),
    label_plural=_("Policy recommendations"),
    description=_(
        "The recommendations each policy review made, and whether they were accepted and implemented."
    ),
    title_field="text",
    columns=(
        Column(
            "review",
            "review",
            _("Review"),
            ColumnType.RECORD,
            required=True,
            target="policy-reviews",
            in_list=True,
            help=_("The document reviewed, as the review names it."),
        ),
        Column("text", "text", _("Recommendation"), ColumnType.LONG_TEXT, required=True, in_list=True),
        Column(
            "state",
            "state",
            _("State"),
            ColumnType.CHOICE,
            required=True,
            choices=RecommendationState,
            in_list=True,
        ),
        Column(
            "state_on",
            "state_on",
            _("Date of the state"),
            ColumnType.DATE,
            required=True,
            in_list=True,
            help=_("The day it was proposed, accepted, implemented or rejected."),
        ),
        Column(
            "addressed_to",
            "addressed_to",
            _("Addressed to"),
            ColumnType.TEXT,
            help=_("Who is to act on it: an agency, a department, the parliament."),
        ),
    ),
    visibility=Visibility.STAFF,
    activity_codes=ACTIVITY_CODES,
    counts=(
        Count("recommendations", _("Recommendations"), date_field="state_on"),
        Count(
            "implemented",
            _("Recommendations implemented"),
            date_field="state_on",
            where={"state": RecommendationState.IMPLEMENTED.value},
        ),
    ),
    ordering=("-state_on", "-id"),
    examples=recommendation_example,
    validate=recommendation_validate,
)
