"""IM intake benchmark: 1,000 signed IM messages through the real server, one at a time.

    .venv/bin/python bench/intake_im.py                          # sd_imbench_bench
    .venv/bin/python bench/intake_im.py --db servicedesk_bench --results bench/results/<date>.md

Run by hand (or by ``make bench``), never as a timed test. See bench/README.md.

The stack is ``run.py``'s: gunicorn (``servicedesk.wsgi``, 2 sync workers, bench settings:
DEBUG off) on loopback, with the four providers' intake secrets in its environment (the
tests' ones, ``channels.tests.deliveries.SECRETS``) and Redis database 8 for the broker
(the answers to the senders are queued there, as in production; no worker takes them, and
the run's messages are removed afterwards).

1. *Data*: ``--db`` must hold tickets; a database without any is filled first with
   ``bench/generate.py --n --tickets`` (20,000 by default, about 20 s). The first
   ``--people`` generated requesters get a Slack, Feishu, DingTalk and WeCom id each.
2. *New tickets*: after ``--warmup`` messages per provider, ``--messages`` text messages
   (a quarter per provider, interleaved), each from one of those people and with an event
   id of its own, each built and signed (Feishu and WeCom: encrypted) just before it is
   sent by ``channels.tests.deliveries``, the same builders the intake's tests use, on a
   fresh loopback connection. Client-side latency per request (building excluded), and
   gunicorn's own time (``%(D)s``) from its access log. Goal: **median under 30 ms**.
3. *Replies*: each of those people then answers on the ticket just filed by quoting its
   number (``IT-…``) in a new message, the same number of requests (``--no-replies``
   skips it).
4. *Checks*: every request answered 200; every new message recorded once, filed exactly
   one ticket (its own, for the linked person, channel ``im``) and nothing else filed;
   every reply recorded as a reply on the ticket it quotes, one message added to it and no
   ticket filed.

Afterwards the tickets the run filed (and what hangs off them: timeline, messages, SLA
events, notifications, inbound records) are deleted and today's ticket counter set back,
so runs stay comparable (``--keep`` leaves them).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import ARTIFACTS, PG, db_url, ensure_database, setup_django, summary  # noqa: E402

GOAL_MS = 30.0
HOST = "127.0.0.1"
REDIS_URL = "redis://127.0.0.1:6379/8"
PROVIDERS = ("slack", "feishu", "dingtalk", "wecom")
# What people write to the desk: a problem each, in Chinese or English (the category
# guess reads them).
PROBLEMS = (
    "打印机卡纸了，三楼东侧那台",
    "VPN 连上了但是内网页面打不开",
    "Outlook keeps asking for my password",
    "电脑开机蓝屏，错误代码 0x0000007B",
    "The projector in room 5B shows no signal",
    "邮箱满了收不到邮件",
    "Wi-Fi drops every few minutes on the 2nd floor",
    "ERP 系统登录提示账号被锁定",
    "My laptop battery drains in an hour",
    "显示器一直闪烁，换了线也不行",
)


@dataclass
class Sent:
    provider: str
    event_id: str
    person: Any
    status: int
    ms: float
    ticket_number: str = ""  # a reply: the ticket it quotes


def _ids(n: int) -> dict[str, str]:
    """Person ``n``'s IM id on each provider."""
    return {
        "slack": f"UIMB{n:05d}",
        "feishu": f"ou_imbench{n:05d}",
        "dingtalk": f"imb{n:05d}",
        "wecom": f"imb{n:05d}",
    }


# --- data -----------------------------------------------------------------------------------


def has_tickets(database: str) -> bool:
    import psycopg

    with psycopg.connect(f"{PG}/{database}") as conn:
        (table,) = conn.execute("SELECT to_regclass('tickets_ticket')").fetchone() or (None,)
        if table is None:
            return False
        row = conn.execute("SELECT EXISTS (SELECT 1 FROM tickets_ticket)").fetchone()
        return bool(row and row[0])


def link_people(count: int) -> list[Any]:
    """The first ``count`` generated requesters, each with an id on every provider."""
    from accounts.models import User
    from accounts.services import IM_ID_FIELDS

    people = list(User.objects.filter(username__startswith="req-").order_by("username")[:count])
    if len(people) < count:
        raise SystemExit(f"only {len(people)} requesters (req-…) in the database")
    for n, person in enumerate(people):
        for provider, value in _ids(n).items():
            setattr(person, IM_ID_FIELDS[provider], value)
    User.objects.bulk_update(people, list(IM_ID_FIELDS.values()), batch_size=500)
    return people


# --- the server -----------------------------------------------------------------------------


def server_environment(database: str) -> dict[str, str]:
    from channels.tests.deliveries import SECRETS

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": db_url(database),
        "REDIS_URL": REDIS_URL,
        # Persistent connections (production: 60 s) kept for the whole run, so the CPU
        # time of each worker's database backend can be read before and after a phase.
        "DATABASE_CONN_MAX_AGE": "3600",
        **SECRETS,
    }


def send(port: int, signed: Any) -> tuple[int, float]:
    """One request on a fresh loopback connection; (status, client-side milliseconds)."""
    headers = {"Host": HOST, "Content-Type": signed.content_type, **signed.headers}
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request(signed.method, signed.path, body=signed.body, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    return response.status, elapsed


def deliver(port: int, provider: str, person: Any, text: str, event_id: str) -> Sent:
    from accounts.services import IM_ID_FIELDS
    from channels.tests import deliveries

    sender = getattr(person, IM_ID_FIELDS[provider])
    payload = deliveries.message(provider, sender=sender, text=text, event_id=event_id)
    signed = deliveries.request(provider, payload)
    status, ms = send(port, signed)
    return Sent(provider, event_id, person, status, ms)


class CpuMeter:
    """CPU time (user + system, from ``/proc``) of gunicorn's workers and of their database
    backends, per request of a phase: what a message costs on a machine with free cores,
    whatever else it runs."""

    def __init__(self, master: int, database: str) -> None:
        self.master = master
        self.database = database
        self.start: dict[int, float] = {}

    def _workers(self) -> list[int]:
        children = Path(f"/proc/{self.master}/task/{self.master}/children").read_text()
        return [int(pid) for pid in children.split()]

    def _backends(self) -> list[int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
                [self.database],
            )
            return [int(pid) for (pid,) in cursor.fetchall()]

    def _read(self) -> dict[int, float]:
        return {pid: _cpu_seconds(pid) for pid in self._workers() + self._backends()}

    def begin(self) -> None:
        self.start = self._read()

    def per_request(self, count: int) -> dict[str, float]:
        """Milliseconds of CPU per request since ``begin``: web (the workers), database."""
        end = self._read()
        workers = set(self._workers())
        spent = {pid: end[pid] - self.start.get(pid, 0.0) for pid in end}
        web = sum(t for pid, t in spent.items() if pid in workers)
        database = sum(t for pid, t in spent.items() if pid not in workers)
        return {"web": web * 1000 / count, "database": database * 1000 / count}


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_times(log: Path, offset: int) -> dict[str, list[float]]:
    """gunicorn's milliseconds per request logged since ``offset``, by provider."""
    time.sleep(0.1)
    found: dict[str, list[float]] = {p: [] for p in PROVIDERS}
    with open(log) as fh:
        fh.seek(offset)
        for line in fh:
            parts = line.split()
            if len(parts) < 4:
                continue
            provider = parts[1].rstrip("/").rsplit("/", 1)[-1]
            if provider in found:
                found[provider].append(int(parts[-1]) / 1000)
    return found


# --- the run --------------------------------------------------------------------------------


def new_tickets(port: int, run: str, people: list[Any], count: int, first: int) -> list[Sent]:
    sent = []
    for i in range(count):
        provider = PROVIDERS[i % len(PROVIDERS)]
        person = people[(i // len(PROVIDERS)) % len(people)]
        text = f"{PROBLEMS[i % len(PROBLEMS)]}（#{first + i}）"
        sent.append(deliver(port, provider, person, text, f"{run}{first + i:06d}"))
    return sent


def replies(port: int, run: str, filed: list[Sent], numbers: dict[str, str]) -> list[Sent]:
    sent = []
    for i, original in enumerate(filed):
        number = numbers[original.event_id]
        text = f"{number} 补充：重启之后还是一样"
        reply = deliver(port, original.provider, original.person, text, f"{run}r{i:06d}")
        reply.ticket_number = number
        sent.append(reply)
    return sent


def numbers_of(run: str) -> dict[str, str]:
    """Event id → number of the ticket each of the run's messages is recorded with."""
    from channels.models import InboundMessage

    rows = InboundMessage.objects.filter(event_id__startswith=run).values_list(
        "event_id", "ticket__number"
    )
    return {event_id: number or "" for event_id, number in rows}


def check_new(run: str, sent: list[Sent], max_id: int, warmup: int) -> dict[str, Any]:
    """Every message recorded once and filed exactly one ticket of its own."""
    from channels.models import InboundMessage
    from tickets.choices import Channel
    from tickets.models import Ticket

    rows = {
        (r.provider, r.event_id): r
        for r in InboundMessage.objects.filter(event_id__in=[s.event_id for s in sent])
        .select_related("ticket")
        .only("provider", "event_id", "outcome", "ticket__requester_id", "ticket__channel")
    }
    problems: Counter[str] = Counter()
    tickets = set()
    for s in sent:
        row = rows.get((s.provider, s.event_id))
        if s.status != 200:
            problems[f"HTTP {s.status}"] += 1
        if row is None:
            problems["not recorded"] += 1
        elif row.outcome != "filed" or row.ticket is None:
            problems[f"outcome {row.outcome}"] += 1
        elif row.ticket.requester_id != s.person.pk or row.ticket.channel != Channel.IM:
            problems["wrong requester or channel"] += 1
        else:
            tickets.add(row.ticket_id)
    filed = Ticket.objects.filter(pk__gt=max_id).count()
    return {
        "messages": len(sent),
        "distinct_tickets": len(tickets),
        "tickets_filed_by_the_run": filed,
        "expected_filed": len(sent) + warmup,
        "problems": dict(problems),
        "ok": not problems and len(tickets) == len(sent) and filed == len(sent) + warmup,
    }


def check_replies(sent: list[Sent], max_id: int, filed_before: int) -> dict[str, Any]:
    """Every reply recorded as a reply on the ticket it quotes, one message each."""
    from django.db.models import F

    from channels.models import InboundMessage
    from tickets.models import Message, Ticket

    rows = {
        r.event_id: r
        for r in InboundMessage.objects.filter(
            event_id__in=[s.event_id for s in sent]
        ).select_related("ticket")
    }
    problems: Counter[str] = Counter()
    for s in sent:
        row = rows.get(s.event_id)
        if s.status != 200:
            problems[f"HTTP {s.status}"] += 1
        if row is None:
            problems["not recorded"] += 1
        elif row.outcome != "replied" or row.ticket is None:
            problems[f"outcome {row.outcome}"] += 1
        elif row.ticket.number != s.ticket_number:
            problems["on another ticket"] += 1
    numbers = [s.ticket_number for s in sent]
    added = Message.objects.filter(
        ticket__number__in=numbers, author_id=F("ticket__requester_id")
    ).count()
    filed = Ticket.objects.filter(pk__gt=max_id).count()
    return {
        "replies": len(sent),
        "messages_on_the_tickets": added,
        "tickets_filed": filed - filed_before,
        "problems": dict(problems),
        "ok": not problems and added == len(sent) and filed == filed_before,
    }


def cleanup(run: str, max_id: int) -> None:
    """Delete what the run wrote: rows that name its tickets, its inbound records, then the
    tickets themselves (``run.cleanup``: timeline, messages, notifications, counter)."""
    from django.db import connection

    from bench.run import cleanup as delete_tickets
    from channels.models import InboundMessage

    InboundMessage.objects.filter(event_id__startswith=run).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "WHERE c.contype = 'f' AND c.confrelid = 'tickets_ticket'::regclass "
            "AND c.conrelid <> 'tickets_ticket'::regclass "
            "AND c.conrelid::regclass::text NOT IN "
            "('tickets_message', 'tickets_ticketevent', 'tickets_slaevent')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(f'DELETE FROM "{table}" WHERE "{column}" > %s', [max_id])  # noqa: S608
    delete_tickets(max_id)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def breakdown(sent: list[Sent], server: dict[str, list[float]]) -> list[dict[str, Any]]:
    rows = []
    for provider in (*PROVIDERS, "all"):
        mine = [s.ms for s in sent if provider in ("all", s.provider)]
        theirs = (
            [t for times in server.values() for t in times]
            if provider == "all"
            else server[provider]
        )
        rows.append({"provider": provider, "client": summary(mine), "server": summary(theirs)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sd_imbench_bench")
    parser.add_argument("--tickets", type=int, default=20_000, help="filled when it has none")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=5, help="per provider, not measured")
    parser.add_argument("--no-replies", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the run's tickets")
    parser.add_argument("--results", default="", help="markdown file to update (a section)")
    args = parser.parse_args()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ensure_database(args.db)
    if not has_tickets(args.db):
        print(f"{args.db} holds no tickets: generating {args.tickets:,}", flush=True)
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                str(ROOT / "bench/generate.py"),
                "--n",
                str(args.tickets),
                "--db",
                args.db,
            ],
            check=True,
        )
    os.environ["REDIS_URL"] = REDIS_URL
    setup_django(args.db)
    from django.core.management import call_command

    from bench.run import Gunicorn, free_port
    from tickets.models import Ticket

    call_command("migrate", verbosity=0)
    if not (ARTIFACTS / "static" / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    people = link_people(args.people)
    total_tickets = Ticket.objects.count()
    max_id = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    run = str(random.SystemRandom().randrange(10**8, 10**9))  # digits: WeCom's MsgId
    warmup = args.warmup * len(PROVIDERS)
    gun = Gunicorn(args.db, free_port(), env=server_environment(args.db))
    result: dict[str, Any] = {"db": args.db, "tickets": total_tickets, "people": len(people)}
    try:
        warm = new_tickets(gun.port, run + "w", people, warmup, 0)
        if any(s.status != 200 for s in warm):
            raise SystemExit(f"the warm-up was refused; see {gun.log.with_suffix('.err')}")
        result["uptime"] = subprocess.run(  # noqa: S603
            ["/usr/bin/uptime"], capture_output=True, text=True, env={**os.environ, "TZ": "UTC"}
        ).stdout.strip()
        meter = CpuMeter(gun.proc.pid, args.db)
        offset = gun.log.stat().st_size
        meter.begin()
        filed = new_tickets(gun.port, run, people, args.messages, 0)
        result["new_cpu"] = meter.per_request(len(filed))
        result["new"] = breakdown(filed, server_times(gun.log, offset))
        result["new_check"] = check_new(run, filed, max_id, warmup)
        if not args.no_replies:
            numbers = numbers_of(run)
            before = Ticket.objects.filter(pk__gt=max_id).count()
            offset = gun.log.stat().st_size
            meter.begin()
            answered = replies(gun.port, run, filed, numbers)
            result["replies_cpu"] = meter.per_request(len(answered))
            result["replies"] = breakdown(answered, server_times(gun.log, offset))
            result["replies_check"] = check_replies(answered, max_id, before)
        result["load_after"] = os.getloadavg()
    finally:
        gun.stop()
        if not args.keep:
            cleanup(run, max_id)
    report(result)
    if args.results:
        from bench.run import write_section

        write_section(Path(args.results), f"intake_im:{args.db}", markdown(args, result))
        print(f"results written to {args.results}")


def report(result: dict[str, Any]) -> None:
    print(f"# {result['tickets']:,} tickets in {result['db']}; {result['uptime']}")
    for key in ("new", "replies"):
        for row in result.get(key, []):
            c, s = row["client"], row["server"]
            print(
                f"{key:<8} {row['provider']:<9} n {c['n']:>5}  median {c['median']:6.1f} ms  "
                f"p95 {c['p95']:6.1f}  max {c['max']:7.1f}  (server median {s['median']:5.1f})"
            )
        if f"{key}_cpu" in result:
            cpu = result[f"{key}_cpu"]
            print(
                f"{key} CPU per request: web {cpu['web']:.1f} ms, database {cpu['database']:.1f} ms"
            )
        check = result.get(f"{key}_check")
        if check:
            print(f"{key} check: {check}")


def _table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| provider | requests | median | p95 | max | server median |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        c, s = row["client"], row["server"]
        name = "**all**" if row["provider"] == "all" else row["provider"]
        lines.append(
            f"| {name} | {c['n']} | {c['median']:.1f} ms | {c['p95']:.1f} ms | "
            f"{c['max']:.1f} ms | {s['median']:.1f} ms |"
        )
    return lines


def _cpu_line(cpu: dict[str, float]) -> str:
    return (
        f"CPU per message (user + system, `/proc`): web {cpu['web']:.1f} ms, database "
        f"{cpu['database']:.1f} ms — about what a message takes with a free core each."
    )


def markdown(args: argparse.Namespace, result: dict[str, Any]) -> str:
    median = result["new"][-1]["client"]["median"]
    check = result["new_check"]
    met = median < GOAL_MS and check["ok"]
    lines = [
        f"### IM intake (`{args.db}`), {time.strftime('%Y-%m-%d')}",
        "",
        f"`bench/intake_im.py`: {check['messages']:,} signed text messages (Slack, Feishu, "
        f"DingTalk, WeCom interleaved, a quarter each; Feishu and WeCom encrypted), each from "
        f"one of {result['people']} linked requesters and each a new ticket, sent one at a "
        f"time on fresh loopback connections to gunicorn (2 sync workers, bench settings) "
        f"over {result['tickets']:,} tickets, after {args.warmup} warm-up messages per "
        f"provider; client-side latency, building and signing excluded. "
        f"`uptime` at the start: `{result['uptime']}` (2 cores, shared with other work); "
        f"load average after: {result['load_after'][0]:.2f}. "
        f"Goal: median under {GOAL_MS:.0f} ms, each message exactly one ticket — "
        + ("**met**." if met else "**missed**."),
        "",
        "New tickets:",
        "",
        *_table(result["new"]),
        "",
        _cpu_line(result["new_cpu"]),
        "",
        f"Check: {check['distinct_tickets']:,} distinct tickets for {check['messages']:,} "
        f"messages, {check['tickets_filed_by_the_run']:,} filed by the run "
        f"({check['expected_filed']:,} expected with the warm-up), problems: "
        f"{check['problems'] or 'none'}.",
    ]
    if "replies" in result:
        rc = result["replies_check"]
        lines += [
            "",
            "Replies (each person quotes the number of the ticket just filed):",
            "",
            *_table(result["replies"]),
            "",
            _cpu_line(result["replies_cpu"]),
            "",
            f"Check: {rc['messages_on_the_tickets']:,} messages added for {rc['replies']:,} "
            f"replies, {rc['tickets_filed']} tickets filed, problems: {rc['problems'] or 'none'}.",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
