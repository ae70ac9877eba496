from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Each feature of the app plugs itself into tickets' hooks (panels on the ticket page,
# timeline kinds, notification kinds, resolve guards, signal receivers) from its own
# ``fieldwork/registrations/<feature>.py``, whose ``register()`` runs once here.
FEATURES: list[str] = ["consents", "worklogs", "plans", "checks", "visits"]


class FieldworkConfig(AppConfig):
    name = "fieldwork"
    verbose_name = _("Field work")

    def ready(self) -> None:
        for feature in FEATURES:
            import_module(f"fieldwork.registrations.{feature}").register()
