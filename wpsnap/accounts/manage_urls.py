"""Managing people and reading the audit trail (coordinators), and the invitation link (public)."""

from django.urls import path

from .views import audit, users

urlpatterns = [
    path("users/", users.user_list, name="user_list"),
    path("users/invite/", users.user_invite, name="user_invite"),
    path("users/<int:pk>/", users.user_detail, name="user_detail"),
    path("users/<int:pk>/role/", users.user_role, name="user_role"),
    path("users/<int:pk>/active/", users.user_active, name="user_active"),
    path("invitation/<str:uidb64>/<str:token>/", users.invitation, name="invitation"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/<str:object_type>/<str:object_id>/", audit.audit_object, name="audit_object"),
]
