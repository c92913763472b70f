"""The focal point's pages, under /reports/ in the ``reporting`` namespace (see ``views/form.py``)."""

from django.urls import path

from .views import form

urlpatterns = [
    path("", form.my_activities, name="my_activities"),
    path("start/", form.report_start, name="report_start"),
    path("<int:pk>/edit/", form.report_edit, name="report_edit"),
    path("<int:pk>/autosave/", form.report_autosave, name="report_autosave"),
    path("<int:pk>/take/<int:indicator_pk>/", form.report_take, name="report_take"),
    path("<int:pk>/evidence/", form.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", form.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", form.evidence_delete, name="evidence_delete"),
]
