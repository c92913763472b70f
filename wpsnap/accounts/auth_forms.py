"""Forms for signing in and for the second factor.

A wrong password and an unknown username get the same words, so that the sign-in page does not tell
anyone which accounts exist. Errors sit next to their field and are linked to it
(``aria-describedby``, which Django adds for ``<field id>_error``).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _

# Digits of a TOTP code (django-otp's TOTPDevice default, which is what two-factor setup creates).
CODE_DIGITS = 6


class FieldErrors(ErrorList):
    """Bootstrap's look for the error list Django renders under a field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", "invalid-feedback d-block list-unstyled")
        super().__init__(*args, **kwargs)


class BootstrapErrorsMixin(forms.Form):
    """Inputs get ``form-control``, plus ``is-invalid`` once their field has an error."""

    def _style_fields(self) -> None:
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class SignInForm(BootstrapErrorsMixin, AuthenticationForm):
    """Django's sign-in form (it hands ``request`` to ``authenticate``, which django-axes needs), in
    plain words."""

    error_messages = {
        "invalid_login": _(
            "The username or password is not right. Check both and try again; capital letters count."
        ),
        # Inactive accounts cannot authenticate at all (ModelBackend), so they see the same words.
        "inactive": _(
            "The username or password is not right. Check both and try again; capital letters count."
        ),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", FieldErrors)
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
        self._style_fields()

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            # The message is about both fields; the template shows it above them, under this id.
            for name in ("username", "password"):
                self.fields[name].widget.attrs["aria-describedby"] = "signin-error"
                self.fields[name].widget.attrs["aria-invalid"] = "true"
            raise


class CodeForm(BootstrapErrorsMixin, forms.Form):
    """The six-digit code from an authenticator app. Spaces are allowed ("123 456")."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("Six digits. Your app shows a new code every 30 seconds."),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", FieldErrors)
        super().__init__(*args, **kwargs)
        self._style_fields()
        self.fields["code"].error_messages["required"] = _("Enter the six-digit code from your app.")

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not re.fullmatch(rf"[0-9]{{{CODE_DIGITS}}}", code):
            raise forms.ValidationError(
                _("Enter the six digits your app shows, without letters."), code="invalid"
            )
        return code
