"""Run the benchmark scenarios against a generated database through the real stack.

    .venv/bin/python bench/run.py [--db servicedesk_bench] [--requests 100] [--duration 10]

Latency: gunicorn (``servicedesk.wsgi``, 2 sync workers, bench settings: DEBUG off,
manifest static files) on 127.0.0.1, requests sent one at a time from this
process; client-side and server-side (gunicorn's access log, ``%(D)s``) times.
Throughput: wrk on loopback, bounded in time. Queries and rows: the same
request once through Django's test Client under ``CaptureQueriesContext``
(rows = rows returned or changed by those queries).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ARTIFACTS, ROOT, db_url, setup_django, summary  # noqa: E402

HOST = "127.0.0.1"


@dataclass
class Scenario:
    key: str
    label: str
    method: str
    path: str
    who: str  # "engineer" | "requester"
    auth: str = "session"  # "session" | "token"
    body: Any = None  # dict for form / JSON
    creates: bool = False
    result: dict[str, Any] = field(default_factory=dict)


@dataclass
class Identity:
    username: str
    session: str = ""
    csrf: str = ""
    token: str = ""


# Goals on the 2-core reference machine (median, client side), and query budgets.
GOALS: dict[str, tuple[float | None, str]] = {
    "queue": (30.0, "≤ 30 ms, ≤ 10 queries"),
    "ticket_heavy": (40.0, "≤ 40 ms, fixed queries"),
    "api_list": (30.0, "≤ 30 ms"),
    "create_api": (20.0, "≤ 20 ms (server side)"),
}
QUERY_GOALS = {"queue": 10}
MARK = "<!-- bench:{} -->"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn with 2 sync workers on loopback, its access log timing every request."""

    def __init__(
        self,
        db: str,
        port: int,
        workers: int = 2,
        *,
        exe: Path = ROOT / ".venv/bin/gunicorn",
        app: str = "servicedesk.wsgi",
        env: dict[str, str] | None = None,
        cwd: Path = ROOT,
    ) -> None:
        self.port = port
        self.log = ARTIFACTS / f"gunicorn-{port}.log"
        env = env or {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": db_url(db),
        }
        self.proc = subprocess.Popen(  # noqa: S603
            [
                str(exe),
                app,
                "-w",
                str(workers),
                "-b",
                f"{HOST}:{port}",
                "--access-logfile",
                str(self.log),
                "--access-logformat",
                "%(m)s %(U)s %(s)s %(D)s",
                "--log-level",
                "warning",
            ],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(ARTIFACTS / f"gunicorn-{port}.err", "w"),  # noqa: SIM115
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.2):
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start; see " + str(self.log))

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def server_times(self, offset: int) -> list[float]:
        """Milliseconds per request logged since ``offset``."""
        time.sleep(0.05)
        with open(self.log) as fh:
            fh.seek(offset)
            return [int(line.split()[-1]) / 1000 for line in fh if line.strip()]

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


def request(port: int, sc: Scenario, ident: Identity, body: Any) -> tuple[int, float, bytes]:
    headers = {"Host": HOST}
    data = None
    if sc.auth == "token":
        headers["Authorization"] = f"Token {ident.token}"
    else:
        headers["Cookie"] = f"sessionid={ident.session}; csrftoken={ident.csrf}"
    if body is not None:
        if sc.auth == "token":
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        else:
            from urllib.parse import urlencode

            data = urlencode({**body, "csrfmiddlewaretoken": ident.csrf}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{port}/"
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request(sc.method, sc.path, body=data, headers=headers)
    resp = conn.getresponse()
    payload = resp.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    return resp.status, elapsed, payload


def body_for(sc: Scenario, i: int) -> Any:
    if sc.body is None:
        return None
    return {k: (v.format(i=i) if isinstance(v, str) else v) for k, v in sc.body.items()}


def measure_latency(gun: Gunicorn, sc: Scenario, ident: Identity, n: int) -> None:
    for i in range(3):  # warm both workers
        request(gun.port, sc, ident, body_for(sc, i))
    offset = gun.log_size()
    times, statuses = [], set()
    for i in range(n):
        status, ms, _ = request(gun.port, sc, ident, body_for(sc, i))
        statuses.add(status)
        times.append(ms)
    sc.result["client"] = summary(times)
    sc.result["server"] = summary(gun.server_times(offset))
    sc.result["status"] = sorted(statuses)


def count_queries(sc: Scenario, user: Any) -> None:
    """The request once through the test Client: query count and rows."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    rows = [0]
    executed = [0]

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed[0] += 1
        result = execute(sql, params, many, context)
        count = context["cursor"].rowcount
        if count and count > 0:
            rows[0] += count
        return result

    kwargs: dict[str, Any] = {}
    if sc.auth == "token":
        kwargs["HTTP_AUTHORIZATION"] = "Token " + user.auth_token.key
    body = body_for(sc, 999_999)
    # Steady state: per-process caches (site time zone, calendars, policies) warm.
    if sc.method == "GET":
        client.get(sc.path, **kwargs)
    elif sc.auth == "token":
        client.post(sc.path, body_for(sc, 999_998), content_type="application/json", **kwargs)
    else:
        client.post(sc.path, body_for(sc, 999_998), **kwargs)
    with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(wrapper):
        if sc.method == "GET":
            response = client.get(sc.path, **kwargs)
        elif sc.auth == "token":
            response = client.post(sc.path, body, content_type="application/json", **kwargs)
        else:
            response = client.post(sc.path, body, **kwargs)
    sc.result["queries"] = executed[0]  # the capture keeps only the last 9,000
    sc.result["rows"] = rows[0]
    sc.result["qc_status"] = response.status_code
    sc.result["sql"] = [q["sql"] for q in ctx.captured_queries]


def wrk(port: int, sc: Scenario, ident: Identity, seconds: int, conns: int) -> dict[str, Any]:
    exe = shutil.which("wrk")
    if not exe:
        return {"error": "wrk not installed (apt-get install -y wrk)"}
    args = [exe, "-t2", f"-c{conns}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if sc.auth == "token":
        args += ["-H", f"Authorization: Token {ident.token}"]
    else:
        args += ["-H", f"Cookie: sessionid={ident.session}; csrftoken={ident.csrf}"]
    if sc.method == "POST":
        script = ARTIFACTS / f"wrk-{sc.key}.lua"
        payload = json.dumps(body_for(sc, 0)).replace("\\", "\\\\").replace('"', '\\"')
        script.write_text(
            'wrk.method = "POST"\n'
            f'wrk.body = "{payload}"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
        args += ["-s", str(script)]
    args.append(f"http://{HOST}:{port}{sc.path}")
    out = subprocess.run(args, capture_output=True, text=True, check=False).stdout  # noqa: S603
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(\w+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def ms(m: re.Match[str] | None) -> float:
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value * {"us": 0.001, "ms": 1, "s": 1000}.get(unit, 1)

    return {
        "rps": float(rps.group(1)) if rps else float("nan"),
        "p50": ms(p50),
        "p99": ms(p99),
        "conns": conns,
        "seconds": seconds,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def drain(port: int, connections: int) -> None:
    """Wait until requests wrk left queued in gunicorn are answered (one probe each)."""
    from concurrent.futures import ThreadPoolExecutor

    def probe(_: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=120)
        conn.request("GET", "/accounts/login/", headers={"Host": HOST})
        conn.getresponse().read()
        conn.close()

    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(probe, range(connections)))


def vacuum() -> None:
    """Steady state: what autovacuum does after earlier runs' writes (the sweep scenario
    rewrites 10,000 tickets, creation files and deletes hundreds). INDEX_CLEANUP ON:
    below 2 % of pages PostgreSQL skips it, and pages left with dead items are not
    all-visible, so index-only scans (the queue's tab counts) visit the heap."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "VACUUM (ANALYZE, INDEX_CLEANUP ON) tickets_ticket, tickets_ticketevent, "
            "tickets_message"
        )


def pick_targets() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "SELECT t.number FROM tickets_ticket t WHERE t.state = 'diagnosed' "
            "AND (SELECT count(*) FROM tickets_ticketevent e WHERE e.ticket_id = t.id) "
            "BETWEEN 7 AND 9 ORDER BY t.id DESC LIMIT 1"
        )
        typical = c.fetchone()[0]
        c.execute(
            "SELECT t.number, count(*) FROM tickets_ticket t JOIN tickets_ticketevent e "
            "ON e.ticket_id = t.id WHERE t.state = 'diagnosed' GROUP BY t.id "
            "HAVING count(*) >= 100 ORDER BY t.id DESC LIMIT 1"
        )
        heavy, heavy_events = c.fetchone()
        c.execute("SELECT id FROM tickets_category WHERE slug = 'hardware-printer'")
        (printer,) = c.fetchone()
        c.execute("SELECT value FROM bench_meta WHERE key = 'n'")
        (n,) = c.fetchone()
        c.execute("SELECT coalesce(max(id), 0) FROM tickets_ticket")
        (max_id,) = c.fetchone()
    return {
        "typical": typical,
        "heavy": heavy,
        "heavy_events": heavy_events,
        "printer": printer,
        "n": int(n),
        "max_id": max_id,
    }


def scenarios(t: dict[str, Any]) -> list[Scenario]:
    form = {
        "title": "Bench: printer jams on tray 2 ({i})",
        "description": "Paper jams every third page since this morning.",
        "impact": "single",
        "urgency": "abnormal",
        "category": str(t["printer"]),
    }
    api = {
        "title": "Bench: VPN drops every 10 minutes ({i})",
        "description": "Since the client update the tunnel drops.",
        "impact": "single",
        "urgency": "abnormal",
        "category": "network-vpn",
    }
    return [
        Scenario("queue", "Engineer queue, first page", "GET", "/tickets/queue/", "engineer"),
        Scenario(
            "queue_filtered",
            "Engineer queue, filtered (high, unassigned)",
            "GET",
            "/tickets/queue/?priority=high&unassigned=true",
            "engineer",
        ),
        Scenario(
            "queue_sorted",
            "Engineer queue, sorted by deadline",
            "GET",
            "/tickets/queue/?sort=deadline",
            "engineer",
        ),
        Scenario("mine", "Requester: my tickets", "GET", "/tickets/mine/", "requester"),
        Scenario(
            "ticket", "Ticket page, typical", "GET", f"/tickets/{t['typical']}/", "engineer"
        ),
        Scenario(
            "ticket_heavy",
            f"Ticket page, {t['heavy_events']} events",
            "GET",
            f"/tickets/{t['heavy']}/",
            "engineer",
        ),
        Scenario(
            "api_list", "API list, first page", "GET", "/api/v1/tickets/", "engineer", "token"
        ),
        Scenario(
            "api_open",
            "API list, open tickets by deadline",
            "GET",
            "/api/v1/tickets/?open=true&sort=deadline",
            "engineer",
            "token",
        ),
        Scenario(
            "api_detail",
            "API detail",
            "GET",
            f"/api/v1/tickets/{t['typical']}/",
            "engineer",
            "token",
        ),
        Scenario(
            "create_form", "Create ticket (form)", "POST", "/tickets/new/", "requester",
            body=form, creates=True,
        ),
        Scenario(
            "create_api", "Create ticket (API)", "POST", "/api/v1/tickets/", "requester", "token",
            body=api, creates=True,
        ),
    ]  # fmt: skip


def identities() -> dict[str, tuple[Identity, Any]]:
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from accounts.models import User

    out = {}
    for role, username in (("engineer", "eng-00"), ("requester", "req-00001")):
        user = User.objects.select_related("auth_token").get(username=username)
        client = Client()
        client.force_login(user)
        secret = _get_new_csrf_string()
        ident = Identity(
            username=username,
            session=client.cookies[settings.SESSION_COOKIE_NAME].value,
            csrf=secret,
            token=user.auth_token.key,
        )
        out[role] = (ident, user)
    return out


def cleanup(max_id: int) -> None:
    """Remove the tickets the creation scenarios filed, so runs stay comparable."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM tickets_ticket WHERE id > %s", [max_id])
        (created,) = c.fetchone()
        # Notifications name their ticket by the link to open (the outbox knows no tickets).
        from django.urls import reverse

        head, tail = reverse("tickets:detail", kwargs={"number": "NUMBER"}).split("NUMBER")
        c.execute(
            "DELETE FROM tickets_notification n USING tickets_ticket t "
            "WHERE t.id > %s AND n.link = %s || t.number || %s",
            [max_id, head, tail],
        )
        for table in ("tickets_slaevent", "tickets_ticketevent"):
            c.execute(f"DELETE FROM {table} WHERE ticket_id > %s", [max_id])  # noqa: S608
        c.execute("DELETE FROM tickets_message WHERE ticket_id > %s", [max_id])
        c.execute("DELETE FROM tickets_ticket WHERE id > %s", [max_id])
        c.execute(
            "UPDATE tickets_ticketcounter k SET last = coalesce((SELECT count(*) FROM "
            "tickets_ticket t WHERE (t.submitted_at AT TIME ZONE 'Asia/Shanghai')::date = k.day),"
            " 0) WHERE k.day >= (now() AT TIME ZONE 'Asia/Shanghai')::date - 1"
        )
    print(f"cleanup: removed {created} tickets filed by the creation scenarios")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="servicedesk_bench")
    parser.add_argument("--requests", type=int, default=100, help="sequential requests each")
    parser.add_argument("--duration", type=int, default=10, help="wrk seconds per scenario")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--only", default="", help="comma-separated scenario keys")
    parser.add_argument("--no-wrk", action="store_true")
    parser.add_argument("--no-sweep", action="store_true")
    parser.add_argument("--json", default="", help="write raw results here")
    parser.add_argument("--results", default="", help="markdown file to update (a section)")
    args = parser.parse_args()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    setup_django(args.db)
    from django.core.management import call_command

    manifest = ARTIFACTS / "static" / "staticfiles.json"
    if not manifest.exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    vacuum()
    targets = pick_targets()
    people = identities()
    chosen = [s for s in scenarios(targets) if not args.only or s.key in args.only.split(",")]
    load = os.getloadavg()
    print(
        f"# {targets['n']:,} tickets in {args.db}; gunicorn -w 2 (sync) on {HOST} (loopback); "
        f"load average before: {load[0]:.2f}",
        flush=True,
    )
    for sc in chosen:
        count_queries(sc, people[sc.who][1])
    gun = Gunicorn(args.db, free_port())
    try:
        for sc in chosen:
            ident = people[sc.who][0]
            n = args.requests
            measure_latency(gun, sc, ident, n)
            r = sc.result
            print(
                f"{sc.label:<45} median {r['client']['median']:7.1f} ms  p95 "
                f"{r['client']['p95']:7.1f}  max {r['client']['max']:7.1f}  (server median "
                f"{r['server']['median']:6.1f})  queries {r['queries']:>3}  rows {r['rows']:>5}"
                f"  HTTP {r['status']}",
                flush=True,
            )
        if not args.no_wrk:
            for key in ("queue", "ticket_heavy", "api_list", "create_api"):
                sc = next((s for s in chosen if s.key == key), None)
                if sc is None:
                    continue
                sc.result["wrk"] = wrk(
                    gun.port, sc, people[sc.who][0], args.duration, args.connections
                )
                drain(gun.port, args.connections)
                w = sc.result["wrk"]
                print(
                    f"wrk {sc.label:<41} {w.get('rps', 0):7.1f} req/s with {args.connections} "
                    f"connections, {args.duration}s (p50 {w.get('p50')} ms, p99 {w.get('p99')} "
                    f"ms, non-2xx {w.get('non2xx')})",
                    flush=True,
                )
    finally:
        gun.stop()
        cleanup(targets["max_id"])
    results = {
        "date": dt.date.today().isoformat(),  # noqa: DTZ011
        "db": args.db,
        "n": targets["n"],
        "targets": targets,
        "load_before": load,
        "load_after": os.getloadavg(),
        "scenarios": [{"key": s.key, "label": s.label, **s.result} for s in chosen],
    }
    if not args.no_sweep:
        results["sweep"] = run_sweep(args.db)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    if args.results:
        write_section(Path(args.results), f"run:{args.db}", markdown(results))
        print(f"results written to {args.results}")


def verdict(key: str, r: dict[str, Any]) -> str:
    goal = GOALS.get(key)
    if not goal:
        return ""
    limit, text = goal
    value = r["server"]["median"] if key == "create_api" else r["client"]["median"]
    ok = value <= limit if limit is not None else True
    if key in QUERY_GOALS:
        ok = ok and r["queries"] <= QUERY_GOALS[key]
    return f"{text}: {'met' if ok else '**missed**'}"


def markdown(results: dict[str, Any]) -> str:
    t = results["targets"]
    lines = [
        f"### {results['n']:,} tickets (`{results['db']}`), {results['date']}",
        "",
        "Latency: gunicorn `servicedesk.wsgi`, **2 sync workers on 127.0.0.1 (loopback)**, "
        "bench settings (DEBUG off, manifest static files, persistent DB connections); "
        f"{results['scenarios'][0]['client']['n']} sequential requests per scenario after 3 "
        "warm-up requests; milliseconds, client side (server side = gunicorn access log). "
        "Queries and rows: the same request once more through Django's test Client under "
        "`CaptureQueriesContext` (steady state, rows = rows returned or written). "
        f"Load average {results['load_before'][0]:.2f} before, "
        f"{results['load_after'][0]:.2f} after (2 cores).",
        "",
        "| scenario | median | p95 | max | server median | queries | rows | HTTP | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for sc in results["scenarios"]:
        c, srv = sc["client"], sc["server"]
        lines.append(
            f"| {sc['label']} | {c['median']:.1f} | {c['p95']:.1f} | {c['max']:.1f} | "
            f"{srv['median']:.1f} | {sc['queries']} | {sc['rows']} | "
            f"{','.join(map(str, sc['status']))} | {verdict(sc['key'], sc)} |"
        )
    wrk_rows = [sc for sc in results["scenarios"] if sc.get("wrk")]
    if wrk_rows:
        lines += [
            "",
            "Throughput: wrk on loopback, 2 threads, bounded in time.",
            "",
            "| scenario | req/s | connections | seconds | p50 ms | p99 ms | non-2xx/3xx |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for sc in wrk_rows:
            w = sc["wrk"]
            if "error" in w:
                lines.append(f"| {sc['label']} | {w['error']} | | | | | |")
                continue
            lines.append(
                f"| {sc['label']} | {w['rps']:.1f} | {w['conns']} | {w['seconds']} | "
                f"{w['p50']:.1f} | {w['p99']:.1f} | {w['non2xx']} |"
            )
    sweep = results.get("sweep") or {}
    if sweep.get("stdout"):
        lines += ["", "SLA sweep (`bench/sla_sweep.py`, in-process):", "", "```"]
        lines += [ln for ln in sweep["stdout"].splitlines() if ln.strip()]
        lines += ["```"]
    lines += [
        "",
        f"Tickets used: typical `{t['typical']}`, heavy `{t['heavy']}` "
        f"({t['heavy_events']} events).",
    ]
    return "\n".join(lines)


def write_section(path: Path, key: str, body: str) -> None:
    """Replace (or append) the section between this key's markers; the rest stays."""
    start, end = MARK.format(key + " start"), MARK.format(key + " end")
    block = f"{start}\n{body}\n{end}"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text() if path.exists() else ""
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + block + "\n"
    path.write_text(text)


def run_sweep(db: str) -> dict[str, Any]:
    """The SLA sweep scenarios, from bench/sla_sweep.py (written alongside)."""
    script = ROOT / "bench" / "sla_sweep.py"
    if not script.exists():
        print("bench/sla_sweep.py not found: SLA sweep scenarios skipped")
        return {}
    env = {**os.environ, "DATABASE_URL": db_url(db), "DJANGO_SETTINGS_MODULE": "bench.settings"}
    proc = subprocess.run(  # noqa: S603
        [sys.executable, str(script), "--db", db],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    print(proc.stdout)
    if proc.returncode:
        print(proc.stderr[-2000:])
    return {"stdout": proc.stdout, "returncode": proc.returncode}


if __name__ == "__main__":
    main()
