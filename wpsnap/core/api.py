"""What every app's API shares: the one exception handler (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) and the
one error body it answers, documented once.

Every error the API gives, whatever its status, is ``{"problems": [{"field", "code", "message"}]}``
(``wpsnap.core.errors.Problem``); a stale write adds ``version`` and ``conflicts``. Our errors say what
they answer themselves (``WpsnapError.status``, ``.code``, ``.extra()``, ``.headers()``), so this handler
knows no app: DRF's own exceptions keep DRF's statuses and headers (``WWW-Authenticate``,
``Retry-After``) and are given DRF's codes; the answers made outside DRF (``core.views``,
``core.middleware``) use :func:`problems_body` for the same shape.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from . import versions
from .errors import InvalidInput, Problem, WpsnapError, field_path


def problems_body(problems: list[Problem]) -> dict[str, Any]:
    """The API's error body."""
    return {"problems": [problem.as_dict() for problem in problems]}


def detail_problems(detail: Any, field: str = "") -> list[Problem]:
    """DRF's nested error detail (a serializer's, a filter's) as problems, each at its field's path:
    ``organisation``, ``rows[2].sex`` (a list's item by index), ``financing[0].spent``. The code is
    DRF's (``required``, ``invalid``, ``null``, ``max_length``, ...)."""
    if isinstance(detail, dict):
        found: list[Problem] = []
        for key, value in detail.items():
            # The serializer's own errors (``non_field_errors``) are of the place itself.
            place = field if key == api_settings.NON_FIELD_ERRORS_KEY else field_path(field, key)
            found += detail_problems(value, place)
        return found
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):  # the messages of one field
            return [problem for item in detail for problem in detail_problems(item, field)]
        # One entry per item of a list (a valid item's entry is empty).
        return [
            problem
            for index, item in enumerate(detail)
            for problem in detail_problems(item, field_path(field, index))
        ]
    return [Problem(field, str(getattr(detail, "code", None) or "invalid"), str(detail))]


def _api_problems(exc: exceptions.APIException) -> list[Problem]:
    if isinstance(exc, exceptions.ValidationError):
        return detail_problems(exc.detail)
    code = str(getattr(exc.detail, "code", None) or exc.default_code)
    # A body that does not parse (not JSON, or not the form it says it is) is refused input like any other.
    field = "body" if isinstance(exc, exceptions.ParseError) else ""
    if isinstance(exc.detail, str):
        return [Problem(field, code, str(exc.detail))]
    return detail_problems(exc.detail, field)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler for every API view: each error in the one body, with its status.

    - our errors (``WpsnapError``): the status, code and extras their class declares, the transaction
      rolled back;
    - a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``: 413 (a view may name the field with
      ``too_large_field`` and say what to send instead with ``too_large_message``);
    - DRF's exceptions, and Django's ``Http404`` and ``PermissionDenied`` as DRF turns them: DRF's
      status and headers, DRF's codes.

    Anything else is left to Django (500, answered by ``core.views.server_error`` in the same shape)."""
    if isinstance(exc, WpsnapError):
        set_rollback()
        body = {**problems_body(exc.problems), **exc.extra()}
        return Response(body, status=exc.status, headers=exc.headers())
    if isinstance(exc, RequestDataTooBig):
        view = context.get("view")
        limit = {"mb": max(1, settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024))}
        message = getattr(view, "too_large_message", None) or _(
            "The request is larger than %(mb)d MB, so nothing was read or saved."
        )
        field = getattr(view, "too_large_field", "body")
        return Response(problems_body([Problem(field, "too_large", str(message) % limit)]), status=413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        response.data = problems_body(_api_problems(exc))
    return response


def if_match(request: Any, obj: Any) -> int:
    """The version an API write changes, from its ``If-Match`` header (428 without one, 400 for a
    header that is not one of our ETags)."""
    try:
        return versions.if_match_version(request.headers.get("If-Match"), obj)
    except ValueError:
        raise InvalidInput.one(
            "If-Match",
            "invalid",
            _('Not an ETag of this record; send the ETag a GET gave, e.g. If-Match: "3".'),
        ) from None


# --- the schema -------------------------------------------------------------------------------------


class ProblemSerializer(serializers.Serializer):
    field = serializers.CharField(
        help_text=gettext_lazy(
            "Where: a field's path as this API names it (`rows[2].sex`, "
            "`values[5.1.2-3-i1][sex:men|age:18-24]`), a header (`If-Match`), or empty for the request "
            "as a whole."
        )
    )
    code = serializers.CharField(
        help_text=gettext_lazy(
            "What, as a stable machine code: `required`, `invalid`, `not_found`, `too_large`, `stale`, "
            "`locked`, `throttled`, ..."
        )
    )
    message = serializers.CharField(
        help_text=gettext_lazy("For a person, in the request's language; it does not repeat the field.")
    )


class ProblemsSerializer(serializers.Serializer):
    """Why the request was refused: every problem, each naming its field and code."""

    problems = ProblemSerializer(many=True)


class ConflictRowSerializer(serializers.Serializer):
    field = serializers.CharField(
        help_text=gettext_lazy("The field both writes changed, as this API names it.")
    )
    current = serializers.CharField(help_text=gettext_lazy("What is stored now (the other write's value)."))
    yours = serializers.CharField(help_text=gettext_lazy("What this request sent."))


class ConflictSerializer(serializers.Serializer):
    """Refused with 409: the period is locked (code `locked`), or the request was made on an older
    version and changes what another write changed since (code `stale`: one problem for the request and
    one per field in conflict, with `version` and `conflicts`)."""

    problems = ProblemSerializer(many=True)
    version = serializers.IntegerField(
        required=False, help_text=gettext_lazy("A stale write: the version stored now (its ETag).")
    )
    conflicts = ConflictRowSerializer(
        many=True, required=False, help_text=gettext_lazy("A stale write: each field in conflict.")
    )


_DESCRIPTIONS = {
    400: gettext_lazy("The input was refused; each problem names its field."),
    401: gettext_lazy("No credentials where they are needed, or a wrong token."),
    403: gettext_lazy("The caller's role does not allow this."),
    404: gettext_lazy("No such object among those the caller may see."),
    409: gettext_lazy(
        "Made on an older version (If-Match) and changing what another write changed since: nothing was "
        "saved. GET the record again, or send your change with the new ETag."
    ),
    413: gettext_lazy("The request is larger than this address takes: nothing was read."),
    422: gettext_lazy("The Idempotency-Key was used before for another request: nothing was done."),
    428: gettext_lazy("No If-Match header: send the ETag of the version you change."),
    429: gettext_lazy(
        "Too many refused requests (or sign-ins) from this address: wait as long as Retry-After says."
    ),
    503: gettext_lazy(
        "The database cannot be reached for a moment (a restart, say): nothing was done. Try again after "
        "Retry-After."
    ),
}


def description(code: int) -> str:
    """What a documented error ``code`` means, in the request's language."""
    return str(_DESCRIPTIONS[code])


def error(code: int, description: Any = None, serializer: Any = ProblemsSerializer) -> OpenApiResponse:
    """One documented error response, in the one body (or ``serializer``, a 409's ``ConflictSerializer``)."""
    return OpenApiResponse(serializer, description=description or _DESCRIPTIONS[code])


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses ``codes``, for ``extend_schema(responses={200: ..., **errors(...)})``.
    429 is always among them: a refusal from an address that has had too many answers 429 instead (and 503,
    added to every operation by the schema class: ``accounts.schema``)."""
    return {code: error(code) for code in (*codes, 429)}
