"""Small presentation helpers: badge colours (always with text), step indicators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import template
from django.template.defaultfilters import join
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from servicedesk.template_builtins import moment, text
from sla.display import ClockView, duration_text
from tickets import clock_display, hooks
from tickets.choices import STATE_STEPS, ClosedAs, EventKind, Priority, TicketState, WaitingOn
from tickets.models import Ticket, TicketEvent

register = template.Library()

_PRIORITY_CLASS = {"high": "bg-red-lt", "medium": "bg-orange-lt", "low": "bg-secondary-lt"}
_STATE_CLASS: dict[str, str] = {
    TicketState.SUBMITTED: "bg-blue-lt",
    TicketState.ACCEPTED: "bg-azure-lt",
    TicketState.DIAGNOSED: "bg-indigo-lt",
    TicketState.RESOLVED: "bg-green-lt",
    TicketState.VERIFIED: "bg-teal-lt",
    TicketState.CLOSED: "bg-secondary-lt",
}
_EVENT_ICON: dict[str, str] = {
    EventKind.SUBMITTED: "ti-file-plus",
    EventKind.ACCEPTED: "ti-hand-grab",
    EventKind.DIAGNOSED: "ti-stethoscope",
    EventKind.RESOLVED: "ti-tool",
    EventKind.VERIFIED: "ti-circle-check",
    EventKind.FIX_REJECTED: "ti-arrow-back-up",
    EventKind.CLOSED: "ti-archive",
    EventKind.CANCELLED: "ti-circle-x",
    EventKind.REPLIED: "ti-message",
    EventKind.NOTE_ADDED: "ti-lock",
    EventKind.INFO_REQUESTED: "ti-help",
    EventKind.INFO_PROVIDED: "ti-message-check",
    EventKind.ATTACHMENT_ADDED: "ti-paperclip",
    EventKind.PRIORITY_CHANGED: "ti-flag",
    EventKind.ASSIGNED: "ti-user-share",
    EventKind.WATCHER_ADDED: "ti-eye",
    EventKind.WATCHER_REMOVED: "ti-eye-off",
    EventKind.DETAILS_EDITED: "ti-pencil",
    EventKind.REOPENED: "ti-refresh",
    EventKind.LINKED: "ti-link",
    EventKind.UNLINKED: "ti-unlink",
    EventKind.MERGED_INTO: "ti-arrow-merge",
    EventKind.MERGED_FROM: "ti-arrow-merge",
    EventKind.ATTACHMENT_DOWNLOADED: "ti-download",
}


@register.filter
def priority_class(priority: str) -> str:
    return _PRIORITY_CLASS.get(priority, "bg-secondary-lt")


@register.filter
def state_class(state: str) -> str:
    return _STATE_CLASS.get(state, "bg-secondary-lt")


@register.filter
def assign_note(ticket: Ticket) -> str:
    """Why automatic assignment left the ticket to nobody (empty once someone has it)."""
    return hooks.assign_note_label(ticket)


@register.filter
def event_icon(kind: str) -> str:
    extra = hooks.entry_kind(kind)
    return extra.icon if extra else _EVENT_ICON.get(kind, "ti-point")


@register.filter
def event_label(kind: str) -> str:
    return hooks.entry_label(kind)


# The desk's own entries with something to show beyond the generic parts (who, when, the
# message, a reason, a note, files); features register theirs with ``hooks``.
_DESK_DETAILS: dict[str, str] = {
    EventKind.DIAGNOSED: "diagnosed",
    EventKind.RESOLVED: "resolved",
    EventKind.PRIORITY_CHANGED: "priority_changed",
    EventKind.ATTACHMENT_DOWNLOADED: "attachment_downloaded",
    EventKind.WATCHER_ADDED: "watcher",
    EventKind.WATCHER_REMOVED: "watcher",
    EventKind.ACCEPTED: "assignee",
    EventKind.ASSIGNED: "assignee",
    EventKind.LINKED: "link",
    EventKind.UNLINKED: "link",
    EventKind.MERGED_INTO: "link",
    EventKind.MERGED_FROM: "link",
}


def _details_template(kind: str) -> str | None:
    desk = _DESK_DETAILS.get(kind)
    if desk is not None:
        return f"tickets/partials/events/{desk}.html"
    extra = hooks.entry_kind(kind)
    return None if extra is None else extra.template


# Entry templates whose markup a function writes (the template calls it too): the
# timeline calls the function, without a template's context and lookups per entry.
_writers: dict[str, Callable[[TicketEvent], str]] = {}


def write_entries_with(template_name: str, writer: Callable[[TicketEvent], str]) -> None:
    """``writer(event)`` writes exactly what the entry template ``template_name`` renders
    (the template being a call of it): a feature's kinds keep their template for
    ``tickets.hooks``, and the timeline skips the template engine for them."""
    _writers[template_name] = writer


@register.simple_tag(takes_context=True)
def event_details(context: template.Context, event: TicketEvent) -> str:
    """What one timeline entry shows of its own data: one template per kind, chosen here
    (one lookup per entry instead of a chain of conditions), rendered in the page's context
    with ``event`` (and ``e``) set to the entry, or written by its function."""
    name = _details_template(event.kind)
    if name is None:
        return ""
    writer = _writers.get(name)
    if writer is not None:
        return writer(event)
    return _render_in(context, name, event)


def _datum(data: object, key: str) -> Any:
    """``{{ e.data.key }}``: a key of the entry's data, ``None`` when missing."""
    return data.get(key) if isinstance(data, dict) else None


@register.simple_tag(takes_context=True)
def timeline_entries(context: template.Context, events: list[TicketEvent]) -> SafeString:
    """The timeline's entries, the markup ``_timeline.html`` wrote per entry, in Python: the
    work view shows fifty of them and spent ~5 ms in the template's lookups. Each kind's own
    data still goes through its template (``event_details``)."""
    # Translated outside the f-strings: ``makemessages`` reads no call inside one.
    internal_label = text(_("Internal — not shown to the requester"))
    internal_badge = f' <span class="badge bg-yellow-lt">{internal_label}</span>'
    system = text(_("System"))
    reason_label = text(_("Reason"))
    # Per kind once per page: the label (a lazy translation) and the icon.
    heads: dict[str, tuple[str, str]] = {}
    out = []
    for e in events:
        internal = e.is_internal
        data = e.data
        actor = e.actor
        who = text(actor.name) if actor else system
        head = heads.get(e.kind)
        if head is None:
            head = heads[e.kind] = (text(event_icon(e.kind)), text(event_label(e.kind)))
        if e.to_state and e.from_state:
            who += f" · {text(state_label(e.from_state))} → {text(state_label(e.to_state))}"
        parts = [
            f'\n      <li class="timeline-event{" timeline-internal" if internal else ""}" '
            f'data-kind="{text(e.kind)}">\n'
            '        <div class="timeline-event-icon '
            f'{"bg-yellow-lt" if internal else "bg-primary-lt"}"><i class="ti '
            f'{head[0]}" aria-hidden="true"></i></div>\n'
            '        <div class="card timeline-event-card">\n'
            '          <div class="card-body">\n'
            f'            <div class="text-secondary float-end small">{moment(e.at)}</div>\n'
            f'            <h3 class="h4 mb-1">{head[1]}'
            f"{internal_badge if internal else ''}</h3>\n"
            f'            <div class="text-secondary small">{who}</div>\n'
        ]
        message = e.message
        if message:
            parts.append(f'<p class="mt-2 mb-0 text-pre-wrap">{text(message.body)}</p>\n')
        reason = _datum(data, "reason")
        if reason:
            parts.append(f'<p class="mt-2 mb-0">{reason_label}: {text(reason)}</p>\n')
        note = _datum(data, "note")
        if note:
            parts.append(f'<p class="mt-2 mb-0">{text(note)}</p>\n')
        files = _datum(data, "files")
        if files:
            parts.append(
                '<p class="mt-2 mb-0"><i class="ti ti-paperclip" aria-hidden="true"></i> '
                f"{_joined(files)}</p>\n"
            )
        parts.append(str(event_details(context, e)))
        if _datum(data, "merged_from"):
            parts.append(str(_render_in(context, MERGED_MARKER, e)))
        parts.append("\n          </div>\n        </div>\n      </li>")
        out.append("".join(parts))
    return mark_safe("".join(out))  # noqa: S308 - every value above was escaped


MERGED_MARKER = "tickets/partials/events/merged_marker.html"


def _joined(files: Any) -> str:
    """``{{ files|join:", " }}``: each name escaped (the filter, without its per-item
    ``conditional_escape`` and ``mark_safe`` calls, for a list of names)."""
    if isinstance(files, list | tuple):
        return ", ".join(text(name) for name in files)
    return str(join(files, ", ", autoescape=True))


def _render_in(context: template.Context, name: str, event: TicketEvent) -> str:
    if context.template is None:
        return ""
    shown = context.template.engine.get_template(name)
    with context.push(event=event, e=event):
        return shown.render(context)


@register.simple_tag
def state_steps(ticket: Ticket) -> list[dict[str, Any]]:
    """The step indicator: each step done, current or to come.

    A cancelled ticket, or one merged as a duplicate, shows the steps it really went
    through, then "Cancelled" ("Duplicate").
    """
    if ticket.closed_as in (ClosedAs.CANCELLED, ClosedAs.DUPLICATE):
        times = {
            TicketState.ACCEPTED: ticket.accepted_at,
            TicketState.DIAGNOSED: ticket.diagnosed_at,
            TicketState.RESOLVED: ticket.resolved_at,
        }
        reached = [TicketState.SUBMITTED] + [s for s, at in times.items() if at]
        steps = [{"label": TicketState(s).label, "done": True, "current": False} for s in reached]
        end = ClosedAs(ticket.closed_as).label
        return [*steps, {"label": end, "done": False, "current": True}]
    current = STATE_STEPS.index(ticket.state) if ticket.state in STATE_STEPS else 0
    return [
        {
            "label": TicketState(step).label,
            "done": index < current,
            "current": index == current,
        }
        for index, step in enumerate(STATE_STEPS)
    ]


@register.simple_tag(takes_context=True)
def awaited_from_requester(context: template.Context, ticket: Ticket) -> str:
    """What the requester is expected to do now, in plain words; empty when nothing."""
    if ticket.waiting_on == WaitingOn.REQUESTER:
        return _("Please answer the engineer's question")
    if ticket.state == TicketState.RESOLVED:
        return _("Please verify the fix")
    return ""


@register.filter
def priority_label(priority: str) -> str:
    try:
        return str(Priority(priority).label)
    except ValueError:
        return priority


@register.filter
def state_label(state: str) -> str:
    try:
        return str(TicketState(state).label)
    except ValueError:
        return state


@register.simple_tag
def sla_clocks(ticket: Ticket) -> list[ClockView]:
    now = timezone.now()
    return [clock_display.response_clock(ticket, now), clock_display.resolution_clock(ticket, now)]


@register.simple_tag
def queue_clock(ticket: Ticket) -> ClockView:
    return clock_display.queue_clock(ticket, timezone.now())


@register.filter
def iso_datetime(value: str | None) -> dt.datetime | None:
    """Turn an ISO string stored in event data back into a datetime for ``|date``."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def local_minute(value: object, shape: str = "%Y-%m-%d %H:%M") -> str:
    """``{{ value|date:"Y-m-d H:i" }}`` (the default ``shape``; ``"%H:%M"`` for ``"H:i"``)
    for the tags that write rows in Python: the moment in the reader's zone, by
    ``strftime`` (the same digits; Django's ``date`` filter parses its format each time,
    ~40 µs). Empty when ``value`` is not a moment."""
    if not isinstance(value, dt.datetime):
        return ""
    return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime(shape)


@register.filter
def duration(seconds: int | None) -> str:
    return duration_text(int(seconds or 0))


@register.filter
def minutes_text(minutes: int | None) -> str:
    """A budget in minutes as people say it: 480 → "8 h" ("8 小时")."""
    return duration_text(int(minutes or 0) * 60)


@register.filter
def ago(value: dt.datetime | None) -> str:
    """How long ago, as ``duration`` words (cheaper than Django's ``timesince``)."""
    if not value:
        return ""
    return duration_text(int((timezone.now() - value).total_seconds()))
