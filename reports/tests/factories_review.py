"""Scenes for the weekly review and the monthly audit tests: tickets moved through the
services at chosen moments (Asia/Shanghai), devices, surveys, consents and work-log rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from accounts.models import User
from assets.models import Asset
from feedback.models import Survey
from fieldwork.models import RemoteConsent, WorkLog
from tests.clock import sh
from tickets import services
from tickets.choices import Impact, Urgency
from tickets.models import Category, Ticket
from tickets.tests.factories import DIAGNOSIS, make_category

# impact × urgency giving each priority (DESIGN.md's matrix)
PRIORITY = {
    "high": {"impact": Impact.MULTIPLE, "urgency": Urgency.INTERRUPTED},
    "medium": {"impact": Impact.SINGLE, "urgency": Urgency.ABNORMAL},
    "low": {"impact": Impact.SINGLE, "urgency": Urgency.EXPERIENCE},
}


def printer_category() -> Category:
    return make_category("hardware-printer", name="打印机", name_en="Printer")


def network_category() -> Category:
    return make_category("network", name="网络", name_en="Network")


def printer(tag: str, model: str = "LaserJet M404dn", vendor: str = "HP") -> Asset:
    found, _created = Asset.objects.get_or_create(
        tag=tag, defaults={"kind": "printer", "vendor": vendor, "model": model}
    )
    return found


def file_at(at: dt.datetime, requester: User, **fields: Any) -> Ticket:
    """A ticket filed at ``at`` (medium priority unless ``priority`` says otherwise)."""
    priority = fields.pop("priority", "medium")
    values: dict[str, Any] = {
        "category": printer_category(),
        "description": fields.get("title", "故障"),
        **PRIORITY[priority],
        **fields,
    }
    with time_machine.travel(at, tick=False):
        return services.submit_ticket(actor=requester, **values)


def step(at: dt.datetime, action: Any, *args: Any, **kwargs: Any) -> Any:
    with time_machine.travel(at, tick=False):
        return action(*args, **kwargs)


def closed_at(
    at: dt.datetime,
    requester: User,
    engineer: User,
    *,
    accepted_after: dt.timedelta = dt.timedelta(minutes=10),
    verify_as: User | None = None,
    **fields: Any,
) -> Ticket:
    """A ticket filed an hour before ``at``, worked, verified (by the requester unless
    ``verify_as``) and closed at ``at``; a survey exists unless removed."""
    start = at - dt.timedelta(hours=1)
    ticket = file_at(start, requester, **fields)
    step(start + accepted_after, services.accept_ticket, ticket.pk, actor=engineer)
    step(
        at - dt.timedelta(minutes=30),
        services.diagnose_ticket,
        ticket.pk,
        actor=engineer,
        **DIAGNOSIS,
    )
    step(
        at - dt.timedelta(minutes=20),
        services.resolve_ticket,
        ticket.pk,
        actor=engineer,
        solution="Replaced the drum",
    )
    verifier = verify_as or requester
    note = "" if verifier.pk == requester.pk else "Confirmed by phone"
    step(
        at - dt.timedelta(minutes=10),
        services.verify_ticket,
        ticket.pk,
        actor=verifier,
        verification_note=note,
    )
    ensure_survey(ticket, at - dt.timedelta(minutes=10))
    fresh = Ticket.objects.get(pk=ticket.pk)
    if fresh.state != "closed":  # the survey's answer may have closed it already
        step(at, services.close_ticket, ticket.pk, actor=engineer)
    return Ticket.objects.get(pk=ticket.pk)


def ensure_survey(ticket: Ticket, invited_at: dt.datetime, **ratings: Any) -> Survey:
    survey, _created = Survey.objects.update_or_create(
        ticket=ticket,
        defaults={"requester_id": ticket.requester_id, "invited_at": invited_at, **ratings},
    )
    return survey


def consent(
    ticket: Ticket,
    engineer: User,
    granted_at: dt.datetime,
    *,
    minutes: int = 30,
    revoked_at: dt.datetime | None = None,
) -> RemoteConsent:
    """A grant of the requester's (``revoked_at``: she took it back then)."""
    return RemoteConsent.objects.create(
        ticket=ticket,
        requested_by=engineer,
        tool="TeamViewer",
        purpose="Reset the print spooler",
        duration_minutes=minutes,
        state="revoked" if revoked_at else "granted",
        requested_at=granted_at - dt.timedelta(minutes=1),
        answered_by=ticket.requester,
        answered_at=granted_at,
        granted_at=granted_at,
        expires_at=granted_at + dt.timedelta(minutes=minutes),
        revoked_at=revoked_at,
    )


def work(ticket: Ticket, engineer: User, at: dt.datetime, mode: str = "remote") -> WorkLog:
    """A work-log row as it is stored (written directly: the service would refuse a remote
    entry without a grant, but rows imported or written before the rule exist)."""
    return WorkLog.objects.create(
        ticket=ticket,
        author=engineer,
        body="Restarted the spooler",
        minutes=5,
        mode=mode,
        performed_at=at,
        created_at=at,
    )


__all__ = ["sh"]
