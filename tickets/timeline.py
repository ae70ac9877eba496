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

from django.db.models import IntegerField
from django.db.models.expressions import RawSQL

from accounts.models import AnyUser
from tickets.choices import SLA_EVENT_KINDS, EventKind
from tickets.models import Ticket, TicketEvent
from tickets.selectors import events_for

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
    rows = events_for(user, ticket)
    if latest is not None:
        visible, params = (
            rows.select_related(None).order_by().values("id", "kind", "at").query.sql_with_params()
        )
        chosen = (*_SLA, *_SLA, *_FIX, *params, *_SLA, latest, *_FIX)
        # The SQL above around the ORM's own compiled query; every value is a parameter.
        rows = rows.filter(id__in=RawSQL(_CHOSEN.replace("{visible}", visible), chosen))  # noqa: S611
        entries = _ENTRIES.replace("{visible}", visible)
        rows = rows.annotate(entries=RawSQL(entries, (*params, *_SLA), IntegerField()))  # noqa: S611
    loaded = list(rows.order_by("at", "id"))
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


def _entries(event: TicketEvent) -> int:
    """The ``entries`` annotation: how many timeline entries the viewer may read."""
    return int(event.entries)  # type: ignore[attr-defined]
