"""Plain factory functions for vendor tests. Cases are opened through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import time_machine

from accounts.models import User
from tickets import services as ticket_services
from tickets.choices import Impact, Urgency
from tickets.models import Ticket
from tickets.tests.factories import make_ticket
from vendors import services
from vendors.models import Vendor, VendorCase

T = TypeVar("T")

MEDIUM = {"impact": Impact.SINGLE, "urgency": Urgency.INTERRUPTED}
HIGH = {"impact": Impact.NETWORK, "urgency": Urgency.INTERRUPTED}
LOW = {"impact": Impact.SINGLE, "urgency": Urgency.EXPERIENCE}


def at(moment: dt.datetime, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``action`` with the clock stopped at ``moment``."""
    with time_machine.travel(moment, tick=False):
        return action(*args, **kwargs)


def make_vendor(name: str = "Lenovo Service", **overrides: Any) -> Vendor:
    fields: dict[str, Any] = {
        "contacts": "400-990-8888, service@example.com",
        "contract_reference": "MSA-2026-017",
        **overrides,
    }
    vendor, _created = Vendor.objects.get_or_create(name=name, defaults=fields)
    return vendor


def accepted_ticket(
    requester: User, engineer: User, filed_at: dt.datetime, **overrides: Any
) -> Ticket:
    """A ticket filed at ``filed_at`` and accepted by ``engineer`` five minutes later."""
    fields = {**MEDIUM, **overrides}
    ticket = at(filed_at, make_ticket, requester=requester, **fields)
    at(filed_at + dt.timedelta(minutes=5), ticket_services.accept_ticket, ticket.pk, actor=engineer)
    return Ticket.objects.get(pk=ticket.pk)


def open_case(
    ticket: Ticket, engineer: User, opened_at: dt.datetime, vendor: Vendor | None = None, **kw: Any
) -> VendorCase:
    """A case opened on ``ticket`` at ``opened_at`` through the service."""
    fields: dict[str, Any] = {
        "vendor": (vendor or make_vendor()).pk,
        "vendor_reference": "RMA-55012",
        "summary": "ThinkPad T14 mainboard: no power after BIOS update.",
        **kw,
    }
    case = at(opened_at, services.open_case, ticket.pk, actor=engineer, **fields)
    return VendorCase.objects.get(pk=case.pk)
