from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        # Declarations reach the lower apps' registries once every model is loaded.
        from accounts import roles
        from notifications import digests, kinds, preferences
        from notifications.choices import Urgency
        from notifications.email import about
        from sla import obligations
        from tickets.choices import TicketNotice
        from tickets.escalation import Escalation
        from tickets.filters import digest_link
        from tickets.notify import ticket_id
        from tickets.obligations import DIGEST_WORDINGS, TicketClocks
        from tickets.permissions import CAPABILITIES, ROLE_GRANTS

        roles.declare("tickets", ROLE_GRANTS, CAPABILITIES)
        kinds.register(TicketNotice)
        about.register(ticket_id)
        obligations.register(TicketClocks())
        # The escalation ladder (tickets/escalation.py): its rungs never wait in a digest.
        obligations.register(Escalation())
        kinds.at_least(Urgency.URGENT, TicketNotice.ESCALATION_TECH_LEAD)
        # A new high-priority ticket is a page too: never folded, through quiet hours.
        kinds.at_least(Urgency.HIGH, TicketNotice.ESCALATION_MANAGER, TicketNotice.SUBMITTED)
        preferences.im_by_default_for_staff(
            TicketNotice.ESCALATION_TECH_LEAD, TicketNotice.ESCALATION_MANAGER
        )
        # A digest of ticket news links to the queue filtered to its tickets.
        digests.link_with(digest_link)
        for kind, words in DIGEST_WORDINGS.items():
            kinds.digest_wording(kind, words)
