"""The vendors part of the demo data (``manage.py load_demo``): the suppliers the desk calls,
and a case open with one of them on a demo ticket.

Runs after the tickets part (``INSTALLED_APPS`` order). Everything goes through
``vendors.services`` under the demo clock, so the hold, the paused clock, the timeline
and the cadence (the next update due two working hours after the opening) are what the
real screens make.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from typing import Protocol

from accounts.models import User
from tickets.choices import WORK_STATES, WaitingOn
from tickets.models import Ticket
from vendors import services
from vendors.models import Vendor, VendorCase

# name, contacts, contract reference, warranty reference
VENDORS = [
    (
        "联想服务 Lenovo Service",
        "400-990-8888（工作日 8:30-17:30）\nservice@lenovo.example",
        "MSA-2026-017",
        "ThinkPad Premier 3 年",
    ),
    ("思科 TAC Cisco TAC", "400-810-8886（7×24）\ntac@cisco.example", "SmartNet 9981234", ""),
    ("惠普打印机维保 HP Care Pack", "400-610-3888", "", "CarePack U4392E"),
]
OPEN_WITH = "联想服务 Lenovo Service"
CASE_OPENED_AFTER = dt.timedelta(minutes=10)  # after the ticket's last activity


class Clock(Protocol):
    def shift(self, delta: dt.timedelta) -> None: ...


class Context(Protocol):
    """What this part reads of the demo context: the people and the tickets made before."""

    now: dt.datetime
    users: dict[str, User]
    tickets: list[Ticket]

    def stopped_at(self, moment: dt.datetime) -> AbstractContextManager[Clock]: ...


def load(context: Context) -> None:
    lead = context.users["tom"]
    vendors = {
        name: services.create_vendor(
            actor=lead,
            name=name,
            contacts=contacts,
            contract_reference=contract,
            warranty_reference=warranty,
        )
        for name, contacts, contract, warranty in VENDORS
    }
    ticket = _ticket_to_hold(context)
    if ticket is None or ticket.assignee is None or ticket.last_activity_at is None:
        return
    opened_at = min(ticket.last_activity_at + CASE_OPENED_AFTER, context.now)
    engineer = ticket.assignee
    with context.stopped_at(opened_at) as clock:
        case = services.open_case(
            ticket.pk,
            actor=engineer,
            vendor=vendors[OPEN_WITH].pk,
            vendor_reference="RMA-55012",
            summary="设备开机无反应，已排除电源适配器问题，报原厂检测主板。"
            "\nNo power after the BIOS update; adapter ruled out, mainboard to be checked.",
        )
        clock.shift(dt.timedelta(minutes=5))
        services.record_update(
            ticket.pk,
            case.pk,
            actor=engineer,
            body="原厂已受理，工程师将于明天上午上门更换主板。"
            "\nLenovo accepted the case; an engineer replaces the mainboard tomorrow morning.",
        )


def _ticket_to_hold(context: Context) -> Ticket | None:
    """The newest demo ticket in work, not waiting on anyone, with an engineer."""
    ids = [t.pk for t in context.tickets]
    return (
        Ticket.objects.filter(
            pk__in=ids,
            state__in=WORK_STATES,
            waiting_on=WaitingOn.NONE,
            assignee__isnull=False,
        )
        .select_related("assignee")
        .order_by("-submitted_at")
        .first()
    )


def is_loaded() -> bool:
    return Vendor.objects.filter(name=VENDORS[0][0]).exists()


def conflicts() -> list[str]:
    taken = Vendor.objects.filter(name__in=[v[0] for v in VENDORS]).count()
    return [f"{taken} vendors"] if taken else []


def summary(context: Context) -> list[str]:
    cases = VendorCase.objects.filter(ticket_id__in=[t.pk for t in context.tickets]).count()
    return [f"{len(VENDORS)} vendors", f"{cases} vendor case{'s' if cases != 1 else ''}"]
