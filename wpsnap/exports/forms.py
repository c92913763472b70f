"""Forms of the report pages: building a report, and the coordinator's narratives."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wpsnap.core.errors import InvalidInput, Problem

from .models import TEXT_MAX, NarrativeLanguage

FORMATS = (("pdf", "PDF"), ("docx", _("Word (DOCX)")), ("html", _("Web page (HTML)")))
VERSIONS = (
    ("internal", _("Internal: every approved figure")),
    ("public", _("Public: published figures only")),
)


class BuildForm(forms.Form):
    """What to build: the format, the language and which version. ``versions`` are those the person may
    build (the internal one for coordinators and evaluators only)."""

    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, initial="pdf")
    language = forms.ChoiceField(label=_("Language"), choices=NarrativeLanguage.choices)
    version = forms.ChoiceField(label=_("Version"), choices=VERSIONS)

    def __init__(self, *args: Any, versions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, label) for value, label in VERSIONS if value in versions]
        field.initial = versions[0] if versions else None

    def cleaned_or_refuse(self) -> dict[str, Any]:
        """The cleaned choices, or ``InvalidInput`` naming each field that is wrong (400)."""
        if self.is_valid():
            return self.cleaned_data
        raise InvalidInput(
            Problem(name, "invalid_choice", str(message))
            for name, messages in self.errors.items()
            for message in messages
        )


class NarrativesForm(forms.Form):
    """The coordinator's texts of one report in one language: one field per section, named by the
    section's key (``summary``, ``pillar:<key>``), so that a service's problem lands beside its field."""

    def __init__(self, *args: Any, sections: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in sections:
            self.fields[key] = forms.CharField(
                label=label,
                required=False,
                strip=False,  # the service trims and compares texts as stored
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 8 if ":" not in key else 4}),
            )
