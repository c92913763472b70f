"""Policy and strategy reviews and the recommendations they made (5.2.5.1, 5.3.1.1, 5.4.2.1).

The indicator of 5.3.1.1 is "the number of policies reviewed and modified": a review is one document
reviewed once (its ``reviewed_on`` puts it in a reporting period), and it counts as *modified* when its
``outcome`` says the document was changed after the review. Nothing here is personal data."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wpsnap.registries.kinds.base import RegistryRecord

# The longest findings or recommendation text (forms, files and the API agree on it).
TEXT_MAX = 5000


class DocumentType(models.TextChoices):
    LAW = "law", _("Law")
    STRATEGY = "strategy", _("Strategy or concept")
    PROGRAMME = "programme", _("State programme or action plan")
    REGULATION = "regulation", _("Regulation, decree or order")
    POLICY = "policy", _("Internal policy or rules")
    SECURITY_MEASURE = "security_measure", _("Security measure")
    OTHER = "other", _("Other")


class ReviewOutcome(models.TextChoices):
    REVIEWED = "reviewed", _("Reviewed only")
    MODIFIED = "modified", _("Reviewed and modified")


class RecommendationState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    IMPLEMENTED = "implemented", _("Implemented")
    REJECTED = "rejected", _("Rejected")


class PolicyReview(RegistryRecord):
    """One document (law, strategy, programme, security measure...) reviewed for the needs of women and
    girls. ``owner`` is the agency that reviewed it and keeps the record; ``document_agency`` the agency
    the document belongs to, when another."""

    document = models.CharField(_("document reviewed"), max_length=300)
    document_type = models.CharField(_("type of document"), max_length=20, choices=DocumentType.choices)
    # Its name as people write it ("Ministry of Justice"), when another than the reviewer.
    document_agency = models.CharField(_("agency responsible for the document"), max_length=200, blank=True)
    reviewed_on = models.DateField(_("date of the review"))
    findings = models.TextField(_("findings"), max_length=TEXT_MAX, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=ReviewOutcome.choices, default=ReviewOutcome.REVIEWED
    )
    # 5.4.2.1 asks for "the content of changes made": what was changed, when the document was modified.
    changes = models.TextField(_("changes made"), max_length=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("policy review")
        verbose_name_plural = _("policy reviews")
        ordering = ["-reviewed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(document_type__in=DocumentType.values), name="policy_review_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=ReviewOutcome.values), name="policy_review_outcome_valid"
            ),
            models.CheckConstraint(condition=~Q(document=""), name="policy_review_document_named"),
        ]
        indexes = [models.Index(fields=["plan", "reviewed_on"], name="policy_review_plan_date_idx")]

    def __str__(self) -> str:
        return self.document


class PolicyRecommendation(RegistryRecord):
    """One recommendation a review made, and where it stands: proposed, then accepted or rejected, then
    (when accepted) implemented. ``state_on`` is the day it reached its state."""

    review = models.ForeignKey(
        PolicyReview, on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("review")
    )
    text = models.TextField(_("recommendation"), max_length=TEXT_MAX)
    state = models.CharField(
        _("state"), max_length=12, choices=RecommendationState.choices, default=RecommendationState.PROPOSED
    )
    state_on = models.DateField(_("date of the state"))
    # Who is to act on it: an agency, a department, parliament...
    addressed_to = models.CharField(_("addressed to"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("policy recommendation")
        verbose_name_plural = _("policy recommendations")
        ordering = ["-state_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=RecommendationState.values), name="policy_recommendation_state_valid"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="policy_recommendation_text_given"),
        ]
        indexes = [models.Index(fields=["plan", "state_on"], name="policy_rec_plan_date_idx")]

    def __str__(self) -> str:
        return str(_("Recommendation %(number)s") % {"number": self.pk})

    def clean(self) -> None:
        super().clean()
        review = self.review if self.review_id else None
        if review is None:
            return
        problems: dict[str, str] = {}
        if self.plan_id and review.plan_id != self.plan_id:
            problems["review"] = str(_("The review belongs to another plan."))
        if self.state_on and self.state_on < review.reviewed_on:
            problems["state_on"] = str(_("The date of the state cannot be before the review it came from."))
        if problems:
            raise ValidationError(problems)
