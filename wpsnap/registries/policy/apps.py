from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyRegistryConfig(AppConfig):
    name = "wpsnap.registries.policy"
    label = "registry_policy"
    verbose_name = _("Policy reviews")

    def ready(self) -> None:
        from wpsnap.registries.kinds.catalogue import register_kind

        from .kinds import POLICY_RECOMMENDATIONS, POLICY_REVIEWS

        register_kind(POLICY_REVIEWS)
        register_kind(POLICY_RECOMMENDATIONS)
