"""Pages for people. Adapters: parse a form, call one service, render or redirect.

Split by page: ``filing`` (new ticket, log a call), ``lists`` (my tickets, the
queue), ``ticket`` (the ticket page, report, files), ``actions`` (the buttons
on the ticket page), ``links`` (related tickets, merging, reopening; its views are
routed from the module); ``common`` holds what they share.
"""

from tickets.views.actions import (
    accept,
    assign,
    cancel,
    change_priority,
    close,
    diagnose,
    reject,
    reply,
    request_info,
    resolve,
    verify,
)
from tickets.views.filing import home, log_call, new_ticket
from tickets.views.lists import my_tickets, queue
from tickets.views.priority import preview_priority
from tickets.views.ticket import detail, download_attachment, service_report

__all__ = [
    "accept",
    "assign",
    "cancel",
    "change_priority",
    "close",
    "detail",
    "diagnose",
    "download_attachment",
    "home",
    "log_call",
    "my_tickets",
    "new_ticket",
    "preview_priority",
    "queue",
    "reject",
    "reply",
    "request_info",
    "resolve",
    "service_report",
    "verify",
]
