"""Report benchmark: the SLA report over the generated tickets, one month and one year.

    .venv/bin/python bench/reports.py                                  # servicedesk_bench
    .venv/bin/python bench/reports.py --runs 15 --results bench/results/$(date +%F).md

Run by hand (or by ``make bench``), never as a timed test. See bench/README.md.

The database (``--db``, default ``servicedesk_bench``: the million tickets of
``bench/generate.py``) must hold the reports' fact table (migration ``reports.0002``: applied
here if it is missing) and the tickets' working minutes (``bench/report_facts.py`` adds them,
and the facts, to a database an older generator loaded). The script then:

1. times ``reports.engine.sla_report`` in this process, ``--runs`` times after a warm-up:
   the last full month in the desk's time zone with ``group_by=priority`` (goal: median
   under 1 s) and the twelve months before it with ``group_by=month`` (goal: under 2 s);
2. times the same through the API (``GET /api/v1/reports/sla/``, the test Client as the
   manager ``mgr-00``: filters, engine, JSON), with its query count;
3. prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the year's table statement;
4. checks that the rollup is exact: every ticket has its fact row and every fact equals
   what ``reports_ticketfact_refresh()`` writes from its ticket (the refresh runs in a
   transaction that is rolled back, then the table is vacuumed).

Nothing is written to the tickets. The load average is recorded before and after: the
reference machine is a shared 2-core VM.
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

from bench.common import db_url, setup_django  # noqa: E402

GOALS = {"month": 1.0, "year": 2.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "servicedesk_bench"))
    parser.add_argument("--runs", type=int, default=15, help="timed runs per scenario")
    parser.add_argument("--results", default="", help="markdown file to update (a section)")
    args = parser.parse_args()

    setup_django(args.db)
    prepare(args.db)
    load_before = os.getloadavg()
    month, year = periods()
    found = {
        "month": measure(month, "priority", args.runs),
        "year": measure(year, "month", args.runs),
    }
    plan = explain(year)
    load_after = os.getloadavg()
    exact = check_exact()  # last: its rolled-back refresh leaves dead rows, vacuumed after
    print(plan)
    text = markdown(args.db, exact, found, plan, load_before, load_after, args.runs)
    print(text)
    if args.results:
        from bench.run import write_section

        write_section(Path(args.results), f"reports:{args.db}", text)
        print(f"results written to {args.results}")


def prepare(db: str) -> None:
    """The fact table (migration reports.0002) and the working minutes, if missing."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder(connection).applied_migrations()
    if ("reports", "0002_ticket_facts") not in applied:
        # Only as far as the facts: a later migration of another feature is not ours to run.
        call_command("migrate", "reports", "0002_ticket_facts", verbosity=1)
    from bench import report_facts

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text)")
        ready = report_facts.filled(cursor)
    if not ready:
        report_facts.add(db, time.monotonic())


def check_exact() -> dict[str, int]:
    """Tickets without a fact, facts without a ticket, and facts that differ from what the
    refresh function would write (compared inside a transaction that is rolled back)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM tickets_ticket),"
            " (SELECT count(*) FROM reports_ticketfact),"
            " (SELECT count(*) FROM tickets_ticket t WHERE NOT EXISTS"
            "   (SELECT 1 FROM reports_ticketfact f WHERE f.ticket_id = t.id))"
        )
        tickets, facts, missing = cursor.fetchone()
    differ = -1
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_facts ON COMMIT DROP AS TABLE reports_ticketfact"
            )
            cursor.execute("SELECT reports_ticketfact_refresh(0, 9223372036854775807)")
            cursor.execute(
                "SELECT count(*) FROM (TABLE reports_ticketfact EXCEPT TABLE bench_facts) x"
            )
            (differ,) = cursor.fetchone()
            raise _Undo
    except _Undo:
        pass
    import psycopg

    connection.close()
    with psycopg.connect(db_url(connection.settings_dict["NAME"]), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) reports_ticketfact")
    return {"tickets": tickets, "facts": facts, "missing": missing, "differ": differ}


class _Undo(Exception):
    """Rolls the comparison's refresh back."""


def periods() -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The last full month in the desk's zone, and the twelve months that end with it."""
    from reports.engine.params import desk_today

    first_of_this = desk_today().replace(day=1)
    end = first_of_this - dt.timedelta(days=1)
    month = (end.replace(day=1), end)
    start = end.replace(day=1)
    for _ in range(11):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return month, (start, end)


def measure(period: tuple[dt.date, dt.date], group_by: str, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from reports import engine
    from reports.engine.types import Filters

    filters = Filters(start=period[0], end=period[1])
    engine.sla_report(filters, group_by)  # warm-up: caches, the planner's statistics
    backend = _backend_pid()
    times, cpu = [], []
    for _ in range(runs):
        before = _cpu_seconds(backend)
        started = time.perf_counter()
        report = engine.sla_report(filters, group_by)
        times.append(time.perf_counter() - started)
        after = _cpu_seconds(backend)
        if before is not None and after is not None:
            cpu.append(after - before)
    client = Client()
    client.force_login(User.objects.get(username="mgr-00"))
    path = f"/api/v1/reports/sla/?from={period[0]}&to={period[1]}&group_by={group_by}"
    client.get(path)
    api_times = []
    for _ in range(max(3, runs // 3)):
        started = time.perf_counter()
        response = client.get(path)
        api_times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return {
        "period": period,
        "group_by": group_by,
        "rows": len(report.rows),
        "tickets": report.total["tickets"],
        "met_pct": (report.total["response_met_pct"], report.total["resolution_met_pct"]),
        "median": statistics.median(times),
        "cpu": statistics.median(cpu) if cpu else None,
        "min": min(times),
        "max": max(times),
        "api_median": statistics.median(api_times),
        "api_status": response.status_code,
        "api_queries": len(queries),
    }


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return int(pid)


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the database backend has used so far, from ``/proc`` (the
    database runs on this machine): what a query costs whatever else the machine runs."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def explain(period: tuple[dt.date, dt.date]) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the year's table statement, as the engine sends it."""
    from django.db import connection, transaction

    from reports.engine import rows, sla
    from reports.engine.types import Filters

    captured: list[tuple[str, dict[str, Any]]] = []
    original = rows.fetch

    def capture(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        captured.append((sql, params))
        return original(sql, params)

    rows.fetch = capture
    try:
        sla.sla_report(Filters(start=period[0], end=period[1]), "month")
    finally:
        rows.fetch = original
    settings_sql, settings_params = captured[0]
    sql, params = captured[-1]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(settings_sql, settings_params)
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(line for (line,) in cursor.fetchall())


def markdown(
    db: str,
    exact: dict[str, int],
    found: dict[str, dict[str, Any]],
    plan: str,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
    runs: int,
) -> str:
    today = dt.date.today().isoformat()  # noqa: DTZ011 (the report's date, not a deadline)
    lines = [
        f"### Reports: the SLA report, {exact['tickets']:,} tickets (`{db}`), {today}",
        "",
        "`bench/reports.py`: `reports.engine.sla_report` in-process, "
        f"{runs} runs after a warm-up (seconds); the API through the test Client as the "
        f"manager. Load average {load_before[0]:.2f} before, {load_after[0]:.2f} after "
        "(2 cores, shared).",
        "",
        f"Rollup exact: {exact['facts']:,} fact rows for {exact['tickets']:,} tickets, "
        f"{exact['missing']} missing, {exact['differ']} differing from their tickets.",
        "",
        "*Database CPU* is the time the PostgreSQL backend spent on the report (user + "
        "system, from `/proc`): what it costs on a machine with a free core, whatever the load.",
        "",
        "| scenario | period | rows | tickets | median | min | max | database CPU (median) "
        "| API median | API queries | goal |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    labels = {"month": "month, `group_by=priority`", "year": "year, `group_by=month`"}
    for key, result in found.items():
        goal = GOALS[key]
        met = "met" if result["median"] < goal else "**missed**"
        start, end = result["period"]
        cpu = "—" if result["cpu"] is None else f"{result['cpu']:.3f}"
        lines.append(
            f"| {labels[key]} | {start} – {end} | {result['rows']} | {result['tickets']:,} "
            f"| {result['median']:.3f} | {result['min']:.3f} | {result['max']:.3f} "
            f"| {cpu} | {result['api_median']:.3f} | {result['api_queries']} "
            f"| < {goal:g} s: {met} |"
        )
    lines += ["", "<details><summary>EXPLAIN (ANALYZE, BUFFERS) of the year's table</summary>"]
    lines += ["", "```", plan, "```", "", "</details>"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
