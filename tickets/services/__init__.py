"""Every write to a ticket, its messages, files and timeline, split by concern.

``submit`` (filing), ``lifecycle`` (the FSM transitions), ``conversation``
(replies, notes, questions, files), ``edits`` (details, priority, assignee),
``system`` (what the desk does by itself); ``base`` holds the shared pieces.
Adapters import the functions from here.
"""

from tickets.services.conversation import add_attachments, add_message, request_info
from tickets.services.edits import (
    EDITABLE_FIELDS,
    assign_ticket,
    change_priority,
    update_ticket_details,
)
from tickets.services.lifecycle import (
    accept_ticket,
    cancel_ticket,
    close_ticket,
    diagnose_ticket,
    reject_fix,
    resolve_ticket,
    verify_ticket,
)
from tickets.services.submit import submit_ticket
from tickets.services.system import auto_verify_resolved

__all__ = [
    "EDITABLE_FIELDS",
    "accept_ticket",
    "add_attachments",
    "add_message",
    "assign_ticket",
    "auto_verify_resolved",
    "cancel_ticket",
    "change_priority",
    "close_ticket",
    "diagnose_ticket",
    "reject_fix",
    "request_info",
    "resolve_ticket",
    "submit_ticket",
    "update_ticket_details",
    "verify_ticket",
]
