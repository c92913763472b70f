"""Writes to people and their access. One entry point per use case, each checking the gate first,
atomic, and leaving an audit line; the pages, the API and the commands all call these."""

from __future__ import annotations

from typing import Any, Required, TypedDict, Unpack

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from wpsnap.core import audit
from wpsnap.core.errors import InvalidInput
from wpsnap.core.models import AuditAction

from . import permissions
from .language import language_codes, language_of
from .models import ROLE_ORGANISATION_KINDS, Organisation, Role, User


def _check_role_fits(role: str, organisation: Organisation) -> None:
    if role not in Role.values:
        raise InvalidInput.one("role", "invalid_choice", _("%(role)r is not a role.") % {"role": role})
    if organisation.kind not in ROLE_ORGANISATION_KINDS[role]:
        raise InvalidInput.one(
            "role",
            "not_open",
            _("The role “%(role)s” is not open to %(organisation)s (%(kind)s).")
            % {
                "role": Role(role).label,
                "organisation": organisation,
                "kind": organisation.get_kind_display(),
            },
        )


def invitation_link(user: User, *, base_url: str = "") -> str:
    """The one-time link that lets an invited person choose a password. It stops working once used:
    the token depends on the password hash and the last sign-in."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url + reverse("accounts:invitation", kwargs={"uidb64": uid, "token": token})


class Invitee(TypedDict, total=False):
    """Who is invited, as the invitation form, the API and ``wpsnap people invite`` give it."""

    email: Required[str]
    first_name: Required[str]
    last_name: Required[str]
    organisation: Required[Organisation]
    role: Required[str]
    base_url: str  # where the one-time link points; the configured site when empty


def user_invite(*, actor: User, request: Any = None, **invitee: Unpack[Invitee]) -> User:
    """Create an account without a password and e-mail its owner a one-time link to choose one."""
    if not permissions.can(actor, "user.invite"):
        permissions.refuse(request, "user.invite")
    if not permissions.can_grant_role(actor, invitee["role"]):
        permissions.refuse(request, "user.invite")
    user, _link = _invite(actor=actor, request=request, **invitee)
    return user


SERVER = "command line"  # the audit trail's name for whoever runs a command on the server


def user_invite_from_server(**invitee: Unpack[Invitee]) -> tuple[User, str]:
    """``wpsnap people invite``: the invitation made on the server by its administrator, who needs no
    account (the first coordinator, before anyone can sign in). The same checks, audit line (by
    "command line") and e-mail as a coordinator's invitation; returns the person and the one-time link,
    for the administrator to hand over where no mail is sent yet."""
    return _invite(actor=None, request=None, **invitee)


def _invite(
    *,
    actor: User | None,
    request: Any,
    email: str,
    first_name: str,
    last_name: str,
    organisation: Organisation,
    role: str,
    base_url: str = "",
) -> tuple[User, str]:
    _check_role_fits(role, organisation)
    email = User.objects.normalize_email(email).strip()
    if not email:
        raise InvalidInput.one("email", "required", _("An e-mail address is needed to send the invitation."))
    if (
        User.objects.filter(email__iexact=email).exists()
        or User.objects.filter(username__iexact=email).exists()
    ):
        raise InvalidInput.one(
            "email", "exists", _("Someone with this e-mail address already has an account.")
        )
    with transaction.atomic():
        user = User(
            username=email,
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            organisation=organisation,
            role=role,
            is_active=True,
        )
        user.set_unusable_password()
        user._history_user = actor  # type: ignore[attr-defined]
        user.full_clean(exclude=["password"])
        user.save()
        audit.record(
            AuditAction.INVITE,
            actor=actor,
            actor_label="" if actor is not None else SERVER,
            obj=user,
            request=request,
            note=role,
        )
        link = invitation_link(user, base_url=base_url)
        transaction.on_commit(lambda: _invitation_send(actor=actor, user=user, link=link))
    return user, link


def organisation_add_from_server(
    *, country: str, key: str, name: str, kind: str, short_name: str = ""
) -> Organisation:
    """``wpsnap organisations add``: an organisation the plan does not name (an NGO, an evaluation team,
    a donor), made on the server by its administrator; checked as the model defines it, audited (by
    "command line"). The plan's own agencies come from the plan file (``wpsnap plan load``)."""
    organisation = Organisation(
        country=country.strip().upper(),
        key=key.strip(),
        name=name.strip(),
        short_name=short_name.strip(),
        kind=kind,
    )
    if Organisation.objects.filter(country=organisation.country, key=organisation.key).exists():
        raise InvalidInput.one(
            "key",
            "exists",
            _("There is already an organisation %(key)r in %(country)s.")
            % {"key": organisation.key, "country": organisation.country},
        )
    try:
        organisation.full_clean()
    except ValidationError as exc:
        raise InvalidInput(
            (field if field != NON_FIELD_ERRORS else "", error.code or "invalid", " ".join(error.messages))
            for field, errors in exc.error_dict.items()
            for error in errors
        ) from exc
    # Its history row is mirrored in the audit trail (``core.audit.on_history_record``): a "created" line
    # with every field, nobody as its actor and "command line" as its note.
    organisation._change_reason = SERVER  # type: ignore[attr-defined]
    with transaction.atomic():
        organisation.save()
    return organisation


def _invitation_send(*, actor: User | None, user: User, link: str) -> None:
    """The invitation, in the invited person's language (the site's default until they choose one)."""
    assert user.organisation is not None
    with translation.override(language_of(user)):
        send_mail(
            _("Your wpsnap account"),
            _(
                "%(name)s invited you to wpsnap as %(role)s for %(organisation)s.\n\n"
                "Choose your password here within %(days)d days (the link works once):\n%(link)s\n"
            )
            % {
                "name": (actor.get_full_name() or actor.get_username()) if actor else _("The administrator"),
                "role": Role(user.role).label,
                "organisation": user.organisation,
                "days": settings.WPSNAP_INVITE_DAYS,
                "link": link,
            },
            None,
            [user.email],
        )


def user_change_role(*, actor: User, user: User, role: str, request: Any = None) -> User:
    """Give ``user`` another role. Nobody changes their own role or grants one above their own. The
    person's API token and sessions end: they were granted for the old role (a focal point's token must
    not act as a coordinator's, which would also skip the second factor)."""
    if not permissions.can(actor, "user.change", user) or not permissions.can_grant_role(actor, role):
        permissions.refuse(request, "user.change", user)
    if user.rank > actor.rank:
        permissions.refuse(request, "user.change", user)
    if user.organisation is None:
        raise InvalidInput.one(
            "role",
            "no_organisation",
            _("%(name)s belongs to no organisation; a role needs one.") % {"name": user},
        )
    _check_role_fits(role, user.organisation)
    if user.role == role:
        return user
    with transaction.atomic():
        old = user.role
        user.role = role
        user._history_user = actor  # type: ignore[attr-defined]
        user.save(update_fields=["role"])
        user_credentials_revoke(user=user)
        audit.record(
            AuditAction.ROLE_CHANGE,
            actor=actor,
            obj=user,
            request=request,
            changes=[{"field": "role", "old": old, "new": role}],
        )
    return user


def user_set_active(*, actor: User, user: User, active: bool, request: Any = None) -> User:
    """Deactivate (or reactivate) an account. A deactivated person's sessions and API token end."""
    if not permissions.can(actor, "user.change", user) or user.rank > actor.rank:
        permissions.refuse(request, "user.change", user)
    if user.is_active == active:
        return user
    with transaction.atomic():
        user.is_active = active
        user._history_user = actor  # type: ignore[attr-defined]
        user.save(update_fields=["is_active"])
        if not active:
            user_credentials_revoke(user=user)
        audit.record(
            AuditAction.REACTIVATE if active else AuditAction.DEACTIVATE,
            actor=actor,
            obj=user,
            request=request,
        )
    return user


def user_credentials_revoke(*, user: User) -> None:
    """End every way ``user`` is signed in: their API tokens and browser sessions. Called wherever a
    person's role, organisation or status changes (these services, the demo loader); it takes access away
    and grants nothing, so it asks no gate of its own: the caller has made its checks. The session hash
    (``User._get_session_auth_hash``) ends sessions on such a change even where this is not called."""
    Token.objects.filter(user=user).delete()
    _end_sessions(user)


def _end_sessions(user: User) -> None:
    from django.contrib.sessions.models import Session

    # Sessions are opaque blobs: decode each (few per installation) and drop those of this user.
    for session in Session.objects.all():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()


def token_create(*, user: User, actor: User | None = None, request: Any = None) -> str:
    """A new API token for ``user`` (any earlier one stops working). From the command line the actor is
    the operator of the server (None); over the web only the user themself."""
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied
    if not user.is_active:
        raise InvalidInput.one(
            "username", "inactive", _("%(name)s is deactivated.") % {"name": user.get_username()}
        )
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        audit.record(AuditAction.TOKEN_CREATED, actor=actor or user, obj=user, request=request)
    return token.key


# The note on the history line of an accepted invitation (stored data, so not translated).
INVITATION_ACCEPTED_NOTE = "accepted the invitation and chose a password"


def invitation_accept(*, uidb64: str, token: str, password1: str, password2: str) -> User:
    """Set the password of an invited person from their one-time link, which then stops working
    (Django's token depends on the password hash). The password must pass the site's validators.

    Problems are named by field: ``token`` (the link expired, was used, or the account was
    deactivated), ``new_password1`` and ``new_password2`` (the passwords)."""
    from django.contrib.auth.forms import SetPasswordForm

    from .selectors import invitation_user

    expired = InvalidInput.one("token", "expired", _("This link has expired or was already used."))
    user = invitation_user(uidb64=uidb64, token=token)
    if user is None:
        raise expired
    form = SetPasswordForm(user, data={"new_password1": password1, "new_password2": password2})
    if not form.is_valid():
        raise InvalidInput(
            ("" if field == NON_FIELD_ERRORS else field, error.code or "invalid", message)
            for field, errors in form.errors.as_data().items()
            for error in errors
            for message in error.messages
        )
    with transaction.atomic():
        # Check the token again on the locked row, so that two submissions of one link set one password.
        user = User.objects.select_for_update().get(pk=user.pk)
        if not (user.is_active and default_token_generator.check_token(user, token)):
            raise expired
        user.set_password(form.cleaned_data["new_password1"])
        user._history_user = user  # type: ignore[attr-defined]
        user._change_reason = INVITATION_ACCEPTED_NOTE  # type: ignore[attr-defined]
        user.save(update_fields=["password"])
    return user


def user_language_set(*, actor: User, user: User, language: str, request: Any = None) -> User:
    """Store the language ``user`` reads the staff pages and their e-mails in (blank: the site's
    default). A person sets their own only."""
    if not permissions.can(actor, "account.language", user):
        permissions.refuse(request, "account.language", user)
    if language and language not in language_codes():
        raise InvalidInput.one(
            "language",
            "invalid_choice",
            _("%(language)r is not a language of this site.") % {"language": language},
        )
    if user.language == language:
        return user
    with transaction.atomic():
        user.language = language
        # The history row is the audit line (core.audit records simple-history's rows): who, old, new.
        user._history_user = actor  # type: ignore[attr-defined]
        user.save(update_fields=["language"])
    return user
