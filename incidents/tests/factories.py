"""Plain factories for incident tests: incidents declared through the services, at a
given moment (time-machine), and the reading helpers the tests share."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import time_machine
from django.core.management import call_command

from accounts.models import User
from incidents import services
from incidents.models import MajorIncident
from notifications.models import Notification


def declare_at(at: dt.datetime, *, by: User, **overrides: Any) -> MajorIncident:
    """An incident declared by ``by`` at ``at`` (a tech lead commands it himself)."""
    fields: dict[str, Any] = {
        "title": "ERP is down for everyone",
        "impact": "Nobody can post invoices or orders.",
        **overrides,
    }
    with time_machine.travel(at, tick=False):
        return services.declare(actor=by, **fields)


def run_sweeps_at(at: dt.datetime) -> None:
    """``manage.py run_sweeps incidents.clocks`` at that moment: the real sweep, as beat
    or an operator runs it."""
    with time_machine.travel(at, tick=False):
        call_command("run_sweeps", "incidents.clocks", stdout=io.StringIO())


def in_app(kind: str, **filters: Any) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind, channel="in_app", **filters).order_by("pk"))
