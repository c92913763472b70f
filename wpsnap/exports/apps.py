from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "wpsnap.exports"
    verbose_name = _("Reports and exports")

    def ready(self) -> None:
        from . import (
            jobs,  # noqa: F401 - registers the report's job kind (annual-pages)
            permissions,  # noqa: F401 - registers this app's rules in the permission gate
            table_jobs,  # noqa: F401 - registers the big lists' job kind (tables)
        )
