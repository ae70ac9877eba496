"""A desk's October 2026, lived through the services at controlled moments, whose every
report figure is worked out by hand in the tests (``test_engine_*``, ``test_api_*``,
``test_exports_*``).

The seeded calendar: Asia/Shanghai, 09:00–18:00 on working days; 1–7 October are the
National Day holidays, Saturday 10 October is worked, the other weekends are off. Default
policies: high 15 min / 240 min round the clock; medium 30 / 480 working minutes; low 30 /
1,440 working minutes. The reports are read at ``NOW`` (Monday 2 November, 09:20).

Tickets (``sh``: alice's site, ``bj``: frank's; times in Shanghai):

====  ========  ========  ============================================================
T0    medium    Sep 28    10:00, never accepted: before the period, in October's backlog
T1    medium    Oct 12    Mon 09:00 web network-wifi sh; bob accepts 09:10 (10 min), fixes
                          11:00 (120 min), alice verifies 11:30
T2    medium    Oct 13    Tue 10:00 web hardware-printer sh; bob accepts 10:40 (40 min, due
                          10:30: breached); asks alice 11:00, she answers Wed 10:00 (480
                          working min on hold, due Tue 18:00 → Wed 17:00); fixed Wed 15:00
                          (840 − 480 = 360 min; wall 1,740); awaiting verification
T3    low→med   Oct 15    Thu 14:00 web software-office bj (frank); erin accepts 14:20 (20
                          min); tom raises it to medium Thu 15:00 (resolution restarts: due
                          Fri 14:00); vendor case Fri 10:00 → Mon 19 Oct 11:00 (600 min
                          held, due → Mon 15:00); fixed Mon 16:00: breached (1,200 − 600 =
                          600 min; wall 5,880); frank verifies Tue 20 Oct 09:00
T4    high      Oct 17    Sat 20:00 im network-vpn sh; tom accepts 20:05; fixes 21:00;
                          alice rejects the fix 22:00 (60 min held, due 00:00 → 01:00);
                          fixed again Sun 00:30 (270 − 60 = 210 min); verified 01:00
T5    medium    Oct 5     Mon 10:00, a holiday; phone (bob logs frank's call) hardware-pc
                          bj; bob accepts Thu 8 Oct 09:20 (20 working min; wall 4,280);
                          fixed 12:00 (180; wall 4,440); frank verifies Fri 9 Oct 10:00
T6    medium    Oct 30    Fri 17:00 email network-wired sh; never accepted: response due
                          17:30, breached; resolution due Mon 2 Nov 16:00, pending
T7    low       Oct 31    Sat 23:59 (the last minute of the period) web software-os sh;
                          response due Mon 2 Nov 09:30: pending
T8    low       Nov 1     Sun 00:00: the next period
T9    medium    Oct 20    Tue 10:00 web hardware-printer sh; alice cancels 10:05
T12   medium    Oct 26    Mon 09:00 web permission-account bj (frank); erin accepts 09:05;
                          asks frank 10:00, no answer yet: on hold past its 17:00 deadline
====  ========  ========  ============================================================

Surveys: T1 answered 5/4/5, T3 2/3/4, T4 4/4/3; T5 sent, not answered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import time_machine

from accounts.models import Site, User
from accounts.roles import Role
from accounts.tests.factories import make_user
from feedback.models import Survey
from tests.clock import sh
from tickets import services
from tickets.choices import Impact, Urgency
from tickets.models import Category, Ticket
from tickets.tests.factories import DIAGNOSIS, make_ticket
from vendors import services as vendor_services
from vendors.tests.factories import make_vendor

T = TypeVar("T")

HIGH = {"impact": Impact.NETWORK, "urgency": Urgency.INTERRUPTED}
MEDIUM = {"impact": Impact.SINGLE, "urgency": Urgency.INTERRUPTED}
LOW = {"impact": Impact.SINGLE, "urgency": Urgency.EXPERIENCE}
NOW = sh(2026, 11, 2, 9, 20)
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


def at(moment: dt.datetime, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with time_machine.travel(moment, tick=False):
        return action(*args, **kwargs)


@dataclass
class Desk:
    people: dict[str, User]
    sites: dict[str, Site]
    tickets: dict[str, Ticket]


def _file(
    moment: dt.datetime, requester: User, slug: str, fields: dict[str, Any], **kw: Any
) -> Ticket:
    category = Category.objects.get(slug=slug)
    assert category.parent is not None, "the seeded categories have their parents"
    return at(moment, make_ticket, requester=requester, category=category, **fields, **kw)


def _fix(ticket: Ticket, engineer: User, diagnosed: dt.datetime, fixed: dt.datetime) -> None:
    at(diagnosed, services.diagnose_ticket, ticket.pk, actor=engineer, **DIAGNOSIS)
    at(fixed, services.resolve_ticket, ticket.pk, actor=engineer, solution="Done")


def _survey(ticket: Ticket, verified: dt.datetime, ratings: tuple[int, int, int] | None) -> None:
    answered = verified + dt.timedelta(hours=1) if ratings else None
    speed, quality, attitude = ratings or (None, None, None)
    Survey.objects.update_or_create(
        ticket=ticket,
        defaults={
            "requester": ticket.requester,
            "invited_at": verified,
            "answered_at": answered,
            "speed": speed,
            "quality": quality,
            "attitude": attitude,
        },
    )


def october(alice: User, bob: User, erin: User, tom: User) -> Desk:
    """Build the desk described in the module docstring (call inside a ``db`` test, with
    the ``seeded_calendar`` fixture)."""
    shanghai = Site.objects.create(code="sh", name="上海总部", city="Shanghai")
    beijing = Site.objects.create(code="bj", name="北京分公司", city="Beijing")
    User.objects.filter(pk=alice.pk).update(site=shanghai)
    alice = User.objects.get(pk=alice.pk)
    frank = make_user("frank", Role.REQUESTER, site=beijing)
    t: dict[str, Ticket] = {}

    t["T0"] = _file(sh(2026, 9, 28, 10, 0), alice, "hardware-pc", MEDIUM)

    t["T1"] = _file(sh(2026, 10, 12, 9, 0), alice, "network-wifi", MEDIUM)
    at(sh(2026, 10, 12, 9, 10), services.accept_ticket, t["T1"].pk, actor=bob)
    _fix(t["T1"], bob, sh(2026, 10, 12, 9, 30), sh(2026, 10, 12, 11, 0))
    at(sh(2026, 10, 12, 11, 30), services.verify_ticket, t["T1"].pk, actor=alice)

    t["T2"] = _file(sh(2026, 10, 13, 10, 0), alice, "hardware-printer", MEDIUM)
    at(sh(2026, 10, 13, 10, 40), services.accept_ticket, t["T2"].pk, actor=bob)
    at(sh(2026, 10, 13, 11, 0), services.request_info, t["T2"].pk, actor=bob, question="Model?")
    at(sh(2026, 10, 14, 10, 0), services.add_message, t["T2"].pk, actor=alice, body="HP M404")
    _fix(t["T2"], bob, sh(2026, 10, 14, 10, 30), sh(2026, 10, 14, 15, 0))

    t["T3"] = _file(sh(2026, 10, 15, 14, 0), frank, "software-office", LOW)
    at(sh(2026, 10, 15, 14, 20), services.accept_ticket, t["T3"].pk, actor=erin)
    at(
        sh(2026, 10, 15, 15, 0),
        services.change_priority,
        t["T3"].pk,
        actor=tom,
        priority="medium",
        reason="Finance cannot issue invoices",
    )
    at(sh(2026, 10, 15, 16, 0), services.diagnose_ticket, t["T3"].pk, actor=erin, **DIAGNOSIS)
    case = at(
        sh(2026, 10, 16, 10, 0),
        vendor_services.open_case,
        t["T3"].pk,
        actor=erin,
        vendor=make_vendor().pk,
        summary="Licence server rejects the seat.",
    )
    at(sh(2026, 10, 19, 11, 0), vendor_services.close_case, t["T3"].pk, case.pk, actor=erin)
    at(sh(2026, 10, 19, 16, 0), services.resolve_ticket, t["T3"].pk, actor=erin, solution="OK")
    at(sh(2026, 10, 20, 9, 0), services.verify_ticket, t["T3"].pk, actor=frank)

    t["T4"] = _file(sh(2026, 10, 17, 20, 0), alice, "network-vpn", HIGH, channel="im")
    at(sh(2026, 10, 17, 20, 5), services.accept_ticket, t["T4"].pk, actor=tom)
    _fix(t["T4"], tom, sh(2026, 10, 17, 20, 10), sh(2026, 10, 17, 21, 0))
    at(sh(2026, 10, 17, 22, 0), services.reject_fix, t["T4"].pk, actor=alice, reason="Still down")
    at(sh(2026, 10, 18, 0, 30), services.resolve_ticket, t["T4"].pk, actor=tom, solution="VPN up")
    at(sh(2026, 10, 18, 1, 0), services.verify_ticket, t["T4"].pk, actor=alice)

    t["T5"] = _file(
        sh(2026, 10, 5, 10, 0), frank, "hardware-pc", MEDIUM, actor=bob, channel="phone"
    )
    at(sh(2026, 10, 8, 9, 20), services.accept_ticket, t["T5"].pk, actor=bob)
    _fix(t["T5"], bob, sh(2026, 10, 8, 10, 0), sh(2026, 10, 8, 12, 0))
    at(sh(2026, 10, 9, 10, 0), services.verify_ticket, t["T5"].pk, actor=frank)

    t["T6"] = _file(sh(2026, 10, 30, 17, 0), alice, "network-wired", MEDIUM, channel="email")
    t["T7"] = _file(sh(2026, 10, 31, 23, 59), alice, "software-os", LOW)
    t["T8"] = _file(sh(2026, 11, 1, 0, 0), alice, "software-os", LOW)

    t["T9"] = _file(sh(2026, 10, 20, 10, 0), alice, "hardware-printer", MEDIUM)
    at(sh(2026, 10, 20, 10, 5), services.cancel_ticket, t["T9"].pk, actor=alice, reason="Fine now")

    t["T12"] = _file(sh(2026, 10, 26, 9, 0), frank, "permission-account", MEDIUM)
    at(sh(2026, 10, 26, 9, 5), services.accept_ticket, t["T12"].pk, actor=erin)
    at(sh(2026, 10, 26, 10, 0), services.request_info, t["T12"].pk, actor=erin, question="Which?")

    _survey(t["T1"], sh(2026, 10, 12, 11, 30), (5, 4, 5))
    _survey(t["T3"], sh(2026, 10, 20, 9, 0), (2, 3, 4))
    _survey(t["T4"], sh(2026, 10, 18, 1, 0), (4, 4, 3))
    _survey(t["T5"], sh(2026, 10, 9, 10, 0), None)

    fresh = {name: Ticket.objects.get(pk=ticket.pk) for name, ticket in t.items()}
    people = {"alice": alice, "frank": frank, "bob": bob, "erin": erin, "tom": tom}
    return Desk(people=people, sites={"sh": shanghai, "bj": beijing}, tickets=fresh)
