"""Routes of the reporting API, included under /api/v1/ in the ``api`` namespace (``config/api.py``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("reports", api.ReportViewSet, basename="report")

urlpatterns = [
    path("periods/", api.PeriodList.as_view(), name="period-list"),
    *router.urls,
]
