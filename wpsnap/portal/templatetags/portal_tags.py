"""The portal's template tags: ``{% tr obj "field" %}`` (plan content in the page's language, marked when
it falls back to the plan's own language) and ``{% figure value %}`` (a published figure, or the one mark
of a figure not shown)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import translation
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def tr(context: template.Context, obj: Any, field: str) -> SafeString:
    """The field in the page's language. Where it has no translation in that language, the text in the
    plan's own language (``source_language`` in the context, English by default), inside ``<span lang>``
    with a small visible note saying so."""
    language = translation.get_language() or ""
    source = context.get("source_language") or "en"
    value = obj.tr(field, language)
    translated = bool(((obj.translations or {}).get(language) or {}).get(field))
    if language == source or translated or not value:
        return format_html("{}", value)
    name = get_language_info(source)["name_translated"]
    return format_html(
        '<span lang="{}">{}</span> <small class="text-fallback">({})</small>',
        source,
        value,
        _("not translated yet: in %(language)s") % {"language": name},
    )


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
