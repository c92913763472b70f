from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistriesConfig(AppConfig):
    name = "wpsnap.registries"
    verbose_name = _("Registries")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers this app's rules in the permission gate
