"""Publishing's pages, for coordinators: which indicators are public statistics."""

from django.urls import path

from . import views

app_name = "publishing"
urlpatterns = [
    path("public-statistics/", views.public_statistics, name="public_statistics"),
    path(
        "public-statistics/<int:indicator_pk>/",
        views.public_statistics_set,
        name="public_statistics_set",
    ),
]
