"""Routes of the figures API, included under /api/v1/ in the ``api`` namespace (``config/api.py``)."""

from django.urls import path

from . import api

urlpatterns = [
    path("results/", api.ResultsView.as_view(), name="results"),
    path("derived/", api.DerivedView.as_view(), name="derived"),
    # The dashboards' figures; results and derived are served here too, by the same views.
    path("analytics/status/", api.StatusView.as_view(), name="analytics-status"),
    path("analytics/compliance/", api.ComplianceView.as_view(), name="analytics-compliance"),
    path("analytics/people/", api.PeopleView.as_view(), name="analytics-people"),
    path("analytics/financing/", api.FinancingView.as_view(), name="analytics-financing"),
    path("analytics/indicators/", api.IndicatorsView.as_view(), name="analytics-indicators"),
    path("analytics/timeline/", api.TimelineView.as_view(), name="analytics-timeline"),
    path("analytics/districts/", api.DistrictsView.as_view(), name="analytics-districts"),
    path("analytics/results/", api.ResultsView.as_view(), name="analytics-results"),
    path("analytics/derived/", api.DerivedView.as_view(), name="analytics-derived"),
]
