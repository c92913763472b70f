"""Routes of the accounts API, included under /api/v1/ in the ``api`` namespace (``config/api.py``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, job_api

router = SimpleRouter()
router.register("users", api.UserViewSet, basename="user")

urlpatterns = [
    path("me/", api.MeView.as_view(), name="me"),
    path("audit/", api.AuditEventList.as_view(), name="audit-list"),
    path("jobs/", job_api.JobList.as_view(), name="job-list"),
    path("jobs/<uuid:id>/", job_api.JobDetail.as_view(), name="job-detail"),
    path("jobs/<uuid:id>/file/", job_api.JobFile.as_view(), name="job-file"),
    *router.urls,
]
