from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "wpsnap.portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers this app's rule in the permission gate
