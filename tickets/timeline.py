"""The ticket page's timeline in one query.

A long history opens on its latest entries (the ones the next step depends on); the rest is
one click away (``?all=1``). Only what is shown is loaded: the latest ``latest`` entries,
how many are folded away, every SLA entry (shown beside the clocks, not in the timeline),
and the last resolution or rejected fix (the engineer is shown a rejection not yet answered
by a new fix). Loading a whole 250-entry history to show 50 cost the page ~10 ms.

Which entries to load is chosen by a window over the entries the viewer may read, written
in SQL around the viewer's own ``events_for`` query: the same filter through the ORM's
window expressions cost ~3 ms of Python per page to compile (the ORM wraps a filtered
window in two more levels of subquery, re-aliasing every column of the entry, its author
and its message), the SQL below a tenth of that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import AnyUser
from tickets import permissions
from tickets.choices import SLA_EVENT_KINDS, EventKind
from tickets.models import Ticket, TicketEvent
from tickets.selectors import events_for
from tickets.selectors_prepared import Prepared

FIX_KINDS = (EventKind.RESOLVED, EventKind.FIX_REJECTED)

_SLA = tuple(str(k) for k in sorted(SLA_EVENT_KINDS))
_FIX = tuple(str(k) for k in FIX_KINDS)
_IN_SLA = f"kind IN ({', '.join(['%s'] * len(_SLA))})"
_IN_FIX = f"kind IN ({', '.join(['%s'] * len(_FIX))})"
_ORDER = "ORDER BY at DESC, id DESC"
# Over the entries the viewer may read (``{visible}``: their ids, kinds and times): the
# latest ``%s`` timeline entries, every SLA entry, and the latest fix however old.
# Placeholders only: every value is a parameter.
_CHOSEN = (
    "SELECT id FROM (SELECT id, kind,"  # noqa: S608
    f" ROW_NUMBER() OVER (PARTITION BY {_IN_SLA} {_ORDER}) AS rank,"
    f" ROW_NUMBER() OVER (PARTITION BY {_IN_SLA}, {_IN_FIX} {_ORDER}) AS fix_rank"
    " FROM ({visible}) AS visible) AS ranked"
    f" WHERE {_IN_SLA} OR rank <= %s OR (fix_rank = 1 AND {_IN_FIX})"
)
_ENTRIES = f"SELECT COUNT(*) FROM ({{visible}}) AS visible WHERE NOT {_IN_SLA}"  # noqa: S608


@dataclass(frozen=True)
class Timeline:
    events: Sequence[TicketEvent]  # oldest first
    earlier: int  # entries before ``events`` not loaded
    sla_events: Sequence[TicketEvent]
    last_fix: TicketEvent | None  # the latest resolution or rejected fix


def timeline_for(user: AnyUser, ticket: Ticket, latest: int | None) -> Timeline:
    """``latest=None`` loads the whole timeline."""
    if latest is None:
        loaded = list(events_for(user, ticket).order_by("at", "id"))
    else:
        window = WINDOW[permissions.can_view_internal(user)]
        loaded = window.objects(ticket.pk, latest)
    timeline = [e for e in loaded if e.kind not in SLA_EVENT_KINDS]
    # The window's entries are the latest ``latest``; the latest fix, when older, comes
    # before them all.
    shown = timeline if latest is None else timeline[-latest:]
    fixes = [e for e in loaded if e.kind in FIX_KINDS]
    return Timeline(
        events=shown,
        earlier=(_entries(shown[0]) - len(shown)) if shown and latest is not None else 0,
        sla_events=[e for e in loaded if e.kind in SLA_EVENT_KINDS],
        last_fix=fixes[-1] if fixes else None,
    )


def _window(ticket_id: int, latest: int, *, internal: bool) -> QuerySet[TicketEvent]:
    """The entries shown, the SLA entries and the latest fix, oldest first, each with how
    many timeline entries the viewer may read (``entries``)."""
    rows = TicketEvent.objects.filter(ticket_id=ticket_id).select_related("actor", "message")
    if not internal:
        rows = rows.filter(is_internal=False)  # as ``events_for`` reads for this viewer
    # Entries show their author's name and their message's text: not every column of both.
    rows = rows.defer(*(f"actor__{name}" for name in _ACTOR_UNUSED), "message__ticket")
    visible, params = (
        rows.select_related(None).order_by().values("id", "kind", "at").query.sql_with_params()
    )
    chosen = (*_SLA, *_SLA, *_FIX, *params, *_SLA, latest, *_FIX)
    # The SQL above around the ORM's own compiled query; every value is a parameter.
    rows = rows.filter(id__in=RawSQL(_CHOSEN.replace("{visible}", visible), chosen))  # noqa: S611
    entries = _ENTRIES.replace("{visible}", visible)
    rows = rows.annotate(entries=RawSQL(entries, (*params, *_SLA), IntegerField()))  # noqa: S611
    return rows.order_by("at", "id")


# Columns of an entry's author no entry shows (``User.name`` is the display name, the full
# name or the username).
_ACTOR_UNUSED = (
    "password",
    "last_login",
    "email",
    "date_joined",
    "phone",
    "phone_digits",
    "employee_id",
    "wecom_id",
    "dingtalk_id",
    "feishu_id",
    "slack_id",
    "language",
    "session_generation",
)

# Compiled once per process (``selectors_prepared``), for readers of internal entries and
# for everyone else.
WINDOW = {
    internal: Prepared(partial(_window, internal=internal), int, int) for internal in (True, False)
}


def _entries(event: TicketEvent) -> int:
    """The ``entries`` annotation: how many timeline entries the viewer may read."""
    return int(event.entries)  # type: ignore[attr-defined]
