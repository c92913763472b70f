from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeacebuildingConfig(AppConfig):
    name = "wpsnap.registries.peacebuilding"
    label = "registry_peacebuilding"
    verbose_name = _("Peacebuilding actors")

    def ready(self) -> None:
        from wpsnap.registries.kinds import catalogue, lifecycle

        from .kinds import KIND

        catalogue.register_kind(KIND)
        # Consent withdrawal and erasure on request in the permission gate (personal kinds only).
        lifecycle.register_rules(KIND)
