from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VendorsConfig(AppConfig):
    name = "vendors"
    verbose_name = _("Vendors")

    def ready(self) -> None:
        # Declarations reach the lower apps' registries once every model is loaded.
        from vendors.registration import register

        register()
