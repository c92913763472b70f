"""The API's schema class (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``). Apart from ``drf.py`` because DRF
imports the authentication classes while it starts, before drf-spectacular can be imported."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema

from wpsnap.core.api import ProblemsSerializer, description

from . import permissions
from .drf import Gate

# Every request may be refused before its view runs: an address or query string carrying control
# characters (``core.middleware.RequestLimitsMiddleware``), a path that is not one of the operation's
# (an id that is no number answers 404, documented where there is an id).
BAD_REQUEST = _(
    "The request was refused: a parameter (or the address) carries characters no value has, such as "
    "control characters, or a value that does not fit; each problem names its parameter or field."
)


class GateAutoSchema(AutoSchema):
    """The schema of an endpoint (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``): one the permission gate opens
    to anonymous callers is documented as needing no credentials (an empty security requirement). It asks
    the gate, so it lives here rather than in core with the rest of the API's plumbing.

    Every operation documents 400: any request is refused so when its address or query string carries
    what no value has (the middleware answers before the view), whatever the view itself refuses; and 503:
    any request answers so while the database cannot be reached (``core.outage``), with Retry-After."""

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and "400" not in operation.get("responses", {}):
            problems = self.resolve_serializer(ProblemsSerializer, "response")
            operation["responses"]["400"] = {
                "content": {"application/json": {"schema": problems.ref}},
                "description": str(BAD_REQUEST),
            }
        if operation is not None and "503" not in operation.get("responses", {}):
            problems = self.resolve_serializer(ProblemsSerializer, "response")
            operation["responses"]["503"] = {
                "content": {"application/json": {"schema": problems.ref}},
                "description": description(503),
            }
        return operation

    def get_auth(self) -> list[dict[str, Any]]:
        auths = super().get_auth()
        # The generator gives the view a request with the operation's method, as the gate expects.
        action = Gate()._action(self.view.request, self.view)
        if action is not None and permissions.can(AnonymousUser(), action):
            auths.append({})
        return auths
