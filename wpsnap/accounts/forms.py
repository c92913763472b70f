"""Forms of the people and audit pages. Every form lists its fields explicitly: a request can set
nothing else (an extra ``is_superuser`` or ``organisation`` in a POST is ignored)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wpsnap.core.models import AuditAction

from . import permissions, selectors
from .models import ROLE_ORGANISATION_KINDS, Organisation, Role


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        else:
            widget.attrs.setdefault("class", "form-control")


def grantable_roles(actor: Any, *, organisation: Organisation | None = None) -> list[tuple[str, Any]]:
    """The roles ``actor`` may give, in the order of the Role list; only those that fit ``organisation``."""
    return [
        (value, label)
        for value, label in Role.choices
        if permissions.can_grant_role(actor, value)
        and (organisation is None or organisation.kind in ROLE_ORGANISATION_KINDS[value])
    ]


class UserFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All organisations"),
        error_messages={"invalid_choice": _("There is no such organisation. Choose one from the list.")},
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("All roles")), *Role.choices],
        error_messages={"invalid_choice": _("“%(value)s” is not a role. Choose one from the list.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors.organisations_with_people()  # type: ignore[attr-defined]
        _style(self)


class UserInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("The invitation goes here; it is also the name they sign in with."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        empty_label=_("Choose an organisation"),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        help_text=_("What they may do. Only roles you may give are listed."),
        error_messages={
            "invalid_choice": _("You cannot give the role “%(value)s”. Choose one from the list.")
        },
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = selectors.organisations_with_people()
        country = getattr(getattr(actor, "organisation", None), "country", None)
        if country:  # as in the API: a coordinator invites people of their own country's organisations
            organisations = organisations.filter(country=country)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["role"].choices = [("", _("Choose a role")), *grantable_roles(actor)]  # type: ignore[attr-defined]
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        _style(self)


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("New role"),
        error_messages={
            "invalid_choice": _("You cannot give the role “%(value)s” here. Choose one from the list.")
        },
    )

    def __init__(self, *args: Any, actor: Any, person: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"role": person.role})
        super().__init__(*args, **kwargs)
        # Without an organisation no role fits (every role belongs to one): nothing to choose.
        roles = grantable_roles(actor, organisation=person.organisation) if person.organisation else []
        self.fields["role"].choices = roles  # type: ignore[attr-defined]
        _style(self)


class UserActiveForm(forms.Form):
    active = forms.TypedChoiceField(
        choices=[("1", _("Reactivate")), ("0", _("Deactivate"))],
        coerce=lambda value: value == "1",
        error_messages={"invalid_choice": _("Choose whether to deactivate or reactivate the account.")},
    )


class AuditSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Words in the object's name, the person's name or the note."),
    )
    action = forms.ChoiceField(
        label=_("What happened"),
        required=False,
        choices=[("", _("Anything")), *AuditAction.choices],
        error_messages={"invalid_choice": _("“%(value)s” is not something the trail records.")},
    )
    object_type = forms.ChoiceField(
        label=_("Kind of object"),
        required=False,
        error_messages={
            "invalid_choice": _("“%(value)s” is not a kind of object. Choose one from the list.")
        },
    )
    actor = forms.CharField(
        label=_("Who"), required=False, max_length=150, help_text=_("A user name or part of it.")
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", _("Any kind")), *selectors.audit_object_types()]  # type: ignore[attr-defined]
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date comes before the start date."))
        return data

    def filters(self) -> selectors.AuditFilters:
        data = self.cleaned_data
        return selectors.AuditFilters(
            q=data.get("q") or "",
            action=data.get("action") or "",
            object_type=data.get("object_type") or "",
            actor=data.get("actor") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
