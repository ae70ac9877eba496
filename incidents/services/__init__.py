"""Every write to major incidents, by concern.

``declare`` (declaring, linking tickets, changing details), ``crew`` (the task force),
``status`` (status notes, restoration, resolution, the review's mark); ``base`` holds the
shared pieces and ``linking`` the ticket links. Adapters and other apps import from here;
the signatures below are agreed with the other incident features (keep them).
"""

from incidents.services.crew import add_member
from incidents.services.declare import declare, link_tickets, update_incident
from incidents.services.status import mark_reviewed, post_status, record_restoration

__all__ = [
    "add_member",
    "declare",
    "link_tickets",
    "mark_reviewed",
    "post_status",
    "record_restoration",
    "update_incident",
]
