"""The log-a-call form's caller look-up at 100,000 people, and the IM intake's sender look-up.

    .venv/bin/python bench/caller_lookup.py [--db sd_callers_bench] [--people 100000]
        [--rounds 20] [--results bench/results/<date>.md]

Run by hand, never as a timed test. See bench/README.md.

**Data.** ``--db`` is created and migrated when missing. Until it holds ``--people`` people
(usernames ``caller…``), one ``INSERT … SELECT`` over ``generate_series`` adds them:
Chinese names from 20 surnames and 28 given names (one in three with a second given
name; about 6,000 distinct names, as many people share a name), every fifth an English
first and last name instead; phones written four ways (``138 0210 1001``,
``+86 138-0210-1001``, ``021-6088 8011``, none); nine in ten with an employee ID
(``E000123``); IM ids on a third (WeCom) down to a thirteenth (Slack); 2 % inactive; three
sites. Then ``VACUUM ANALYZE``.

**Measured** (in this process, bench settings): ``tickets.callers.find_callers`` for an
engineer of every site and one limited to a site, over queries an engineer types — a whole
Chinese name, two characters of one, a piece of an English name, two words, a whole phone
number in three spellings, its last digits, an employee ID and its start — median and
p95 of ``--rounds`` runs each, and whether the plan reads ``accounts_user`` by an index
(``EXPLAIN``: no ``Seq Scan on accounts_user``). The IM intake's ``_senders`` query per
provider, the same way. Goal: **every look-up under 20 ms at p95**, no table scan.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import ensure_database, pct, setup_django  # noqa: E402

GOAL_MS = 20.0
QUERIES = [
    "王丽",
    "王小明",
    "小明",
    "mill",
    "frank mil",
    "138 0210 1001",
    "+86 138-0210-1001",
    "13802101001",
    "1001",
    "E000123",
    "E0001",
    "e00012",
    "张 伟",
]
FILL = """
WITH s AS (
  SELECT array['王','李','张','刘','陈','杨','赵','黄','周','吴','徐','孙','胡','朱','高','林',
               '何','郭','马','罗'] sn,
         array['伟','芳','娜','秀英','敏','静','丽','强','磊','军','洋','勇','艳','杰','娟','涛',
               '明','超','秀兰','霞','平','刚','桂英','小明','建国','晓东','海燕','志强'] gn,
         array['Wang','Li','Zhang','Liu','Chen','Yang','Zhao','Huang','Zhou','Wu','Smith',
               'Miller','Brown','Garcia','Tan','Lee'] en,
         (SELECT array_agg(id ORDER BY id) FROM accounts_site) sites
)
INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
  is_staff, is_active, date_joined, display_name, phone, wecom_id, dingtalk_id, feishu_id,
  slack_id, site_id, language, session_generation, employee_id)
SELECT '!', false, 'caller' || g,
  CASE WHEN g %% 5 = 0 THEN s.en[1 + g %% 16] ELSE '' END,
  CASE WHEN g %% 5 = 0 THEN s.en[1 + (g / 7) %% 16] ELSE '' END,
  'caller' || g || '@example.com', false, g %% 50 <> 0, %(now)s,
  CASE WHEN g %% 5 = 0 THEN ''
       ELSE s.sn[1 + (g / 5) %% 20] || s.gn[1 + (g / 100) %% 28]
            || CASE WHEN g %% 3 = 0 THEN s.gn[1 + (g / 7) %% 28] ELSE '' END END,
  CASE g %% 4
    WHEN 0 THEN '1' || (30 + g %% 60) || ' ' || lpad((g * 7919 %% 10000)::text, 4, '0')
                || ' ' || lpad((g %% 10000)::text, 4, '0')
    WHEN 1 THEN '+86 1' || (30 + g %% 60) || '-' || lpad((g * 7919 %% 10000)::text, 4, '0')
                || '-' || lpad((g %% 10000)::text, 4, '0')
    WHEN 2 THEN '021-' || lpad((g * 31 %% 10000)::text, 4, '0') || ' '
                || lpad((g %% 10000)::text, 4, '0')
    ELSE '' END,
  CASE WHEN g %% 3 = 0 THEN 'wc' || g ELSE '' END,
  CASE WHEN g %% 7 = 0 THEN 'dt' || g ELSE '' END,
  CASE WHEN g %% 11 = 0 THEN 'ou_' || md5(g::text) ELSE '' END,
  CASE WHEN g %% 13 = 0 THEN 'U' || g ELSE '' END,
  s.sites[1 + g %% cardinality(s.sites)], '', 0,
  CASE WHEN g %% 10 = 9 THEN '' ELSE 'E' || lpad(g::text, 6, '0') END
FROM generate_series(%(start)s, %(stop)s) g, s
"""


def fill(people: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Site, User

    for code in ("bench-sh", "bench-bj", "bench-sz"):
        Site.objects.get_or_create(code=code, defaults={"name": code})
    have = User.objects.filter(username__startswith="caller").count()
    if have >= people:
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FILL, {"now": timezone.now(), "start": have + 1, "stop": people})
        cursor.execute("VACUUM ANALYZE accounts_user")
    print(f"filled {people - have:,} people in {time.perf_counter() - started:.1f} s")


def _plan(sql: str, params: Any = None) -> tuple[bool, float]:
    """Whether the plan reads ``accounts_user`` by an index, and the database's own time
    (``EXPLAIN ANALYZE``: what a loaded machine's Python timings hide)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    ms = float(plan[-1].split(":")[1].split()[0])  # "Execution Time: 0.473 ms"
    return not any("Seq Scan on accounts_user" in line for line in plan), ms


def _time(run: Any, rounds: int) -> tuple[float, float]:
    run()  # warm
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), pct(times, 95)


def measure(rounds: int) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Site, User
    from accounts.services import IM_ID_FIELDS
    from tickets.callers import find_callers

    everywhere, _ = User.objects.get_or_create(username="bench-engineer")
    limited, _ = User.objects.get_or_create(username="bench-limited")
    limited.limited_to_sites.set([Site.objects.get(code="bench-sh")])
    lines = [
        "| who | query | found | median ms | p95 ms | SQL ms | by index |",
        "|---|---|---|---|---|---|---|",
    ]
    worst = worst_sql = 0.0
    for who, actor in (("every site", everywhere), ("one site", limited)):
        actor = User.objects.get(pk=actor.pk)
        for query in QUERIES:
            with CaptureQueriesContext(connection) as captured:
                found, more = find_callers(actor, query)
            by_index, sql_ms = _plan(captured.captured_queries[-1]["sql"])
            median, p95 = _time(lambda a=actor, q=query: find_callers(a, q), rounds)
            worst, worst_sql = max(worst, p95), max(worst_sql, sql_ms)
            shown = f"{len(found)}{'+' if more else ''}"
            lines.append(
                f"| {who} | `{query}` | {shown} | {median:.1f} | {p95:.1f} | {sql_ms:.2f} "
                f"| {by_index} |"
            )
    for provider, column in IM_ID_FIELDS.items():
        sender = User.objects.exclude(**{column: ""}).values_list(column, flat=True).first()
        people = User.objects.filter(is_active=True, **{column: sender}).order_by("pk")[:2]
        sql, params = people.query.sql_with_params()
        median, p95 = _time(lambda p=people: list(p.all()), rounds)
        by_index, sql_ms = _plan(sql, params)
        lines.append(
            f"| IM intake | {provider} sender | {len(list(people))} | {median:.2f} | "
            f"{p95:.2f} | {sql_ms:.2f} | {by_index} |"
        )
    verdict = "met" if worst < GOAL_MS else "MISSED"
    lines.append(
        f"\nWorst look-up p95: {worst:.1f} ms (goal < {GOAL_MS:.0f} ms: {verdict}); "
        f"worst SQL execution: {worst_sql:.2f} ms."
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sd_callers_bench")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--results", type=Path)
    args = parser.parse_args()
    created = ensure_database(args.db)
    setup_django(args.db)
    from django.core.management import call_command

    if created:
        call_command("migrate", verbosity=0)
    fill(args.people)
    from django.utils import timezone

    today = timezone.localdate()
    lines = [f"## Caller look-up, {args.people:,} people ({today:%Y-%m-%d})", ""]
    lines += measure(args.rounds)
    report = "\n".join(lines)
    print(report)
    if args.results:
        with args.results.open("a", encoding="utf-8") as out:
            out.write(report + "\n\n")


if __name__ == "__main__":
    main()
