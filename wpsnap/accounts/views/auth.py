"""Signing in and out, and the second factor (TOTP) that coordinators and approvers need.

Signing in is Django's ``LoginView`` with django-axes behind it (five wrong passwords lock the account
for an hour; axes answers with ``accounts/locked_out.html``). Coordinators and approvers then set up
or enter a code from an authenticator app (django-otp); ``SecondFactorMiddleware`` keeps them away
from everything else until they have. Every redirect target taken from the request is checked with
``url_has_allowed_host_and_scheme``.
"""

from __future__ import annotations

import time
from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib.auth.views import LoginView, LogoutView
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from wpsnap.accounts.auth_forms import CodeForm, SignInForm
from wpsnap.accounts.middleware import SESSION_LAST_SEEN, SESSION_SIGNED_IN_AT
from wpsnap.accounts.models import Role
from wpsnap.accounts.permissions import gate, register
from wpsnap.accounts.throttle import signin_throttled
from wpsnap.core import audit
from wpsnap.core.models import AuditAction


@register("account.signin")
def _signin(user: Any, obj: Any) -> bool:
    return True  # public by design: the way in (and out) must be open to everyone


# Where each role lands after signing in (when no ``next`` says otherwise): their work. Focal points and
# NGO contributors on their reports (what is overdue and due first); coordinators and evaluators on the
# dashboard, the plan at a glance; approvers on their review queue, since what waits for their
# endorsement is their work (the dashboard is one link away). Named by URL, so accounts imports nothing
# above it; a page not served (yet) falls back to ``LOGIN_REDIRECT_URL``.
LANDING: dict[str, str] = {
    Role.FOCAL_POINT: "reporting:my_activities",
    Role.NGO_CONTRIBUTOR: "reporting:my_activities",
    Role.COORDINATOR: "dashboards:start",
    Role.EVALUATOR: "dashboards:start",
    Role.APPROVER: "reporting:queue",
}


def landing_url(user: Any) -> str:
    """The page ``user`` lands on after signing in: their role's work, else ``LOGIN_REDIRECT_URL``."""
    name = LANDING.get(str(getattr(user, "role", "") or ""))
    if name:
        try:
            return reverse(name)
        except NoReverseMatch:
            pass
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def safe_next(request: HttpRequest, url: str | None) -> str:
    """``url`` if it stays on this site, else the page the person lands on after signing in."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return landing_url(request.user)


def two_factor_url(next_url: str) -> str:
    return f"{reverse('accounts:two_factor')}?{urlencode({'next': next_url})}"


class SignInView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        # LoginView signs in (a new session key: no session fixation) and redirects.
        response = super().form_valid(form)
        now = time.time()
        self.request.session[SESSION_SIGNED_IN_AT] = now
        self.request.session[SESSION_LAST_SEEN] = now
        if form.get_user().needs_second_factor:
            return HttpResponseRedirect(two_factor_url(response["Location"]))
        return response

    def get_default_redirect_url(self) -> str:
        """Without ``next``: the signed-in person's work (``landing_url``)."""
        return landing_url(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.GET.get("expired") == "1"
        return context


class SignOutView(LogoutView):
    """POST signs out (the session is deleted on the server). GET only asks, so that a link or an
    image cannot sign anyone out."""

    http_method_names = ["get", "post", "options"]
    template_name = "accounts/logged_out.html"


# Failed sign-ins are limited per address across user names (accounts.throttle); axes locks one account.
login = gate("account.signin")(signin_throttled(SignInView.as_view()))
logout = gate("account.signin")(SignOutView.as_view())


# --- the second factor ------------------------------------------------------------------------------


@gate("account.signin", authenticated=True)
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponseBase:
    """Set up an authenticator app (no confirmed device yet) or enter its code (one exists)."""
    user = request.user
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if not getattr(user, "needs_second_factor", False) or user.is_verified():  # type: ignore[union-attr]
        return redirect(next_url)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        return _setup(request, next_url)
    return _verify(request, device, next_url)


def _setup(request: HttpRequest, next_url: str) -> HttpResponseBase:
    # One unconfirmed device per person, kept until confirmed, so that reloading the page does not
    # change the secret someone is halfway through typing.
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by(
        "pk"
    ).first() or TOTPDevice.objects.create(user=request.user, name="authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = _check_code(request, device, form)
        if verified is not None:
            verified.confirmed = True
            verified.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            _signed_in_with(request, verified)
            audit.record(AuditAction.SECOND_FACTOR, request=request, obj=request.user)  # type: ignore[arg-type]
            return redirect(next_url)
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": _qr_svg(device),
        "secret": _grouped(b32encode(device.bin_key).decode()),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _verify(request: HttpRequest, device: TOTPDevice, next_url: str) -> HttpResponseBase:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = _check_code(request, device, form)
        if verified is not None:
            _signed_in_with(request, verified)
            return redirect(next_url)
        audit.record(AuditAction.LOGIN_FAILED, request=request, note="second factor code")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


def _check_code(request: HttpRequest, device: TOTPDevice, form: CodeForm) -> TOTPDevice | None:
    """The device, if the code is right and newer than the last one it accepted (a code works once:
    django-otp keeps the time step of the last accepted code). Wrong codes slow the next tries down."""
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        form.add_error(
            "code",
            _("Too many wrong codes in a row. Wait a moment, then enter the newest code from your app."),
        )
        return None
    with transaction.atomic():
        verified = django_otp.verify_token(request.user, device.persistent_id, form.cleaned_data["code"])
    if verified is None:
        form.add_error(
            "code",
            _("That code is not right, or it has been used already. Enter the newest code from your app."),
        )
    return verified


def _signed_in_with(request: HttpRequest, device: TOTPDevice) -> None:
    django_otp.login(request, device)
    # More rights than a moment ago: a new session key, as at sign-in.
    request.session.cycle_key()


def _qr_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// address as a QR code, drawn here as inline SVG (paths only; no script,
    no style attribute, no data: address)."""
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=5, border=4, dark="#000", light="#fff", svgclass="qr-code")
    return mark_safe(svg)  # noqa: S308 - segno writes the markup; the only input is inside the QR data


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
