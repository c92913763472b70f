"""A URL configuration for tests: the project's, with a view that fails under /api/ and outside it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a failure for the test")


urlpatterns = [path("api/v1/fails/", fails), path("fails/", fails), *urlpatterns]
