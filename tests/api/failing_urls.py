"""A URL configuration for tests: the project's, with a view that fails under /api/ and outside it, and
a page whose view lets refused input escape."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns
from wpsnap.core.errors import InvalidInput

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a failure for the test")


def refuses(request: HttpRequest) -> HttpResponse:
    raise InvalidInput.one("period", "invalid", "Give a whole number from 1 to 2147483647.")


urlpatterns = [path("api/v1/fails/", fails), path("fails/", fails), path("refuses/", refuses), *urlpatterns]
