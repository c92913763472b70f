"""The API's schema class (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``). Apart from ``drf.py`` because DRF
imports the authentication classes while it starts, before drf-spectacular can be imported."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.openapi import AutoSchema

from . import permissions
from .drf import Gate


class GateAutoSchema(AutoSchema):
    """The schema of an endpoint (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``): one the permission gate opens
    to anonymous callers is documented as needing no credentials (an empty security requirement). It asks
    the gate, so it lives here rather than in core with the rest of the API's plumbing."""

    def get_auth(self) -> list[dict[str, Any]]:
        auths = super().get_auth()
        # The generator gives the view a request with the operation's method, as the gate expects.
        action = Gate()._action(self.view.request, self.view)
        if action is not None and permissions.can(AnonymousUser(), action):
            auths.append({})
        return auths
