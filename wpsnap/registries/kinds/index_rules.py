"""The gate rule of the registries' index (``registry.index``, /registries/): whoever may list or count at
least one registered kind. Registered when this module is imported (by ``kinds.views``, which the URL
configuration imports); the kinds' own actions are ``kinds.permissions``'."""

from __future__ import annotations

from typing import Any

from wpsnap.accounts import permissions

from . import catalogue

__all__ = ["INDEX_ACTION", "index_rule"]

INDEX_ACTION = "registry.index"


def index_rule(user: Any, obj: Any = None) -> bool:
    """The registries' index: whoever may list (or count) at least one registry."""
    return any(
        permissions.can(user, kind.action("list")) or permissions.can(user, kind.action("counts"))
        for kind in catalogue.kinds()
    )


if INDEX_ACTION not in permissions.actions():
    permissions.register(INDEX_ACTION)(index_rule)
