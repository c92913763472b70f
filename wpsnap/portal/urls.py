"""The portal's pages, included under ``/<lang>/`` (config/urls.py): every name takes the language first.
Activity and indicator keys contain dots and hyphens ("5.3.2-3"): ``str`` takes them whole. The static
build crawls these pages from ``/<lang>/``; each download is a file under its indicator's folder."""

from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("plans/<slug:slug>/", views.plan_detail, name="plan"),
    path("plans/<slug:slug>/pillars/<slug:key>/", views.pillar_detail, name="pillar"),
    path("plans/<slug:slug>/areas/<str:code>/", views.area_detail, name="area"),
    path("plans/<slug:slug>/activities/<str:key>/", views.activity_detail, name="activity"),
    path("plans/<slug:slug>/indicators/<str:key>/", views.indicator_detail, name="indicator"),
    path("plans/<slug:slug>/indicators/<str:key>/figures.csv", views.indicator_csv, name="indicator_csv"),
    path("plans/<slug:slug>/indicators/<str:key>/figures.json", views.indicator_json, name="indicator_json"),
    path("plans/<slug:slug>/open-data/", views.open_data, name="open_data"),
    path("plans/<slug:slug>/reports/", views.reports, name="reports"),
]
