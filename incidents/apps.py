from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Each part of the app plugs itself into the layers below (roles, notification kinds, the
# timed obligations, tickets' hooks) from a module whose ``register()`` runs once here:
# ``registration`` (the core: roles, kinds, the clocks, the ticket's notice and timeline
# entry), ``registrations`` (the work view's panel, the banner's cache).
PARTS: list[str] = ["incidents.registration", "incidents.registrations"]


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Major incidents")

    def ready(self) -> None:
        for part in PARTS:
            import_module(part).register()
