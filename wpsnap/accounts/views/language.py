"""The language switcher's setter: every page's switcher posts here and comes back to the same page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wpsnap.core.errors import InvalidInput

from .. import permissions, services
from ..language import language_codes


@permissions.gate("language.set")
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Read the site in ``language``: stored on a signed-in person's account (their staff pages and
    e-mails follow it) and in the language cookie for everyone; back to ``next``, the page the switcher
    was on (on a public page with a language prefix, the same page under the new prefix). A signed-in
    person may send an empty language: back to the site's default."""
    language = request.POST.get("language", "")
    signed_in = request.user.is_authenticated
    if language not in language_codes() and not (signed_in and language == ""):
        raise InvalidInput.one("language", "invalid_choice", _("Choose one of the languages offered."))
    if signed_in:
        services.user_language_set(
            actor=request.user,  # type: ignore[arg-type]
            user=request.user,  # type: ignore[arg-type]
            language=language,
            request=request,
        )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if language:
        next_url = translate_url(next_url, language)
    response = HttpResponseRedirect(next_url)
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response
