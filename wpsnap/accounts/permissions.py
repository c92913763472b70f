"""The permission gate: the one place that says who may do what to which object.

Every page, API endpoint, export, import, command and admin action asks :func:`can` or
:func:`require`, and lists through a scope function. Rules are small predicates registered by
action name; each app registers its own (``wpsnap.plan.permissions`` for plans) so that this
module needs nothing above it. An action nobody registered is refused.

Refusals are answered with 404 when the object is outside the user's scope (so that ids reveal
nothing) and 403 when the user may see it but not do this; both are written to the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from wpsnap.core import audit
from wpsnap.core.models import AuditAction

from . import throttle
from .models import ROLE_RANK, Role, User

Predicate = Callable[[Any, Any], bool]
_RULES: dict[str, Predicate] = {}


def register(action: str) -> Callable[[Predicate], Predicate]:
    """Register the predicate that decides ``action``: ``predicate(user, obj) -> bool``."""

    def decorator(predicate: Predicate) -> Predicate:
        if action in _RULES:
            raise ValueError(f"permission rule {action!r} is registered twice")
        _RULES[action] = predicate
        return predicate

    return decorator


def actions() -> list[str]:
    return sorted(_RULES)


def can(user: Any, action: str, obj: Any = None) -> bool:
    """May ``user`` (a User or AnonymousUser) do ``action`` (to ``obj``)? Unknown actions: no."""
    predicate = _RULES.get(action)
    if predicate is None:
        return False
    if user is None:
        user = AnonymousUser()
    if getattr(user, "is_authenticated", False) and not user.is_active:
        return False
    return bool(predicate(user, obj))


def refuse(request: HttpRequest | None, action: str, obj: Any = None, *, hide: bool = False) -> None:
    """Record a refused access and raise 404 (``hide``) or 403."""
    refuse_quietly(request, action, obj)
    if hide:
        raise Http404
    raise PermissionDenied


class Refusal(Exception):
    """A refusal decided inside a transaction: raised through it (rolling it back), then recorded and
    answered by :func:`refusals_recorded` outside, so that the audit line is not rolled back too."""

    def __init__(self, action: str, obj: Any = None, *, hide: bool = False) -> None:
        super().__init__(action)
        self.action, self.obj, self.hide = action, obj, hide


@contextmanager
def refusals_recorded(request: Any) -> Iterator[None]:
    """Wrap a transaction in this: a :class:`Refusal` raised inside is audited after the rollback."""
    try:
        yield
    except Refusal as refusal:
        refuse(request, refusal.action, refusal.obj, hide=refusal.hide)


def refuse_quietly(request: Any, action: str, obj: Any = None) -> None:
    """Record a refused access without raising (the API framework answers 403/401 itself).

    Refusals are limited per client address: beyond ``WPSNAP_REFUSAL_RATE`` this raises
    ``throttle.TooManyRequests`` (429) instead, before anything is written. An anonymous caller's repeated
    refusals of one action are one audit line with a count; a signed-in person's each get their own."""
    if request is None:  # a command or a task: nobody to throttle
        audit.record(AuditAction.ACCESS_REFUSED, obj=obj if isinstance(obj, Model) else None, note=action)
        return
    throttle.refusal(request)
    obj = obj if isinstance(obj, Model) else None
    if getattr(getattr(request, "user", None), "is_authenticated", False):
        audit.record(AuditAction.ACCESS_REFUSED, request=request, obj=obj, note=action)
    else:
        audit.record_repeated(
            AuditAction.ACCESS_REFUSED,
            request=request,
            obj=obj,
            note=action,
            seconds=settings.WPSNAP_AUDIT_REPEAT_SECONDS,
        )


def require(request: HttpRequest, action: str, obj: Any = None) -> None:
    """Raise (and log) unless the request's user may do ``action``."""
    if not can(request.user, action, obj):
        refuse(request, action, obj)


def get_or_refuse[M: Model](request: HttpRequest, scope: QuerySet[M], **lookup: Any) -> M:
    """The object matching ``lookup`` within ``scope`` (what the user may see), else 404.

    When the object exists outside the user's scope, the attempt is written to the audit trail
    before the 404, so that id-guessing shows up in the log.
    """
    found = scope.filter(**lookup).first()
    if found is not None:
        return found
    outside = scope.model._default_manager.filter(**lookup).first()
    if outside is not None:
        refuse(request, f"{scope.model._meta.label_lower}.view", outside, hide=True)
    raise Http404


def gate(action: str, *, authenticated: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: the function-level check. Object-level checks happen inside the view through
    :func:`get_or_refuse`. The action is kept on the view so that a test can walk every URL and find
    views without a gate."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if authenticated and not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            require(request, action)
            return view(request, *args, **kwargs)

        wrapped.gate_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator


# --- role helpers ---------------------------------------------------------------------------------


def has_role(user: Any, *roles: str) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "role", "") in roles)


def is_coordinator(user: Any) -> bool:
    return has_role(user, Role.COORDINATOR)


def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_grant_role(actor: Any, role: str) -> bool:
    """Nobody grants a role above their own."""
    if not is_coordinator(actor) or role not in Role.values:
        return False
    return ROLE_RANK[Role(role)] <= actor.rank


# --- the accounts' own rules ------------------------------------------------------------------------


@register("user.list")
def _user_list(user: Any, obj: Any) -> bool:
    return is_coordinator(user)


@register("user.view")
def _user_view(user: Any, obj: Any) -> bool:
    return is_coordinator(user) or (is_signed_in(user) and obj is not None and obj.pk == user.pk)


@register("user.invite")
def _user_invite(user: Any, obj: Any) -> bool:
    return is_coordinator(user)


@register("user.change")
def _user_change(user: Any, obj: Any) -> bool:
    # Coordinators manage accounts, but never their own role or status.
    return is_coordinator(user) and (obj is None or obj.pk != user.pk)


@register("audit.view")
def _audit_view(user: Any, obj: Any) -> bool:
    return is_coordinator(user)


@register("organisation.view")
def _organisation_view(user: Any, obj: Any) -> bool:
    return True  # the plan's agencies are public; their users are not


@register("account.view")
def _account_view(user: Any, obj: Any) -> bool:
    return is_signed_in(user)


@register("account.language")
def _account_language(user: Any, obj: Any) -> bool:
    # One's own stored language only: nobody chooses another person's.
    return is_signed_in(user) and (obj is None or obj.pk == user.pk)


@register("language.set")
def _language_set(user: Any, obj: Any) -> bool:
    return True  # the language switcher: anyone may read the site in another language


@register("admin.access")
def _admin_access(user: Any, obj: Any) -> bool:
    return is_coordinator(user) and bool(getattr(user, "is_verified", lambda: False)())


@register("api.schema")
def _api_schema(user: Any, obj: Any) -> bool:
    return True  # the API's description is public documentation


@register("health.view")
def _health_view(user: Any, obj: Any) -> bool:
    return True  # whether the instance can serve (/healthz), for monitors: says nothing of anyone's data


@register("job.view")
def _job_view(user: Any, obj: Any) -> bool:
    # A background job's page and file (wpsnap.core.jobs): its owner's only, and only while the gate still
    # allows them the action they started it with (a role taken away takes the file with it).
    if not is_signed_in(user):
        return False
    if obj is None:
        return True
    return obj.owner_id == user.pk and obj.action != "job.view" and can(user, obj.action)


# --- scopes -----------------------------------------------------------------------------------------


def users_visible_to(user: Any) -> QuerySet[User]:
    qs = User.objects.select_related("organisation")
    if is_coordinator(user):
        return qs
    if is_signed_in(user):
        return qs.filter(pk=user.pk)
    return qs.none()
