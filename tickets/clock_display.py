"""How a ticket's two SLA clocks read on its page and in the queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from sla import rules
from sla.choices import RetriageRule
from sla.display import ClockView, duration_text, running
from tickets.choices import ClosedAs, Priority, TicketState
from tickets.models import Ticket


def response_clock(ticket: Ticket, now: dt.datetime) -> ClockView:
    name = _("Response")
    due = ticket.response_due_at
    if due is None:
        return ClockView(name, "stopped", None, _("no deadline"), "bg-secondary-lt")
    if ticket.accepted_at:
        late = int((ticket.accepted_at - due).total_seconds())
        if late > 0:
            return ClockView(
                name, "late", due, _("responded %s late") % duration_text(late), "bg-red-lt"
            )
        return ClockView(name, "met", due, _("responded in time"), "bg-green-lt")
    if ticket.state != TicketState.SUBMITTED:
        return ClockView(name, "stopped", due, _("stopped"), "bg-secondary-lt")
    return running(name, due, ticket.response_warn_at, now)


def resolution_clock(ticket: Ticket, now: dt.datetime) -> ClockView:
    name = _("Resolution")
    due = ticket.resolution_due_at
    if due is None:
        return ClockView(name, "stopped", None, _("no deadline"), "bg-secondary-lt")
    finished = ticket.state in (TicketState.RESOLVED, TicketState.VERIFIED) or (
        ticket.state == TicketState.CLOSED and ticket.closed_as == ClosedAs.COMPLETED
    )
    if finished:
        if ticket.resolution_breached_at:
            return ClockView(name, "late", due, _("resolved late"), "bg-red-lt")
        return ClockView(name, "met", due, _("resolved in time"), "bg-green-lt")
    if ticket.state == TicketState.CLOSED and ticket.closed_as == ClosedAs.DUPLICATE:
        return ClockView(name, "stopped", due, _("merged: stopped"), "bg-secondary-lt")
    if ticket.state == TicketState.CLOSED:
        return ClockView(name, "stopped", due, _("cancelled"), "bg-secondary-lt")
    if ticket.sla_paused_at:
        return ClockView(name, "paused", due, _("paused"), "bg-yellow-lt")
    return running(name, due, ticket.resolution_warn_at, now)


def queue_clock(ticket: Ticket, now: dt.datetime) -> ClockView:
    """The clock that matters now in the queue: response while unaccepted, then resolution."""
    if ticket.state == TicketState.SUBMITTED:
        return response_clock(ticket, now)
    return resolution_clock(ticket, now)


# --- a priority change: what the rule did to each clock --------------------------------------


@dataclass(frozen=True)
class Recalculation:
    """A priority change in words: the rule applied, then one sentence per clock."""

    rule: str
    reason: str
    response: str
    resolution: str


def _when(value: Any) -> str:
    """An ISO time from event data, in the reader's zone (the active one), as on the page."""
    moment = _parse(value)
    if moment is None:
        return "—"
    return dateformat.format(timezone.localtime(moment), "Y-m-d H:i")


def _parse(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _hours_text(seconds: int) -> str:
    """Time a clock ran, in hours even past a day ("90 h", not "3 d 18 h"): on a working-hours
    clock a day of 24 h would read as if it were three working days."""
    hours, minutes = divmod(max(0, seconds) // 60, 60)
    if hours and minutes:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    if hours:
        return _("%(h)d h") % {"h": hours}
    return _("%(m)d min") % {"m": minutes}


def _budget(minutes: Any, around_the_clock: Any) -> str:
    span = duration_text(int(minutes or 0) * 60)
    if around_the_clock:
        return _("%(span)s around the clock (7×24)") % {"span": span}
    return _("%(span)s of working time") % {"span": span}


def _clock_sentence(data: Mapping[str, Any], clock: str, at: dt.datetime) -> str:
    """What the change did to one clock (``response`` or ``resolution``)."""
    outcome = data.get(clock)
    name = _("Response") if clock == "response" else _("Resolution")
    prefix = "respond" if clock == "response" else "resolve"
    values = {
        "clock": name,
        "elapsed": _hours_text(int(data.get(f"{clock}_elapsed_seconds") or 0)),
        "budget": _budget(data.get(f"{prefix}_minutes"), data.get(f"{prefix}_24x7")),
        "due": _when(data.get(f"{clock}_to")),
        "was": _when(data.get(f"{clock}_from")),
    }
    if outcome == rules.RESTARTED:
        return (
            _(
                "%(clock)s: %(elapsed)s elapsed before the change; restarted at the change with "
                "%(budget)s: due %(due)s (was %(was)s)."
            )
            % values
        )
    if outcome == rules.KEPT:
        return (
            _(
                "%(clock)s: %(elapsed)s elapsed before the change; the earlier promise stands, "
                "since a lower priority never shortens it: due %(due)s."
            )
            % values
        )
    if outcome == rules.RECALCULATED:
        text = (
            _(
                "%(clock)s: recalculated from the filing time with %(budget)s: "
                "due %(due)s (was %(was)s)."
            )
            % values
        )
        due = _parse(data.get(f"{clock}_to"))
        if due is not None and due <= at:
            text = _("%(text)s Overdue at once.") % {"text": text}
        return text
    if clock == "response":
        return _("Response: already answered, unchanged.")
    return _("Resolution: already resolved, unchanged.")


def explain_recalculation(data: Mapping[str, Any], at: dt.datetime) -> Recalculation | None:
    """The ``sla_recalculated`` event of a priority change in the reader's language and zone
    (``None`` for an event recorded before the re-triage rules, which the page shows as
    "from → to")."""
    if data.get("rule") not in RetriageRule.values:
        return None
    return _explain(data, at)


def _explain(data: Mapping[str, Any], at: dt.datetime) -> Recalculation:
    values = {
        "from": _priority(data.get("from_priority")),
        "to": _priority(data.get("priority")),
    }
    if data.get("rule") == RetriageRule.RESTART:
        said = (
            _(
                "Priority %(from)s → %(to)s. Rule of the %(to)s policy: clocks not yet met "
                "restart at the change; a lower priority never shortens a promised deadline."
            )
            % values
        )
    else:
        said = (
            _(
                "Priority %(from)s → %(to)s. Rule of the %(to)s policy: deadlines recalculated "
                "from the filing time."
            )
            % values
        )
    reason = str(data.get("reason") or "")
    return Recalculation(
        rule=said,
        reason=_("Reason: %(reason)s") % {"reason": reason} if reason else "",
        response=_clock_sentence(data, "response", at),
        resolution=_clock_sentence(data, "resolution", at),
    )


def _priority(value: Any) -> str:
    try:
        return str(Priority(value).label)
    except ValueError:
        return str(value or "—")


@dataclass(frozen=True)
class PriorityPreview:
    """What a priority change would do, shown on the form before it is saved."""

    priority: str
    explanation: Recalculation
    clocks: list[ClockView]
    overdue: list[str]

    @property
    def overdue_text(self) -> str:
        return _(", ").join(self.overdue)


def priority_preview(draft: Ticket, data: Mapping[str, Any], now: dt.datetime) -> PriorityPreview:
    """``draft`` is the unsaved ticket ``services.preview_priority_change`` returned."""
    explanation = _explain(data, now)
    clocks = [response_clock(draft, now), resolution_clock(draft, now)]
    return PriorityPreview(
        priority=_priority(draft.priority),
        explanation=explanation,
        clocks=clocks,
        overdue=[clock.name for clock in clocks if clock.status == "breached"],
    )
