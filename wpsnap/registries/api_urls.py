"""Routes of the events API, included under /api/v1/ in the ``api`` namespace (``config/api.py``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api
from .kinds.api import register_routes

router = SimpleRouter()
router.register("events", api.EventViewSet, basename="event")
# Every registry kind: /api/v1/registries/<name>/ (issue 14, ``kinds.api``).
register_routes(router)

urlpatterns = [
    path("events/<int:id>/participants/", api.EventParticipants.as_view(), name="event-participants"),
    path(
        "events/<int:id>/participants/<int:participant_id>/",
        api.EventParticipant.as_view(),
        name="event-participant",
    ),
    path("events/<int:id>/counts/", api.EventCounts.as_view(), name="event-counts"),
    path("events/<int:id>/files/", api.EventFiles.as_view(), name="event-file-list"),
    path("events/<int:id>/files/<int:file_id>/", api.EventFileDetail.as_view(), name="event-file-detail"),
    path(
        "events/<int:id>/files/<int:file_id>/file/",
        api.EventFileDownload.as_view(),
        name="event-file-download",
    ),
    path("topics/", api.TopicList.as_view(), name="topic-list"),
    path("topics/<slug:code>/", api.TopicDetail.as_view(), name="topic-detail"),
    *router.urls,
]
