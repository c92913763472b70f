from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GenderOfficersConfig(AppConfig):
    name = "wpsnap.registries.gender_officers"
    label = "registry_gender_officers"
    verbose_name = _("Gender officers")

    def ready(self) -> None:
        from wpsnap.registries.kinds.catalogue import register_kind

        from .kinds import KIND

        register_kind(KIND)
