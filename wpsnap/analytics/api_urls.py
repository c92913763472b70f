"""Routes of the figures API, included under /api/v1/ in the ``api`` namespace (``config/api.py``)."""

from django.urls import path

from . import api

urlpatterns = [
    path("results/", api.ResultsView.as_view(), name="results"),
    path("derived/", api.DerivedView.as_view(), name="derived"),
]
