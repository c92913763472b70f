"""The portal's template tags: ``{% figure value %}`` (a published figure, or the one mark of a figure not
shown) and ``mapping|get:key``. Plan content goes through ``{% trfield obj "field" %}`` (core's
``language_tags``: the page's language, marked where it falls back to the plan's own)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def figure(value: Decimal | int | None) -> SafeString:
    """A published figure in the language's number format, or the one mark of a figure not shown
    (a multiplication sign, read out as "not shown")."""
    if value is None:
        return format_html(
            '<span class="suppressed" aria-hidden="true">\u00d7</span><span class="visually-hidden">{}</span>',
            _("not shown"),
        )
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
    return format_html("{}", number_format(value, use_l10n=True, force_grouping=True))


@register.filter
def get(mapping: dict[Any, Any], key: Any) -> Any:
    """``{{ mapping|get:key }}``: a dict's value, an empty list when it has none."""
    return mapping.get(key, [])
