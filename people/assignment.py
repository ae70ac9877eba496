"""Automatic assignment: which engineer a ticket just filed goes to, and why.

``assign_new_ticket`` is the ``tickets.hooks`` assigner, called by ``submit_ticket`` inside
the filing transaction (web form, API, a logged call, IM and e-mail intake alike), before the
ticket is inserted: it chooses and takes the engineer's turn, and ``submit_ticket`` inserts
the ticket already theirs (the load trigger fires once, on that insert), writes the
assignment's timeline entry with the filing's other entries and tells the engineer with the
filing's other notices. (Assigning after the insert cost an ``UPDATE`` of the new row, with
its triggers, a timeline entry and a notice of its own: 8–10 ms of a filing's CPU.)

Three round trips per filing: the mode with the lock (``_mode_and_lock``), the choice
(``pick``: one function, ``people_assign_rank``, that ranks the eligible engineers per
calendar and returns a few rows), and the engineer's turn with the engineer read
(``_take_turn``). ``eligible_now`` and
``choose`` are the same rules applied row by row, run only to say why nobody is eligible
(a test holds the two to the same answers).

* **Mode**: the site's own (``SiteAssignment``) or else ``TICKETS_AUTO_ASSIGN``: ``off``
  (nothing happens; the desk's local-contact routing goes on as before), ``round_robin``
  or ``least_loaded``.
* **Eligible**: an active engineer (a role that works the queue) with a skill at level 2
  or more in the ticket's category or its parent, on automatic assignment, covering the
  ticket's site (no sites set: every site; a ticket without a site: anyone), allowed to
  see it (``User.limited_to_sites``: a limited engineer never gets a ticket without a site
  or of another site), and working now by their calendar (none of their own: the desk's
  default calendar).
* **Choice**: a high-priority ticket goes to the level-3 engineers first when one is
  eligible. ``least_loaded``: the lowest open load weighted by priority
  (``selectors.LOAD_WEIGHTS``, read from ``EngineerLoad``, which a trigger keeps), then
  the higher level, then who has waited longest since their last automatic assignment
  (never first), then username. ``round_robin``: strict turns, i.e. who has waited
  longest, then username.
* **Nobody eligible**: the ticket stays unassigned with a note saying which condition no
  skilled engineer met (``UnassignedNote``), shown in the queue and the work view, and an
  internal timeline entry.

Races: two tickets filed at the same moment must not both see the same engineer as the
least loaded (each transaction would count the other's ticket only after it commits). The
pick and the ticket's insert run under one transaction-level advisory lock, held until the
filing commits; the next filing waits for it and, in READ COMMITTED, its queries then see
the ticket just assigned and the load it added. Filings with automatic assignment off
never take the lock. (Today the day's ticket counter already serialises filings: its
upsert holds the row until commit. The lock keeps assignment safe on its own.)

``last_assigned_at`` is written as "now, but after every other engineer's": equal clocks
(two filings in one microsecond, web servers whose clocks differ a little) still give a
strict order of turns.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from people import selectors
from people.choices import AssignEntry, AssignMode, SkillLevel, UnassignedNote
from people.models import EngineerLoad, EngineerProfile, SiteAssignment, Skill
from servicedesk.lib.business_hours import is_working
from sla.calendars import calendar_by_id
from tickets.choices import EventKind, Priority
from tickets.hooks import AutoAssigned, TimelineEntry
from tickets.models import Ticket

_LOCK = "people.assign"
# The permission whose roles work the queue (``tickets.selectors.engineers``).
QUEUE_PERMISSION = "work_ticket"


@dataclass(frozen=True)
class Candidate:
    """A skilled engineer as automatic assignment weighs them."""

    pk: int
    username: str
    level: int
    auto_assign: bool
    calendar_id: int | None
    last_assigned_at: dt.datetime | None
    sites: frozenset[int]  # covered (empty: every site)
    limits: frozenset[int]  # may see (empty, or a superuser: every site)
    load: selectors.Load  # their open tickets now

    def covers(self, site_id: int | None) -> bool:
        covered = site_id is None or not self.sites or site_id in self.sites
        visible = not self.limits or site_id in self.limits
        return covered and visible

    @property
    def waited(self) -> tuple[bool, dt.datetime]:
        """Sorts who has waited longest first: never assigned, then the oldest turn."""
        last = self.last_assigned_at
        return (last is not None, last or dt.datetime.min.replace(tzinfo=dt.UTC))


def mode_for(site_id: int | None) -> str:
    """The site's own mode if it has one, else ``TICKETS_AUTO_ASSIGN``."""
    if site_id is not None:
        own = SiteAssignment.objects.filter(site_id=site_id).values_list("mode", flat=True)
        for mode in own:
            return mode
    return str(settings.TICKETS_AUTO_ASSIGN)


def skilled_for(ticket: Ticket) -> list[Candidate]:
    """Every active engineer at level 2 or more in the ticket's category or its parent, with
    what the other conditions and the choice need, in one statement from their skills:
    user, profile and open load joined, the covered sites and site limits as arrays.

    Written as SQL: it runs on every filing, and building it through the ORM cost more
    than running it. Runs after ``_lock``, which turned JIT off (with the statistics of a
    user table that has just grown, PostgreSQL may estimate it in the millions)."""
    category = ticket.category
    categories = [category.pk] + ([category.parent_id] if category.parent_id else [])
    role_sql, role_params = _engineers_sql()
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES.format(engineers=role_sql), [categories, *role_params])
        rows = cursor.fetchall()
    return [
        Candidate(
            pk=pk,
            username=username,
            level=level,
            auto_assign=auto is not False,  # no profile yet: on
            calendar_id=calendar,
            last_assigned_at=last,
            sites=frozenset(covered),
            limits=frozenset() if superuser else frozenset(limits),
            load=selectors.Load(load_open, load_weighted),
        )
        for (
            pk,
            username,
            level,
            auto,
            calendar,
            last,
            covered,
            limits,
            superuser,
            load_open,
            load_weighted,
        ) in rows
    ]


_CANDIDATES = f"""
    SELECT u.id, u.username, max(s.level), p.auto_assign, p.calendar_id, p.last_assigned_at,
        ARRAY(SELECT c.site_id FROM {EngineerProfile.sites.through._meta.db_table} c
              WHERE c.engineerprofile_id = p.id),
        ARRAY(SELECT x.site_id FROM {User.limited_to_sites.through._meta.db_table} x
              WHERE x.user_id = u.id),
        u.is_superuser, coalesce(l.open_tickets, 0), coalesce(l.weighted, 0)
    FROM {Skill._meta.db_table} s
    JOIN {User._meta.db_table} u ON u.id = s.engineer_id AND u.is_active
    LEFT JOIN {EngineerProfile._meta.db_table} p ON p.user_id = u.id
    LEFT JOIN {EngineerLoad._meta.db_table} l ON l.engineer_id = u.id
    WHERE s.category_id = ANY(%s) AND s.level >= {SkillLevel.INDEPENDENT:d}
        AND u.id IN ({{engineers}})
    GROUP BY u.id, p.id, l.engineer_id
"""  # noqa: S608 - table names from the models, values as parameters


@functools.cache
def _engineers_sql() -> tuple[str, tuple[Any, ...]]:
    """Who has a role that works the queue (``tickets.selectors.engineers``), as SQL built
    once per process: the role rule stays the tickets app's."""
    query = selectors.engineers().order_by().values("pk").query
    sql, params = query.sql_with_params()
    return sql, tuple(params)


def eligible_now(ticket: Ticket, now: dt.datetime) -> tuple[list[Candidate], UnassignedNote | None]:
    """The engineers who may take the ticket now, or nobody and the first condition no
    skilled engineer met (the most useful thing to tell a lead: hire, re-enable, extend a
    site, or wait for the shift)."""
    found = skilled_for(ticket)
    if not found:
        return [], UnassignedNote.NO_SKILL
    found = [c for c in found if c.auto_assign]
    if not found:
        return [], UnassignedNote.UNAVAILABLE
    found = [c for c in found if c.covers(ticket.site_id)]
    if not found:
        return [], UnassignedNote.NO_SITE
    on_shift: dict[int | None, bool] = {}  # most share a calendar: ask each one once
    for calendar_id in {c.calendar_id for c in found}:
        on_shift[calendar_id] = is_working(now, calendar_by_id(calendar_id))
    found = [c for c in found if on_shift[c.calendar_id]]
    if not found:
        return [], UnassignedNote.OFF_SHIFT
    return found, None


def choose(mode: str, ticket: Ticket, eligible: list[Candidate]) -> tuple[Candidate, bool]:
    """The engineer the ticket goes to, and whether the level-3 rule narrowed the choice."""
    pool = eligible
    experts_first = False
    if ticket.priority == Priority.HIGH:
        experts = [c for c in eligible if c.level >= SkillLevel.EXPERT]
        if experts:
            pool, experts_first = experts, len(experts) < len(eligible)
    return min(pool, key=_order(mode)), experts_first


def _order(mode: str) -> Callable[[Candidate], tuple[Any, ...]]:
    """The sort key of the mode's choice (``people_assign_rank`` orders alike in SQL)."""
    if mode == AssignMode.ROUND_ROBIN:
        return lambda c: (c.waited, c.username)
    return lambda c: (c.load.weighted, -c.level, c.waited, c.username)


def pick(mode: str, ticket: Ticket, now: dt.datetime) -> tuple[Candidate, int, bool] | None:
    """``choose`` over ``eligible_now`` in one statement that returns a few rows, not every
    skilled engineer: per calendar, the one the mode would choose among the eligible
    engineers who work by it and the first expert, with how many there are
    (``people_assign_rank``, migration ``people.0003``: a PL/pgSQL function, so PostgreSQL
    plans it once per connection). Then the calendars that are on shift now, and the best
    of their firsts. The chosen engineer, how many were eligible, and whether the level-3
    rule narrowed the choice; ``None`` when nobody is eligible (``eligible_now`` says why).

    Returning every skilled engineer (to filter and sort them in Python) cost 1–2 ms of a
    filing's CPU with 200 engineers; planning the statement on every filing about 1 ms."""
    category = ticket.category
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM people_assign_rank(%s::bigint, %s::bigint, %s::bigint, %s, %s)",
            [
                category.pk,
                category.parent_id,  # none: ``IN (x, NULL)`` matches x alone
                ticket.site_id,
                QUEUE_PERMISSION,
                mode == AssignMode.ROUND_ROBIN,
            ],
        )
        rows = cursor.fetchall()
    on_shift: dict[int | None, bool] = {}
    firsts: list[Candidate] = []
    experts: list[Candidate] = []
    count = expert_count = 0
    for row in rows:
        (pk, username, level, calendar_id, last, load_open, load_weighted) = row[:7]
        n, n_experts, first, first_expert = row[7:]
        if calendar_id not in on_shift:
            on_shift[calendar_id] = is_working(now, calendar_by_id(calendar_id))
            if on_shift[calendar_id]:
                count, expert_count = count + n, expert_count + n_experts
        if not on_shift[calendar_id]:
            continue
        found = Candidate(
            pk=pk,
            username=username,
            level=level,
            auto_assign=True,
            calendar_id=calendar_id,
            last_assigned_at=last,
            sites=frozenset(),  # checked by the function
            limits=frozenset(),
            load=selectors.Load(load_open, load_weighted),
        )
        if first:
            firsts.append(found)
        if first_expert:
            experts.append(found)
    if not firsts:
        return None
    if ticket.priority == Priority.HIGH and experts:
        return min(experts, key=_order(mode)), count, expert_count < count
    return min(firsts, key=_order(mode)), count, False


_MODE_AND_LOCK = f"""
    SELECT m.mode, CASE WHEN m.mode <> %(off)s
        THEN concat(pg_advisory_xact_lock(hashtext(%(lock)s)), set_config('jit', 'off', true))
    END
    FROM (
        SELECT coalesce(
            (SELECT mode FROM {SiteAssignment._meta.db_table} WHERE site_id = %(site)s),
            %(default)s
        ) AS mode
    ) m
"""  # noqa: S608 - table names from the models, values as parameters


def _mode_and_lock(site_id: int | None) -> str:
    """``mode_for`` and, unless the mode is off, ``_lock``, in one round trip."""
    params = {
        "off": AssignMode.OFF.value,
        "lock": _LOCK,
        "site": site_id,
        "default": str(settings.TICKETS_AUTO_ASSIGN),
    }
    with connection.cursor() as cursor:
        cursor.execute(_MODE_AND_LOCK, params)
        (mode, _locked) = cursor.fetchone()
    return str(mode)


def _lock() -> None:
    """Take the assignment lock (till the filing commits), and turn PostgreSQL's JIT off for
    the rest of the transaction in the same round trip: compiling the candidates' plan
    costs 0.1–1.5 s whenever the tables' statistics lag and its estimate passes
    ``jit_above_cost``, for a query that runs in a millisecond."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s)), set_config('jit', 'off', true)", [_LOCK]
        )


_USER_FIELDS = User._meta.concrete_fields
_USER_NAMES = [f.attname for f in _USER_FIELDS]
_TURN = f"""
    WITH turn AS (
        INSERT INTO {EngineerProfile._meta.db_table} AS p (user_id, auto_assign, last_assigned_at)
        SELECT %(engineer)s, TRUE,
            GREATEST(%(now)s, MAX(last_assigned_at) + interval '1 microsecond')
        FROM {EngineerProfile._meta.db_table}
        ON CONFLICT (user_id) DO UPDATE SET last_assigned_at = EXCLUDED.last_assigned_at
        RETURNING p.user_id
    )
    SELECT {", ".join(f"u.{connection.ops.quote_name(str(f.column))}" for f in _USER_FIELDS)}
    FROM {User._meta.db_table} u JOIN turn ON turn.user_id = u.id
"""  # noqa: S608 - table and column names from the models, values as parameters


def _take_turn(engineer_id: int, now: dt.datetime) -> User:
    """One round trip: the engineer's last automatic assignment made now and later than
    anyone else's (see the module's docstring; their profile created if they had none),
    and the engineer read, every column (the ticket's assignee, the timeline's name, the
    notice's recipient). Not through ``User.objects.raw``: it inspects its columns again on
    every call (0.3 ms of a filing)."""
    with connection.cursor() as cursor:
        cursor.execute(_TURN, {"engineer": engineer_id, "now": now})
        row = cursor.fetchone()
    return User.from_db(connection.alias, _USER_NAMES, row)


def assign_new_ticket(ticket: Ticket, now: dt.datetime) -> AutoAssigned | None:
    """The ``tickets.hooks`` assigner (see the module's docstring): who the ticket being
    filed (not inserted yet) goes to, and the timeline entry saying why. Runs inside the
    filing transaction and leaves the assignment lock held until it commits; ``None`` when
    automatic assignment is off for the ticket's site."""
    mode = _mode_and_lock(ticket.site_id)
    if mode == AssignMode.OFF:
        return None
    found = pick(mode, ticket, now)
    if found is None:
        # Why nobody, row by row (or, if someone became eligible since, whom of them).
        eligible, note = eligible_now(ticket, now)
        if note is not None:
            reason = str(note.label) % {"category": ticket.category.label}
            entry = TimelineEntry(AssignEntry.NOT_ASSIGNED, {"reason": reason}, is_internal=True)
            return AutoAssigned(None, note.value, entry)
        chosen, experts_first = choose(mode, ticket, eligible)
        found = (chosen, len(eligible), experts_first)
    chosen, count, experts_first = found
    engineer = _take_turn(chosen.pk, now)
    reason = _reason(mode, ticket, chosen, count, experts_first)
    entry = TimelineEntry(EventKind.ASSIGNED, {"from": "", "to": engineer.name, "reason": reason})
    return AutoAssigned(engineer, entry=entry)


def _reason(
    mode: str,
    ticket: Ticket,
    chosen: Candidate,
    count: int,
    experts_first: bool,
) -> str:
    """The timeline's why, in the filing person's language (as every entry's reason)."""
    values = {
        "category": ticket.category.label,
        "level": SkillLevel(chosen.level).label,
        "load": chosen.load.weighted,
        "open": chosen.load.open,
        "count": count,
    }
    if count == 1:
        text = _(
            "Automatic assignment: the only engineer skilled in %(category)s on shift (%(level)s)."
        )
    elif mode == AssignMode.ROUND_ROBIN:
        text = ngettext(
            "Automatic assignment (round robin): skilled in %(category)s (%(level)s), next in "
            "turn among %(count)d engineer on shift.",
            "Automatic assignment (round robin): skilled in %(category)s (%(level)s), next in "
            "turn among %(count)d engineers on shift.",
            count,
        )
    else:
        text = ngettext(
            "Automatic assignment (least loaded): skilled in %(category)s (%(level)s), "
            "%(open)d open tickets weighing %(load)d, the lightest load of %(count)d engineer "
            "on shift.",
            "Automatic assignment (least loaded): skilled in %(category)s (%(level)s), "
            "%(open)d open tickets weighing %(load)d, the lightest load of %(count)d engineers "
            "on shift.",
            count,
        )
    text %= values
    if experts_first:
        text = _("%(reason)s High priority: offered to experts first.") % {"reason": text}
    return text


def note_labels() -> dict[str, object]:
    """The notes' labels, for ``tickets.hooks.register_assigner``."""
    return {note.value: note.label for note in UnassignedNote}
