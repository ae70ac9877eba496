"""Automatic assignment benchmark: what it adds to filing a ticket with 200 engineers and
50,000 open tickets.

    .venv/bin/python bench/assign.py                                   # sd_assign_bench
    .venv/bin/python bench/assign.py --results bench/results/$(date +%F).md

Run by hand, never as a timed test. See bench/README.md.

The database (``--db``, default ``sd_assign_bench``) is created and migrated if missing,
then filled once (a table ``bench_assign_meta`` records what): ``--engineers`` engineers
(``asg-eng-000`` …), each skilled at level 2 or 3 in five of the seeded categories (so
about a quarter of them in any one category), a quarter of them covering only some sites,
all working by a 24x7 calendar (the bench runs at any hour); ``--open`` open tickets
spread over them (10 % high, 60 % medium, 30 % low priority) and ``--closed`` closed ones.
A category ``bench-everyone`` has every engineer skilled in it: the worst case, 200
eligible engineers whose loads cover all the open tickets.

Each round files one ticket through ``tickets.services.submit_ticket`` (the requester's
web form path: the transaction, the number, the SLA clocks, the timeline, the search
document, the notifications) under each mode in turn — ``off``, ``round_robin``,
``least_loaded`` (a quarter of the engineers eligible) and ``least_loaded`` over
everyone — ``--runs`` rounds, modes interleaved so that the machine's load falls on all
alike. The result is each mode's median and its difference from ``off``, and the CPU
time per filing (this process's, plus the database backend's from ``/proc``: what it costs
whatever else the shared machine runs). Goal: **under 10 ms** added. Then the choice alone
(lock, the choosing statement, calendars: what assignment costs beyond the writes every
assignment makes), the assigner's own queries, counted, and ``EXPLAIN ANALYZE`` of its
choosing statement (``people.assignment.pick``) for ``bench-everyone`` (skills, roles,
profiles, sites and the open loads of every engineer, ranked per calendar).

Afterwards the tickets, timeline entries and notifications the rounds wrote are deleted and
the day's ticket counter put back, so the open load stays what was filled (``--keep``
leaves them). Notifications are not handed to a broker: ``notifications.tasks.enqueue`` is
replaced by a counter.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import ensure_database, setup_django  # noqa: E402

GOAL_MS = 10.0
PREFIX = "asg-"
EVERYONE = "bench-everyone"
CALENDAR = "Bench 24x7 (bench/assign.py)"
VERSION = 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "sd_assign_bench"))
    parser.add_argument("--engineers", type=int, default=200)
    parser.add_argument("--open", type=int, default=50_000, help="open tickets")
    parser.add_argument("--closed", type=int, default=150_000, help="closed tickets")
    parser.add_argument("--runs", type=int, default=150, help="rounds (one filing per mode)")
    parser.add_argument("--keep", action="store_true", help="keep the tickets the rounds filed")
    parser.add_argument("--results", default="", help="markdown file to update (a section)")
    args = parser.parse_args()

    if ensure_database(args.db):
        print(f"created database {args.db}")
    setup_django(args.db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    fill(args.engineers, args.open, args.closed)
    scene = Scene.build()
    try:
        timed = scene.rounds(args.runs)
        queries = scene.assigner_queries()
        timed["choice"] = scene.choice_alone(args.runs)
        plan = scene.explain_candidates()
    finally:
        if not args.keep:
            scene.clean()
    report = markdown(args, scene, timed, queries, plan)
    print(report)
    if args.results:
        from bench.run import write_section

        write_section(Path(args.results), f"assign:{args.db}", report)
        print(f"results written to {args.results}")
    worst = max(timed["added"].values())
    if worst >= GOAL_MS:
        sys.exit(1)


# --- data -------------------------------------------------------------------------------


def fill(n_engineers: int, n_open: int, n_closed: int) -> None:
    """People, skills, profiles and tickets, once per (engineers, open, closed)."""
    from django.db import connection, transaction

    wanted = f"v{VERSION}:{n_engineers}:{n_open}:{n_closed}"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_assign_meta (filled text)")
        cursor.execute("SELECT filled FROM bench_assign_meta")
        row = cursor.fetchone()
    if row and row[0] == wanted:
        print(f"# data already there ({wanted}); reused")
        return
    started = time.perf_counter()
    with transaction.atomic():
        requester, engineers = _people(n_engineers)
        _skills_and_profiles(engineers)
        _tickets(requester, engineers, n_open, n_closed)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM bench_assign_meta")
            cursor.execute("INSERT INTO bench_assign_meta VALUES (%s)", [wanted])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tickets_ticket")
        cursor.execute("ANALYZE people_skill")
        cursor.execute("ANALYZE people_engineerprofile")
    print(f"# filled {wanted} in {time.perf_counter() - started:.1f} s", flush=True)


def _people(n_engineers: int) -> tuple[int, list[int]]:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from accounts.models import Site, User
    from accounts.roles import Role, ensure_role_groups

    ensure_role_groups()
    sites = [
        Site.objects.get_or_create(code=f"{PREFIX}site-{i}", defaults={"name": f"Bench site {i}"})[
            0
        ]
        for i in range(4)
    ]
    User.objects.filter(username__startswith=PREFIX).delete()
    password = make_password(None)
    requester = User.objects.create(
        username=f"{PREFIX}req", password=password, display_name="Bench requester", site=sites[0]
    )
    requester.groups.add(Group.objects.get(name=Role.REQUESTER))
    engineers = User.objects.bulk_create(
        [
            User(username=f"{PREFIX}eng-{i:03d}", password=password, display_name=f"Eng {i:03d}")
            for i in range(n_engineers)
        ]
    )
    group = Group.objects.get(name=Role.ENGINEER)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=e.pk, group_id=group.pk) for e in engineers]
    )
    return requester.pk, [e.pk for e in engineers]


def _skills_and_profiles(engineers: list[int]) -> None:
    from accounts.models import Site
    from people.models import EngineerProfile, Skill
    from sla.models import BusinessCalendar
    from tickets.models import Category

    everyone, _ = Category.objects.get_or_create(
        slug=EVERYONE, defaults={"name": "基准：所有人", "name_en": "Bench: everyone"}
    )
    categories = list(
        Category.objects.filter(is_active=True).exclude(pk=everyone.pk).order_by("pk")
    )
    calendar, _ = BusinessCalendar.objects.get_or_create(
        name=CALENDAR, defaults={"weekly_hours": [["00:00-24:00"]] * 7}
    )
    skills = []
    for i, engineer in enumerate(engineers):
        chosen = {categories[(i * 7 + k * 5) % len(categories)].pk for k in range(5)}
        skills += [
            Skill(engineer_id=engineer, category_id=c, level=2 + (i + c) % 2) for c in chosen
        ]
        skills.append(Skill(engineer_id=engineer, category_id=everyone.pk, level=2 + i % 2))
    Skill.objects.bulk_create(skills)
    profiles = EngineerProfile.objects.bulk_create(
        [EngineerProfile(user_id=e, calendar=calendar) for e in engineers]
    )
    sites = list(Site.objects.filter(code__startswith=PREFIX).order_by("pk"))
    EngineerProfile.sites.through.objects.bulk_create(
        [
            EngineerProfile.sites.through(engineerprofile_id=p.pk, site_id=sites[i % 4].pk)
            for i, p in enumerate(profiles)
            if i % 4 == 3  # a quarter cover one site only (never the requester's: site 0)
        ]
    )


def _tickets(requester: int, engineers: list[int], n_open: int, n_closed: int) -> None:
    from django.db import connection

    from tickets.models import Category

    category = Category.objects.get(slug="hardware-printer").pk
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE tickets_ticket, tickets_ticketevent, tickets_slaevent RESTART IDENTITY "
            "CASCADE"
        )
        columns, values = _ticket_select(cursor, requester, category)
        cursor.execute(
            f"INSERT INTO tickets_ticket ({columns}) SELECT {values} "  # noqa: S608 - ours
            "FROM generate_series(1, %s) AS g, (SELECT %s::bigint[] AS eng, %s::int AS n_open, "
            "date_trunc('minute', now()) AS base) AS k",
            [n_open + n_closed, engineers, n_open],
        )
        # TRUNCATE fires no row trigger: recount the open loads from the tickets.
        cursor.execute("SELECT people_engineerload_refresh()")


def _ticket_select(cursor: Any, requester: int, category: int) -> tuple[str, str]:
    """Columns and SELECT expressions (percent signs doubled: run with parameters); the
    first ``n_open`` rows are open, the rest closed."""
    is_open = "(g <= k.n_open)"
    chosen = {
        "number": "'BENCH-ASG-' || lpad(g::text, 9, '0')",
        "title": "'Bench ticket ' || g",
        "description": "'Generated by bench/assign.py'",
        "channel": "'web'",
        "requester_id": str(requester),
        "category_id": str(category),
        "impact": "'single'",
        "urgency": "'abnormal'",
        "priority": "CASE WHEN g %% 10 = 0 THEN 'high' WHEN g %% 10 < 7 THEN 'medium' "
        "ELSE 'low' END",
        "waiting_on": "'none'",
        "state": f"CASE WHEN NOT {is_open} THEN 'closed' WHEN g %% 4 = 0 THEN 'submitted' "
        "WHEN g %% 4 = 1 THEN 'accepted' WHEN g %% 4 = 2 THEN 'diagnosed' ELSE 'resolved' END",
        "closed_as": f"CASE WHEN {is_open} THEN '' ELSE 'completed' END",
        "assignee_id": "k.eng[1 + g %% array_length(k.eng, 1)]",
        "submitted_at": "k.base - make_interval(mins => (g %% 100000)::int)",
        "closed_at": f"CASE WHEN {is_open} THEN NULL ELSE k.base END",
        "last_activity_at": "k.base",
        "held_seconds": "0",
        "reopen_count": "0",
    }
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = "
        "'tickets_ticket' AND is_nullable = 'NO' AND column_default IS NULL AND column_name <> 'id'"
    )
    zero = {"boolean": "false", "jsonb": "'{}'::jsonb", "integer": "0", "smallint": "0"}
    for name, data_type in cursor.fetchall():
        chosen.setdefault(name, zero.get(data_type, "''"))
    return ", ".join(chosen), ", ".join(chosen.values())


# --- scenarios --------------------------------------------------------------------------


class Scene:
    """The requester, the categories and the high-water marks of what the rounds write."""

    def __init__(self, requester: Any, printers: Any, everyone: Any) -> None:
        self.requester = requester
        self.printers = printers
        self.everyone = everyone
        self.marks: dict[str, int] = {}
        self.counter: tuple[Any, int | None] = (None, None)
        self.enqueued = 0
        self.open = 0
        self.engineers = 0
        self.eligible: dict[str, int] = {}

    @classmethod
    def build(cls) -> Scene:
        from django.db.models import Max
        from django.utils import timezone

        import notifications.tasks
        from accounts.models import User
        from notifications.models import Notification
        from people import assignment
        from tickets.choices import OPEN_STATES
        from tickets.models import Category, Ticket, TicketCounter, TicketEvent

        scene = cls(
            User.objects.get(username=f"{PREFIX}req"),
            Category.objects.get(slug="hardware-printer"),
            Category.objects.get(slug=EVERYONE),
        )

        def count(ids: Any) -> None:
            scene.enqueued += len(list(ids))

        notifications.tasks.enqueue = count
        for model, key in ((Ticket, "ticket"), (TicketEvent, "event"), (Notification, "note")):
            scene.marks[key] = model.objects.aggregate(m=Max("pk"))["m"] or 0
        day = timezone.localdate()
        found = TicketCounter.objects.filter(day=day).first()
        scene.counter = (day, found.last if found else None)
        scene.open = Ticket.objects.filter(state__in=sorted(OPEN_STATES)).count()
        scene.engineers = User.objects.filter(username__startswith=f"{PREFIX}eng-").count()
        now = timezone.now()
        for name, category in (("printers", scene.printers), ("everyone", scene.everyone)):
            probe = Ticket(category=category, site=scene.requester.site, priority="medium")
            scene.eligible[name] = len(assignment.eligible_now(probe, now)[0])
        return scene

    def _file(self, category: Any) -> None:
        from tickets import services

        services.submit_ticket(
            actor=self.requester,
            title="Printer on floor 3 prints blank pages",
            description="Every page comes out blank since this morning.",
            category=category,
            impact="single",
            urgency="abnormal",
        )

    def rounds(self, runs: int) -> dict[str, Any]:
        from django.test import override_settings

        modes = {
            "off": ("off", self.printers),
            "round_robin": ("round_robin", self.printers),
            "least_loaded": ("least_loaded", self.printers),
            "least_loaded, everyone eligible": ("least_loaded", self.everyone),
        }
        for mode, category in modes.values():  # warm-up: imports, caches, the URL resolver
            with override_settings(TICKETS_AUTO_ASSIGN=mode):
                for _ in range(3):
                    self._file(category)
        times: dict[str, list[float]] = {name: [] for name in modes}
        cpu: dict[str, float] = dict.fromkeys(modes, 0.0)
        backend = _backend_pid()
        for _ in range(runs):
            for name, (mode, category) in modes.items():
                with override_settings(TICKETS_AUTO_ASSIGN=mode):
                    server = _cpu_seconds(backend)
                    client = time.process_time()
                    started = time.perf_counter()
                    self._file(category)
                    times[name].append((time.perf_counter() - started) * 1000)
                    cpu[name] += time.process_time() - client + _cpu_seconds(backend) - server
        medians = {name: statistics.median(values) for name, values in times.items()}
        added = {name: medians[name] - medians["off"] for name in modes if name != "off"}
        cpu_ms = {name: total * 1000 / runs for name, total in cpu.items()}
        cpu_added = {name: cpu_ms[name] - cpu_ms["off"] for name in modes if name != "off"}
        return {
            "times": times,
            "medians": medians,
            "added": added,
            "cpu": cpu_ms,
            "cpu_added": cpu_added,
            "runs": runs,
        }

    def choice_alone(self, runs: int) -> dict[str, float]:
        """The decision alone (the lock, the choosing statement, the calendars), for a printer
        ticket and for everyone eligible: the rest of what assignment adds is what any
        assignment writes (the engineer's turn, the assignee in the ticket's insert, the
        timeline entry in the filing's, the engineer's notice)."""
        from django.db import transaction
        from django.utils import timezone

        from people import assignment
        from tickets.models import Ticket

        found = {}
        for name, category in (("printers", self.printers), ("everyone", self.everyone)):
            probe = Ticket(category=category, site=self.requester.site, priority="medium")
            wall, cpu = [], []
            for _ in range(runs):
                with transaction.atomic():
                    client, started = time.process_time(), time.perf_counter()
                    assignment._lock()
                    assignment.pick("least_loaded", probe, timezone.now())
                    wall.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - client) * 1000)
            found[name] = statistics.median(wall)
            found[f"{name} cpu"] = statistics.median(cpu)
        return found

    def assigner_queries(self) -> dict[str, int]:
        """The statements the assigner itself runs for one ticket, per mode."""
        from django.db import connection, transaction
        from django.test import override_settings
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from tickets import hooks
        from tickets.models import Ticket

        found: dict[str, int] = {}
        ticket = Ticket.objects.select_related("category").filter(assignee__isnull=True).first()
        if ticket is None:
            return found
        for mode in ("off", "round_robin", "least_loaded"):
            with override_settings(TICKETS_AUTO_ASSIGN=mode), transaction.atomic():
                with CaptureQueriesContext(connection) as captured:
                    hooks.auto_assign(ticket, timezone.now())
                found[mode] = len(captured.captured_queries)
                transaction.set_rollback(True)
        return found

    def explain_candidates(self) -> str:
        """The plan of the assigner's one read (``people_assign_rank``, ``least_loaded``)
        for the category everyone is skilled in: the function's statement prepared with
        the generic plan the function keeps (``plan_cache_mode = force_generic_plan``)."""
        import importlib
        import re

        from django.db import connection, transaction

        from people import assignment

        rank = importlib.import_module("people.migrations.0003_assign_rank_function")
        body = rank._ranked(rank.ORDER["least_loaded"])
        for n, name in enumerate(("p_category", "p_parent", "p_site", "p_role"), start=1):
            body = re.sub(rf"\b{name}\b", f"${n}", body)
        site = self.requester.site_id
        with transaction.atomic(), connection.cursor() as cursor:
            assignment._lock()  # as the assigner runs it: JIT off
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            cursor.execute(f"PREPARE bench_rank (bigint, bigint, bigint, text) AS {body}")
            try:
                cursor.execute(
                    "EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_rank (%s, NULL, %s, %s)",
                    [self.everyone.pk, site, assignment.QUEUE_PERMISSION],
                )
                return "\n".join(row[0] for row in cursor.fetchall())
            finally:
                cursor.execute("DEALLOCATE bench_rank")

    def clean(self) -> None:
        from django.db import transaction

        from notifications.models import Notification
        from tickets.models import Ticket, TicketCounter, TicketEvent

        with transaction.atomic():
            TicketEvent.objects.filter(pk__gt=self.marks["event"]).delete()
            Notification.objects.filter(pk__gt=self.marks["note"]).delete()
            Ticket.objects.filter(pk__gt=self.marks["ticket"]).delete()
            day, last = self.counter
            if last is None:
                TicketCounter.objects.filter(day=day).delete()
            else:
                TicketCounter.objects.filter(day=day).update(last=last)


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return int(pid)


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the database backend has used so far, from ``/proc`` (the
    database runs on this machine; 10 ms ticks, so only sums over many filings mean much)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def markdown(
    args: argparse.Namespace,
    scene: Scene,
    timed: dict[str, Any],
    queries: dict[str, int],
    plan: str,
) -> str:
    load = _uptime()
    today = dt.date.today().isoformat()  # noqa: DTZ011 - the report's date, not the desk's
    worst = max(timed["added"].values())
    met = "**met**" if worst < GOAL_MS else "**missed**"
    lines = [
        f"### Automatic assignment (`{args.db}`), {today}",
        "",
        f"`bench/assign.py`: ticket creation through `submit_ticket` with automatic "
        f"assignment off and on; {scene.engineers} engineers, {scene.open:,} open tickets "
        f"({args.closed:,} closed), {timed['runs']} rounds with the modes interleaved. "
        f"Eligible now: {scene.eligible['printers']} engineers for a printer ticket, "
        f"{scene.eligible['everyone']} for `{EVERYONE}`. Load average: {load}. "
        f"Goal: under {GOAL_MS:.0f} ms added — {met}.",
        "",
        "| mode | median filing (ms) | p95 (ms) | added to `off` (ms) | CPU per filing, "
        "client + database (ms) | CPU added (ms) | assigner's queries |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, values in timed["times"].items():
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        added = timed["added"].get(name)
        cpu_added = timed["cpu_added"].get(name)
        mode = name.split(",")[0]
        lines.append(
            f"| {name} | {timed['medians'][name]:.2f} | {p95:.2f} | "
            f"{'—' if added is None else f'{added:+.2f}'} | {timed['cpu'][name]:.2f} | "
            f"{'—' if cpu_added is None else f'{cpu_added:+.2f}'} | {queries.get(mode, '—')} |"
        )
    choice = timed["choice"]
    lines += [
        "",
        "Of that, the choice alone (lock, the choosing statement, calendars; median wall, "
        f"this process's CPU): printer ticket {choice['printers']:.2f} ms "
        f"({choice['printers cpu']:.2f} ms CPU), everyone eligible {choice['everyone']:.2f} ms "
        f"({choice['everyone cpu']:.2f} ms CPU). The rest is what every assignment writes, "
        "chosen before the ticket is inserted: the engineer's turn (one round trip), the "
        "assignee in the ticket's one insert (the load trigger), the timeline entry in the "
        "filing's one insert of entries, and the engineer's notice (in-app and e-mail rows: "
        "the filing's only outbox statement when nobody else is told).",
    ]
    lines += [
        "",
        f"The assigner's choosing statement for `{EVERYONE}` (`EXPLAIN (ANALYZE, BUFFERS)`):",
        "",
        "```",
        plan,
        "```",
    ]
    return "\n".join(lines)


def _uptime() -> str:
    try:
        out = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout  # noqa: S603, S607
    except OSError:
        return "unknown"
    return out.strip().split("load average:")[-1].strip() or "unknown"


if __name__ == "__main__":
    main()
