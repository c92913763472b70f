from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    name = "wpsnap.registries.publications"
    label = "registry_publications"
    verbose_name = _("Publications and audio/video materials")

    def ready(self) -> None:
        from wpsnap.registries.kinds.catalogue import register_kind

        from .kinds import KIND

        register_kind(KIND)
