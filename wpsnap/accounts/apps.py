from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "wpsnap.accounts"
    verbose_name = _("People and organisations")

    def ready(self) -> None:
        from . import (
            permissions,  # noqa: F401 - registers this app's rules in the permission gate
            throttle,
        )

        throttle.check_rates()
