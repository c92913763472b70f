from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "wpsnap.publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers this app's rules in the permission gate
