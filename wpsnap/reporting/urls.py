"""Reporting pages: writing reports (``form_urls``) and reviewing them (``review_urls``)."""

from django.urls import include, path

app_name = "reporting"
urlpatterns = [
    path("", include("wpsnap.reporting.form_urls")),
    path("", include("wpsnap.reporting.review_urls")),
]
