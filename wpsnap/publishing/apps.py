from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "wpsnap.publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from wpsnap.reporting import hooks as reporting_hooks

        from . import (
            permissions,  # noqa: F401 - registers this app's rules in the permission gate
            report_files,
        )

        # A report leaving the published state takes the public report files showing it off the portal,
        # in the same transaction (report_files.reports_left_published).
        reporting_hooks.register(report_files.reports_left_published)
