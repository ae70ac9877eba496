"""Work-view benchmark: the engineer's ticket page with a long field-work history, at 1M tickets.

    .venv/bin/python bench/work_view.py                       # servicedesk_bench
    .venv/bin/python bench/work_view.py --results bench/results/$(date +%F).md

Run by hand (or by ``make bench``), never as a timed test. See bench/README.md.

On the tickets of ``--db`` (default ``servicedesk_bench``, the million tickets of
``bench/generate.py``; created and migrated if needed, but it must hold tickets), the script
picks ``--tickets`` diagnosed tickets of one engineer and gives each, with the ORM, a long
history: 200 more timeline entries (replies, internal notes, files, and every entry kind a
feature registered), 20 work-log rows, 5 on-site visits, 3 vendor cases with updates and a
reminder, 5 remote-session consents, a plan with its window and 20 functional checks. One
more ticket gets one of each.

1. *Queries*: the page once through Django's test Client under ``CaptureQueriesContext``,
   for the long history and for the short one: the same count, or the run fails. The page
   sends the reads it makes once it has the ticket as one round trip of prepared statements
   (``tickets.selectors_prepared``): one query, several statements; both are reported.
2. *Latency*: gunicorn (``servicedesk.wsgi``, 2 sync workers, bench settings) on loopback,
   the assignee's session, ``--requests`` sequential GETs spread over the long tickets after
   a warm-up; client-side and server-side (gunicorn's ``%(D)s``) medians.
   Goal: median under 40 ms.

Afterwards every row the script added is deleted (by primary keys above the high-water marks
taken before, on the chosen tickets), so a shared bench database stays as it was; ``--keep``
leaves them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import ARTIFACTS, ensure_database, setup_django, summary  # noqa: E402

GOAL_MS = 40.0
LONG = {"events": 200, "worklogs": 20, "visits": 5, "cases": 3, "consents": 5, "checks": 20}
SHORT = dict.fromkeys(LONG, 1)
MARKER = "bench/work_view.py"
# Tables the script writes, in the order they are cleaned (children first).
TABLES = [
    ("tickets_ticketevent", "ticket_id"),
    ("tickets_message", "ticket_id"),
    ("fieldwork_worklog", "ticket_id"),
    ("fieldwork_sitevisit", "ticket_id"),
    ("fieldwork_remoteconsent", "ticket_id"),
    ("fieldwork_functionalcheck", "ticket_id"),
    ("fieldwork_workplan", "ticket_id"),
    ("vendors_vendorcase", "ticket_id"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "servicedesk_bench"))
    parser.add_argument("--tickets", type=int, default=5, help="tickets given a long history")
    parser.add_argument("--requests", type=int, default=100, help="timed GETs")
    parser.add_argument("--keep", action="store_true", help="keep the history rows")
    parser.add_argument("--results", default="", help="markdown file to update (a section)")
    args = parser.parse_args()

    if ensure_database(args.db):
        print(f"created database {args.db}")
    setup_django(args.db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # The pages link their static files through the manifest (bench settings, as production).
    if not (ARTIFACTS / "static" / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    scene = Scene.build(args.tickets)
    try:
        queries = scene.count_queries()
        cpu = scene.breakdown()
        latency = scene.latency(args.db, args.requests)
    finally:
        if not args.keep:
            scene.clean()
    ok = queries["long"] == queries["short"] and latency["server"]["median"] < GOAL_MS
    text = markdown(args.db, scene, queries, latency, cpu)
    print(text)
    if args.results:
        from bench.run import write_section

        write_section(Path(args.results), f"work_view:{args.db}", text)
        print(f"results written to {args.results}")
    if not ok:
        sys.exit(1)


class Scene:
    """The chosen tickets, their engineer, and the high-water marks of the tables written."""

    def __init__(self) -> None:
        self.long: list[Any] = []
        self.short: Any = None
        self.engineer: Any = None
        self.requester_ids: set[int] = set()
        self.marks: dict[str, int] = {}
        self.total_tickets = 0
        self.events_before: dict[str, int] = {}

    @classmethod
    def build(cls, n: int) -> Scene:
        from django.db import connection
        from django.db.models import Count

        from tickets.models import Ticket

        scene = cls()
        scene.total_tickets = Ticket.objects.count()
        with connection.cursor() as cursor:
            for table, _ in TABLES:
                cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
                scene.marks[table] = cursor.fetchone()[0]
        # The busiest engineer's diagnosed tickets: the work view with every form on it.
        busiest = (
            Ticket.objects.filter(state="diagnosed", assignee__isnull=False)
            .values("assignee")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        if busiest is None:
            raise SystemExit("no diagnosed ticket with an assignee: run bench/generate.py first")
        chosen = list(
            Ticket.objects.filter(state="diagnosed", assignee_id=busiest["assignee"])
            .exclude(work_plan__isnull=False)
            .select_related("assignee", "requester")
            .order_by("-id")[: n + 1]
        )
        scene.engineer = chosen[0].assignee
        scene.short, scene.long = chosen[0], chosen[1:]
        for ticket in scene.long:
            scene.events_before[ticket.number] = ticket.events.count()
            fill(ticket, LONG)
        fill(scene.short, SHORT)
        return scene

    def count_queries(self) -> dict[str, int]:
        """The page for the short and a long history, through the test Client (warm): its
        queries (round trips) and its statements (a batch of prepared reads is one query of
        several ``EXECUTE`` statements)."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        client = Client()
        client.force_login(self.engineer)
        counts = {}
        for name, ticket in (("short", self.short), ("long", self.long[0])):
            url = f"/tickets/{ticket.number}/"
            client.get(url)  # a first look writes: notifications read
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
            counts[name] = len(ctx.captured_queries)
            counts[f"{name}_statements"] = sum(
                max(q["sql"].count("EXECUTE "), 1) for q in ctx.captured_queries
            )
        return counts

    def breakdown(self, runs: int = 10) -> dict[str, dict[str, float]]:
        """Where the page's Python time goes, in this process (CPU time, best of ``runs``):
        the whole page, and the timeline partial alone rendered with the page's context."""
        from django.contrib.messages.storage.fallback import FallbackStorage
        from django.template.loader import get_template
        from django.test import Client, RequestFactory

        from tickets.views.common import ticket_or_404
        from tickets.views.ticket import detail_context

        client = Client()
        client.force_login(self.engineer)
        timeline = get_template("tickets/partials/_timeline.html")
        found = {}
        for name, ticket in (("short", self.short), ("long", self.long[0])):
            url = f"/tickets/{ticket.number}/"
            request = RequestFactory().get(url)
            request.user = self.engineer
            request.session = {}  # type: ignore[assignment]
            request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
            context = detail_context(request, ticket_or_404(request, ticket.number))
            page, part = [], []
            for _ in range(runs):
                started = time.process_time()
                client.get(url)
                page.append((time.process_time() - started) * 1000)
                started = time.process_time()
                timeline.render(context, request)
                part.append((time.process_time() - started) * 1000)
            found[name] = {"page": min(page), "timeline": min(part)}
        return found

    def latency(self, db: str, n: int) -> dict[str, Any]:
        from django.conf import settings
        from django.middleware.csrf import _get_new_csrf_string
        from django.test import Client

        from bench.run import Gunicorn, Identity, Scenario, free_port, request

        client = Client()
        client.force_login(self.engineer)
        ident = Identity(
            username=self.engineer.username,
            session=client.cookies[settings.SESSION_COOKIE_NAME].value,
            csrf=_get_new_csrf_string(),
        )

        def page(ticket: Any) -> Scenario:
            return Scenario(ticket.number, "work view", "GET", f"/tickets/{ticket.number}/", "")

        def timed(pages: list[Scenario], count: int) -> tuple[list[float], list[float]]:
            # Warm both workers on every page: two requests at a time, so neither worker's
            # first (cold: imports, templates, compiled reads) request lands in the timing.
            with ThreadPoolExecutor(2) as pool:
                for one in pages:
                    for _ in range(3):
                        list(pool.map(lambda p: request(gun.port, p, ident, None), [one, one]))
            offset = gun.log_size()
            times = []
            for one in itertools.islice(itertools.cycle(pages), count):
                status, ms, _ = request(gun.port, one, ident, None)
                statuses.add(status)
                times.append(ms)
            return times, gun.server_times(offset)

        statuses: set[int] = set()
        gun = Gunicorn(db, free_port())
        try:
            times, server = timed([page(t) for t in self.long], n)
            # The same page with one row of each, as the baseline of the same machine now.
            short_times, short_server = timed([page(self.short)], max(n // 4, 10))
        finally:
            gun.stop()
        return {
            "client": summary(times),
            "server": summary(server),
            "short_client": summary(short_times),
            "short_server": summary(short_server),
            "status": sorted(statuses),
        }

    def clean(self) -> None:
        """Every row above the high-water marks on the chosen tickets (the vendor cases take
        their updates and reminders with them; a plan its picked logs)."""
        from django.db import connection

        ids = [t.pk for t in [self.short, *self.long]]
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM vendors_vendorcaseupdate u USING vendors_vendorcase c "
                "WHERE u.case_id = c.id AND c.ticket_id = ANY(%s) AND c.id > %s",
                [ids, self.marks["vendors_vendorcase"]],
            )
            cursor.execute(
                "DELETE FROM vendors_vendorreminder r USING vendors_vendorcase c "
                "WHERE r.case_id = c.id AND c.ticket_id = ANY(%s) AND c.id > %s",
                [ids, self.marks["vendors_vendorcase"]],
            )
            cursor.execute(
                "DELETE FROM fieldwork_workplan_log_attachments a USING fieldwork_workplan p "
                "WHERE a.workplan_id = p.id AND p.ticket_id = ANY(%s) AND p.id > %s",
                [ids, self.marks["fieldwork_workplan"]],
            )
            for table, column in TABLES:
                cursor.execute(
                    f"DELETE FROM {table} WHERE {column} = ANY(%s) AND id > %s",  # noqa: S608
                    [ids, self.marks[table]],
                )
        print(f"cleanup: removed the history added to {len(ids)} tickets")


def fill(ticket: Any, counts: dict[str, int]) -> None:
    """``counts`` rows of each kind of history on ``ticket``, written with the ORM."""
    from django.utils import timezone

    from fieldwork.models import FunctionalCheck, RemoteConsent, SiteVisit, WorkLog, WorkPlan
    from tickets import hooks
    from tickets.choices import EventKind, MessageKind
    from tickets.models import Message, TicketEvent
    from vendors.choices import ReminderKind
    from vendors.models import Vendor, VendorCase, VendorCaseUpdate, VendorReminder

    engineer, requester = ticket.assignee, ticket.requester
    now = timezone.now()
    tick = itertools.count()

    def moment() -> dt.datetime:
        return now - dt.timedelta(hours=300) + dt.timedelta(minutes=next(tick))

    kinds = [
        EventKind.REPLIED,
        EventKind.NOTE_ADDED,
        EventKind.ATTACHMENT_ADDED,
        EventKind.PRIORITY_CHANGED,
        *sorted(hooks._kinds),  # every feature's kinds (the registry's keys)
    ]
    events = []
    for index, kind in zip(range(counts["events"]), itertools.cycle(kinds), strict=False):
        message = None
        if kind in (EventKind.REPLIED, EventKind.NOTE_ADDED):
            internal = kind == EventKind.NOTE_ADDED
            message = Message.objects.create(
                ticket=ticket,
                author=engineer,
                kind=MessageKind.INTERNAL if internal else MessageKind.PUBLIC,
                body=f"{MARKER}: message {index}, the kind of text an engineer writes.",
                created_at=moment(),
            )
        events.append(
            TicketEvent(
                ticket=ticket,
                kind=kind,
                actor=engineer,
                at=moment(),
                message=message,
                is_internal=kind == EventKind.NOTE_ADDED,
                data={
                    "bench": MARKER,
                    "files": ["server.log"],
                    "from": "low",
                    "to": "medium",
                    "label": f"Check {index}",
                    "result": "passed",
                    "approach": "restart",
                    "window_start": now.isoformat(),
                    "window_end": (now + dt.timedelta(hours=1)).isoformat(),
                },
            )
        )
    TicketEvent.objects.bulk_create(events)
    WorkLog.objects.bulk_create(
        WorkLog(
            ticket=ticket,
            author=engineer,
            body=f"{MARKER}: step {i}",
            minutes=5,
            mode="onsite" if i % 2 else "phone",
            is_public=bool(i % 2),
            performed_at=moment(),
            created_at=moment(),
            parts_used="toner" if i % 5 == 0 else "",
        )
        for i in range(counts["worklogs"])
    )
    SiteVisit.objects.bulk_create(
        SiteVisit(
            ticket=ticket,
            engineer=engineer,
            scheduled_at=now + dt.timedelta(days=i),
            state="completed" if i else "scheduled",
            bring=MARKER,
            created_by=engineer,
            created_at=moment(),
            completed_at=moment() if i else None,
        )
        for i in range(counts["visits"])
    )
    RemoteConsent.objects.bulk_create(
        RemoteConsent(
            ticket=ticket,
            requested_by=engineer,
            tool="TeamViewer",
            purpose=f"{MARKER}: session {i}",
            duration_minutes=30,
            state="granted" if i else "requested",
            requested_at=moment(),
            answered_by=requester if i else None,
            answered_at=moment() if i else None,
            granted_at=moment() if i else None,
            expires_at=moment() if i else None,
        )
        for i in range(counts["consents"])
    )
    vendor, _ = Vendor.objects.get_or_create(name=f"Bench vendor ({MARKER})")
    for i in range(counts["cases"]):
        case = VendorCase.objects.create(
            ticket=ticket,
            vendor=vendor,
            vendor_reference=f"BENCH-{i}",
            summary=MARKER,
            status="open" if i == 0 else "closed",
            opened_by=engineer,
            opened_at=moment(),
            closed_by=None if i == 0 else engineer,
            closed_at=None if i == 0 else moment(),
            last_update_at=moment(),
            # Far ahead: the cadence sweep that may run beside the bench leaves them alone.
            next_update_due_at=now + dt.timedelta(days=30) if i == 0 else None,
            next_check_at=now + dt.timedelta(days=30) if i == 0 else None,
        )
        VendorCaseUpdate.objects.bulk_create(
            VendorCaseUpdate(case=case, author=engineer, body=f"news {j}", created_at=moment())
            for j in range(3)
        )
        VendorReminder.objects.create(
            case=case, kind=ReminderKind.UPDATE_DUE, due_at=moment(), created_at=moment()
        )
    WorkPlan.objects.create(
        ticket=ticket,
        approach="restart",
        risk="Unsaved drafts are lost",
        log_references=f"{MARKER}: app01:/var/log/oa/server.log",
        window_start=now + dt.timedelta(days=1),
        window_end=now + dt.timedelta(days=1, hours=1),
        created_by=engineer,
        created_at=now,
        updated_at=now,
    )
    # The category's default checks too, so the handler's first look adds none.
    from fieldwork.services.checks import templates_for

    labels = [t.label for t in templates_for(ticket)]
    labels += [f"Bench check {i}" for i in range(max(counts["checks"] - len(labels), 0))]
    FunctionalCheck.objects.bulk_create(
        FunctionalCheck(
            ticket=ticket,
            label=label,
            result="passed" if i % 2 else "",
            note="fine" if i % 2 else "",
            checked_by=engineer if i % 2 else None,
            checked_at=moment() if i % 2 else None,
            sort_order=i,
        )
        for i, label in enumerate(labels)
    )


def markdown(
    db: str,
    scene: Scene,
    queries: dict[str, int],
    latency: dict[str, Any],
    cpu: dict[str, dict[str, float]],
) -> str:
    client, server, short = latency["client"], latency["server"], latency["short_server"]
    same = queries["long"] == queries["short"]
    met = server["median"] < GOAL_MS
    before = min(scene.events_before.values()), max(scene.events_before.values())
    return "\n".join(
        [
            "## Work view with a long field-work history (`bench/work_view.py`)",
            "",
            f"Database `{db}`, {scene.total_tickets:,} tickets. {len(scene.long)} diagnosed "
            f"tickets of `{scene.engineer.username}` (their own {before[0]}–{before[1]} "
            "timeline entries) given 200 more entries (every registered kind), 20 work-log "
            "rows, 5 visits, 3 vendor cases (3 updates and a reminder each), 5 consents, a "
            "plan and 20 functional checks; the engineer's page (`/tickets/<number>/`, the "
            f"assignee's session), {client['n']} sequential GETs after a warm-up, gunicorn "
            "with 2 sync workers.",
            "",
            "| | median | p95 | max | goal |",
            "|---|---|---|---|---|",
            f"| server (gunicorn `%(D)s`) | **{server['median']:.1f} ms** | "
            f"{server['p95']:.1f} ms | {server['max']:.1f} ms | < {GOAL_MS:.0f} ms "
            f"{'met' if met else '**missed**'} |",
            f"| client | {client['median']:.1f} ms | {client['p95']:.1f} ms | "
            f"{client['max']:.1f} ms | |",
            f"| server, one row of each (baseline) | {short['median']:.1f} ms | "
            f"{short['p95']:.1f} ms | {short['max']:.1f} ms | |",
            "",
            f"Queries: **{queries['long']}** with the long history, {queries['short']} with "
            f"one row of each — {'the same' if same else '**not the same**'} "
            f"({queries['long_statements']} and {queries['short_statements']} statements: "
            "the reads after the ticket's go in one round trip). "
            f"Statuses: {latency['status']}. Load average when done: "
            f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores).",
            "",
            "Python CPU time of the page in one process (test Client, best of 10): "
            f"{cpu['long']['page']:.1f} ms with the long history, of which "
            f"{cpu['long']['timeline']:.1f} ms render the timeline partial; "
            f"{cpu['short']['page']:.1f} ms with one row of each "
            f"({cpu['short']['timeline']:.1f} ms timeline).",
        ]
    )


if __name__ == "__main__":
    main()
