"""A background job's pages (``/jobs/<uuid>/``): progress, the poll's state, and the file."""

from django.urls import path

from .views import jobs

app_name = "jobs"
urlpatterns = [
    path("<uuid:pk>/", jobs.job_detail, name="detail"),
    path("<uuid:pk>/status/", jobs.job_status, name="status"),
    path("<uuid:pk>/file/", jobs.job_file, name="file"),
]
