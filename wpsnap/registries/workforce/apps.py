from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceRegistryConfig(AppConfig):
    name = "wpsnap.registries.workforce"
    label = "registry_workforce"
    verbose_name = _("Workforce monitoring")

    def ready(self) -> None:
        from wpsnap.registries.kinds.catalogue import register_kind

        from .kinds import WORKFORCE_COUNTS, WORKFORCE_REVIEWS

        register_kind(WORKFORCE_COUNTS)
        register_kind(WORKFORCE_REVIEWS)
