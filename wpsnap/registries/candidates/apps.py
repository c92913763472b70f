from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CandidatesConfig(AppConfig):
    name = "wpsnap.registries.candidates"
    label = "registry_candidates"
    verbose_name = _("Women candidates")

    def ready(self) -> None:
        from wpsnap.registries.kinds import catalogue, lifecycle

        from .kinds import CANDIDATES

        catalogue.register_kind(CANDIDATES)
        # Consent withdrawal and erasure on request in the permission gate (personal kinds only).
        lifecycle.register_rules(CANDIDATES)
