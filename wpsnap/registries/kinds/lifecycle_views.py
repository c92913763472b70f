"""Consent withdrawal and erasure on request from the record page and the API (issue 14), for the
registries that hold personal data; the services are ``kinds.lifecycle``'s.

Pages (``pages_of``, added to each personal kind's pages by ``urls``):
``/registries/<name>/<ref>/withdraw-consent/`` (only where the kind records consent) and
``/registries/<name>/<ref>/erase/`` (a reason from ``ErasureReason``): GET asks for confirmation, POST
(CSRF) runs the service and returns to the list with a message giving counts only. The API
(``api_actions``, added to the kind's viewset by ``api.viewset_for``):
``POST /api/v1/registries/<name>/<record_id>/withdraw-consent/`` (204) and ``.../erase/``
``{"reason": ...}`` (200 ``{"deleted": n}``). Whoever the gate refuses gets 403 (404 when the record is
outside what they may see); a record that is not there, 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from wpsnap.core.api import errors
from wpsnap.core.errors import InvalidInput

from . import lifecycle
from .base import RegistryKind, RegistryRecord
from .lifecycle import CONSENT_WITHDRAW, ERASE, ErasureReason
from .views import View, _record, bind, may, title_of, url

TEMPLATE = "registries/kinds/lifecycle_confirm.html"


def lifecycle_links(kind: RegistryKind, user: Any, record: RegistryRecord) -> dict[str, bool]:
    """What the record page offers ``user``: ``may_withdraw_consent``, ``may_erase``."""
    if not kind.personal:
        return {"may_withdraw_consent": False, "may_erase": False}
    return {
        "may_withdraw_consent": bool(kind.consent_field) and may(user, kind, CONSENT_WITHDRAW, record),
        "may_erase": may(user, kind, ERASE, record),
    }


class ErasureForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why"), choices=ErasureReason.choices, widget=forms.RadioSelect, required=True
    )


def _back_to_list(request: HttpRequest, kind: RegistryKind, record: RegistryRecord) -> HttpResponse:
    return redirect(f"{url('list', kind)}?plan={record.plan.slug}")


def _context(kind: RegistryKind, record: RegistryRecord, verb: str, form: Any = None) -> dict[str, Any]:
    return {
        "kind": kind,
        "plan": record.plan,
        "record": record,
        "title": title_of(kind, record),
        "verb": verb,
        "form": form,
        "action_url": url("erase" if verb == ERASE else "withdraw_consent", kind, record.ref),
    }


def record_withdraw_consent(request: HttpRequest, kind: RegistryKind, ref: Any) -> HttpResponse:
    """GET asks for confirmation; POST deletes the record (its person withdrew consent)."""
    record = _record(request, kind, ref, CONSENT_WITHDRAW)
    if request.method != "POST":
        return render(request, TEMPLATE, _context(kind, record, CONSENT_WITHDRAW))
    lifecycle.record_consent_withdraw(actor=request.user, kind=kind, record=record, request=request)
    messages.success(request, _("Consent withdrawn: 1 record deleted."))
    return _back_to_list(request, kind, record)


def record_erase(request: HttpRequest, kind: RegistryKind, ref: Any) -> HttpResponse:
    """GET asks for confirmation and the reason; POST erases every record of the person."""
    record = _record(request, kind, ref, ERASE)
    if request.method != "POST":
        return render(request, TEMPLATE, _context(kind, record, ERASE, ErasureForm()))
    form = ErasureForm(request.POST)
    if not form.is_valid():
        return render(request, TEMPLATE, _context(kind, record, ERASE, form), status=400)
    count = lifecycle.person_erase(
        actor=request.user, kind=kind, record=record, reason=form.cleaned_data["reason"], request=request
    )
    messages.success(
        request,
        ngettext("Erased: %(count)d record deleted.", "Erased: %(count)d records deleted.", count)
        % {"count": count},
    )
    return _back_to_list(request, kind, record)


def pages_of(kind: RegistryKind) -> list[tuple[str, str, View]]:
    """(route, name, view) of the lifecycle pages of ``kind`` (none unless it holds personal data)."""
    if not kind.personal:
        return []
    methods = ["GET", "HEAD", "POST"]
    found = []
    if kind.consent_field:
        found.append(
            (
                "<uuid:ref>/withdraw-consent/",
                "withdraw_consent",
                require_http_methods(methods)(bind(record_withdraw_consent, kind, CONSENT_WITHDRAW)),
            )
        )
    found.append(
        ("<uuid:ref>/erase/", "erase", require_http_methods(methods)(bind(record_erase, kind, ERASE)))
    )
    return found


# --- the API ------------------------------------------------------------------------------------------


class ErasureSerializer(drf_serializers.Serializer[Any]):
    reason = drf_serializers.ChoiceField(
        choices=ErasureReason.choices, help_text=gettext_lazy("Why the person's data is erased (a code).")
    )


class ErasedSerializer(drf_serializers.Serializer[Any]):
    deleted = drf_serializers.IntegerField(help_text=gettext_lazy("The number of records deleted."))


def api_actions(kind: RegistryKind) -> tuple[dict[str, Any], dict[str, str]]:
    """The viewset methods of ``kind``'s lifecycle actions and their gate actions (none unless the kind
    holds personal data)."""
    if not kind.personal:
        return {}, {}
    from .api import RECORD_ID

    methods: dict[str, Any] = {}
    gates: dict[str, str] = {}

    if kind.consent_field:

        @extend_schema(
            summary=gettext_lazy("Consent withdrawn: delete the record"),
            description=gettext_lazy(
                "The person withdrew her consent: her record is deleted, whole. The audit line gives the "
                "record's number only."
            ),
            parameters=[RECORD_ID],
            request=None,
            responses={204: None, **errors(401, 403, 404)},
        )
        @action(detail=True, methods=["post"], url_path="withdraw-consent", url_name="withdraw-consent")
        def withdraw_consent(self: Any, request: Request, record_id: str | None = None) -> Response:
            record = self.get_object()
            lifecycle.record_consent_withdraw(
                actor=request.user, kind=self.kind, record=record, request=request
            )
            return Response(status=status.HTTP_204_NO_CONTENT)

        methods["withdraw_consent"] = withdraw_consent
        gates["withdraw_consent"] = kind.action(CONSENT_WITHDRAW)

    @extend_schema(
        summary=gettext_lazy("Erase a person on request"),
        description=gettext_lazy(
            "Deletes every record of the person the record is about. `reason` is a code; 400 names it when "
            "it is missing or unknown."
        ),
        parameters=[RECORD_ID],
        request=ErasureSerializer,
        responses={200: ErasedSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="erase", url_name="erase")
    def erase(self: Any, request: Request, record_id: str | None = None) -> Response:
        record = self.get_object()
        form = ErasureSerializer(data=request.data)
        if not form.is_valid():
            raise InvalidInput.one("reason", "invalid_choice", _("Choose why the person's data is erased."))
        count = lifecycle.person_erase(
            actor=request.user,
            kind=self.kind,
            record=record,
            reason=form.validated_data["reason"],
            request=request,
        )
        return Response({"deleted": count})

    methods["erase"] = erase
    gates["erase"] = kind.action(ERASE)
    return methods, gates
