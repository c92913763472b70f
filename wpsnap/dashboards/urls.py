"""Dashboard pages, in the ``dashboards`` namespace: ``/dashboard/`` and ``/plans/<slug>/dashboard/...``."""

from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns: list = [
    path("dashboard/", views.dashboard_start, name="start"),
    path("plans/<slug:slug>/dashboard/", views.plan_dashboard, name="plan"),
    path("plans/<slug:slug>/dashboard/people/", views.people, name="people"),
    path("plans/<slug:slug>/dashboard/financing/", views.financing, name="financing"),
    path("plans/<slug:slug>/dashboard/indicators/", views.indicators, name="indicators"),
]
