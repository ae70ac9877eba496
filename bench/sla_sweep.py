"""SLA sweep benchmark: the sweep with nothing due, and with many tickets due at once.

    .venv/bin/python bench/sla_sweep.py --tickets 1000000 --due 10000
    .venv/bin/python bench/sla_sweep.py --db servicedesk_bench     # data of bench/generate.py

Run by hand (or by ``bench/run.py``), never as a timed test. See bench/README.md.

The database (``--db``, default ``servicedesk_bench``) is created and migrated
if needed. With ``--tickets N`` an empty database, or one this script filled
before, is filled with N tickets (``--open-percent`` of them open, the rest
closed) by ``INSERT … SELECT`` over ``generate_series`` in large batches; a
database holding other tickets is never refilled. Without ``--tickets`` the
tickets already there are used.

1. *Nothing due*: the sweep at a moment before every ticket's next check,
   ``--runs`` times; the median is the cost of a beat tick on a quiet desk.
2. *Due at once*: ``--due`` open tickets get deadlines already passed (as if
   beat had been down), the sweep runs once and is timed, then the script
   counts that every due ticket got its SLA event, timeline entry and
   notifications exactly once, and that a second sweep adds nothing.
   Afterwards the tickets' SLA columns are put back and the rows the sweep
   wrote are deleted, so the database stays as it was (``--keep`` leaves them).

E-mails are not handed to a broker: ``notifications.tasks.enqueue`` is
replaced by a counter (the query that collects the ids still runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
MARK = "SLAB-"  # numbers of the tickets this script fills
GOAL_QUIET_MS = 20.0
GOAL_DUE_S = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "servicedesk_bench"))
    parser.add_argument("--tickets", type=int, help="fill an empty database with this many")
    parser.add_argument("--open-percent", type=int, default=5)
    parser.add_argument("--due", type=int, default=10_000, help="tickets due at once")
    parser.add_argument("--runs", type=int, default=25, help="timed sweeps with nothing due")
    parser.add_argument("--batch-size", type=int, default=0, help="sweep batch (default: its own)")
    parser.add_argument("--keep", action="store_true", help="keep what the due sweep wrote")
    args = parser.parse_args()

    setup(args.db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.tickets:
        fill(args.tickets, args.open_percent)
    quiet(args.runs)
    if args.due:
        due_at_once(args.due, args.batch_size, keep=args.keep)


# --- set-up --------------------------------------------------------------------------------


def setup(database: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            conn.execute(f'CREATE DATABASE "{database}"')
            print(f"created database {database}")
    os.environ["DATABASE_URL"] = f"{PG}/{database}"
    if (ROOT / "bench" / "settings.py").exists():
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    else:  # production-like: DEBUG off (no query log), quiet logs
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
        os.environ.setdefault("DEBUG", "0")
        os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
        os.environ.setdefault("LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    print(f"# database {database}", flush=True)


def people() -> tuple[int, list[int]]:
    """A requester and a small desk: eight engineers and two tech leads (created once)."""
    from accounts.models import User
    from accounts.roles import Role, assign_role

    def user(name: str, role: str) -> int:
        found = User.objects.filter(username=name).first()
        if found is None:
            found = User.objects.create_user(
                username=name, email=f"{name}@bench.invalid", display_name=name
            )
            assign_role(found, role)
        return int(found.pk)

    requester = user("slab-requester", Role.REQUESTER)
    engineers = [user(f"slab-engineer-{i}", Role.ENGINEER) for i in range(1, 9)]
    for i in range(1, 3):
        user(f"slab-lead-{i}", Role.TECH_LEAD)
    return requester, engineers


def fill(total: int, open_percent: int) -> None:
    from django.db import connection

    from tickets.models import Category, Ticket

    present = Ticket.objects.count()
    if present == total:
        print(f"# {present:,} tickets already there; reused")
        return
    if present and Ticket.objects.exclude(number__startswith=MARK).exists():
        sys.exit(
            f"The database holds {present:,} tickets that this script did not make; it never "
            "refills those. Run without --tickets to use them, or choose another --db."
        )
    requester, engineers = people()
    category = Category.objects.order_by("pk").first() or Category.objects.create(
        slug="bench", name="bench", name_en="Bench"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE tickets_ticket, tickets_slaevent, tickets_notification, "
            "tickets_ticketevent RESTART IDENTITY CASCADE"
        )
        columns, values = _fill_select(cursor, requester, engineers, category.pk, open_percent)
        n_open = total * open_percent // 100
        step = 100_000
        for low in range(1, total + 1, step):
            high = min(total, low + step - 1)
            cursor.execute(
                f"INSERT INTO tickets_ticket ({columns}) SELECT {values} "  # noqa: S608
                "FROM generate_series(%s, %s) AS g, "
                "(SELECT date_trunc('minute', now()) AS base, %s::float AS n_open) AS k",
                [low, high, max(n_open, 1)],
            )
            print(f"  {high:,} / {total:,} tickets ({time.perf_counter() - started:.0f} s)")
        cursor.execute("ANALYZE tickets_ticket")
    print(f"# filled {total:,} tickets in {time.perf_counter() - started:.1f} s", flush=True)


def _fill_select(
    cursor: Any, requester: int, engineers: list[int], category: int, open_percent: int
) -> tuple[str, str]:
    """Column list and SELECT expressions; other NOT NULL columns get their type's zero."""
    # (percent signs are doubled: the statement is run with parameters)
    is_open = f"((g * {open_percent}) %% 100 < {open_percent})"
    # open tickets: half submitted (response clock), half accepted (resolution clock); their
    # next checks spread over 8 hours starting an hour after the fill
    nth = f"(g * {open_percent} / 100)"
    submitted = f"({nth} %% 2 = 0)"
    check = f"(k.base + interval '1 hour' + make_interval(secs => ({nth} * 28800.0 / k.n_open)))"
    past = "(k.base - make_interval(days => (g %% 730)::int, mins => (g %% 1440)::int))"
    engineer_array = "ARRAY[" + ",".join(str(e) for e in engineers) + "]"
    chosen = {
        "number": f"'{MARK}' || lpad(g::text, 9, '0')",
        "title": "'Bench ticket ' || g",
        "description": "'Generated by bench/sla_sweep.py'",
        "channel": "'web'",
        "requester_id": str(requester),
        "category_id": str(category),
        "impact": "'single'",
        "urgency": "'abnormal'",
        "priority": "'medium'",
        "waiting_on": "'none'",
        "state": f"CASE WHEN NOT {is_open} THEN 'closed' "
        f"WHEN {submitted} THEN 'submitted' ELSE 'accepted' END",
        "closed_as": f"CASE WHEN {is_open} THEN '' ELSE 'completed' END",
        "assignee_id": f"CASE WHEN {is_open} AND {submitted} THEN NULL "
        f"ELSE ({engineer_array})[1 + g %% {len(engineers)}] END",
        # a medium ticket: respond in 30 min (warning at 24), resolve in 8 h (warning at 6.4 h)
        "submitted_at": f"CASE WHEN NOT {is_open} THEN {past} "
        f"WHEN {submitted} THEN {check} - interval '24 min' ELSE {check} - interval '384 min' END",
        "accepted_at": f"CASE WHEN {is_open} AND {submitted} THEN NULL "
        f"WHEN {is_open} THEN {check} - interval '374 min' ELSE {past} + interval '10 min' END",
        "closed_at": f"CASE WHEN {is_open} THEN NULL ELSE {past} + interval '1 day' END",
        "last_activity_at": f"CASE WHEN {is_open} THEN {check} - interval '24 min' "
        f"ELSE {past} + interval '1 day' END",
        "response_warn_at": f"CASE WHEN {is_open} AND {submitted} THEN {check} "
        f"WHEN {is_open} THEN {check} - interval '360 min' END",
        "response_due_at": f"CASE WHEN {is_open} AND {submitted} THEN {check} + interval '6 min' "
        f"WHEN {is_open} THEN {check} - interval '354 min' END",
        "resolution_warn_at": f"CASE WHEN {is_open} AND {submitted} THEN {check} + interval "
        f"'360 min' WHEN {is_open} THEN {check} END",
        "resolution_due_at": f"CASE WHEN {is_open} AND {submitted} THEN {check} + interval "
        f"'456 min' WHEN {is_open} THEN {check} + interval '96 min' END",
        "held_seconds": "0",
        "reopen_count": "0",
        "sla_next_check_at": f"CASE WHEN {is_open} THEN {check} END",
    }
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = "
        "'tickets_ticket' AND is_nullable = 'NO' AND column_default IS NULL AND column_name <> 'id'"
    )
    zero = {"boolean": "false", "jsonb": "'{}'::jsonb", "integer": "0", "smallint": "0"}
    for name, data_type in cursor.fetchall():
        chosen.setdefault(name, zero.get(data_type, "''"))
    return ", ".join(chosen), ", ".join(chosen.values())


# --- scenarios ------------------------------------------------------------------------------


def before_every_check() -> dt.datetime:
    """A moment at which nothing is due: just before the earliest next check."""
    from django.db.models import Min
    from django.utils import timezone

    from tickets.models import Ticket

    earliest = Ticket.objects.aggregate(first=Min("sla_next_check_at"))["first"]
    return (earliest - dt.timedelta(seconds=1)) if earliest else timezone.now()


def quiet(runs: int) -> None:
    from tickets.models import Ticket
    from tickets.obligations import sweep_sla

    now = before_every_check()
    total = Ticket.objects.count()
    watched = Ticket.objects.filter(sla_next_check_at__isnull=False).count()
    sweep_sla(now=now)  # warm-up: connection, calendars, imports
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        recorded = sweep_sla(now=now)
        times.append((time.perf_counter() - started) * 1000)
        if recorded:
            sys.exit("something was due: the quiet sweep is not quiet")
    median = statistics.median(times)
    print(
        f"nothing due  ({total:,} tickets, {watched:,} with a next check): sweep median "
        f"{median:.2f} ms, min {min(times):.2f}, max {max(times):.2f} over {runs} runs  "
        f"[goal < {GOAL_QUIET_MS:.0f} ms: {'ok' if median < GOAL_QUIET_MS else 'MISSED'}]",
        flush=True,
    )


SLA_COLUMNS = (
    "response_warn_at, response_due_at, response_breached_at, resolution_warn_at, "
    "resolution_due_at, resolution_breached_at, sla_paused_at, sla_next_check_at"
)


def due_at_once(count: int, batch_size: int, *, keep: bool) -> None:
    from django.db import connection

    from notifications import tasks as notification_tasks
    from tickets import obligations as sweep

    now = before_every_check()
    handed: list[int] = []
    notification_tasks.enqueue = lambda ids: handed.extend(ids)  # no broker in the benchmark
    with connection.cursor() as cursor:
        chosen = _make_due(cursor, count, now)
        if chosen < count:
            print(f"only {chosen:,} open tickets to make due (wanted {count:,})")
        high_water = _high_water(cursor)
        started = time.perf_counter()
        recorded = sweep.sweep_sla(now=now, batch_size=batch_size or sweep.BATCH_SIZE)
        took = time.perf_counter() - started
        checks = _verify(cursor, high_water, recorded, chosen)
        after_first = _high_water(cursor)
        again = sweep.sweep_sla(now=now)
        unchanged = _high_water(cursor) == after_first
        ok = took < GOAL_DUE_S and checks["ok"] and again == 0 and unchanged
        print(
            f"{chosen:,} due at once: sweep {took:.2f} s  ({recorded:,} SLA events, "
            f"{checks['breached']:,} timeline entries, {checks['notifications']:,} notifications "
            f"for {checks['people']:,} people, {len(handed):,} e-mails handed on)  "
            f"[goal < {GOAL_DUE_S:.0f} s: {'ok' if took < GOAL_DUE_S else 'MISSED'}]",
            flush=True,
        )
        print(
            f"  each once: every due ticket has exactly one SLA event "
            f"{'yes' if checks['per_ticket'] else 'NO'}; duplicate notifications "
            f"{checks['duplicates']}; events without notifications {checks['silent']}; "
            f"second sweep recorded {again} and wrote {'nothing' if unchanged else 'ROWS'}"
            f"  [{'ok' if ok else 'FAILED'}]",
            flush=True,
        )
        if not keep:
            _restore(cursor, high_water)


def _make_due(cursor: Any, count: int, now: dt.datetime) -> int:
    """Give ``count`` open tickets deadlines that passed five minutes before ``now``.

    Their SLA columns are saved first (``_restore`` puts them back). Submitted
    tickets miss the response deadline; the others the resolution deadline.
    """
    cursor.execute(
        f"CREATE TEMP TABLE sla_bench_saved AS SELECT id, {SLA_COLUMNS} "  # noqa: S608
        "FROM tickets_ticket WHERE state IN ('submitted', 'accepted', 'diagnosed') "
        "ORDER BY id LIMIT %s",
        [count],
    )
    cursor.execute(
        """
        UPDATE tickets_ticket t SET
          response_warn_at = CASE WHEN t.state = 'submitted' THEN %(now)s - interval '10 min'
                                  ELSE t.response_warn_at END,
          response_due_at = CASE WHEN t.state = 'submitted' THEN %(now)s - interval '5 min'
                                 ELSE t.response_due_at END,
          response_breached_at = CASE WHEN t.state = 'submitted' THEN NULL
                                      ELSE t.response_breached_at END,
          resolution_warn_at = CASE WHEN t.state = 'submitted' THEN %(now)s + interval '5 h'
                                    ELSE %(now)s - interval '30 min' END,
          resolution_due_at = CASE WHEN t.state = 'submitted' THEN %(now)s + interval '6 h'
                                   ELSE %(now)s - interval '5 min' END,
          resolution_breached_at = NULL,
          sla_paused_at = NULL,
          sla_next_check_at = CASE WHEN t.state = 'submitted' THEN %(now)s - interval '10 min'
                                   ELSE %(now)s - interval '30 min' END
        FROM sla_bench_saved s WHERE t.id = s.id
        """,
        {"now": now},
    )
    cursor.execute("ANALYZE tickets_ticket")
    cursor.execute("SELECT count(*) FROM sla_bench_saved")
    return int(cursor.fetchone()[0])


TABLES = ("tickets_slaevent", "tickets_notification", "tickets_ticketevent")


def _high_water(cursor: Any) -> dict[str, int]:
    marks = {}
    for table in TABLES:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
        marks[table] = int(cursor.fetchone()[0])
    return marks


def _verify(cursor: Any, high: dict[str, int], recorded: int, chosen: int) -> dict[str, Any]:
    """Count what the sweep wrote: one event per due clock, each notified once per person."""

    def one(sql: str, *params: Any) -> int:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])

    events = one("SELECT count(*) FROM tickets_slaevent WHERE id > %s", high["tickets_slaevent"])
    per_ticket = (
        one(
            "SELECT count(*) FROM (SELECT ticket_id FROM tickets_slaevent WHERE id > %s "
            "AND ticket_id IN (SELECT id FROM sla_bench_saved) GROUP BY ticket_id, kind "
            "HAVING count(*) = 1) x",
            high["tickets_slaevent"],
        )
        == chosen
        and events == recorded
    )
    # The outbox knows nothing of tickets: a notification names its ticket by the link to open.
    from django.urls import reverse

    head, tail = reverse("tickets:detail", kwargs={"number": "NUMBER"}).split("NUMBER")
    duplicates = one(
        "SELECT count(*) FROM (SELECT 1 FROM tickets_notification WHERE id > %s "
        "GROUP BY link, kind, recipient_id, channel HAVING count(*) > 1) x",
        high["tickets_notification"],
    )
    silent = one(
        "SELECT count(*) FROM tickets_slaevent e JOIN tickets_ticket t ON t.id = e.ticket_id "
        "WHERE e.id > %s AND NOT EXISTS (SELECT 1 FROM tickets_notification n "
        "WHERE n.id > %s AND n.link = %s || t.number || %s "
        "AND n.kind = e.kind AND n.channel = 'in_app')",
        high["tickets_slaevent"],
        high["tickets_notification"],
        head,
        tail,
    )
    breached = one(
        "SELECT count(*) FROM tickets_ticketevent WHERE id > %s AND kind = 'sla_breached'",
        high["tickets_ticketevent"],
    )
    breaches = one(
        "SELECT count(*) FROM tickets_slaevent WHERE id > %s AND kind LIKE '%%_breach'",
        high["tickets_slaevent"],
    )
    return {
        "ok": per_ticket and duplicates == 0 and silent == 0 and breached == breaches,
        "per_ticket": per_ticket,
        "duplicates": duplicates,
        "silent": silent,
        "breached": breached,
        "notifications": one(
            "SELECT count(*) FROM tickets_notification WHERE id > %s",
            high["tickets_notification"],
        ),
        "people": one(
            "SELECT count(DISTINCT recipient_id) FROM tickets_notification WHERE id > %s",
            high["tickets_notification"],
        ),
    }


def _restore(cursor: Any, high: dict[str, int]) -> None:
    for table in TABLES:
        cursor.execute(f"DELETE FROM {table} WHERE id > %s", [high[table]])  # noqa: S608
    assignments = ", ".join(f"{c.strip()} = s.{c.strip()}" for c in SLA_COLUMNS.split(","))
    cursor.execute(
        f"UPDATE tickets_ticket t SET {assignments} FROM sla_bench_saved s "  # noqa: S608
        "WHERE t.id = s.id"
    )
    cursor.execute("DROP TABLE sla_bench_saved")
    print("  (the due tickets' SLA columns are restored and the sweep's rows deleted)")


if __name__ == "__main__":
    main()
