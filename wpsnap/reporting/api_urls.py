"""Routes of the reporting API, included under /api/v1/ in the ``api`` namespace (``config/api.py``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("reports", api.ReportViewSet, basename="report")

urlpatterns = [
    path("periods/", api.PeriodList.as_view(), name="period-list"),
    path("periods/<int:id>/", api.PeriodDetail.as_view(), name="period-detail"),
    path("reports/<int:id>/evidence/", api.ReportEvidenceList.as_view(), name="report-evidence-list"),
    path(
        "reports/<int:id>/evidence/<int:evidence_id>/",
        api.ReportEvidenceDetail.as_view(),
        name="report-evidence-detail",
    ),
    path(
        "reports/<int:id>/evidence/<int:evidence_id>/file/",
        api.ReportEvidenceFile.as_view(),
        name="report-evidence-file",
    ),
    path("reports/<int:id>/comments/", api.ReportCommentList.as_view(), name="report-comment-list"),
    path("reports/<int:id>/transitions/", api.ReportTransitionList.as_view(), name="report-transition-list"),
    path("reports/<int:id>/versions/", api.ReportVersionList.as_view(), name="report-version-list"),
    path(
        "reports/<int:id>/versions/<int:number>/",
        api.ReportVersionDetail.as_view(),
        name="report-version-detail",
    ),
    path("values/", api.ValueList.as_view(), name="value-list"),
    *router.urls,
]
