"""Plan content in the reader's language, marked where it falls back (docs/languages.md).

``{% trfield obj "title" %}``: the field in the active language; where no translation exists, the text in
the plan's default language inside ``<span lang="en">``, followed by a short note in the reader's language
("(in English)"), so that readers and screen readers know, and the browser test can tell content from
interface. ``{% unofficial_translation plan %}``: the notice on pages of a plan whose translation into the
active language is unofficial (``Plan.unofficial_translations``).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import Context
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

# The language of content whose plan is unknown (an organisation's name): the plan files' default.
CONTENT_DEFAULT_LANGUAGE = "en"


def content_language(context: Context | dict[str, Any], obj: Any) -> str:
    """The language ``obj``'s own text fields are in: the plan's default language."""
    plan = getattr(obj, "default_language", None) and obj
    plan = plan or context.get("plan")
    return str(getattr(plan, "default_language", "") or CONTENT_DEFAULT_LANGUAGE)


def translated(obj: Any, field: str, language: str) -> str | None:
    """``field``'s translation into ``language`` (or its base language), or None."""
    translations = getattr(obj, "translations", None) or {}
    for code in (language, language.split("-")[0]):
        value = translations.get(code, {}).get(field)
        if value:
            return str(value)
    return None


@register.simple_tag(takes_context=True)
def trfield(context: Context, obj: Any, field: str) -> SafeString | str:
    if obj is None:
        return ""
    language = translation.get_language() or ""
    text = translated(obj, field, language)
    if text is not None:
        return text
    original = str(getattr(obj, field, "") or "")
    source = content_language(context, obj)
    if not original or language.split("-")[0] == source.split("-")[0]:
        return original
    info = translation.get_language_info(source) if source in _known() else None
    name = info["name_translated"] if info else source
    return format_html(
        '<span lang="{}">{}</span> <small class="fallback-note">{}</small>',
        source,
        original,
        _("(in %(language)s)") % {"language": name},
    )


def _known() -> set[str]:
    from django.conf import settings

    return {code for code, _name in settings.LANGUAGES}


@register.inclusion_tag("partials/unofficial_translation.html")
def unofficial_translation(plan: Any) -> dict[str, Any]:
    language = (translation.get_language() or "").split("-")[0]
    shown = bool(
        plan is not None
        and language in (getattr(plan, "unofficial_translations", None) or [])
        and language != getattr(plan, "default_language", "")
    )
    return {"shown": shown, "source_language": getattr(plan, "default_language", "")}
