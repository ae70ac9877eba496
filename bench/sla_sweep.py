"""SLA sweep benchmark: the sweep with nothing due, and with many tickets due at once.

    .venv/bin/python bench/sla_sweep.py --tickets 1000000 --due 10000
    .venv/bin/python bench/sla_sweep.py --db servicedesk_bench     # data of bench/generate.py
    .venv/bin/python bench/sla_sweep.py --db sd_sweep44_bench --tickets 1000000 --desk 44 \
        --results bench/results/$(date +%F).md                      # the digests (issue 17)

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
   beat had been down), the sweep runs once and is timed, then the window's
   digests are closed (timed too), then the script counts that every due
   ticket got its SLA event and timeline entry exactly once, that every event
   reached each person once (one by one, or folded into their digest: the
   notifications past ``NOTIFY_DIGEST_THRESHOLD`` of a kind in a window), and
   that a second sweep adds nothing; it prints the notifications written.
   Afterwards the tickets' SLA columns are put back and the rows the sweep
   wrote are deleted, so the database stays as it was (``--keep`` leaves them).

``--desk 44`` fills a desk like ``generate.py``'s (40 engineers over 8 sites, 4 tech
leads, a manager; the tickets spread over the sites) instead of 8 engineers and 2 leads;
``--threshold N`` overrides ``NOTIFY_DIGEST_THRESHOLD`` (a huge one: every notification
one by one, as before digests); ``--results FILE`` writes a section of the day's results.

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
GOAL_WRITTEN = 1_000  # notifications written for the 10,000 due (issue 17, 44 people)
SITES = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "servicedesk_bench"))
    parser.add_argument("--tickets", type=int, help="fill an empty database with this many")
    parser.add_argument("--open-percent", type=int, default=5)
    parser.add_argument("--due", type=int, default=10_000, help="tickets due at once")
    parser.add_argument("--runs", type=int, default=25, help="timed sweeps with nothing due")
    parser.add_argument("--batch-size", type=int, default=0, help="sweep batch (default: its own)")
    parser.add_argument("--keep", action="store_true", help="keep what the due sweep wrote")
    parser.add_argument("--desk", type=int, choices=(10, 44), default=10, help="people (fill)")
    parser.add_argument("--threshold", type=int, help="NOTIFY_DIGEST_THRESHOLD for this run")
    parser.add_argument("--results", default="", help="markdown file to update (a section)")
    args = parser.parse_args()

    setup(args.db)
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.threshold is not None:
        settings.NOTIFY_DIGEST_THRESHOLD = args.threshold
    load_before = os.getloadavg()
    if args.tickets:
        fill(args.tickets, args.open_percent, desk=args.desk)
    found = {"quiet": quiet(args.runs)}
    if args.due:
        found["due"] = due_at_once(args.due, args.batch_size, keep=args.keep)
    if args.results:
        from bench.run import write_section

        key = f"sla_sweep:{args.db}" + ("" if args.threshold is None else f":t{args.threshold}")
        write_section(Path(args.results), key, markdown(args.db, found, load_before))
        print(f"results written to {args.results}")


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


def people(desk: int = 10) -> tuple[int, list[int], list[int]]:
    """A requester and the desk (created once): eight engineers and two tech leads, or
    (``desk=44``) forty engineers over eight sites, four tech leads and a manager, as
    ``generate.py`` makes them. Returns the requester, the engineers and the sites."""
    from accounts.models import Site, User
    from accounts.roles import Role, assign_role

    sites = [
        Site.objects.get_or_create(code=f"slab-{i}", defaults={"name": f"Bench site {i}"})[0].pk
        for i in range(SITES if desk == 44 else 0)
    ]

    def user(name: str, role: str, n: int = 0) -> int:
        found = User.objects.filter(username=name).first()
        if found is None:
            found = User.objects.create_user(
                username=name,
                email=f"{name}@bench.invalid",
                display_name=name,
                site_id=sites[n % len(sites)] if sites else None,
            )
            assign_role(found, role)
        return int(found.pk)

    requester = user("slab-requester", Role.REQUESTER)
    engineers = [user(f"slab-engineer-{i}", Role.ENGINEER, i) for i in range(1, 41 if sites else 9)]
    for i in range(1, 5 if sites else 3):
        user(f"slab-lead-{i}", Role.TECH_LEAD, i)
    if sites:
        user("slab-manager", Role.MANAGER)
    return requester, engineers, sites


def fill(total: int, open_percent: int, *, desk: int = 10) -> None:
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
    requester, engineers, sites = people(desk)
    category = Category.objects.order_by("pk").first() or Category.objects.create(
        slug="bench", name="bench", name_en="Bench"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE tickets_ticket, tickets_slaevent, tickets_notification, "
            "tickets_ticketevent RESTART IDENTITY CASCADE"
        )
        columns, values = _fill_select(
            cursor, requester, engineers, category.pk, open_percent, sites
        )
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
    cursor: Any,
    requester: int,
    engineers: list[int],
    category: int,
    open_percent: int,
    sites: list[int],
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
    site_array = "ARRAY[" + ",".join(str(s) for s in sites) + "]::bigint[]"
    spread = f"({nth} / 2)" if sites else "g"
    chosen = {
        "number": f"'{MARK}' || lpad(g::text, 9, '0')",
        "title": "'Bench ticket ' || g",
        "description": "'Generated by bench/sla_sweep.py'",
        "channel": "'web'",
        "requester_id": str(requester),
        "category_id": str(category),
        # with sites, a ticket's site; an accepted one's engineer works there
        "site_id": f"({site_array})[1 + ({nth} / 2) %% {len(sites)}]" if sites else "NULL",
        "impact": "'single'",
        "urgency": "'abnormal'",
        "priority": "'medium'",
        "waiting_on": "'none'",
        "state": f"CASE WHEN NOT {is_open} THEN 'closed' "
        f"WHEN {submitted} THEN 'submitted' ELSE 'accepted' END",
        "closed_as": f"CASE WHEN {is_open} THEN '' ELSE 'completed' END",
        # (with sites: the open ones spread over every engineer, by their ordinal)
        "assignee_id": f"CASE WHEN {is_open} AND {submitted} THEN NULL "
        f"ELSE ({engineer_array})[1 + {spread} %% {len(engineers)}] END",
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


def quiet(runs: int) -> dict[str, Any]:
    from django.urls import reverse

    from tickets.models import Ticket
    from tickets.obligations import sweep_sla

    now = before_every_check()
    total = Ticket.objects.count()
    watched = Ticket.objects.filter(sla_next_check_at__isnull=False).count()
    sweep_sla(now=now)  # warm-up: connection, calendars, imports
    # and the URL resolver, as in a worker that has run any task before (its first
    # ``reverse`` imports every URLconf: about a second, once per process)
    reverse("tickets:detail", kwargs={"number": "IT-0"})
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
    return {
        "tickets": total,
        "watched": watched,
        "median": median,
        "min": min(times),
        "max": max(times),
        "runs": runs,
    }


SLA_COLUMNS = (
    "response_warn_at, response_due_at, response_breached_at, resolution_warn_at, "
    "resolution_due_at, resolution_breached_at, sla_paused_at, sla_next_check_at"
)


def due_at_once(count: int, batch_size: int, *, keep: bool) -> dict[str, Any]:
    from django.db import connection

    from notifications import digests, folding
    from notifications import tasks as notification_tasks
    from tickets import obligations as sweep

    now = before_every_check()
    closes = folding.window_start(now) + folding.window()
    handed: list[int] = []
    notification_tasks.enqueue = lambda ids: handed.extend(ids)  # no broker in the benchmark
    with connection.cursor() as cursor:
        chosen = _make_due(cursor, count, now)
        if chosen < count:
            print(f"only {chosen:,} open tickets to make due (wanted {count:,})")
        high_water = _high_water(cursor)
        backend = _backend_pid()
        cpu = (time.process_time(), _cpu_seconds(backend))
        started = time.perf_counter()
        recorded = sweep.sweep_sla(now=now, batch_size=batch_size or sweep.BATCH_SIZE)
        took = time.perf_counter() - started
        swept = _high_water(cursor)
        started = time.perf_counter()
        told = digests.close_due(closes)
        closing = time.perf_counter() - started
        # What it cost whatever the load: this process's CPU and the database backend's.
        python_cpu = time.process_time() - cpu[0]
        after = _cpu_seconds(backend)
        database_cpu = after - cpu[1] if after is not None and cpu[1] is not None else None
        checks = _verify(cursor, high_water, swept, recorded, chosen)
        after_first = _high_water(cursor)
        again = sweep.sweep_sla(now=now)
        again_told = digests.close_due(closes)
        unchanged = _high_water(cursor) == after_first
        written = checks["notifications"]
        once = checks["ok"] and again == 0 and not again_told and unchanged
        print(
            f"{chosen:,} due at once: sweep {took:.2f} s + closing the digests {closing:.2f} s "
            f"({recorded:,} SLA events, {checks['breached']:,} timeline entries; "
            f"{written:,} notifications written for {checks['people']:,} people: "
            f"{checks['one_by_one']:,} one by one + {checks['digest_rows']:,} digest messages "
            f"({told:,} digests) folding {checks['items']:,} items; "
            f"{len(handed):,} e-mails handed on)  [goal < {GOAL_DUE_S:.0f} s: "
            f"{'ok' if took + closing < GOAL_DUE_S else 'MISSED'}; < {GOAL_WRITTEN:,} written: "
            f"{'ok' if written < GOAL_WRITTEN else 'MISSED'}]",
            flush=True,
        )
        if database_cpu is not None:
            print(
                f"  CPU: this process {python_cpu:.2f} s + the database backend "
                f"{database_cpu:.2f} s = {python_cpu + database_cpu:.2f} s (the time with a "
                "free core, whatever the load)",
                flush=True,
            )
        print(
            f"  each once: every due ticket has exactly one SLA event "
            f"{'yes' if checks['per_ticket'] else 'NO'}; duplicate notifications "
            f"{checks['duplicates']}; events nobody was told of (neither one by one nor in a "
            f"digest) {checks['silent']}; second sweep recorded {again} and wrote "
            f"{'nothing' if unchanged else 'ROWS'}  [{'ok' if once else 'FAILED'}]",
            flush=True,
        )
        if not keep:
            _restore(cursor, high_water)
    return {
        "count": chosen,
        "seconds": took,
        "closing": closing,
        "recorded": recorded,
        "again": again,
        "unchanged": unchanged,
        "handed": len(handed),
        "digests": told,
        "python_cpu": python_cpu,
        "database_cpu": database_cpu,
        **checks,
        "ok": once,
    }


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return int(pid)


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the database backend has used so far, from ``/proc`` (the
    database runs on this machine), as ``bench/reports.py`` reads it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


TABLES = (
    "tickets_slaevent",
    "tickets_notification",
    "tickets_ticketevent",
    "notifications_digestitem",
    "notifications_digest",
)


def _high_water(cursor: Any) -> dict[str, int]:
    marks = {}
    for table in TABLES:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
        marks[table] = int(cursor.fetchone()[0])
    return marks


def _verify(
    cursor: Any, high: dict[str, int], swept: dict[str, int], recorded: int, chosen: int
) -> dict[str, Any]:
    """Count what the sweep and the closer wrote: one event per due clock, each event told to
    each person once, one by one or as an item of their digest (``swept``: the marks after
    the sweep, before the closer)."""

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
    notifications = high["tickets_notification"]
    duplicates = one(
        "SELECT count(*) FROM (SELECT 1 FROM tickets_notification WHERE id > %s "
        "GROUP BY link, kind, recipient_id, channel HAVING count(*) > 1) x",
        notifications,
    ) + one(
        "SELECT count(*) FROM (SELECT 1 FROM notifications_digestitem i "
        "JOIN notifications_digest d ON d.id = i.digest_id WHERE i.id > %s "
        "GROUP BY d.recipient_id, d.kind, d.scope, i.number HAVING count(*) > 1) x",
        high["notifications_digestitem"],
    )
    silent = one(
        "SELECT count(*) FROM tickets_slaevent e JOIN tickets_ticket t ON t.id = e.ticket_id "
        "WHERE e.id > %s AND NOT EXISTS (SELECT 1 FROM tickets_notification n "
        "WHERE n.id > %s AND n.link = %s || t.number || %s "
        "AND n.kind = e.kind AND n.channel = 'in_app') AND NOT EXISTS (SELECT 1 FROM "
        "notifications_digestitem i JOIN notifications_digest d ON d.id = i.digest_id "
        "WHERE i.id > %s AND i.number = t.number AND d.kind = e.kind)",
        high["tickets_slaevent"],
        notifications,
        head,
        tail,
        high["notifications_digestitem"],
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
            "SELECT count(*) FROM tickets_notification WHERE id > %s", notifications
        ),
        "one_by_one": one(
            "SELECT count(*) FROM tickets_notification WHERE id > %s AND id <= %s",
            notifications,
            swept["tickets_notification"],
        ),
        "digest_rows": one(
            "SELECT count(*) FROM tickets_notification WHERE id > %s", swept["tickets_notification"]
        ),
        "items": one(
            "SELECT count(*) FROM notifications_digestitem WHERE id > %s",
            high["notifications_digestitem"],
        ),
        "people": one(
            "SELECT count(DISTINCT recipient_id) FROM tickets_notification WHERE id > %s",
            notifications,
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


def markdown(db: str, found: dict[str, Any], load_before: tuple[float, float, float]) -> str:
    """A section of the day's results: the two scenarios, the load they ran under."""
    from django.conf import settings
    from django.utils import timezone

    quiet, due = found["quiet"], found.get("due")
    load_after = os.getloadavg()
    lines = [
        f"### SLA sweep with digests, {quiet['tickets']:,} tickets (`{db}`), "
        f"{timezone.localdate().isoformat()}",
        "",
        f"`bench/sla_sweep.py`, in-process, bench settings; NOTIFY_DIGEST_THRESHOLD "
        f"{settings.NOTIFY_DIGEST_THRESHOLD}, window {settings.NOTIFY_DIGEST_WINDOW_MINUTES} "
        f"minutes. Load average (1, 5, 15 min) {', '.join(f'{v:.2f}' for v in load_before)} "
        f"before, {', '.join(f'{v:.2f}' for v in load_after)} after (2 cores, shared with "
        "other test runs).",
        "",
        "| scenario | result | goal |",
        "|---|---|---|",
        f"| nothing due ({quiet['watched']:,} tickets watched) | median {quiet['median']:.2f} ms "
        f"(min {quiet['min']:.2f}, max {quiet['max']:.2f}, {quiet['runs']} runs) | "
        f"< {GOAL_QUIET_MS:.0f} ms: {'met' if quiet['median'] < GOAL_QUIET_MS else 'MISSED'} |",
    ]
    if due:
        total = due["seconds"] + due["closing"]
        lines += [
            f"| {due['count']:,} due at once | sweep {due['seconds']:.2f} s + closing the "
            f"digests {due['closing']:.2f} s: {due['recorded']:,} SLA events, "
            f"{due['breached']:,} timeline entries | < {GOAL_DUE_S:.0f} s: "
            f"{'met' if total < GOAL_DUE_S else 'MISSED'} |",
            f"| CPU of the due sweep and the closing | this process {due['python_cpu']:.2f} s + "
            f"the database backend {due['database_cpu'] or 0:.2f} s = "
            f"{due['python_cpu'] + (due['database_cpu'] or 0):.2f} s (what it takes with a free "
            f"core, whatever the load) | < {GOAL_DUE_S:.0f} s |",
            f"| notifications written | **{due['notifications']:,}** for {due['people']} "
            f"people: {due['one_by_one']:,} one by one, {due['digest_rows']:,} digest "
            f"messages ({due['digests']:,} digests) folding {due['items']:,} items; "
            f"{due['handed']:,} e-mails handed on | < {GOAL_WRITTEN:,}: "
            f"{'met' if due['notifications'] < GOAL_WRITTEN else 'MISSED'} |",
            f"| each once | one SLA event per clock {'yes' if due['per_ticket'] else 'NO'}, "
            f"duplicates {due['duplicates']}, events nobody was told of {due['silent']}, a "
            f"second sweep recorded {due['again']} and wrote "
            f"{'nothing' if due['unchanged'] else 'rows'} | {'met' if due['ok'] else 'MISSED'} |",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
