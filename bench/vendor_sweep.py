"""Vendor-update cadence benchmark: the sweep with nothing due, and with 1,000 cases due at once.

    .venv/bin/python bench/vendor_sweep.py                            # servicedesk_bench
    .venv/bin/python bench/vendor_sweep.py --db servicedesk_bench_vendors --tickets 200000
    .venv/bin/python bench/vendor_sweep.py --results bench/results/$(date +%F).md

Run by hand (or by ``make bench``), never as a timed test. See bench/README.md.

The database (``--db``, default ``servicedesk_bench``, the million tickets of
``bench/generate.py``) is created and migrated if needed; with ``--tickets N`` an empty
database is first filled the way ``bench/sla_sweep.py`` fills one. The script then adds
its own vendor and cases by ``INSERT … SELECT`` on tickets already there: ``--open``
open cases on accepted tickets (their next checks spread over the next eight hours) and
``--closed`` closed ones (nothing to watch), without touching the tickets themselves.

1. *Nothing due*: the cadence sweep (``sla.obligations.sweep`` of ``vendors.cadence``)
   at a moment before every case's next check, ``--runs`` times; the median is what a
   beat tick costs on a quiet desk. Goal: under 20 ms.
2. *Due at once*: ``--due`` of the open cases get an update that fell due five minutes
   ago (as if beat had been down); one sweep is timed, then the window's digests are
   closed (timed too), then the script counts that each case got exactly one reminder, one
   timeline entry, and that its assignee was told of it once in the app: one by one (an
   in-app row, plus the e-mail row) or, past ``NOTIFY_DIGEST_THRESHOLD`` reminders in the
   window, as an item of their digest (issue 17: a reminder folded into a digest counts as
   delivered once); and that a second sweep and a second closing add nothing.
   Goal: under 2 s for the sweep and the closing, each told once.

Afterwards every row the script wrote is deleted (``--keep`` leaves them), by its own
markers (and the digests of the reminder kinds above its high-water marks), so a shared
bench database stays as it was. E-mails are not handed to a broker:
``notifications.tasks.enqueue`` is replaced by a counter.
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
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import ensure_database, setup_django  # noqa: E402

GOAL_QUIET_MS = 20.0
GOAL_DUE_S = 2.0
VENDOR = "Bench vendor (bench/vendor_sweep.py)"
REMINDER_KINDS = ("vendor_update_due", "vendor_update_overdue")
ENTRY_KINDS = ("vendor_reminder_due", "vendor_reminder_overdue")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "servicedesk_bench"))
    parser.add_argument("--tickets", type=int, help="fill an empty database with this many")
    parser.add_argument("--open", type=int, default=5_000, help="open cases (not due)")
    parser.add_argument("--closed", type=int, default=20_000, help="closed cases")
    parser.add_argument("--due", type=int, default=1_000, help="cases due at once")
    parser.add_argument("--runs", type=int, default=25, help="timed sweeps with nothing due")
    parser.add_argument("--keep", action="store_true", help="keep what the script wrote")
    parser.add_argument("--results", default="", help="markdown file to update (a section)")
    args = parser.parse_args()

    if ensure_database(args.db):
        print(f"created database {args.db}")
    setup_django(args.db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.tickets:
        from bench import sla_sweep

        sla_sweep.fill(args.tickets, 5)
    scene = Scene.build(args.open, args.closed, args.due)
    try:
        quiet = scene.quiet(args.runs)
        due = scene.due_at_once(args.due)
    finally:
        if not args.keep:
            scene.clean()
    if args.results:
        from bench.run import write_section

        write_section(
            Path(args.results), f"vendor_sweep:{args.db}", markdown(args.db, scene, quiet, due)
        )
        print(f"results written to {args.results}")
    if not (quiet["ok"] and due["ok"]):
        sys.exit(1)


class Scene:
    """The bench vendor, its cases, and the high-water marks of what the sweep writes."""

    def __init__(self, vendor_id: int, created_vendor: bool, now: dt.datetime) -> None:
        self.vendor_id = vendor_id
        self.created_vendor = created_vendor
        self.now = now
        self.tickets = 0
        self.open_cases = 0
        self.closed_cases = 0
        self.marks: dict[str, int] = {}

    @classmethod
    def build(cls, n_open: int, n_closed: int, n_due: int) -> Scene:
        from django.db import connection
        from django.utils import timezone

        from tickets.models import Ticket
        from vendors.models import Vendor

        vendor, created = Vendor.objects.get_or_create(name=VENDOR)
        now = timezone.now().replace(microsecond=0)
        scene = cls(vendor.pk, created, now)
        scene.tickets = Ticket.objects.count()
        with connection.cursor() as cursor:
            scene.marks = _high_water(cursor)
            # open cases on accepted tickets with an assignee, next checks 1 h to 9 h ahead
            cursor.execute(
                """
                INSERT INTO vendors_vendorcase (ticket_id, vendor_id, vendor_reference, summary,
                    status, opened_by_id, opened_at, last_update_at, next_update_due_at,
                    next_check_at, close_note)
                SELECT t.id, %(vendor)s, 'BENCH-' || t.id, 'bench/vendor_sweep.py', 'open',
                    t.assignee_id, %(now)s, %(now)s, d.due, d.due, ''
                FROM (SELECT id, assignee_id, row_number() OVER (ORDER BY id) AS n
                      FROM tickets_ticket
                      WHERE state IN ('accepted', 'diagnosed') AND assignee_id IS NOT NULL
                      ORDER BY id LIMIT %(n)s) t,
                LATERAL (SELECT %(now)s + interval '1 hour'
                         + make_interval(secs => t.n * 28800.0 / %(n)s) AS due) d
                """,
                {"vendor": vendor.pk, "now": now, "n": n_open},
            )
            scene.open_cases = cursor.rowcount
            cursor.execute(
                """
                INSERT INTO vendors_vendorcase (ticket_id, vendor_id, vendor_reference, summary,
                    status, opened_by_id, opened_at, last_update_at, closed_at, closed_by_id,
                    close_note)
                SELECT t.id, %(vendor)s, 'BENCH-' || t.id, 'bench/vendor_sweep.py', 'closed',
                    t.requester_id, %(now)s - interval '30 days', %(now)s - interval '30 days',
                    %(now)s - interval '29 days', t.requester_id, 'done'
                FROM tickets_ticket t WHERE t.state = 'closed' ORDER BY t.id DESC LIMIT %(n)s
                """,
                {"vendor": vendor.pk, "now": now, "n": n_closed},
            )
            scene.closed_cases = cursor.rowcount
            cursor.execute("ANALYZE vendors_vendorcase")
        if scene.open_cases < n_due:
            scene.clean()
            sys.exit(
                f"only {scene.open_cases:,} accepted tickets with an assignee for {n_due:,} due "
                "cases: fill more tickets (--tickets) or ask for fewer (--due)"
            )
        print(
            f"# {scene.tickets:,} tickets; {scene.open_cases:,} open and "
            f"{scene.closed_cases:,} closed vendor cases added",
            flush=True,
        )
        return scene

    def quiet(self, runs: int) -> dict[str, Any]:
        from django.db.models import Min
        from django.urls import reverse

        from sla import obligations
        from vendors.models import VendorCase

        cadence = obligations.get("vendors.cadence")
        first = VendorCase.objects.aggregate(m=Min("next_check_at"))["m"]
        moment = (first - dt.timedelta(seconds=1)) if first else self.now
        obligations.sweep(cadence, now=moment)  # warm-up: connection, calendars, imports
        reverse("tickets:detail", kwargs={"number": "IT-0"})  # and the URL resolver, as a worker
        times, recorded = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            recorded += obligations.sweep(cadence, now=moment).total
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        ok = median < GOAL_QUIET_MS and recorded == 0
        watched = VendorCase.objects.filter(next_check_at__isnull=False).count()
        print(
            f"nothing due  ({watched:,} cases with a next check): sweep median {median:.2f} ms, "
            f"min {min(times):.2f}, max {max(times):.2f} over {runs} runs, {recorded} recorded  "
            f"[goal < {GOAL_QUIET_MS:.0f} ms: {'ok' if ok else 'MISSED'}]",
            flush=True,
        )
        return {
            "median": median,
            "min": min(times),
            "max": max(times),
            "runs": runs,
            "watched": watched,
            "ok": ok,
        }

    def due_at_once(self, count: int) -> dict[str, Any]:
        from django.db import connection

        from notifications import digests, folding
        from notifications import tasks as notification_tasks
        from sla import obligations

        handed: list[int] = []
        notification_tasks.enqueue = lambda ids: handed.extend(ids)  # no broker here
        cadence = obligations.get("vendors.cadence")
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE vendors_vendorcase SET next_update_due_at = %(due)s, next_check_at = %(due)s
                WHERE id IN (SELECT id FROM vendors_vendorcase WHERE vendor_id = %(vendor)s
                             AND status = 'open' ORDER BY id LIMIT %(n)s)
                """,
                {"due": self.now - dt.timedelta(minutes=5), "vendor": self.vendor_id, "n": count},
            )
            marks = _high_water(cursor)
            closes = folding.window_start(self.now) + folding.window()
            started = time.perf_counter()
            result = obligations.sweep(cadence, now=self.now)
            took = time.perf_counter() - started
            started = time.perf_counter()
            told = digests.close_due(closes)
            closing = time.perf_counter() - started
            checks = _verify(cursor, marks, self.vendor_id, count)
            after = _high_water(cursor)
            again = obligations.sweep(cadence, now=self.now).total
            again_told = digests.close_due(closes)
            unchanged = _high_water(cursor) == after
        fast = took + closing < GOAL_DUE_S
        ok = (
            fast
            and result.total == count
            and checks["once"]
            and again == 0
            and not again_told
            and unchanged
        )
        print(
            f"{count:,} due at once: sweep {took:.2f} s in {result.batches} batches + closing "
            f"the digests {closing:.2f} s  ({result.total:,} reminders, "
            f"{checks['entries']:,} timeline entries; {checks['people']:,} people told "
            f"{checks['in_app']:,} one by one in the app (+ {checks['email']:,} e-mails) and "
            f"{checks['items']:,} folded into {told:,} digests; {len(handed):,} e-mails "
            f"handed on)  [goal < {GOAL_DUE_S:.0f} s: {'ok' if fast else 'MISSED'}]",
            flush=True,
        )
        print(
            f"  each once: one reminder and one entry per case, each case told once (one by "
            f"one or in a digest) {'yes' if checks['once'] else 'NO'} (told twice "
            f"{checks['twice']}); second sweep recorded {again}, second closing told "
            f"{again_told}, wrote {'nothing' if unchanged else 'ROWS'}  "
            f"[{'ok' if ok else 'FAILED'}]",
            flush=True,
        )
        return {
            "count": count,
            "seconds": took,
            "closing": closing,
            "digests": told,
            "batches": result.batches,
            "again": again,
            "unchanged": unchanged and not again_told,
            "handed": len(handed),
            **checks,
            "ok": ok,
        }

    def clean(self) -> None:
        """Delete what the script wrote, by its own markers (a shared database stays as is)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM tickets_notification WHERE id > %s AND kind = ANY(%s)",
                [self.marks.get("tickets_notification", 0), list(REMINDER_KINDS)],
            )
            cursor.execute(
                "DELETE FROM tickets_ticketevent WHERE id > %s AND kind = ANY(%s)",
                [self.marks.get("tickets_ticketevent", 0), list(ENTRY_KINDS)],
            )
            # the reminders' digests and their items (the items first, as above)
            cursor.execute(
                "DELETE FROM notifications_digestitem WHERE digest_id IN (SELECT id FROM "
                "notifications_digest WHERE id > %s AND kind = ANY(%s))",
                [self.marks.get("notifications_digest", 0), list(REMINDER_KINDS)],
            )
            cursor.execute(
                "DELETE FROM notifications_digest WHERE id > %s AND kind = ANY(%s)",
                [self.marks.get("notifications_digest", 0), list(REMINDER_KINDS)],
            )
            # the cases' reminders first: Django cascades in Python, the tables do not
            cursor.execute(
                "DELETE FROM vendors_vendorreminder WHERE case_id IN "
                "(SELECT id FROM vendors_vendorcase WHERE vendor_id = %s)",
                [self.vendor_id],
            )
            cursor.execute("DELETE FROM vendors_vendorcase WHERE vendor_id = %s", [self.vendor_id])
            if self.created_vendor:
                cursor.execute("DELETE FROM vendors_vendor WHERE id = %s", [self.vendor_id])
        print("  (the bench vendor, its cases and what the sweep wrote are deleted)")


def _high_water(cursor: Any) -> dict[str, int]:
    marks = {}
    for table in (
        "tickets_notification",
        "tickets_ticketevent",
        "vendors_vendorreminder",
        "vendors_vendorcase",
        "notifications_digest",
        "notifications_digestitem",
    ):
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
        marks[table] = int(cursor.fetchone()[0])
    return marks


def _verify(cursor: Any, marks: dict[str, int], vendor_id: int, count: int) -> dict[str, Any]:
    """Count what the due sweep wrote: per case one reminder, one entry, one in-app row."""

    def one(sql: str, *params: Any) -> int:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])

    reminder_mark = marks["vendors_vendorreminder"]
    per_case = one(
        "SELECT count(*) FROM (SELECT case_id FROM vendors_vendorreminder WHERE id > %s "
        "AND kind = 'vendor_update_due' GROUP BY case_id HAVING count(*) = 1) x",
        reminder_mark,
    )
    reminders = one("SELECT count(*) FROM vendors_vendorreminder WHERE id > %s", reminder_mark)
    entries = one(
        "SELECT count(*) FROM tickets_ticketevent WHERE id > %s AND kind = 'vendor_reminder_due'",
        marks["tickets_ticketevent"],
    )
    notes = marks["tickets_notification"]
    in_app = one(
        "SELECT count(*) FROM tickets_notification WHERE id > %s AND kind = 'vendor_update_due' "
        "AND channel = 'in_app' AND NOT payload ? 'digest'",
        notes,
    )
    # The in-app side of each case: its row, or its item in the assignee's digest of the
    # window (a quiet person's ``outside`` digest holds the e-mail side of a row: not counted).
    told = (
        "SELECT split_part(dedupe_key, ':', 2) AS case_id FROM tickets_notification "
        "WHERE id > %s AND kind = 'vendor_update_due' AND channel = 'in_app' "
        "AND NOT payload ? 'digest' UNION ALL SELECT split_part(i.cause, ':', 2) "
        "FROM notifications_digestitem i JOIN notifications_digest d ON d.id = i.digest_id "
        "WHERE i.id > %s AND d.kind = 'vendor_update_due' AND d.scope <> 'outside'"
    )
    told_marks = (notes, marks["notifications_digestitem"])
    told_cases = one(f"SELECT count(DISTINCT case_id) FROM ({told}) x", *told_marks)  # noqa: S608
    twice = one(
        f"SELECT count(*) FROM (SELECT case_id FROM ({told}) x "  # noqa: S608
        "GROUP BY case_id HAVING count(*) > 1) y",
        *told_marks,
    )
    items = one(
        "SELECT count(*) FROM notifications_digestitem i JOIN notifications_digest d "
        "ON d.id = i.digest_id WHERE i.id > %s AND d.kind = 'vendor_update_due' "
        "AND d.scope <> 'outside'",
        marks["notifications_digestitem"],
    )
    email = one(
        "SELECT count(*) FROM tickets_notification WHERE id > %s AND kind = 'vendor_update_due' "
        "AND channel = 'email' AND NOT payload ? 'digest'",
        notes,
    )
    people = one(
        "SELECT count(DISTINCT recipient_id) FROM tickets_notification WHERE id > %s "
        "AND kind = 'vendor_update_due'",
        notes,
    )
    once = per_case == reminders == entries == in_app + items == told_cases == count and twice == 0
    return {
        "reminders": reminders,
        "entries": entries,
        "in_app": in_app,
        "items": items,
        "twice": twice,
        "email": email,
        "people": people,
        "once": once,
    }


def markdown(db: str, scene: Scene, quiet: dict[str, Any], due: dict[str, Any]) -> str:
    load = os.getloadavg()[0]
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    return "\n".join(
        [
            f"### Vendor-update cadence sweep, {scene.tickets:,} tickets (`{db}`), {today}",
            "",
            f"`bench/vendor_sweep.py`: the `vendors.cadence` declaration on `sla.obligations`, "
            f"in-process, bench settings; {scene.open_cases:,} open vendor cases (next checks "
            f"over the next 8 hours) and {scene.closed_cases:,} closed ones added to the "
            f"tickets there. Load average {load:.2f} (2 cores).",
            "",
            "| scenario | result | goal |",
            "|---|---|---|",
            f"| nothing due ({quiet['watched']:,} cases watched) | median "
            f"{quiet['median']:.2f} ms (min {quiet['min']:.2f}, max {quiet['max']:.2f}, "
            f"{quiet['runs']} runs) | < {GOAL_QUIET_MS:.0f} ms: "
            f"{'met' if quiet['ok'] else 'MISSED'} |",
            f"| {due['count']:,} cases due at once | sweep {due['seconds']:.2f} s in "
            f"{due['batches']} batches + closing the digests {due['closing']:.2f} s: "
            f"{due['reminders']:,} reminders, {due['entries']:,} timeline entries; "
            f"{due['people']:,} assignees told {due['in_app']:,} one by one in the app "
            f"(+ {due['email']:,} e-mails) and {due['items']:,} in {due['digests']:,} digests "
            f"| < {GOAL_DUE_S:.0f} s: "
            f"{'met' if due['seconds'] + due['closing'] < GOAL_DUE_S else 'MISSED'} |",
            f"| each told once | one reminder and entry per case, each case told once (one by "
            f"one or as a digest item): {'yes' if due['once'] else 'NO'} (twice: "
            f"{due['twice']}); a second sweep recorded {due['again']}, and the second sweep "
            f"and closing wrote {'nothing' if due['unchanged'] else 'rows'} | "
            f"{'met' if due['once'] and due['again'] == 0 and due['unchanged'] else 'MISSED'} |",
        ]
    )


if __name__ == "__main__":
    main()
