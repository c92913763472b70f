from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "wpsnap.registries.media"
    label = "registry_media"
    verbose_name = _("Media")

    def ready(self) -> None:
        from wpsnap.registries.kinds.catalogue import register_kind

        from .kinds import ITEMS, OUTLETS

        register_kind(OUTLETS)
        register_kind(ITEMS)
