from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        # Declarations reach the lower apps' registries once every model is loaded.
        from accounts import roles
        from notifications import kinds
        from sla import obligations
        from tickets.choices import TicketNotice
        from tickets.obligations import TicketClocks
        from tickets.permissions import CAPABILITIES, ROLE_GRANTS

        roles.declare("tickets", ROLE_GRANTS, CAPABILITIES)
        kinds.register(TicketNotice)
        obligations.register(TicketClocks())
