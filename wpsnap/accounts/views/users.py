"""People: the list, invitations, a person's page with their role and status, and the invitation link.

Thin: every view passes the permission gate, fetches people only through
``permissions.users_visible_to`` and changes them only through ``wpsnap.accounts.services``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from wpsnap.core.errors import InvalidInput
from wpsnap.core.forms import add_problems

from .. import forms, permissions, selectors, services
from ..models import User


@permissions.register("account.invitation")
def _account_invitation(user: Any, obj: Any) -> bool:
    return True  # the link itself is the credential; it works once and expires


def _person(request: HttpRequest, pk: int) -> User:
    return permissions.get_or_refuse(request, permissions.users_visible_to(request.user), pk=pk)


@permissions.gate("user.list", authenticated=True)
@require_safe
def user_list(request: HttpRequest) -> HttpResponse:
    form = forms.UserFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    people: Any = []
    if valid:
        data = form.cleaned_data if form.is_bound else {}
        people = selectors.user_list(
            actor=request.user, organisation=data.get("organisation"), role=data.get("role") or ""
        )
    return render(
        request,
        "accounts/users/user_list.html",
        {"form": form, "people": people, "filtered": form.is_bound and valid},
        status=200 if valid else 400,
    )


@permissions.gate("user.invite", authenticated=True)
@require_http_methods(["GET", "HEAD", "POST"])
def user_invite(request: HttpRequest) -> HttpResponse:
    form = forms.UserInviteForm(request.POST if request.method == "POST" else None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.user_invite(
                actor=request.user,  # type: ignore[arg-type]
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                organisation=data["organisation"],
                role=data["role"],
                base_url=request.build_absolute_uri("/")[:-1],
                request=request,
            )
        except InvalidInput as exc:
            add_problems(form, exc.problems)
        else:
            messages.success(
                request,
                _("%(email)s is invited. They have an e-mail with a link to choose their password.")
                % {"email": person.email},
            )
            return redirect("accounts:user_detail", pk=person.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "days": settings.WPSNAP_INVITE_DAYS}
    return render(request, "accounts/users/user_invite.html", context, status=status)


def _detail(
    request: HttpRequest,
    person: User,
    *,
    role_form: forms.UserRoleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.user
    may_change = permissions.can(actor, "user.change", person) and person.rank <= getattr(actor, "rank", 0)
    context = {
        "person": person,
        "is_self": person.pk == actor.pk,
        "may_change": may_change,
        "is_coordinator": permissions.is_coordinator(actor),
        "role_form": role_form or forms.UserRoleForm(actor=actor, person=person),
        "history": selectors.user_history(person),
        "history_length": selectors.USER_HISTORY_LENGTH,
        "default_language": settings.LANGUAGE_CODE,
    }
    return render(request, "accounts/users/user_detail.html", context, status=status)


@permissions.gate("account.view", authenticated=True)
@require_safe
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Function level: signed in. Object level: the person must be in the actor's scope (coordinators see
    # everyone, others only themselves); anyone else's id answers 404 and is logged.
    person = _person(request, pk)
    permissions.require(request, "user.view", person)
    return _detail(request, person)


@permissions.gate("user.change", authenticated=True)
@require_POST
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    permissions.require(request, "user.change", person)
    form = forms.UserRoleForm(request.POST, actor=request.user, person=person)
    if not form.is_valid():
        return _detail(request, person, role_form=form, status=400)
    try:
        services.user_change_role(
            actor=request.user,  # type: ignore[arg-type]
            user=person,
            role=form.cleaned_data["role"],
            request=request,
        )
    except InvalidInput as exc:
        add_problems(form, exc.problems)
        return _detail(request, person, role_form=form, status=400)
    messages.success(
        request,
        _(
            "%(name)s is now %(role)s. They are signed out everywhere, and their API token no longer "
            "works: they sign in again under the new role."
        )
        % {"name": _name(person), "role": person.get_role_display()},
    )
    return redirect("accounts:user_detail", pk=person.pk)


@permissions.gate("user.change", authenticated=True)
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    permissions.require(request, "user.change", person)
    form = forms.UserActiveForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Nothing was changed: choose whether to deactivate or reactivate the account.")
        )
        return _detail(request, person, status=400)
    active = form.cleaned_data["active"]
    services.user_set_active(actor=request.user, user=person, active=active, request=request)  # type: ignore[arg-type]
    if active:
        message = _("%(name)s can sign in again.")
    else:
        message = _("%(name)s is deactivated: they are signed out and cannot sign in until reactivated.")
    messages.success(request, message % {"name": _name(person)})
    return redirect("accounts:user_detail", pk=person.pk)


def _name(person: User) -> str:
    return person.get_full_name() or person.get_username()


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@permissions.gate("account.invitation")
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The page an invitation e-mail links to: choose a password, then sign in."""
    person = selectors.invitation_user(uidb64=uidb64, token=token)
    if person is None:
        return render(request, "accounts/invitation_invalid.html", status=400)
    form = SetPasswordForm(person, request.POST if request.method == "POST" else None)
    for field in form.fields.values():
        field.widget.attrs["class"] = "form-control"
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                uidb64=uidb64,
                token=token,
                password1=form.cleaned_data["new_password1"],
                password2=form.cleaned_data["new_password2"],
            )
        except InvalidInput as exc:
            if any(problem.field == "token" for problem in exc.problems):
                return render(request, "accounts/invitation_invalid.html", status=400)
            add_problems(form, exc.problems)
        else:
            messages.success(
                request,
                _("Your password is set. Sign in with %(username)s and your new password.")
                % {"username": person.get_username()},
            )
            return redirect(resolve_url(settings.LOGIN_URL))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/invitation.html", {"form": form, "person": person}, status=status)
