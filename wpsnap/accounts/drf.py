"""The permission gate for the REST API: every view names its action, and the gate decides."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, MethodNotAllowed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from . import permissions


def token_expires_at(created: datetime) -> datetime:
    """When a token made at ``created`` stops working (``WPSNAP_TOKEN_DAYS`` later)."""
    return created + timedelta(days=settings.WPSNAP_TOKEN_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token, refused (401) once ``WPSNAP_TOKEN_DAYS`` old: a token leaked into a script or a log
    does not work for ever. Every refused token (wrong, revoked, expired, malformed) is written to the
    audit trail here, before the permission gate could see it; too many refusals from one address answer
    429 instead (``accounts.throttle``), with nothing audited."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            # The Django request: DRF's own is still choosing its user (asking it would start over).
            permissions.refuse_quietly(request._request, "api.authenticate")
            raise

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if timezone.now() >= token_expires_at(token.created):
            expired = timezone.localtime(token_expires_at(token.created))
            raise AuthenticationFailed(
                _("Token expired on %(date)s: ask for a new one.") % {"date": f"{expired:%Y-%m-%d %H:%M %Z}"}
            )
        return user, token


class Gate(BasePermission):
    """Asks the permission gate for the view's ``gate_actions[method]`` (or ``gate_action``).

    A view without a declared action is refused: nothing is reachable by omission.
    Object checks go through the same gate with the object.
    """

    def _action(self, request: Request, view: Any) -> str | None:
        per_method = getattr(view, "gate_actions", None) or {}
        action_name = getattr(view, "action", None)
        return (
            per_method.get(action_name)
            or per_method.get(request.method)
            or getattr(view, "gate_action", None)
        )

    def has_permission(self, request: Request, view: Any) -> bool:
        action = self._action(request, view)
        if action is None:
            # A method the endpoint does not take at all (a GET to a POST-only action) is 405 for
            # someone signed in, as DRF would answer it; a signed-out caller is still refused first.
            action_map = getattr(view, "action_map", None)
            if (
                action_map is not None
                and request.method not in ("OPTIONS", "HEAD")
                and request.method.lower() not in action_map
                and request.user.is_authenticated
            ):
                raise MethodNotAllowed(request.method)
            return False
        if self._session_without_second_factor(request):
            permissions.refuse_quietly(request, "api.second-factor")
            return False
        if permissions.can(request.user, action, None):
            return True
        permissions.refuse_quietly(request, action)
        return False

    @staticmethod
    def _session_without_second_factor(request: Request) -> bool:
        """A browser session of a coordinator or approver counts only after the second factor, as on
        the pages. Tokens are issued on the server to systems and are not asked for one."""
        user = request.user
        return (
            isinstance(request.successful_authenticator, SessionAuthentication)
            and bool(getattr(user, "needs_second_factor", False))
            and not user.is_verified()
        )

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        action = self._action(request, view)
        if action is not None and permissions.can(request.user, action, obj):
            return True
        permissions.refuse_quietly(request, action or "?", obj)
        return False
