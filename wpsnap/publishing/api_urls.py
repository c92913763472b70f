"""Routes of the public API, included under /api/v1/ in the ``api`` namespace (``config/api.py``). Indicator
keys hold dots and hyphens ("5.3.2-3-i1"): the key takes anything but a slash."""

from django.urls import path

from . import api

urlpatterns = [
    path("public/plans/", api.PublicPlansView.as_view(), name="public-plans"),
    path("public/plans/<slug:slug>/", api.PublicPlanView.as_view(), name="public-plan"),
    path(
        "public/plans/<slug:slug>/indicators/<str:key>/figures/",
        api.PublicFiguresView.as_view(),
        name="public-figures",
    ),
    path("public/plans/<slug:slug>/reports/", api.PublicReportFilesView.as_view(), name="public-reports"),
]
