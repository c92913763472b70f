"""What every list of the API shares: paging by page number that refuses a page it does not have with 400
naming ``page`` (DRF's answers 404, which no list documents), and ``?ordering=`` on a list's indexed keys
only, refusing any other order with 400 naming ``ordering`` (DRF's ``OrderingFilter`` ignores it
silently). Here, the lowest app with an API, so that every app's API can use them.

A list names its orders as ``orderings = {"id": ("id",), "-id": ("-id",), ...}`` (the first is not the
default: without ``?ordering=`` the list keeps its queryset's order, which its description gives).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from wpsnap.core import params
from wpsnap.core.errors import InvalidInput

# The largest page number a request may name: past it no list of ours has rows (100 a page).
PAGE_MAX = 1_000_000


class PageNumberPagination(pagination.PageNumberPagination):
    """100 a page, ``?page=`` from 1: a page that is not a whole number from 1, or past the last page,
    is refused with 400 naming ``page`` (an empty list has one page, empty)."""

    page_size = 100

    def get_page_number(self, request: Request, paginator: Any) -> int:
        self._paginator = paginator
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        return params.integer(self.page_query_param, raw, low=1, high=PAGE_MAX)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            # Past the last page (the paginator has counted the rows already: no query more).
            last = max(1, self._paginator.num_pages)
            raise InvalidInput.one(
                self.page_query_param,
                "invalid",
                _("There is no page %(page)s: the last page is %(last)d.")
                % {"page": request.query_params.get(self.page_query_param), "last": last},
            ) from None

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        found = super().get_schema_operation_parameters(view)
        for parameter in found:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": PAGE_MAX}
        return found


class Ordering(BaseFilterBackend):
    """``?ordering=`` one of the view's ``orderings`` (name -> the model's fields, indexed keys only);
    anything else is refused with 400 naming ``ordering``."""

    param = "ordering"

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        orderings: dict[str, tuple[str, ...]] = getattr(view, "orderings", {})
        value = request.query_params.get(self.param)
        if not orderings or value is None or value == "":
            return queryset
        if value not in orderings:
            raise InvalidInput.one(
                self.param,
                "invalid",
                _("Order by one of: %(names)s.") % {"names": ", ".join(orderings)},
            )
        return queryset.order_by(*orderings[value])

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        orderings: dict[str, tuple[str, ...]] = getattr(view, "orderings", {})
        if not orderings:
            return []
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": _("The order (indexed keys only; a leading - reverses it): %(names)s.")
                % {"names": ", ".join(f"`{name}`" for name in orderings)},
                "schema": {"type": "string", "enum": list(orderings)},
            }
        ]


def filter_backends() -> list[type[Any]]:
    """A list's filter backends: its FilterSet's parameters, then ``?ordering=``."""
    from django_filters.rest_framework import DjangoFilterBackend

    return [DjangoFilterBackend, Ordering]
