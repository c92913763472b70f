"""Accounts pages: signing in (``auth_urls``) and managing people and the audit trail (``manage_urls``)."""

from django.urls import include, path

app_name = "accounts"
urlpatterns = [
    path("", include("wpsnap.accounts.auth_urls")),
    path("", include("wpsnap.accounts.manage_urls")),
]
