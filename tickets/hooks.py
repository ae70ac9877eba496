"""What feature apps above ``tickets`` plug into, without ``tickets`` naming them.

* **Panels** on the ticket page and the service report: a feature registers a template
  and a function that builds its context for one ticket and one viewer (``None``: nothing
  to show this viewer). Places: ``work`` (the engineer's side column, under "Next step"),
  ``requester`` (the top of the requester's page, where they act), ``main`` (under the
  description, for everyone who may read the ticket), ``report`` (the printed report).
  Context functions must run a fixed number of queries whatever the ticket's history.
* **Timeline entry kinds**: a feature's ``TextChoices`` of ``TicketEvent`` kinds, with an
  icon and optionally a template that shows the entry's ``data``.
* **Resolve guards**: asked before a ticket is resolved; a message refuses it.
* **Signals**: ``public_update`` (staff wrote something the requester reads: a public reply
  or a public work-log entry), ``resolved`` (a fix was proposed) and ``verified`` (the fix
  was confirmed: by the requester, by an engineer for them, or by the system after
  ``TICKETS_AUTO_VERIFY_DAYS``), sent inside the service's transaction, the ticket's row
  locked and already saved in its new state; ``filed`` (a requester's web form was filed,
  after the service's transaction, with the form's data: a feature reads its own fields).
* **Filing asides**: a feature's partial shown under the symptom on the requester's
  new-ticket form (inside the form, so its hidden fields are posted with it), with a
  function that builds its context for the viewer and the posted data (``None`` on GET).
* **The assigner**: one function that chooses who a ticket being filed goes to (automatic
  assignment), called by ``submit_ticket`` inside its transaction before the ticket is
  inserted (so it is inserted already assigned: one write, the tickets' triggers fire
  once), and before the site's local-contact routing; ``submit_ticket`` writes the entry
  it returns with the filing's other timeline entries and tells the assignee with the
  filing's other notices. With the labels of the notes it leaves on a ticket it could not
  assign (why nobody), which the queue and the work view show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import django.dispatch
from django.db import models

from tickets.choices import EventKind

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket

PLACES = ("work", "requester", "main", "report")

# sender=Ticket; ticket=, actor=, at= (the moment of the update).
public_update = django.dispatch.Signal()
# sender=Ticket; ticket=, actor=, at=.
resolved = django.dispatch.Signal()
# sender=Ticket; ticket=, actor= (None when the system verified it), at=.
verified = django.dispatch.Signal()
# sender=Ticket; ticket=, actor=, data= (the form's POST data, read-only).
filed = django.dispatch.Signal()


@dataclass(frozen=True)
class Panel:
    name: str
    place: str
    template: str
    context: Callable[[Ticket, User], dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class Shown:
    """A panel ready to include: its template and the context it built."""

    name: str
    template: str
    context: dict[str, Any]


@dataclass(frozen=True)
class EntryKind:
    label: Any
    icon: str
    template: str | None


@dataclass(frozen=True)
class TimelineEntry:
    """The timeline entry an assigner's choice adds to the filing's entries (no actor: the
    system chose)."""

    kind: str
    data: dict[str, Any]
    is_internal: bool = False


@dataclass(frozen=True)
class AutoAssigned:
    """What the assigner chose for a ticket about to be filed: ``assignee`` (their turn
    taken; ``submit_ticket`` inserts the ticket theirs and tells them), or nobody, with
    ``note`` saying why (a code it registered, kept on the ticket). ``entry``: the timeline
    entry saying so, written with the filing's other entries."""

    assignee: User | None
    note: str = ""
    entry: TimelineEntry | None = None


# The ticket being filed (not inserted yet: no ``pk``; its number, requester, site,
# category and priority are set) and the moment of filing; ``None`` when automatic
# assignment is off for this ticket (the desk's routing goes on as if there were no
# assigner). Runs inside the filing transaction; what it locks stays locked until commit.
Assigner = Callable[["Ticket", dt.datetime], AutoAssigned | None]

_panels: dict[str, Panel] = {}
_kinds: dict[str, EntryKind] = {}
_guards: list[Callable[[Ticket], str | None]] = []
_asides: dict[
    str, tuple[str, Callable[[User, Mapping[str, Any] | None], dict[str, Any] | None]]
] = {}
_assigner: list[Assigner] = []
_assign_notes: dict[str, Any] = {}


def register_panel(panel: Panel) -> None:
    if panel.place not in PLACES:
        raise ValueError(f"{panel.name}: unknown place {panel.place!r}")
    _panels[panel.name] = panel


def panels(ticket: Ticket, user: User, *places: str) -> dict[str, list[Shown]]:
    """``{place: [Shown, …]}`` for this viewer, in each panel's order."""
    found: dict[str, list[Shown]] = {place: [] for place in places or PLACES}
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.name)):
        if panel.place not in found:
            continue
        context = panel.context(ticket, user)
        if context is not None:
            found[panel.place].append(Shown(panel.name, panel.template, context))
    return found


def register_entry_kinds(
    kinds: type[models.TextChoices], *, icon: str, templates: dict[str, str] | None = None
) -> None:
    """Timeline kinds of a feature: their label, an icon, and a template per kind (optional)
    rendered with ``event`` to show the entry's data."""
    for value, label in kinds.choices:
        _kinds[value] = EntryKind(label, icon, (templates or {}).get(value))


def entry_kind(kind: str) -> EntryKind | None:
    return _kinds.get(kind)


def entry_label(kind: str) -> str:
    """A timeline entry's name for people: a feature's kind, the desk's own, or the code."""
    extra = _kinds.get(kind)
    if extra is not None:
        return str(extra.label)
    try:
        return str(EventKind(kind).label)
    except ValueError:
        return kind


def register_resolve_guard(guard: Callable[[Ticket], str | None]) -> None:
    if guard not in _guards:
        _guards.append(guard)


def resolve_refusal(ticket: Ticket) -> str | None:
    """The first guard's reason not to resolve ``ticket`` now, if any."""
    for guard in _guards:
        reason = guard(ticket)
        if reason:
            return reason
    return None


def register_filing_aside(
    name: str,
    template: str,
    context: Callable[[User, Mapping[str, Any] | None], dict[str, Any] | None],
) -> None:
    _asides[name] = (template, context)


def filing_asides(user: User, data: Mapping[str, Any] | None) -> list[Shown]:
    """The asides of the new-ticket form for this viewer (``data``: what was posted)."""
    found = []
    for name, (template, build) in sorted(_asides.items()):
        context = build(user, data)
        if context is not None:
            found.append(Shown(name, template, context))
    return found


def register_assigner(assigner: Assigner, *, notes: Mapping[str, Any]) -> None:
    """Make ``assigner`` the one that may assign new tickets (a second call replaces it);
    ``notes``: code -> label of why nobody was assigned, with ``%(category)s``."""
    _assigner[:] = [assigner]
    _assign_notes.update(notes)


def auto_assign(ticket: Ticket, now: dt.datetime) -> AutoAssigned | None:
    """Run the assigner on a ticket being filed, before it is inserted (inside the filing
    transaction)."""
    return _assigner[0](ticket, now) if _assigner else None


def assign_note_label(ticket: Ticket) -> str:
    """Why the ticket was left unassigned, for people (empty once someone has it). Reads
    the ticket's category: lists select it with the ticket."""
    label = _assign_notes.get(ticket.assign_note) if ticket.assign_note else None
    if label is None or ticket.assignee_id is not None:
        return ""
    return str(label) % {"category": ticket.category.label}
