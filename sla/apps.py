from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("SLA and business calendars")

    def ready(self) -> None:
        # Models are loaded only now (AppConfig.ready).
        from sla import calendars

        calendars.connect_policy_signals()
