from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self) -> None:
        # Declarations reach the lower apps' registries once every model is loaded.
        from knowledge.registration import register

        register()
