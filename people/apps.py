from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People and assignment")

    def ready(self) -> None:
        # Declarations reach the lower apps' registries once every model is loaded.
        from people.registration import register

        register()
