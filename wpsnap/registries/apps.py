from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistriesConfig(AppConfig):
    name = "wpsnap.registries"
    verbose_name = _("Registries")

    def ready(self) -> None:
        from wpsnap.reporting import sources as reporting_sources

        from . import (
            jobs,  # noqa: F401 - registers the background import (kind registries.participants_import)
            permissions,  # noqa: F401 - registers this app's rules in the permission gate
        )
        from .sources import report_figures

        # Reports show what the agency's events say beside the figures it reports.
        reporting_sources.register(report_figures)
