"""The public plan pages. Activity keys contain dots and hyphens ("5.3.2-3"): ``str`` takes them whole."""

from django.urls import path

from . import translation_views, views

app_name = "plan"
urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<slug:slug>/", views.plan_detail, name="plan_detail"),
    path("plans/<slug:slug>/activities/<str:key>/", views.activity_detail, name="activity_detail"),
    path("plans/<slug:slug>/agencies/", views.agency_list, name="agency_list"),
    path("plans/<slug:slug>/agencies/<slug:key>/", views.agency_detail, name="agency_detail"),
    path("plans/<slug:slug>/timeline/", views.timeline, name="timeline"),
    path(
        "plans/<slug:slug>/translations/<str:language>/",
        translation_views.plan_translations,
        name="translations",
    ),
]
