from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = _("Assets")

    def ready(self) -> None:
        # Declarations reach accounts' registry once every model is loaded.
        from accounts import roles
        from assets.permissions import CAPABILITIES, ROLE_GRANTS

        roles.declare("assets", ROLE_GRANTS, CAPABILITIES)
