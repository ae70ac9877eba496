"""Load N realistic tickets into a benchmark database (idempotent).

    .venv/bin/python bench/generate.py --n 1000000 [--db servicedesk_bench]

Everything heavy happens inside PostgreSQL (``INSERT … SELECT`` over
``generate_series`` with a fixed random seed), with the secondary indexes
dropped during the load and rebuilt after, so a million tickets and their
~8 million timeline events take minutes. The SLA columns of the open tickets
(about 5 %) are computed with the same pure functions the services use
(``tickets.sla`` and the configured calendars); closed tickets get their
historical deadlines from a SQL approximation (wall-clock budgets).

Running it again with the same N (and generator version) does nothing; a
different N reloads the database from scratch.
"""

# SQL is built from constants of this file only (no user input): S608 does not apply.
# ruff: noqa: S608, E501

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report_facts  # noqa: E402
from bench.common import ensure_database, setup_django  # noqa: E402

VERSION = "3"
SEED = 0.4242
SITES = [
    ("sh-hq", "上海总部", "Shanghai"),
    ("bj", "北京分公司", "Beijing"),
    ("sz", "深圳分公司", "Shenzhen"),
    ("gz", "广州办事处", "Guangzhou"),
    ("cd", "成都研发中心", "Chengdu"),
    ("wh", "武汉办事处", "Wuhan"),
    ("hz", "杭州办事处", "Hangzhou"),
    ("xa", "西安办事处", "Xi'an"),
]
DEPARTMENTS = ["财务部", "销售部", "研发部", "人力资源部", "行政部", "市场部"]
TITLES = [
    "打印机无法打印",
    "VPN 连接失败",
    "Outlook 收不到邮件",
    "电脑蓝屏重启",
    "ERP 登录超时",
    "Wi-Fi 信号弱，经常掉线",
    "账号被锁定",
    "申请共享盘权限",
    "显示器不亮",
    "会议室投影无信号",
    "Teams 会议没有声音",
    "疑似钓鱼邮件",
    "财务系统报表导出报错",
    "新员工电脑配置",
    "Laptop battery drains quickly",
    "Cannot reach intranet portal",
]
LOADED_TABLES = [
    "tickets_ticket",
    "tickets_ticketevent",
    "tickets_message",
    "tickets_ticketcounter",
]


def log(msg: str, started: float) -> None:
    print(f"[{time.monotonic() - started:7.1f}s] {msg}", flush=True)


def already_loaded(cursor, n: int) -> bool:
    cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text)")
    cursor.execute("SELECT key, value FROM bench_meta")
    meta = dict(cursor.fetchall())
    return meta.get("n") == str(n) and meta.get("version") == VERSION and meta.get("done") == "1"


def reset(cursor) -> None:
    cursor.execute("DELETE FROM bench_meta")
    cursor.execute(
        "TRUNCATE tickets_ticket, tickets_ticketevent, tickets_message, tickets_attachment, "
        "tickets_slaevent, tickets_notification, tickets_ticketcounter, assets_asset, "
        "accounts_user, accounts_department, accounts_site, django_session "
        "RESTART IDENTITY CASCADE"
    )


def make_people(n: int, started: float) -> dict[str, object]:
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from accounts.models import Department, Site, User
    from accounts.roles import Role, assign_role, ensure_role_groups

    ensure_role_groups()
    password = make_password("bench-password")
    sites = [Site.objects.create(code=c, name=name, city=city) for c, name, city in SITES]
    departments = [
        Department.objects.create(name=d, site=site) for site in sites for d in DEPARTMENTS
    ]
    requesters = max(200, min(25_000, n // 40))
    users = [
        User(
            username=f"req-{i:05d}",
            display_name=f"员工 {i:05d}",
            email=f"req-{i:05d}@example.com",
            password=password,
            site=sites[i % len(sites)],
            department=departments[i % len(departments)],
        )
        for i in range(requesters)
    ]
    User.objects.bulk_create(users, batch_size=5000)
    from django.contrib.auth.models import Group

    group = Group.objects.get(name=Role.REQUESTER)
    through = User.groups.through
    through.objects.bulk_create(
        [
            through(user_id=u.pk, group_id=group.pk)
            for u in User.objects.filter(username__startswith="req-")
        ],
        batch_size=5000,
    )
    staff = [("eng", i, Role.ENGINEER) for i in range(40)]
    staff += [("lead", i, Role.TECH_LEAD) for i in range(4)]
    staff.append(("mgr", 0, Role.MANAGER))
    for prefix, i, role in staff:
        user = User.objects.create(
            username=f"{prefix}-{i:02d}",
            display_name=f"{prefix.upper()} {i:02d}",
            email=f"{prefix}-{i:02d}@example.com",
            password=password,
            site=sites[i % len(sites)],
        )
        assign_role(user, role)
    # The people the scenarios log in as.
    for username in ("eng-00", "req-00001", "lead-00"):
        Token.objects.get_or_create(user=User.objects.get(username=username))
    log(f"people: {requesters} requesters, {len(staff)} staff, {len(sites)} sites", started)
    return {"requesters": requesters}


def priority_case() -> str:
    from tickets.priority import PRIORITY_MATRIX

    whens = " ".join(
        f"WHEN urgency = '{u}' AND impact = '{i}' THEN '{p}'"
        for (u, i), p in PRIORITY_MATRIX.items()
    )
    return f"CASE WHEN is_security THEN 'high' {whens} END"


def drop_indexes(cursor, tables: list[str] = LOADED_TABLES) -> list[str]:
    """Drop the secondary (non-constraint) indexes of ``tables``; return their DDL."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = ANY(%s) AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [tables],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [ddl for _, ddl in found]


def load_tickets(cursor, n: int, now: dt.datetime, started: float) -> None:
    from tickets.models import Category

    cursor.execute("SET work_mem = '512MB'")
    cursor.execute("SET maintenance_work_mem = '1GB'")
    cursor.execute("SET synchronous_commit = off")
    # Bulk load: FK triggers off (the rows are consistent by construction).
    cursor.execute("SET session_replication_role = replica")
    cats = [c for c in Category.objects.select_related("parent") if c.parent_id]
    cursor.execute("DROP TABLE IF EXISTS bench_cat, bench_req, bench_eng, bench_g")
    cursor.execute("CREATE TEMP TABLE bench_cat (rn int, id bigint, is_security bool)")
    for rn, c in enumerate(cats):
        cursor.execute(
            "INSERT INTO bench_cat VALUES (%s, %s, %s)", [rn, c.pk, c.is_security_incident]
        )
    cursor.execute(
        "CREATE TEMP TABLE bench_req AS SELECT (row_number() OVER (ORDER BY id)) - 1 AS rn, "
        "id, site_id FROM accounts_user WHERE username LIKE 'req-%'"
    )
    cursor.execute(
        "CREATE TEMP TABLE bench_eng AS SELECT (row_number() OVER (ORDER BY id)) - 1 AS rn, "
        "id FROM accounts_user WHERE username LIKE 'eng-%' OR username LIKE 'lead-%'"
    )
    cursor.execute("SELECT count(*) FROM bench_req")
    (n_req,) = cursor.fetchone()
    cursor.execute("SELECT count(*) FROM bench_eng")
    (n_eng,) = cursor.fetchone()
    n_cat = len(cats)
    cursor.execute("SELECT setseed(%s)", [SEED])
    cursor.execute(
        """
        CREATE TEMP TABLE bench_g AS
        SELECT i, random() AS r_open, random() AS r_state, random() AS r_time,
               random() AS r_req, random() AS r_cat, random() AS r_imp, random() AS r_urg,
               random() AS r_eng, random() AS r1, random() AS r2, random() AS r3,
               random() AS r4, random() AS r5, random() AS r_wait, random() AS r_ch
        FROM generate_series(1, %s) AS i
        """,
        [n],
    )
    log("random draws", started)
    titles = "ARRAY[" + ",".join("'" + t.replace("'", "''") + "'" for t in TITLES) + "]"
    # Step 1: who, what, when and which state.
    cursor.execute(
        f"""
        CREATE TEMP TABLE bench_t AS
        SELECT g.i, g.r_open < 0.05 AS is_open, g.r1, g.r2, g.r3, g.r4, g.r5, g.r_wait, g.r_ch,
          CASE WHEN g.r_open < 0.05
               THEN %(now)s::timestamptz - (g.r_time ^ 2) * interval '21 days'
               ELSE %(now)s::timestamptz - interval '4 days' - g.r_time * interval '1091 days'
          END AS submitted_at,
          CASE WHEN g.r_open < 0.05 THEN
                 CASE WHEN g.r_state < 0.25 THEN 'submitted' WHEN g.r_state < 0.5 THEN 'accepted'
                      WHEN g.r_state < 0.85 THEN 'diagnosed' ELSE 'resolved' END
               ELSE CASE WHEN g.r_state < 0.08 THEN 'cancelled' WHEN g.r_state < 0.2
                         THEN 'verified' ELSE 'closed' END
          END AS phase,
          r.id AS requester_id, r.site_id, c.id AS category_id, c.is_security,
          CASE WHEN g.r_imp < 0.7 THEN 'single' WHEN g.r_imp < 0.93 THEN 'multiple'
               ELSE 'network' END AS impact,
          CASE WHEN g.r_urg < 0.25 THEN 'interrupted' WHEN g.r_urg < 0.7 THEN 'abnormal'
               ELSE 'experience' END AS urgency,
          (SELECT id FROM bench_eng e WHERE e.rn = floor(g.r_eng * %(n_eng)s)::int) AS engineer_id,
          CASE WHEN g.r_ch < 0.55 THEN 'web' WHEN g.r_ch < 0.75 THEN 'im'
               WHEN g.r_ch < 0.9 THEN 'phone' WHEN g.r_ch < 0.97 THEN 'email' ELSE 'api' END
            AS channel,
          ({titles})[1 + floor(g.r_cat * 997)::int %% {len(TITLES)}] AS title
        FROM bench_g g
        JOIN bench_req r ON r.rn = floor(g.r_req * %(n_req)s)::int
        JOIN bench_cat c ON c.rn = floor(g.r_cat * %(n_cat)s)::int
        """,
        {"now": now, "n_eng": n_eng, "n_req": n_req, "n_cat": n_cat},
    )
    log("ticket draws", started)
    # Step 2: the timestamps of each step (open tickets: fractions of the elapsed time).
    cursor.execute(
        """
        CREATE TEMP TABLE bench_ts AS
        SELECT t.*,
          CASE WHEN t.phase = 'submitted' OR (t.phase = 'cancelled' AND t.r1 < 0.5) THEN NULL
               WHEN t.is_open THEN t.submitted_at + (%(now)s - t.submitted_at) * (0.05 + 0.25 * t.r1)
               ELSE t.submitted_at + interval '2 minutes' + (t.r1 ^ 2) * interval '6 hours'
          END AS accepted_at
        FROM bench_t t
        """,
        {"now": now},
    )
    cursor.execute(
        """
        CREATE TEMP TABLE bench_ts2 AS
        SELECT t.*,
          CASE WHEN t.phase IN ('submitted', 'accepted', 'cancelled') THEN NULL
               WHEN t.is_open THEN t.submitted_at + (%(now)s - t.submitted_at) * (0.35 + 0.2 * t.r2)
               ELSE t.accepted_at + interval '10 minutes' + t.r2 * interval '20 hours'
          END AS diagnosed_at
        FROM bench_ts t
        """,
        {"now": now},
    )
    cursor.execute(
        """
        CREATE TEMP TABLE bench_ts3 AS
        SELECT t.*,
          CASE WHEN t.phase IN ('submitted', 'accepted', 'diagnosed', 'cancelled') THEN NULL
               WHEN t.is_open THEN t.submitted_at + (%(now)s - t.submitted_at) * (0.6 + 0.3 * t.r3)
               ELSE t.diagnosed_at + interval '10 minutes' + t.r3 * interval '40 hours'
          END AS resolved_at
        FROM bench_ts2 t
        """,
        {"now": now},
    )
    cursor.execute(
        """
        CREATE TEMP TABLE bench_ts4 AS
        SELECT t.*,
          CASE WHEN t.phase IN ('verified', 'closed')
               THEN t.resolved_at + interval '30 minutes' + t.r4 * interval '30 hours' END
            AS verified_at
        FROM bench_ts3 t
        """
    )
    cursor.execute(
        """
        CREATE TEMP TABLE bench_ts5 AS
        SELECT t.*,
          CASE WHEN t.phase = 'closed' THEN t.verified_at + interval '1 hour'
                                            + t.r5 * interval '10 hours'
               WHEN t.phase = 'cancelled' THEN coalesce(t.accepted_at, t.submitted_at)
                                               + interval '1 hour' + t.r5 * interval '5 hours'
          END AS closed_at
        FROM bench_ts4 t
        """
    )
    log("timestamps", started)
    prio = priority_case()
    # Step 3: the rows, ordered by submission (ids follow time, as in production), with
    # numbers IT-YYYYMMDD-NNNN counted per local day.
    cursor.execute(
        f"""
        INSERT INTO tickets_ticket (
          number, title, description, channel, requester_id, reported_by_id, contact, site_id,
          category_id, asset_id, affected_system, occurred_at, scenario, impact, urgency,
          priority, priority_reason, state, closed_as, assignee_id, waiting_on, root_cause_type,
          root_cause, impact_scope, solution_plan, solution, verification_note, cancel_reason,
          reopen_count, submitted_at, accepted_at, diagnosed_at, resolved_at, verified_at,
          closed_at, last_activity_at, sla_paused_at, held_seconds, assign_note)
        SELECT
          'IT-' || to_char(day, 'YYYYMMDD') || '-'
            -- four digits, more past 9,999 in a day (the open tickets crowd the last days)
            || CASE WHEN row_number() OVER w < 10000 THEN lpad((row_number() OVER w)::text, 4, '0')
                    ELSE (row_number() OVER w)::text END,
          title || ' (' || i || ')',
          '症状：' || title || '。影响日常工作，已重启仍未恢复。Steps: open the application, '
            || 'wait, error dialog appears. Ticket body ' || i || '.',
          channel, requester_id,
          CASE WHEN channel = 'phone' THEN engineer_id END,
          CASE WHEN r_ch < 0.3 THEN '分机 ' || (1000 + i % 9000) ELSE '' END,
          site_id, category_id, NULL,
          CASE WHEN r_ch < 0.5 THEN 'ThinkPad T14 / Windows 11 23H2' ELSE '' END,
          CASE WHEN r_ch < 0.4 THEN submitted_at - interval '30 minutes' END,
          CASE WHEN r_ch < 0.4 THEN '月底结账时' ELSE '' END,
          impact, urgency, priority, '',
          CASE WHEN phase = 'cancelled' THEN 'closed' ELSE phase END,
          CASE WHEN phase = 'cancelled' THEN 'cancelled' WHEN phase = 'closed' THEN 'completed'
               ELSE '' END,
          CASE WHEN accepted_at IS NOT NULL THEN engineer_id END,
          CASE WHEN phase IN ('accepted', 'diagnosed') AND r_wait < 0.15 THEN 'requester'
               WHEN phase IN ('accepted', 'diagnosed') AND r_wait < 0.18 THEN 'vendor'
               ELSE 'none' END,
          CASE WHEN diagnosed_at IS NOT NULL THEN
            (ARRAY['hardware','software','network','configuration','permission','other'])
              [1 + floor(r2 * 6)::int] ELSE '' END,
          CASE WHEN diagnosed_at IS NOT NULL THEN '驱动版本过旧导致兼容性问题' ELSE '' END,
          CASE WHEN diagnosed_at IS NOT NULL THEN '单个用户' ELSE '' END,
          CASE WHEN diagnosed_at IS NOT NULL THEN '更新驱动并重启' ELSE '' END,
          CASE WHEN resolved_at IS NOT NULL THEN '已更新驱动，测试正常' ELSE '' END,
          CASE WHEN verified_at IS NOT NULL THEN '确认已恢复' ELSE '' END,
          CASE WHEN phase = 'cancelled' THEN '问题已自行恢复' ELSE '' END,
          CASE WHEN r_wait > 0.97 THEN 1 ELSE 0 END,
          submitted_at, accepted_at, diagnosed_at, resolved_at, verified_at, closed_at,
          greatest(submitted_at, accepted_at, diagnosed_at, resolved_at, verified_at, closed_at),
          CASE WHEN phase = 'resolved'
                 OR (phase IN ('accepted', 'diagnosed') AND r_wait < 0.18)
               THEN greatest(accepted_at, diagnosed_at, resolved_at) END,
          0, ''
        FROM (
          SELECT t.*, (t.submitted_at AT TIME ZONE 'Asia/Shanghai')::date AS day,
                 {prio} AS priority
          FROM bench_ts5 t
        ) x
        WINDOW w AS (PARTITION BY day ORDER BY submitted_at, i)
        ORDER BY submitted_at, i
        """
    )
    log(f"{n} tickets inserted", started)
    cursor.execute(
        "INSERT INTO tickets_ticketcounter (day, last) "
        "SELECT (submitted_at AT TIME ZONE 'Asia/Shanghai')::date, count(*) "
        "FROM tickets_ticket GROUP BY 1"
    )
    # Historical deadlines of closed tickets: SQL approximation (wall-clock budgets).
    cursor.execute(
        """
        UPDATE tickets_ticket SET
          response_due_at = submitted_at + CASE priority WHEN 'high' THEN interval '15 minutes'
                                                        ELSE interval '30 minutes' END,
          response_warn_at = submitted_at + CASE priority WHEN 'high' THEN interval '12 minutes'
                                                         ELSE interval '24 minutes' END,
          resolution_due_at = submitted_at + CASE priority WHEN 'high' THEN interval '4 hours'
                              WHEN 'medium' THEN interval '1 day' ELSE interval '3 days' END,
          resolution_warn_at = submitted_at + CASE priority WHEN 'high' THEN interval '192 minutes'
                              WHEN 'medium' THEN interval '19 hours' ELSE interval '58 hours' END
        WHERE state IN ('verified', 'closed')
        """
    )
    cursor.execute(
        """
        UPDATE tickets_ticket SET
          response_breached_at = CASE WHEN accepted_at > response_due_at
                                      THEN response_due_at END,
          resolution_breached_at = CASE WHEN resolved_at > resolution_due_at
                                        THEN resolution_due_at END
        WHERE state IN ('verified', 'closed')
        """
    )
    log("counters and closed tickets' deadlines", started)


def open_ticket_sla(cursor, now: dt.datetime, started: float) -> int:
    """Deadlines of open tickets with the services' own functions, as if the sweep had run."""
    from sla import rules
    from sla.calendars import calendar_for_site, policy_for
    from tickets import milestones
    from tickets.models import Ticket

    fields = [
        "id",
        "priority",
        "site_id",
        "state",
        "submitted_at",
        "accepted_at",
        "sla_paused_at",
        "held_seconds",
    ]
    rows = Ticket.objects.filter(state__in=milestones.RESOLUTION_STATES | {"resolved"}).only(
        *fields
    )
    out = io.StringIO()
    count = 0

    def ts(value: dt.datetime | None) -> str:
        return value.isoformat() if value else r"\N"

    for t in rows.iterator(chunk_size=5000):
        d = rules.deadlines(
            submitted_at=t.submitted_at,
            held_seconds=t.held_seconds,
            policy=policy_for(t.priority),
            calendar=calendar_for_site(t.site_id),
        )
        t.response_due_at, t.response_warn_at = d.response_due_at, d.response_warn_at
        t.resolution_due_at, t.resolution_warn_at = d.resolution_due_at, d.resolution_warn_at
        t.response_breached_at = None
        t.resolution_breached_at = None
        if t.accepted_at and t.accepted_at > t.response_due_at:
            t.response_breached_at = t.response_due_at
        # What the sweep has already recorded by ``now``.
        for m in milestones.due_now(t, now):
            if m.kind == "response_breach":
                t.response_breached_at = m.due_at
            elif m.kind == "resolution_breach":
                t.resolution_breached_at = m.due_at
        t.sla_next_check_at = milestones.next_check(t, after=now)
        t.next_due_at = milestones.current_due(t)
        values = [
            t.pk,
            ts(t.response_due_at),
            ts(t.response_warn_at),
            ts(t.response_breached_at),
            ts(t.resolution_due_at),
            ts(t.resolution_warn_at),
            ts(t.resolution_breached_at),
            ts(t.sla_next_check_at),
            ts(t.next_due_at),
        ]
        out.write("\t".join(str(v) for v in values) + "\n")
        count += 1
    log(f"SLA computed for {count} open tickets (tickets.sla)", started)
    cursor.execute(
        "CREATE TEMP TABLE bench_sla (id bigint, rd timestamptz, rw timestamptz, "
        "rb timestamptz, sd timestamptz, sw timestamptz, sb timestamptz, nc timestamptz, "
        "nd timestamptz)"
    )
    with cursor.cursor.copy("COPY bench_sla FROM STDIN") as copy:
        copy.write(out.getvalue())
    cursor.execute(
        """
        UPDATE tickets_ticket t SET response_due_at = s.rd, response_warn_at = s.rw,
          response_breached_at = s.rb, resolution_due_at = s.sd, resolution_warn_at = s.sw,
          resolution_breached_at = s.sb, sla_next_check_at = s.nc, next_due_at = s.nd
        FROM bench_sla s WHERE t.id = s.id
        """
    )
    return count


def load_messages_and_events(cursor, n: int, started: float) -> None:
    # Tickets with a long history: half open (diagnosed), half closed.
    heavy = max(5, n // 10_000)
    cursor.execute(
        "CREATE TEMP TABLE bench_heavy AS "
        "(SELECT id FROM tickets_ticket WHERE state = 'diagnosed' ORDER BY id DESC LIMIT %s) "
        "UNION (SELECT id FROM tickets_ticket WHERE state = 'closed' ORDER BY id LIMIT %s)",
        [heavy - heavy // 2, heavy // 2],
    )
    # Messages: 0-3 per ticket (at least 1 on a ticket with only two state events),
    # 100-140 on the heavy ones; about one in five written by staff is internal.
    cursor.execute(
        """
        INSERT INTO tickets_message (ticket_id, author_id, kind, body, created_at)
        SELECT t.id,
          CASE WHEN k % 2 = 1 OR t.assignee_id IS NULL THEN t.requester_id
               ELSE t.assignee_id END,
          CASE WHEN k % 2 = 0 AND t.assignee_id IS NOT NULL AND (t.id + k) % 5 = 0
               THEN 'internal' ELSE 'public' END,
          CASE WHEN k % 2 = 1 THEN '您好，问题还在，附上截图，请帮忙看看。(' || k || ')'
               ELSE '已远程查看，请重启后再试一次，如仍有问题请回复。(' || k || ')' END,
          t.submitted_at + (t.last_activity_at - t.submitted_at) * k / (m.cnt + 1)
        FROM tickets_ticket t
        CROSS JOIN LATERAL (
          SELECT CASE WHEN t.id IN (SELECT id FROM bench_heavy) THEN 100 + (t.id % 41)::int
                      WHEN t.state = 'submitted' THEN 1 + (t.id % 3)::int
                      ELSE (t.id * 7 % 4)::int END AS cnt
        ) m
        CROSS JOIN LATERAL generate_series(1, m.cnt) AS k
        """
    )
    log("messages", started)
    steps = [
        ("submitted", "submitted_at", "requester_id", "''", "'submitted'",
         "jsonb_build_object('channel', channel, 'priority', priority)"),
        ("sla_started", "submitted_at", "NULL", "''", "''",
         "jsonb_build_object('priority', priority, 'response_due_at', response_due_at, "
         "'resolution_due_at', resolution_due_at)"),
        ("accepted", "accepted_at", "assignee_id", "'submitted'", "'accepted'",
         "jsonb_build_object('response', CASE WHEN response_breached_at IS NULL THEN 'met' "
         "ELSE 'late' END)"),
        ("diagnosed", "diagnosed_at", "assignee_id", "'accepted'", "'diagnosed'", "'{}'::jsonb"),
        ("resolved", "resolved_at", "assignee_id", "'diagnosed'", "'resolved'", "'{}'::jsonb"),
        ("verified", "verified_at", "requester_id", "'resolved'", "'verified'", "'{}'::jsonb"),
        ("closed", "CASE WHEN closed_as = 'completed' THEN closed_at END", "assignee_id",
         "'verified'", "'closed'", "'{}'::jsonb"),
        ("cancelled", "CASE WHEN closed_as = 'cancelled' THEN closed_at END", "requester_id",
         "CASE WHEN accepted_at IS NULL THEN 'submitted' ELSE 'accepted' END", "'closed'",
         "jsonb_build_object('reason', cancel_reason)"),
        ("sla_paused", "sla_paused_at", "assignee_id", "''", "''",
         "jsonb_build_object('reason', waiting_on)"),
    ]  # fmt: skip
    for kind, at, actor, from_state, to_state, data in steps:
        cursor.execute(
            f"""
            INSERT INTO tickets_ticketevent
              (ticket_id, kind, actor_id, at, from_state, to_state, message_id, data, is_internal)
            SELECT id, '{kind}', {actor}, {at}, {from_state}, {to_state}, NULL, {data}, false
            FROM tickets_ticket WHERE {at} IS NOT NULL
            """
        )
    cursor.execute(
        """
        INSERT INTO tickets_ticketevent
          (ticket_id, kind, actor_id, at, from_state, to_state, message_id, data, is_internal)
        SELECT ticket_id, CASE WHEN kind = 'internal' THEN 'note_added' ELSE 'replied' END,
               author_id, created_at, '', '', id, '{}'::jsonb, kind = 'internal'
        FROM tickets_message
        """
    )
    log("events", started)


SEARCH_VERSION = "2"
# Generated texts end in a running number: "打印机无法打印 (123)", "… Ticket body 123.",
# "…请帮忙看看。(4)". Each template (the text without it) is cut by jieba once, in Python;
# PostgreSQL appends the number.
TITLE_NUMBER = r" \((\d+)\)$"
DESCRIPTION_NUMBER = r" (\d+)\.$"
MESSAGE_NUMBER = r"\((\d+)\)$"
CONSTANT_FIELDS = (
    "affected_system",
    "scenario",
    "root_cause",
    "impact_scope",
    "solution_plan",
    "solution",
    "verification_note",
    "cancel_reason",
)


def search_filled(cursor) -> bool:
    cursor.execute("SELECT value FROM bench_meta WHERE key = 'search'")
    row = cursor.fetchone()
    return bool(row and row[0] == SEARCH_VERSION)


def fill_search(cursor, started: float) -> None:
    """The search vectors of every loaded ticket, as ``tickets.search`` would write them.

    jieba cuts each distinct template once (a few dozen texts and the people's names);
    one ``UPDATE`` assembles every ticket's vectors from those words and the numbers in
    its texts. Then a sample is rebuilt by ``tickets.search`` itself and compared.
    """
    from tickets import search

    cursor.execute("SET work_mem = '512MB'")
    cursor.execute("SET maintenance_work_mem = '1GB'")
    cursor.execute("SET synchronous_commit = off")
    templates: set[str] = set()
    for column, table, pattern in (
        ("title", "tickets_ticket", TITLE_NUMBER),
        ("description", "tickets_ticket", DESCRIPTION_NUMBER),
        ("body", "tickets_message", MESSAGE_NUMBER),
    ):
        cursor.execute(f"SELECT DISTINCT regexp_replace({column}, %s, '') FROM {table}", [pattern])
        templates.update(r[0] for r in cursor.fetchall())
    for field in CONSTANT_FIELDS:
        cursor.execute(f"SELECT DISTINCT {field} FROM tickets_ticket")
        templates.update(r[0] for r in cursor.fetchall())
    cursor.execute("DROP TABLE IF EXISTS bench_words, bench_user_words, bench_msg_words")
    cursor.execute("CREATE TEMP TABLE bench_words (template text PRIMARY KEY, words text)")
    rows = [(t, " ".join(search.words(t))) for t in sorted(templates)]
    cursor.executemany("INSERT INTO bench_words VALUES (%s, %s)", rows)
    cursor.execute("CREATE TEMP TABLE bench_user_words (id bigint PRIMARY KEY, words text)")
    cursor.execute(
        "SELECT id, username, display_name, first_name, last_name FROM accounts_user "
        "WHERE id IN (SELECT DISTINCT requester_id FROM tickets_ticket)"
    )
    users = [(r[0], " ".join(w for part in r[1:] for w in search.words(part))) for r in cursor]
    with cursor.cursor.copy("COPY bench_user_words FROM STDIN") as copy:
        for user in users:
            copy.write_row(user)
    log(f"search words: {len(rows)} templates, {len(users)} requesters cut by jieba", started)
    cursor.execute(
        """
        CREATE TEMP TABLE bench_msg_words AS
        SELECT m.ticket_id,
          string_agg(CASE WHEN m.kind = 'public' THEN w.words || ' ' || substring(m.body from %(n)s) END,
                     ' ' ORDER BY m.created_at, m.id) AS d,
          string_agg(CASE WHEN m.kind = 'internal' THEN w.words || ' ' || substring(m.body from %(n)s) END,
                     ' ' ORDER BY m.created_at, m.id) AS n
        FROM tickets_message m JOIN bench_words w ON w.template = regexp_replace(m.body, %(n)s, '')
        GROUP BY m.ticket_id
        """,
        {"n": MESSAGE_NUMBER},
    )
    cursor.execute("CREATE UNIQUE INDEX ON bench_msg_words (ticket_id)")
    log("search words of the messages", started)
    joins = " ".join(
        f"LEFT JOIN bench_words w_{f} ON w_{f}.template = t.{f}" for f in CONSTANT_FIELDS
    )
    # The ticket's own texts (weight C); the device is with the people (B).
    own = " || ' ' || ".join(f"coalesce(w_{f}.words, '')" for f in CONSTANT_FIELDS[1:])
    cursor.execute(
        f"""
        UPDATE tickets_ticket AS u SET
          search_document =
            setweight(to_tsvector('simple', substr(t.number, 4, 8) || ' '
              || substr(t.number, 13) || ' ' || wt.words || ' '
              || coalesce(substring(t.title from %(title)s), '')), 'A')
            || setweight(to_tsvector('simple', uw.words || ' ' || coalesce(w_affected_system.words, '')), 'B')
            || setweight(to_tsvector('simple', wd.words || ' '
              || coalesce(substring(t.description from %(description)s), '') || ' ' || {own}), 'C')
            || setweight(to_tsvector('simple', coalesce(mw.d, '')), 'D'),
          search_notes = CASE WHEN coalesce(mw.n, '') = '' THEN NULL
                              ELSE to_tsvector('simple', mw.n) END
        FROM tickets_ticket t
        JOIN bench_words wt ON wt.template = regexp_replace(t.title, %(title)s, '')
        JOIN bench_words wd ON wd.template = regexp_replace(t.description, %(description)s, '')
        JOIN bench_user_words uw ON uw.id = t.requester_id
        LEFT JOIN bench_msg_words mw ON mw.ticket_id = t.id
        {joins}
        WHERE u.id = t.id
        """,
        {"title": TITLE_NUMBER, "description": DESCRIPTION_NUMBER},
    )
    log(f"search vectors of {cursor.rowcount} tickets", started)


def check_search_sample(cursor, started: float, size: int = 200) -> None:
    """Rebuild a sample with ``tickets.search`` and compare: the bench must measure the
    vectors the application writes."""
    from tickets import search

    cursor.execute(
        "SELECT id FROM tickets_ticket WHERE id %% 4999 = 1 OR id IN "
        "(SELECT ticket_id FROM tickets_message WHERE kind = 'internal' LIMIT 20) "
        "ORDER BY id LIMIT %s",
        [size],
    )
    ids = [r[0] for r in cursor.fetchall()]
    cursor.execute(
        "CREATE TEMP TABLE bench_search_check AS SELECT id, search_document, search_notes "
        "FROM tickets_ticket WHERE id = ANY(%s)",
        [ids],
    )
    search._write(search._documents(ids))
    cursor.execute(
        "SELECT count(*) FROM tickets_ticket t JOIN bench_search_check c USING (id) "
        "WHERE t.search_document IS DISTINCT FROM c.search_document "
        "OR t.search_notes IS DISTINCT FROM c.search_notes"
    )
    (differ,) = cursor.fetchone()
    cursor.execute("DROP TABLE bench_search_check")
    if differ:
        raise SystemExit(
            f"{differ} of {len(ids)} generated search vectors differ from tickets.search"
        )
    log(f"search vectors: a sample of {len(ids)} matches tickets.search exactly", started)


def add_search(db: str, started: float) -> None:
    """Fill the search vectors of an already loaded database: the tickets' secondary
    indexes are dropped for the UPDATE and rebuilt after the table is rewritten."""
    import psycopg
    from django.db import connection, transaction

    from bench.common import db_url

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        ddl = drop_indexes(cursor, ["tickets_ticket"])
        fill_search(cursor, started)
        check_search_sample(cursor, started)
        cursor.execute("DELETE FROM bench_meta WHERE key = 'search'")
        cursor.execute("INSERT INTO bench_meta VALUES ('search', %s)", [SEARCH_VERSION])
    connection.close()
    with psycopg.connect(db_url(db), autocommit=True) as conn:
        # Every row was rewritten: give the space back before the indexes come back.
        conn.execute("VACUUM FULL tickets_ticket")
        conn.execute("SET maintenance_work_mem = '1GB'")
        for statement in ddl:
            conn.execute(statement)
        conn.execute("VACUUM (ANALYZE) tickets_ticket")
    log(f"search vectors filled, {len(ddl)} ticket indexes rebuilt", started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db", default="servicedesk_bench")
    parser.add_argument("--force", action="store_true", help="reload even if already loaded")
    args = parser.parse_args()
    started = time.monotonic()
    created = ensure_database(args.db)
    setup_django(args.db)
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    log(f"database {args.db} {'created and ' if created else ''}migrated", started)
    with connection.cursor() as cursor:
        if not args.force and already_loaded(cursor, args.n):
            has_search, has_reports = search_filled(cursor), report_facts.filled(cursor)
            if has_search and has_reports:
                print(
                    f"{args.db} already holds {args.n} generated tickets (v{VERSION}) "
                    "with their search vectors and report facts; nothing to do"
                )
            if not has_search:
                add_search(args.db, started)
            if not has_reports:
                report_facts.add(args.db, started)
            return
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with transaction.atomic(), connection.cursor() as cursor:
        reset(cursor)
        make_people(args.n, started)
        ddl = drop_indexes(cursor)
        load_tickets(cursor, args.n, now, started)
        open_ticket_sla(cursor, now, started)
        load_messages_and_events(cursor, args.n, started)
        fill_search(cursor, started)
        report_facts.fill(cursor, started)  # working minutes and the reports' fact rows
        cursor.execute("SET session_replication_role = origin")
        for statement in ddl:
            cursor.execute(statement)
        log(f"{len(ddl)} indexes rebuilt", started)
        # The load ran with triggers off: recount each engineer's open tickets (issue 16).
        cursor.execute("SELECT people_engineerload_refresh()")
        for table in ("tickets_ticket", "tickets_ticketevent", "tickets_message"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        check_search_sample(cursor, started)
        cursor.execute(
            "INSERT INTO bench_meta VALUES ('n', %s), ('version', %s), ('now', %s), ('done', '1'),"
            " ('search', %s)",
            [str(args.n), VERSION, now.isoformat(), SEARCH_VERSION],
        )
    connection.close()
    import psycopg

    from bench.common import db_url

    with psycopg.connect(db_url(args.db), autocommit=True) as conn:
        # The search vectors rewrote every ticket row: give the space back.
        conn.execute("VACUUM FULL tickets_ticket")
        conn.execute("VACUUM (ANALYZE)")
        stats = conn.execute(
            "SELECT (SELECT count(*) FROM tickets_ticket), "
            "(SELECT count(*) FROM tickets_ticket WHERE state IN "
            "('submitted','accepted','diagnosed','resolved')), "
            "(SELECT count(*) FROM tickets_ticketevent), (SELECT count(*) FROM tickets_message), "
            "(SELECT max(c) FROM (SELECT count(*) c FROM tickets_ticketevent GROUP BY ticket_id) x),"
            "pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()
    log(
        f"VACUUM ANALYZE done: {stats[0]} tickets ({stats[1]} open), {stats[2]} events, "
        f"{stats[3]} messages, max {stats[4]} events on one ticket, database {stats[5]}",
        started,
    )


if __name__ == "__main__":
    main()
