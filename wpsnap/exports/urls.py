"""Pages of the exports app, under ``/exports/``."""

from django.urls import path

from . import open_views, table_views, views

app_name = "exports"

urlpatterns: list = []

# Lists as CSV or XLSX (part "tables"): ?format=csv|xlsx&hxl=1 and the page's own filters.
urlpatterns += [
    path("lists/reports/", table_views.reports_export, name="table_reports"),
    path("lists/figures/", table_views.figures_export, name="table_figures"),
    path("lists/events/", table_views.events_export, name="table_events"),
    path("lists/events/<int:pk>/participants/", table_views.participants_export, name="table_participants"),
]

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

# The public open-data downloads of a plan (issue 13): no sign-in; a draft or unknown plan is 404.
urlpatterns += [
    path("open/<slug:slug>/figures.csv", open_views.figures_csv, name="open_csv"),
    path("open/<slug:slug>/figures.xlsx", open_views.figures_xlsx, name="open_xlsx"),
    path("open/<slug:slug>/datapackage.zip", open_views.datapackage_zip, name="open_datapackage"),
    path("open/<slug:slug>/iati.xml", open_views.iati_xml, name="open_iati"),
]
