"""Major-incident benchmark: the incident sweep with nothing due, and declaring an incident
that links 1,000 open tickets.

    .venv/bin/python bench/incident_sweep.py                          # servicedesk_bench
    .venv/bin/python bench/incident_sweep.py --results bench/results/$(date +%F).md

Run by hand (or by ``make bench``), never as a timed test. See bench/README.md.

The database (``--db``, default ``servicedesk_bench``, the million tickets of
``bench/generate.py``) is created and migrated if needed; with ``--tickets N`` an empty
database is first filled the way ``bench/sla_sweep.py`` fills one.

1. *Nothing due*: ``--open`` open incidents (next checks over the next 30 minutes) and
   ``--closed`` resolved ones are added; the incident sweep (``sla.obligations.sweep`` of
   ``incidents.clocks``) runs ``--runs`` times at a moment before every next check; the
   median is what a beat tick costs. Goal: under 20 ms.
2. *Declare and link*: a tech lead declares an incident (``incidents.services.declare``)
   and links ``--link`` open tickets in one action (``link_tickets``); both are timed
   together. Then the script counts one link and one timeline entry per ticket and exactly
   one in-app notification per distinct requester (plus the e-mail row), whatever the
   number of their tickets. Goal: under 2 s, one notification per requester.

Afterwards every row the script wrote is deleted (``--keep`` leaves them) and the day's
incident counter put back, so a shared bench database stays as it was. E-mails are not
handed to a broker: ``notifications.tasks.enqueue`` is replaced by a counter.
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
GOAL_DECLARE_S = 2.0
MARK = "bench/incident_sweep.py"  # the title of every incident this script adds
LEAD = "mib-lead"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "servicedesk_bench"))
    parser.add_argument("--tickets", type=int, help="fill an empty database with this many")
    parser.add_argument("--open", type=int, default=20, help="open incidents (not due)")
    parser.add_argument("--closed", type=int, default=500, help="resolved incidents")
    parser.add_argument("--link", type=int, default=1_000, help="open tickets linked at once")
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
    scene = Scene.build(args.open, args.closed)
    try:
        quiet = scene.quiet(args.runs)
        declared = scene.declare_and_link(args.link)
    finally:
        if not args.keep:
            scene.clean()
    if args.results:
        from bench.run import write_section

        write_section(
            Path(args.results),
            f"incident_sweep:{args.db}",
            markdown(args.db, scene, quiet, declared),
        )
        print(f"results written to {args.results}")
    if not (quiet["ok"] and declared["ok"]):
        sys.exit(1)


class Scene:
    """The bench's incidents and tech lead, and the high-water marks of what is written."""

    def __init__(self, lead_id: int, created_lead: bool, now: dt.datetime) -> None:
        self.lead_id = lead_id
        self.created_lead = created_lead
        self.now = now
        self.tickets = 0
        self.open_incidents = 0
        self.closed_incidents = 0
        self.marks: dict[str, int] = {}
        self.counter: tuple[Any, int | None] = (None, None)

    @classmethod
    def build(cls, n_open: int, n_closed: int) -> Scene:
        from django.db import connection
        from django.utils import timezone

        from accounts.models import User
        from accounts.roles import Role, assign_role
        from incidents.models import IncidentCounter, MajorIncident
        from incidents.numbers import desk_day
        from tickets.models import Ticket

        lead = User.objects.filter(username=LEAD).first()
        created = lead is None
        if lead is None:
            lead = User.objects.create_user(
                username=LEAD, email=f"{LEAD}@bench.invalid", display_name="Bench lead"
            )
            assign_role(lead, Role.TECH_LEAD)
        now = timezone.now().replace(microsecond=0)
        scene = cls(lead.pk, created, now)
        scene.tickets = Ticket.objects.count()
        day = desk_day(now)
        found = IncidentCounter.objects.filter(day=day).first()
        scene.counter = (day, found.last if found else None)
        with connection.cursor() as cursor:
            scene.marks = _high_water(cursor)
        step = dt.timedelta(minutes=30) / max(n_open, 1)
        rows = [
            MajorIncident(
                number=f"MIB-{i:06d}",
                title=MARK,
                impact="bench",
                commander_id=lead.pk,
                declared_by_id=lead.pk,
                declared_at=now - dt.timedelta(minutes=20),
                task_force_due_at=now - dt.timedelta(minutes=10),
                task_force_formed_at=now - dt.timedelta(minutes=15),
                status="investigating",
                next_check_at=now + dt.timedelta(seconds=60) + i * step,
            )
            for i in range(n_open)
        ]
        rows += [
            MajorIncident(
                number=f"MIB-C{i:06d}",
                title=MARK,
                impact="bench",
                commander_id=lead.pk,
                declared_by_id=lead.pk,
                declared_at=now - dt.timedelta(days=30),
                task_force_due_at=now - dt.timedelta(days=30),
                status="resolved",
                restored_at=now - dt.timedelta(days=30),
                resolved_at=now - dt.timedelta(days=29),
            )
            for i in range(n_closed)
        ]
        MajorIncident.objects.bulk_create(rows, batch_size=1000)
        scene.open_incidents, scene.closed_incidents = n_open, n_closed
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE incidents_majorincident")
        print(
            f"# {scene.tickets:,} tickets; {n_open:,} open and {n_closed:,} resolved incidents "
            "added",
            flush=True,
        )
        return scene

    def quiet(self, runs: int) -> dict[str, Any]:
        from django.core.cache import cache
        from django.db.models import Min
        from django.urls import reverse

        from incidents.models import MajorIncident
        from sla import obligations

        clocks = obligations.get("incidents.clocks")
        first = MajorIncident.objects.aggregate(m=Min("next_check_at"))["m"]
        moment = (first - dt.timedelta(seconds=1)) if first else self.now
        obligations.sweep(clocks, now=moment)  # warm-up: connection, imports
        reverse("incidents:live", kwargs={"number": "MI-0"})  # and the URL resolver
        cache.get("bench:warm-up")  # and the cache client, as in a worker that has run before
        times, recorded = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            recorded += obligations.sweep(clocks, now=moment).total
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        ok = median < GOAL_QUIET_MS and recorded == 0
        watched = MajorIncident.objects.filter(next_check_at__isnull=False).count()
        print(
            f"nothing due  ({watched:,} incidents with a next check, {self.tickets:,} tickets): "
            f"sweep median {median:.2f} ms, min {min(times):.2f}, max {max(times):.2f} over "
            f"{runs} runs, {recorded} recorded  "
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

    def declare_and_link(self, count: int) -> dict[str, Any]:
        from django.db import connection

        from accounts.models import User
        from incidents import services
        from notifications import tasks as notification_tasks
        from tickets.choices import OPEN_STATES
        from tickets.models import Ticket

        handed: list[int] = []
        notification_tasks.enqueue = lambda ids: handed.extend(ids)  # no broker here
        lead = User.objects.get(pk=self.lead_id)
        numbers = list(
            Ticket.objects.filter(state__in=OPEN_STATES)
            .order_by("-id")
            .values_list("number", flat=True)[:count]
        )
        if len(numbers) < count:
            sys.exit(f"only {len(numbers):,} open tickets to link (wanted {count:,})")
        requesters = (
            Ticket.objects.filter(number__in=numbers).values("requester_id").distinct().count()
        )
        started = time.perf_counter()
        incident = services.declare(
            actor=lead, title=MARK, impact="The bench links a thousand tickets at once."
        )
        linked = services.link_tickets(incident.pk, actor=lead, numbers=numbers)
        took = time.perf_counter() - started
        with connection.cursor() as cursor:
            checks = _verify(cursor, self.marks, incident.pk, incident.number, count, requesters)
        ok = took < GOAL_DECLARE_S and len(linked) == count and checks["once"]
        print(
            f"declare + link {count:,} open tickets: {took:.2f} s  ({checks['links']:,} links, "
            f"{checks['entries']:,} timeline entries, {checks['in_app']:,} in-app + "
            f"{checks['email']:,} e-mail notices to {checks['people']:,} requesters of "
            f"{requesters:,}; {checks['declared']:,} desk notices of the declaration; "
            f"{len(handed):,} e-mails handed on)  "
            f"[goal < {GOAL_DECLARE_S:.0f} s: {'ok' if took < GOAL_DECLARE_S else 'MISSED'}]",
            flush=True,
        )
        print(
            f"  one notice per requester {'yes' if checks['once'] else 'NO'}  "
            f"[{'ok' if ok else 'FAILED'}]",
            flush=True,
        )
        return {
            "count": count,
            "seconds": took,
            "requesters": requesters,
            "handed": len(handed),
            **checks,
            "ok": ok,
        }

    def clean(self) -> None:
        """Delete what the script wrote, by its markers (a shared database stays as is)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM tickets_notification WHERE id > %s AND kind LIKE 'incident%%'",
                [self.marks.get("tickets_notification", 0)],
            )
            cursor.execute(
                "DELETE FROM tickets_ticketevent WHERE id > %s AND kind = 'incident_linked'",
                [self.marks.get("tickets_ticketevent", 0)],
            )
            mine = "SELECT id FROM incidents_majorincident WHERE title = %s"
            # children first: Django cascades in Python, the tables do not
            for table, column in (
                ("incidents_incidentticket", "incident_id"),
                ("incidents_incidentmember", "incident_id"),
                ("incidents_statusnote", "incident_id"),
                ("incidents_incidentclockevent", "incident_id"),
                ("incidents_incidentreport", "incident_id"),
                ("incidents_majorincident_sites", "majorincident_id"),
                ("incidents_majorincident_stakeholders", "majorincident_id"),
            ):
                cursor.execute(
                    f"DELETE FROM {table} WHERE {column} IN ({mine})",  # noqa: S608
                    [MARK],
                )
            cursor.execute("DELETE FROM incidents_majorincident WHERE title = %s", [MARK])
            day, last = self.counter
            if last is None:
                cursor.execute("DELETE FROM incidents_incidentcounter WHERE day = %s", [day])
            else:
                cursor.execute(
                    "UPDATE incidents_incidentcounter SET last = %s WHERE day = %s", [last, day]
                )
            if self.created_lead:
                cursor.execute(
                    "DELETE FROM accounts_user_groups WHERE user_id = %s", [self.lead_id]
                )
                cursor.execute("DELETE FROM accounts_user WHERE id = %s", [self.lead_id])
        print("  (the bench incidents, their links and what they wrote are deleted)")


def _high_water(cursor: Any) -> dict[str, int]:
    marks = {}
    for table in ("tickets_notification", "tickets_ticketevent", "incidents_incidentticket"):
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
        marks[table] = int(cursor.fetchone()[0])
    return marks


def _verify(
    cursor: Any,
    marks: dict[str, int],
    incident_id: int,
    number: str,
    count: int,
    requesters: int,
) -> dict[str, Any]:
    """Per ticket one link and one entry; per requester exactly one in-app notice."""

    def one(sql: str, *params: Any) -> int:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])

    links = one("SELECT count(*) FROM incidents_incidentticket WHERE incident_id = %s", incident_id)
    entries = one(
        "SELECT count(*) FROM tickets_ticketevent WHERE id > %s AND kind = 'incident_linked'",
        marks["tickets_ticketevent"],
    )
    notes = marks["tickets_notification"]
    where = "id > %s AND kind = 'incident_ticket_linked' AND payload->>'number' = %s"
    in_app = one(
        f"SELECT count(*) FROM tickets_notification WHERE {where} AND channel = 'in_app'",  # noqa: S608
        notes,
        number,
    )
    people = one(
        f"SELECT count(DISTINCT recipient_id) FROM tickets_notification WHERE {where}",  # noqa: S608
        notes,
        number,
    )
    email = one(
        f"SELECT count(*) FROM tickets_notification WHERE {where} AND channel = 'email'",  # noqa: S608
        notes,
        number,
    )
    declared = one(
        "SELECT count(*) FROM tickets_notification WHERE id > %s AND kind = 'incident_declared' "
        "AND channel = 'in_app' AND payload->>'number' = %s",
        notes,
        number,
    )
    once = links == entries == count and in_app == people == requesters
    return {
        "links": links,
        "entries": entries,
        "in_app": in_app,
        "email": email,
        "people": people,
        "declared": declared,
        "once": once,
    }


def markdown(db: str, scene: Scene, quiet: dict[str, Any], declared: dict[str, Any]) -> str:
    load = os.getloadavg()[0]
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    return "\n".join(
        [
            f"### Major incidents: the sweep and a declaration linking "
            f"{declared['count']:,} tickets, {scene.tickets:,} tickets (`{db}`), {today}",
            "",
            f"`bench/incident_sweep.py`: the `incidents.clocks` declaration on "
            f"`sla.obligations` and the `incidents.services`, in-process, bench settings; "
            f"{scene.open_incidents:,} open incidents (next checks over the next 30 minutes) "
            f"and {scene.closed_incidents:,} resolved ones added. Load average {load:.2f} "
            "(2 cores).",
            "",
            "| scenario | result | goal |",
            "|---|---|---|",
            f"| sweep, nothing due ({quiet['watched']:,} incidents watched) | median "
            f"{quiet['median']:.2f} ms (min {quiet['min']:.2f}, max {quiet['max']:.2f}, "
            f"{quiet['runs']} runs) | < {GOAL_QUIET_MS:.0f} ms: "
            f"{'met' if quiet['ok'] else 'MISSED'} |",
            f"| declare + link {declared['count']:,} open tickets in one action | "
            f"{declared['seconds']:.2f} s: {declared['links']:,} links, "
            f"{declared['entries']:,} timeline entries, {declared['in_app']:,} in-app + "
            f"{declared['email']:,} e-mail notices to {declared['people']:,} requesters, "
            f"{declared['declared']:,} desk notices of the declaration | "
            f"< {GOAL_DECLARE_S:.0f} s: "
            f"{'met' if declared['seconds'] < GOAL_DECLARE_S else 'MISSED'} |",
            f"| one notice per requester | {declared['requesters']:,} distinct requesters, "
            f"{declared['people']:,} told, {declared['in_app']:,} in-app rows: "
            f"{'yes' if declared['once'] else 'NO'} | "
            f"{'met' if declared['once'] else 'MISSED'} |",
        ]
    )


if __name__ == "__main__":
    main()
