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
    # Public versions on the portal (issue 13): a coordinator puts a build there, or takes one off.
    path(
        "plans/<slug:slug>/reports/<int:first_year>-<int:last_year>/publish/",
        views.report_file_publish,
        name="report_file_publish",
    ),
    path(
        "plans/<slug:slug>/reports/files/<int:pk>/withdraw/",
        views.report_file_withdraw,
        name="report_file_withdraw",
    ),
]

# The public open-data downloads of a plan (issue 13): no sign-in; a draft or unknown plan is 404.
urlpatterns += [
    path("open/<slug:slug>/figures.csv", open_views.figures_csv, name="open_csv"),
    path("open/<slug:slug>/figures.xlsx", open_views.figures_xlsx, name="open_xlsx"),
    path("open/<slug:slug>/datapackage.zip", open_views.datapackage_zip, name="open_datapackage"),
    path("open/<slug:slug>/iati.xml", open_views.iati_xml, name="open_iati"),
    # A public version of an annual report or the review, as a coordinator put it on the portal.
    path(
        "open/<slug:slug>/reports/<int:first_year>-<int:last_year>/<slug:language>.<slug:fmt>",
        open_views.report_file,
        name="open_report",
    ),
]
