from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    name = "wpsnap.plan"
    verbose_name = _("Plan")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers this app's rules in the permission gate
