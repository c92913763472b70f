from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "wpsnap.analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from wpsnap.registries import hooks as registries_hooks
        from wpsnap.reporting import hooks as reporting_hooks

        from . import permissions, rollups  # noqa: F401 - permissions registers analytics.view

        # The rollups are kept current inside the writers' transactions (docs/analytics.md, "Rollups").
        reporting_hooks.register(rollups.reports_changed)
        registries_hooks.register(rollups.events_changed)
