"""The project package as an app: the operations wiring that every process needs.

``servicedesk`` has no models. It is installed (last, so that every app has registered its
obligations and transports first) for what only an ``AppConfig.ready`` can do in every
process — web, worker, beat and ``manage.py`` alike —: hook the sweep heartbeats and the
desk-wide counters into the apps (``servicedesk.opshooks``); and for its template tags (the
admin home's banner) and management commands (``backup``, ``restore``).
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    name = "servicedesk"
    verbose_name = _("Operations")

    def ready(self) -> None:
        # The apps' registries are filled by now (AppConfig.ready, installed last).
        from servicedesk import opshooks

        opshooks.install()
