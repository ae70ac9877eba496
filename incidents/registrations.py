"""What the incidents' page features plug into, once, from ``IncidentsConfig.ready``:

* the work view's incident panel (``tickets.hooks``, place ``work``): the incidents the
  ticket is linked to; "Link to MI-… (ongoing)" in one click while an incident is open;
  and, on a high-priority ticket about a core system, "Declare a major incident?" with a
  link to the declare form for this ticket;
* the staff banner's cache (``incidents.context_processors``), cleared whenever an
  incident row is saved or deleted.

**Core systems** are the categories named in ``INCIDENTS_CORE_CATEGORIES`` (a setting read
at call time; by default the business systems (OA/ERP/finance), servers and storage, and
the network with each of its sub-categories: what R7.1 calls "the core business system is
down or the whole company loses its network").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import User
from incidents import permissions, selectors
from incidents.context_processors import SHOWN, forget_ongoing, live_url, ongoing
from incidents.models import MajorIncident
from sla.choices import Priority
from tickets import hooks
from tickets.choices import OPEN_STATES
from tickets.models import Ticket

PANEL = "major_incident"
PANEL_TEMPLATE = "incidents/partials/_ticket_panel.html"
DEFAULT_CORE_CATEGORIES = (
    "software-business",
    "hardware-server",
    "network",
    "network-wired",
    "network-wifi",
    "network-vpn",
)


def core_categories() -> frozenset[str]:
    return frozenset(getattr(settings, "INCIDENTS_CORE_CATEGORIES", DEFAULT_CORE_CATEGORIES))


def prompts_declaring(ticket: Ticket) -> bool:
    """A high-priority open ticket about a core system (no query: the ticket page's ticket
    comes with its category)."""
    category = ticket.category
    return (
        ticket.priority == Priority.HIGH
        and ticket.state in OPEN_STATES
        and category is not None
        and category.slug in core_categories()
    )


def work_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """For the desk: the incidents this ticket is linked to, the ongoing ones to link it to
    (one click), and the prompt to declare. Two queries at most (the ticket's incidents,
    the ongoing ones unless cached) whatever the ticket's or the incident's size."""
    if not permissions.can_read(user):
        return None
    linked = [
        {
            "number": mi.number,
            "title": mi.title,
            "status": mi.status,
            "status_label": mi.get_status_display(),
            "url": live_url(mi.number),
        }
        for mi in selectors.incidents_of_ticket(ticket).only("number", "title", "status")
    ]
    may_link = permissions.can_link(user) and ticket.state in OPEN_STATES
    numbers = {mi["number"] for mi in linked}
    offers = [mi for mi in ongoing()[:SHOWN] if mi["number"] not in numbers] if may_link else []
    declare = permissions.can_declare(user) and not linked and prompts_declaring(ticket)
    if not (linked or offers or declare):
        return None
    return {
        "ticket": ticket,
        "linked": linked,
        "offers": offers,
        "link_url": reverse("incidents:link_ticket", kwargs={"number": ticket.number}),
        "declare_url": (
            f"{reverse('incidents:new')}?{urlencode({'ticket': ticket.number})}" if declare else ""
        ),
    }


def register() -> None:
    hooks.register_panel(hooks.Panel(PANEL, "work", PANEL_TEMPLATE, work_panel, 1))
    post_save.connect(forget_ongoing, sender=MajorIncident, dispatch_uid="incidents.banner.save")
    post_delete.connect(
        forget_ongoing, sender=MajorIncident, dispatch_uid="incidents.banner.delete"
    )
