"""Publishing's forms: thin, the checks are the service's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from wpsnap.core.params import TextField

from .services import REASON_MAX


class PublicStatisticsForm(forms.Form):
    """The coordinator's decision on one indicator: its reason (the service requires one)."""

    reason = TextField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX,
        lines=True,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "The law or decision that makes these figures public, or why that no longer holds. It is kept in "
            "the audit trail."
        ),
    )

    def __init__(self, data: Any = None, *, indicator_id: int) -> None:
        # One form per indicator on the page: distinct ids for labels.
        super().__init__(data, auto_id=f"id_i{indicator_id}_%s")
        self.indicator_id = indicator_id
