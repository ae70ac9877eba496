"""Notification fan-out benchmark: a burst of 10,000 notifications, each to three IM channels,
sent by two Celery workers to a local HTTP sink standing in for the providers.

    .venv/bin/python bench/notifications_fanout.py
    .venv/bin/python bench/notifications_fanout.py --results bench/results/$(date +%F).md

Run by hand, never as a timed test. See bench/README.md.

What it sets up, all its own: the database ``sd_fanout_bench`` (created and migrated when
missing), a ``redis-server`` on a free port (broker and cache), an HTTP sink in a separate
process answering as Slack, Feishu and WeCom do (tokens included), and ``--workers``
Celery workers (``-P solo``, prefetch 1, bench settings: DEBUG off), all pointed at the
sink through the providers' API-base settings and ``CHANNELS_ALLOWED_HOSTS=127.0.0.1``.

The burst: ``--notifications`` causes (a reply on a ticket, kind ``reply``), each told to
one of ``--people`` requesters who linked Slack, Feishu and WeCom IDs and have no e-mail
address: every cause writes an in-app row and three IM rows through
``notifications.outbox`` (preferences applied in the insert), in transactions of
``--batch`` causes, each handing its new rows to the workers after commit as the desk
does. Timed from the first transaction to the moment every IM row is marked sent.

Checks: each of the 3 × N messages reached the sink exactly once (by channel, recipient
and the notification's number), every IM row is sent after one attempt, nothing left
pending; tokens were fetched once per provider (cached in Redis for every worker).
Goal: **under 60 s**, none sent twice. Afterwards the run's rows are deleted
(``--keep`` leaves them).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import db_url, ensure_database, setup_django  # noqa: E402

GOAL_S = 60.0
CHANNELS = ("slack", "feishu", "wecom")
NUMBER = re.compile(r"FAN-[0-9a-f]+-\d+")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the sink (a process of its own) --------------------------------------------------------


def _identity(path: str, body: dict[str, Any]) -> tuple[str, str, str] | None:
    """(channel, recipient, number) of a message request; None for other requests."""
    if path.endswith("/chat.postMessage"):
        return ("slack", str(body.get("channel")), _number(str(body.get("text"))))
    if path.endswith("/im/v1/messages"):
        return ("feishu", str(body.get("receive_id")), _number(str(body.get("content"))))
    if path.endswith("/message/send"):
        content = str((body.get("markdown") or {}).get("content"))
        return ("wecom", str(body.get("touser")), _number(content))
    return None


def _number(text: str) -> str:
    found = NUMBER.search(text)
    return found.group(0) if found else ""


def serve_sink(port: int) -> None:
    """Answer as the providers do; count every message by its identity."""
    seen: Counter[tuple[str, str, str]] = Counter()
    paths: Counter[str] = Counter()
    lock = threading.Lock()
    answers = {
        "/feishu/auth/v3/tenant_access_token/internal": {
            "code": 0,
            "tenant_access_token": "t-feishu",
            "expire": 7200,
        },
        "/feishu/im/v1/messages": {"code": 0, "data": {"message_id": "om_x"}},
        "/wecom/gettoken": {"errcode": 0, "access_token": "t-wecom", "expires_in": 7200},
        "/wecom/message/send": {"errcode": 0, "errmsg": "ok", "msgid": "m", "invaliduser": ""},
        "/slack/chat.postMessage": {"ok": True, "ts": "1700000000.000100"},
    }

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once (keep-alive)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, data: Any) -> None:
            raw = json.dumps(data).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/__stats":
                with lock:
                    dupes = sum(1 for n in seen.values() if n > 1)
                    by_channel = Counter(key[0] for key in seen)
                    self._answer(
                        {
                            "messages": sum(seen.values()),
                            "distinct": len(seen),
                            "duplicated": dupes,
                            "by_channel": dict(by_channel),
                            "paths": dict(paths),
                        }
                    )
                return
            with lock:
                paths[path] += 1
            self._answer(answers.get(path, {"ok": True}))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            path = self.path.split("?", 1)[0]
            identity = _identity(path, body)
            with lock:
                paths[path] += 1
                if identity is not None:
                    seen[identity] += 1
            self._answer(answers.get(path, {"ok": True, "code": 0, "errcode": 0}))

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    server.serve_forever()


def sink_stats(port: int) -> dict[str, Any]:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__stats", timeout=10) as answer:  # noqa: S310
        data: dict[str, Any] = json.loads(answer.read())
        return data


# --- processes --------------------------------------------------------------------------------


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [binary, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def environment(database: str, redis_port: int, sink_port: int) -> dict[str, str]:
    sink = f"http://127.0.0.1:{sink_port}"
    return {
        "DATABASE_URL": db_url(database),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "LOG_LEVEL": "WARNING",
        "CHANNELS_ALLOWED_HOSTS": "127.0.0.1",
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_API_BASE": f"{sink}/slack",
        "FEISHU_APP_ID": "cli_bench",
        "FEISHU_APP_SECRET": "bench-secret",
        "FEISHU_API_BASE": f"{sink}/feishu",
        "WECOM_CORP_ID": "ww-bench",
        "WECOM_AGENT_SECRET": "bench-secret",
        "WECOM_AGENT_ID": "1000002",
        "WECOM_API_BASE": f"{sink}/wecom",
        "DINGTALK_APP_KEY": "",
    }


def start_workers(count: int, env: dict[str, str], folder: Path) -> list[subprocess.Popen[bytes]]:
    workers = []
    for n in range(count):
        log = (folder / f"worker-{n}.log").open("wb")
        workers.append(
            subprocess.Popen(  # noqa: S603
                [
                    str(ROOT / ".venv" / "bin" / "celery"),
                    "-A",
                    "servicedesk",
                    "worker",
                    "-P",
                    "solo",
                    "--prefetch-multiplier",
                    "1",
                    "-O",
                    "fair",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "-l",
                    "warning",
                    "-n",
                    f"fanout-{n}-{uuid.uuid4().hex[:6]}@%h",
                ],
                cwd=ROOT,
                env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    return workers


def wait_for_workers(count: int, timeout: float = 60.0) -> None:
    from servicedesk.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if len(replies) >= count:
            return
    raise SystemExit(f"{count} workers did not answer within {timeout:.0f} s")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


# --- the burst ----------------------------------------------------------------------------


def people(count: int) -> list[Any]:
    """Requesters with Slack, Feishu and WeCom IDs and no e-mail (made once, then reused)."""
    from accounts.models import User

    existing = list(User.objects.filter(username__startswith="fanout-").order_by("pk"))
    missing = [
        User(
            username=f"fanout-{n:05d}",
            display_name=f"Fan-out {n}",
            email="",
            slack_id=f"U{n:08d}",
            feishu_id=f"ou_{n:032x}",
            wecom_id=f"fan{n:05d}",
            language="zh-hans" if n % 2 else "en",
        )
        for n in range(len(existing), count)
    ]
    User.objects.bulk_create(missing, batch_size=1000)
    return list(User.objects.filter(username__startswith="fanout-").order_by("pk"))[:count]


def burst(run: str, total: int, batch: int, recipients: list[Any]) -> float:
    """Write the causes in transactions of ``batch``; the seconds it took."""
    from django.db import transaction
    from django.utils import timezone

    from notifications import outbox

    started = time.perf_counter()
    for first in range(0, total, batch):
        with transaction.atomic():
            now = timezone.now()
            rows: list[Any] = []
            for n in range(first, min(first + batch, total)):
                number = f"FAN-{run}-{n:06d}"
                rows += outbox.build(
                    recipients=[recipients[n % len(recipients)]],
                    kind="reply",
                    cause=f"bench:fanout:{run}:{n}",
                    now=now,
                    link=f"/tickets/{number}/",
                    payload={"number": number, "title": f"Printer {n} prints blank pages"},
                )
            outbox.save_and_dispatch(rows)
    return time.perf_counter() - started


def wait_sent(run: str, expected: int, timeout: float) -> tuple[float, int]:
    """Poll until every IM row of the run is sent; (seconds waited, rows sent)."""
    from notifications.models import Notification

    rows = Notification.objects.filter(
        dedupe_key__startswith=f"bench:fanout:{run}:", channel__in=CHANNELS
    )
    started = time.perf_counter()
    sent = 0
    while time.perf_counter() - started < timeout:
        sent = rows.filter(sent_at__isnull=False).count()
        if sent >= expected:
            break
        time.sleep(0.25)
    return time.perf_counter() - started, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sd_fanout_bench")
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=250, help="causes per transaction")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--keep", action="store_true", help="keep the run's rows")
    parser.add_argument("--results", default="", help="markdown file to update (a section)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="fanout-bench-"))
    redis, redis_port = start_redis(folder)
    sink_port = free_port()
    sink = multiprocessing.get_context("spawn").Process(
        target=serve_sink, args=(sink_port,), daemon=True
    )
    sink.start()
    env = environment(args.db, redis_port, sink_port)
    os.environ.update(env)
    if ensure_database(args.db):
        print(f"created database {args.db}")
    setup_django(args.db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    workers: list[subprocess.Popen[bytes]] = []
    run = uuid.uuid4().hex[:6]
    try:
        recipients = people(args.people)
        workers = start_workers(args.workers, env, folder)
        wait_for_workers(args.workers)
        load_before = os.getloadavg()[0]
        written = burst(run, args.notifications, args.batch, recipients)
        expected = args.notifications * len(CHANNELS)
        waited, sent = wait_sent(run, expected, args.timeout)
        total = written + waited
        load_after = os.getloadavg()[0]
        stats = sink_stats(sink_port)
        check = checks(run)
    finally:
        stop(workers)
        sink.terminate()
        redis.terminate()
        redis.wait(timeout=10)
    result = {
        "run": run,
        "notifications": args.notifications,
        "messages_expected": expected,
        "rows_sent": sent,
        "write_s": round(written, 2),
        "total_s": round(total, 2),
        "per_second": round(sent / total, 1) if total else 0.0,
        "load": (round(load_before, 2), round(load_after, 2)),
        "sink": stats,
        **check,
    }
    print(json.dumps(result, indent=2))
    if not args.keep:
        cleanup(run)
    if args.results:
        from bench.run import write_section

        write_section(Path(args.results), f"notifications_fanout:{args.db}", markdown(args, result))
        print(f"results written to {args.results}")
    shutil.rmtree(folder, ignore_errors=True)


def checks(run: str) -> dict[str, Any]:
    from django.db.models import Count

    from notifications.models import Notification

    rows = Notification.objects.filter(dedupe_key__startswith=f"bench:fanout:{run}:")
    by_channel = dict(rows.values_list("channel").annotate(n=Count("pk")).order_by())
    return {
        "rows_by_channel": by_channel,
        "im_rows_not_sent": rows.filter(channel__in=CHANNELS, sent_at__isnull=True).count(),
        "im_rows_attempted_more_than_once": rows.filter(
            channel__in=CHANNELS, attempts__gt=1
        ).count(),
    }


def cleanup(run: str) -> None:
    from notifications.models import Notification

    Notification.objects.filter(dedupe_key__startswith=f"bench:fanout:{run}:").delete()


def markdown(args: argparse.Namespace, result: dict[str, Any]) -> str:
    sink = result["sink"]
    met = result["total_s"] < GOAL_S and sink["duplicated"] == 0
    paths = sink["paths"]
    tokens = {
        "feishu": paths.get("/feishu/auth/v3/tenant_access_token/internal", 0),
        "wecom": paths.get("/wecom/gettoken", 0),
    }
    lines = [
        f"### Notification fan-out (`{args.db}`), {time.strftime('%Y-%m-%d')}",
        "",
        f"`bench/notifications_fanout.py`: {result['notifications']:,} notifications (one "
        f"cause each, kind `reply`) to {args.people} requesters, each to Slack, Feishu and "
        f"WeCom (plus the in-app row), written in transactions of {args.batch} causes; "
        f"{args.workers} Celery workers (`-P solo`, prefetch 1, bench settings) sending to a "
        "local HTTP sink (another process) through `channels.http`. Load average (1 min) "
        f"{result['load'][0]} before, {result['load'][1]} after (2 cores, shared). "
        f"Goal: all sent under {GOAL_S:.0f} s, none twice — "
        + ("**met**." if met else "**missed**."),
        "",
        "| measure | value |",
        "|---|---:|",
        f"| IM messages expected | {result['messages_expected']:,} |",
        f"| IM rows sent | {result['rows_sent']:,} |",
        f"| writing the burst (outbox, preferences in the insert) | {result['write_s']} s |",
        f"| first write to last message sent | {result['total_s']} s |",
        f"| messages per second | {result['per_second']} |",
        f"| messages the sink received | {sink['messages']:,} |",
        f"| distinct (channel, person, number) | {sink['distinct']:,} |",
        f"| sent twice | {sink['duplicated']} |",
        f"| rows attempted more than once | {result['im_rows_attempted_more_than_once']} |",
        f"| IM rows left unsent | {result['im_rows_not_sent']} |",
        f"| token fetches (Feishu, WeCom) | {tokens['feishu']}, {tokens['wecom']} |",
        f"| rows by channel | {json.dumps(result['rows_by_channel'], sort_keys=True)} |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
