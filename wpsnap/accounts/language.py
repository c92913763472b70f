"""The language a person reads: their stored choice (``User.language``) or the site's default.

Pages take it from :class:`wpsnap.accounts.middleware.UserLanguageMiddleware`; e-mails are written inside
``translation.override(language_of(recipient))``, one message per language when several people hear of
the same thing (:func:`by_language`). docs/languages.md gives the rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from .models import LANGUAGE_NAMES

# The path prefixes of the public portal's languages (``/az/``, ``/en/``, ``/ru/``).
PUBLIC_PREFIXES = tuple(f"/{code}/" for code in LANGUAGE_NAMES)


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_of(user: Any) -> str:
    """The language to write to ``user`` in: their choice, else the site's default."""
    chosen = getattr(user, "language", "") or ""
    return chosen if chosen in language_codes() else settings.LANGUAGE_CODE


def by_language[U](users: Iterable[U]) -> dict[str, list[U]]:
    """``users`` grouped by the language each reads, in the order of settings.LANGUAGES."""
    groups: dict[str, list[U]] = {code: [] for code in language_codes()}
    for user in users:
        groups.setdefault(language_of(user), []).append(user)
    return {code: members for code, members in groups.items() if members}
