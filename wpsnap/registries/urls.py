"""The events pages, under /events/ in the ``registries`` namespace (see ``views``)."""

from django.urls import path

from .views import events, participants, rules

app_name = "registries"
urlpatterns = [
    path("", events.event_list, name="event_list"),
    path("new/", events.event_create, name="event_create"),
    path("rules/", rules.rule_list, name="rule_list"),
    path("rules/<int:indicator_pk>/", rules.rule_set, name="rule_set"),
    path("rules/<int:indicator_pk>/registry/", rules.registry_rule_set, name="registry_rule_set"),
    path("<int:pk>/", events.event_detail, name="event_detail"),
    path("<int:pk>/edit/", events.event_edit, name="event_edit"),
    path("<int:pk>/delete/", events.event_delete, name="event_delete"),
    path("<int:pk>/counts/", events.event_counts, name="event_counts"),
    path("<int:pk>/files/", events.event_file_add, name="event_file_add"),
    path("<int:pk>/files/<int:file_pk>/", events.event_file, name="event_file"),
    path("<int:pk>/files/<int:file_pk>/delete/", events.event_file_delete, name="event_file_delete"),
    path("<int:pk>/participants/", participants.participant_list, name="participant_list"),
    path("<int:pk>/participants/import/", participants.participant_import, name="participant_import"),
    path("<int:pk>/participants/clear/", participants.participants_clear, name="participants_clear"),
    path(
        "<int:pk>/participants/template.xlsx",
        participants.participant_template_xlsx,
        name="participant_template_xlsx",
    ),
    path(
        "<int:pk>/participants/template.csv",
        participants.participant_template_csv,
        name="participant_template_csv",
    ),
    path("<int:pk>/participants/export.csv", participants.participant_export, name="participant_export"),
    path(
        "<int:pk>/participants/<int:participant_pk>/delete/",
        participants.participant_delete,
        name="participant_delete",
    ),
]
