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
        from .kinds import figures as registry_figures
        from .sources import report_figures

        # Reports show what the agency's events say beside the figures it reports, and what its records
        # in the registries say for the indicators bound to a registry count (issue 14).
        reporting_sources.register(report_figures)
        reporting_sources.register(registry_figures.report_figures)

        # The activity page lists the registries serving the activity (``plan.records``).
        from wpsnap.plan import records as plan_records

        from .kinds.selectors import activity_registries

        plan_records.register(activity_registries)
