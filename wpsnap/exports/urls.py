"""Pages of the exports app, under ``/exports/``."""

from django.urls import path  # noqa: F401 - each part adds its routes below

app_name = "exports"

urlpatterns: list = []
