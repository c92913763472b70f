from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesRegistryConfig(AppConfig):
    name = "wpsnap.registries.resources"
    label = "registry_resources"
    verbose_name = _("Projects and IDP settlements")

    def ready(self) -> None:
        from wpsnap.registries.kinds.catalogue import register_kind

        from .kinds import IDP_SETTLEMENTS, PROJECTS

        register_kind(PROJECTS)
        register_kind(IDP_SETTLEMENTS)
