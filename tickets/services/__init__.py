"""Every write to a ticket, its messages, files and timeline, split by concern.

``submit`` (filing), ``lifecycle`` (the FSM transitions), ``conversation``
(replies, notes, questions, files), ``edits`` (details, priority, assignee),
``holds`` (a vendor holding the ticket up), ``system`` (what the desk does by itself),
``links``, ``merge`` and ``reopen`` (related tickets, duplicates, reopening),
``downloads`` (files fetched from outside the ticket's site); ``base``
holds the shared pieces.
Adapters import the functions from here.
"""

from tickets.services.conversation import add_attachments, add_message, request_info
from tickets.services.downloads import record_download
from tickets.services.edits import (
    EDITABLE_FIELDS,
    assign_ticket,
    change_priority,
    preview_priority_change,
    update_ticket_details,
)
from tickets.services.holds import hold_for_vendor, release_vendor_hold
from tickets.services.lifecycle import (
    accept_ticket,
    cancel_ticket,
    close_ticket,
    diagnose_ticket,
    reject_fix,
    resolve_ticket,
    verify_ticket,
)
from tickets.services.links import link_tickets, submit_follow_up, unlink_tickets
from tickets.services.merge import check_merge, merge_ticket
from tickets.services.reopen import reopen_ticket
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
    "check_merge",
    "close_ticket",
    "diagnose_ticket",
    "hold_for_vendor",
    "link_tickets",
    "merge_ticket",
    "preview_priority_change",
    "record_download",
    "reject_fix",
    "release_vendor_hold",
    "reopen_ticket",
    "request_info",
    "resolve_ticket",
    "submit_follow_up",
    "submit_ticket",
    "unlink_tickets",
    "update_ticket_details",
    "verify_ticket",
]
