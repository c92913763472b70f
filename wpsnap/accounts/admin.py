import contextlib

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered

from wpsnap.core.models import AuditEvent

from .admin_site import ReadOnlyAdmin
from .models import Organisation, User

# Tokens and second-factor devices are made only through their services and pages (audited there);
# axes' lock-out records are read through the audit trail. None of them is edited in the admin.
for model_path in (
    "rest_framework.authtoken.models.TokenProxy",
    "rest_framework.authtoken.models.Token",
    "django_otp.plugins.otp_totp.models.TOTPDevice",
    "axes.models.AccessAttempt",
    "axes.models.AccessLog",
    "axes.models.AccessFailureLog",
    "django.contrib.auth.models.Group",
):
    module_name, _, class_name = model_path.rpartition(".")
    module = __import__(module_name, fromlist=[class_name])
    with contextlib.suppress(NotRegistered):
        admin.site.unregister(getattr(module, class_name))


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "short_name", "kind", "country", "key"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "short_name", "key"]


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "organisation"]
    search_fields = ["username", "first_name", "last_name", "email"]
    exclude = ["password", "user_permissions", "groups"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id", "object_label"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_label", "note", "object_id"]
