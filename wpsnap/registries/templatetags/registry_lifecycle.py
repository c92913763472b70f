"""``{% lifecycle_links kind record as lifecycle %}``: what the record page of a personal registry offers
the person viewing it (consent withdrawn, erase this person), asked of the gate
(``kinds.lifecycle_views.lifecycle_links``)."""

from __future__ import annotations

from typing import Any

from django import template

from wpsnap.registries.kinds.lifecycle_views import lifecycle_links as links_for

register = template.Library()


@register.simple_tag(takes_context=True)
def lifecycle_links(context: template.Context, kind: Any, record: Any) -> dict[str, bool]:
    request = context.get("request")
    return links_for(kind, getattr(request, "user", None), record)
