from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "wpsnap.dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers this app's rules in the permission gate
