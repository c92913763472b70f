"""Pages of the exports app, under ``/exports/``."""

from django.urls import path

from . import views

app_name = "exports"

urlpatterns: list = []

# The annual progress reports and the end-of-plan review of a plan (part "annual-pages").
urlpatterns += [
    path("plans/<slug:slug>/reports/", views.report_list, name="reports"),
    path(
        "plans/<slug:slug>/reports/<int:first_year>-<int:last_year>/write/",
        views.report_write,
        name="report_write",
    ),
    path(
        "plans/<slug:slug>/reports/<int:first_year>-<int:last_year>/build/",
        views.report_build,
        name="report_build",
    ),
]
