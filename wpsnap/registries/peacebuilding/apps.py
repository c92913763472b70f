from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeacebuildingConfig(AppConfig):
    name = "wpsnap.registries.peacebuilding"
    label = "registry_peacebuilding"
    verbose_name = _("Peacebuilding actors")

    def ready(self) -> None:
        from wpsnap.registries.kinds.catalogue import register_kind

        from .kinds import KIND

        register_kind(KIND)
