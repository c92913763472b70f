"""The base model every wpsnap table shares."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class TranslatedModel(models.Model):
    """Content in several languages: the text fields hold the plan's default language, and
    ``translations`` holds ``{"az": {"title": "..."}}``. :meth:`tr` picks the active language."""

    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        abstract = True

    def tr(self, field: str, language: str | None = None) -> Any:
        language = language or translation.get_language() or ""
        for code in (language, language.split("-")[0]):
            value = (self.translations or {}).get(code, {}).get(field)
            if value:
                return value
        return getattr(self, field)
