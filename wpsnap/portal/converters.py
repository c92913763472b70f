"""The language segment of the portal's addresses: ``/az/``, ``/en/``, ``/ru/`` (settings.LANGUAGES)."""

from __future__ import annotations

from django.conf import settings

# The portal's languages, in the order the switcher lists them; the first is the one of an address
# without a language (the public's first language).
PORTAL_LANGUAGES: tuple[str, ...] = ("az", "en", "ru")
DEFAULT_LANGUAGE = PORTAL_LANGUAGES[0]


class LanguageConverter:
    regex = "|".join(code for code, _name in settings.LANGUAGES if code in PORTAL_LANGUAGES)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
