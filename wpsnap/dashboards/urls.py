"""Dashboard pages, in the ``dashboards`` namespace: ``/dashboard/`` and ``/plans/<slug>/dashboard/...``."""

from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns: list = [
    path("dashboard/", views.dashboard_start, name="start"),
    path("plans/<slug:slug>/dashboard/", views.plan_dashboard, name="plan"),
]
