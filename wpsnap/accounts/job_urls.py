"""Background jobs' pages (``/jobs/``): one's own list, and a job's progress, poll and file."""

from django.urls import path

from .views import jobs

app_name = "jobs"
urlpatterns = [
    path("", jobs.job_list, name="list"),
    path("<uuid:pk>/", jobs.job_detail, name="detail"),
    path("<uuid:pk>/status/", jobs.job_status, name="status"),
    path("<uuid:pk>/file/", jobs.job_file, name="file"),
]
