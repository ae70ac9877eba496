"""The reports' data for generated tickets: working minutes and the fact rows.

``bench/generate.py`` loads tickets with triggers off (``session_replication_role =
replica``), so the reports' trigger never sees them: this fills what it and the services
would have written.

- ``response_minutes`` / ``resolution_minutes``: **a SQL approximation, for bench data
  only.** High priority runs 7×24 (working = wall-clock minutes); medium and low count the
  default calendar's hours, Monday–Friday 09:00–18:00 Asia/Shanghai, without the Chinese
  holidays and adjusted working days (the services use the real calendar). A closed form:
  ``w(t)`` = working minutes from a fixed Monday to ``t``, and ``w(b) - w(a)`` between two
  instants; holds (``held_seconds``, 0 in generated data) are taken off resolution.
- the fact rows: ``reports_ticketfact_refresh()``, the function migration ``reports.0002``
  installed beside the trigger (the same column list).

``fill(cursor)`` runs inside ``generate.py``'s load; ``add(db)`` adds both to a database a
previous generator version loaded (``bench_meta`` key ``report_minutes``), without
reloading it: the tickets' indexes are dropped for the one ``UPDATE`` and rebuilt after.
"""

# SQL is built from constants of this file only: S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

import time
from typing import Any

VERSION = "1"
WORKING_MINUTES = """
CREATE FUNCTION pg_temp.bench_wm(t timestamptz) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
    SELECT (d / 7) * 5 * 540 + least(d % 7, 5) * 540
        + CASE WHEN d % 7 < 5
               THEN least(greatest(extract(hour FROM l) * 60 + extract(minute FROM l) - 540, 0),
                          540)::bigint
               ELSE 0 END
    FROM (SELECT t AT TIME ZONE 'Asia/Shanghai' AS l) x,
         LATERAL (SELECT (l::date - DATE '2000-01-03') AS d) y
$$
"""
FILL = """
UPDATE tickets_ticket SET
  response_minutes = CASE
    WHEN accepted_at IS NULL THEN NULL
    WHEN priority = 'high' THEN floor(extract(epoch FROM accepted_at - submitted_at) / 60)
    ELSE pg_temp.bench_wm(accepted_at) - pg_temp.bench_wm(submitted_at) END,
  resolution_minutes = CASE
    WHEN resolved_at IS NULL THEN NULL
    WHEN priority = 'high'
      THEN greatest(floor((extract(epoch FROM resolved_at - submitted_at) - held_seconds) / 60), 0)
    ELSE greatest(pg_temp.bench_wm(resolved_at) - pg_temp.bench_wm(submitted_at)
                  - held_seconds / 60, 0) END
WHERE accepted_at IS NOT NULL
"""


def log(msg: str, started: float) -> None:
    print(f"[{time.monotonic() - started:7.1f}s] {msg}", flush=True)


def fill(cursor: Any, started: float) -> None:
    """Working minutes of every accepted ticket, then every fact row (inside the load)."""
    cursor.execute("DROP FUNCTION IF EXISTS pg_temp.bench_wm(timestamptz)")
    cursor.execute(WORKING_MINUTES)
    cursor.execute(FILL)
    log(f"working minutes of {cursor.rowcount} tickets (SQL approximation)", started)
    cursor.execute("SELECT reports_ticketfact_refresh(0, 9223372036854775807)")
    (facts,) = cursor.fetchone()
    log(f"{facts} report fact rows", started)
    cursor.execute("DELETE FROM bench_meta WHERE key = 'report_minutes'")
    cursor.execute("INSERT INTO bench_meta VALUES ('report_minutes', %s)", [VERSION])


def filled(cursor: Any) -> bool:
    cursor.execute("SELECT value FROM bench_meta WHERE key = 'report_minutes'")
    row = cursor.fetchone()
    return bool(row and row[0] == VERSION)


def add(db: str, started: float) -> None:
    """Fill a database loaded before: triggers and the tickets' indexes off for the
    ``UPDATE``, then the table rewritten and its indexes rebuilt."""
    import psycopg
    from django.db import connection, transaction

    from bench.common import db_url
    from bench.generate import drop_indexes

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET work_mem = '512MB'")
        ddl = drop_indexes(cursor, ["tickets_ticket"])
        fill(cursor, started)
    connection.close()
    with psycopg.connect(db_url(db), autocommit=True) as conn:
        conn.execute("VACUUM FULL tickets_ticket")
        conn.execute("SET maintenance_work_mem = '1GB'")
        for statement in ddl:
            conn.execute(statement)
        conn.execute("VACUUM (ANALYZE) tickets_ticket")
        conn.execute("VACUUM (ANALYZE) reports_ticketfact")
    log(f"report minutes and facts added, {len(ddl)} ticket indexes rebuilt", started)
