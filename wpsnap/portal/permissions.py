"""The portal's rule in the permission gate (see ``wpsnap.accounts.permissions``)."""

from __future__ import annotations

from typing import Any

from wpsnap.accounts.permissions import register


@register("portal.view")
def _portal_view(user: Any, obj: Any) -> bool:
    """The public portal is open to everyone, signed in or not: it shows adopted plans only (a draft is
    never listed, whoever asks) and figures only as publishing releases them."""
    return True
