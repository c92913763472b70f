from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GenderOfficersConfig(AppConfig):
    name = "wpsnap.registries.gender_officers"
    label = "registry_gender_officers"
    verbose_name = _("Gender officers")

    def ready(self) -> None:
        from wpsnap.registries.kinds import catalogue, lifecycle

        from .kinds import KIND

        catalogue.register_kind(KIND)
        # Consent withdrawal and erasure on request in the permission gate (personal kinds only).
        lifecycle.register_rules(KIND)
