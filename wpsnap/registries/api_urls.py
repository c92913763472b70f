"""Routes of the events API, included under /api/v1/ in the ``api`` namespace (``config/api.py``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("events", api.EventViewSet, basename="event")

urlpatterns = [
    path("events/<int:id>/participants/", api.EventParticipants.as_view(), name="event-participants"),
    path(
        "events/<int:id>/participants/<int:participant_id>/",
        api.EventParticipant.as_view(),
        name="event-participant",
    ),
    path("events/<int:id>/counts/", api.EventCounts.as_view(), name="event-counts"),
    path("topics/", api.TopicList.as_view(), name="topic-list"),
    *router.urls,
]
