from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training, assessments and drills")

    def ready(self) -> None:
        # Declarations reach the lower apps' registries once every model is loaded.
        from training.registration import register

        register()
