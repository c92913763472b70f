"""Dashboard pages, in the ``dashboards`` namespace: ``/dashboard/`` and ``/plans/<slug>/dashboard/...``."""

from django.urls import path

from . import maps, views

app_name = "dashboards"
urlpatterns: list = [
    path("dashboard/", views.dashboard_start, name="start"),
    path("plans/<slug:slug>/dashboard/", views.plan_dashboard, name="plan"),
    path("plans/<slug:slug>/dashboard/people/", views.people, name="people"),
    path("plans/<slug:slug>/dashboard/financing/", views.financing, name="financing"),
    path("plans/<slug:slug>/dashboard/indicators/", views.indicators, name="indicators"),
    path("plans/<slug:slug>/dashboard/districts/", maps.districts, name="districts"),
    # The maps' district boundaries: public geometry, open to all (maps.district_boundaries).
    path("geo/districts.geojson", maps.district_boundaries, name="district_boundaries"),
]
