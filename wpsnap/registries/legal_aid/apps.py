from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalAidConfig(AppConfig):
    name = "wpsnap.registries.legal_aid"
    label = "registry_legal_aid"
    verbose_name = _("Legal aid and services")

    def ready(self) -> None:
        from wpsnap.registries.kinds import catalogue, lifecycle

        from .kinds import LEGAL_AID

        catalogue.register_kind(LEGAL_AID)
        # Erasure on request in the permission gate (personal kinds only).
        lifecycle.register_rules(LEGAL_AID)
