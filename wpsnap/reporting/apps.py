from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "wpsnap.reporting"
    verbose_name = _("Progress reporting")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers this app's rules in the permission gate
