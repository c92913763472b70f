"""Forms of the review pages: a workflow step's comment, a comment on the thread, a period's re-opening.

They only read what was typed. Whether it is enough (a return needs a comment, a re-opening a reason)
is the services' rule; their problems are put next to the field they name (``core.forms.add_problems``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

TEXT_MAX = 5000


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Django marks a field with errors aria-invalid and points aria-describedby at its help and errors.
        for form_field in self.fields.values():
            form_field.widget.attrs.setdefault("class", "form-control")


class StepForm(_Styled):
    """The comment that goes with a workflow step (required for a return: the service says so)."""

    comment = forms.CharField(
        label=_("What needs correcting"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The agency's focal points receive this by e-mail and see it in the report's comments."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "return-%s")
        super().__init__(*args, **kwargs)
        # The browser's own check, for a quicker answer; the service checks again.
        self.fields["comment"].widget.attrs["required"] = "required"


class CommentForm(_Styled):
    text = forms.CharField(
        label=_("Your comment"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "required": "required"}),
        help_text=_("Everyone who may see this report reads the thread."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, **kwargs)


class ReopenForm(_Styled):
    reason = forms.CharField(
        label=_("Why re-open it?"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.TextInput(attrs={"required": "required"}),
        help_text=_("The reason is kept in the audit trail."),
    )

    def __init__(self, *args: Any, period_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"reopen-{period_id}-%s")
        super().__init__(*args, **kwargs)
        self.period_id = period_id
