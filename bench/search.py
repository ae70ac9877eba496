"""Search at scale: the search page and the API's ``?q=`` through the real stack.

    .venv/bin/python bench/search.py [--db servicedesk_bench] [--requests 100]
        [--results bench/results/<date>.md]

Same stack as ``run.py`` (gunicorn ``servicedesk.wsgi``, 2 sync workers on 127.0.0.1,
bench settings). Each scenario cycles through a list of real queries of one kind (numbers
of tickets spread over the three years, their last four digits, Chinese and English words
of titles, descriptions and replies, words that match nothing), one request at a time, and
reports the median and p90 on the client side, the server-side median (gunicorn's access
log) and the queries of one request (test Client, steady state). ``generate.py`` fills the
search vectors of the generated tickets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ARTIFACTS, pct, setup_django, summary  # noqa: E402
from bench.run import (  # noqa: E402
    Gunicorn,
    Scenario,
    count_queries,
    free_port,
    identities,
    request,
    write_section,
)

GOAL_MS = 100.0  # median, client side
CHINESE = ["投影", "打印机", "蓝屏", "账号", "共享盘", "会议室", "钓鱼邮件", "驱动", "掉线", "报表"]
ENGLISH = ["VPN", "Outlook", "laptop", "battery", "portal", "Teams", "ERP", "intranet"]
NOTHING = ["卡纸", "scanner", "zzzz", "键盘鼠标"]


@dataclass
class Kind:
    key: str
    label: str
    who: str  # "engineer" | "requester"
    queries: list[str]
    state: str = ""
    auth: str = "session"
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def paths(self) -> list[str]:
        base = "/api/v1/tickets/" if self.auth == "token" else "/tickets/search/"
        state = f"&state={self.state}" if self.state else ""
        return [f"{base}?q={quote(q)}{state}" for q in self.queries]


def kinds() -> list[Kind]:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT max(id) FROM tickets_ticket")
        (top,) = c.fetchone()
        step = max(1, top // 25)
        c.execute("SELECT number FROM tickets_ticket WHERE id %% %s = 7 ORDER BY id", [step])
        numbers = [r[0] for r in c.fetchall()][:25]
        c.execute(
            "SELECT t.number FROM tickets_ticket t JOIN accounts_user u ON u.id = t.requester_id "
            "WHERE u.username = 'req-00001' ORDER BY t.submitted_at DESC LIMIT 10"
        )
        own = [r[0] for r in c.fetchall()]
    tails = [n[-4:] for n in numbers]  # "0042": one ticket a day has it
    day_tails = [n[-9:] for n in numbers]  # "0314-0042"
    words = CHINESE + ENGLISH
    return [
        Kind("number", "Whole number (engineer)", "engineer", numbers),
        Kind("partial", "Partial number: last 4 digits (engineer)", "engineer", tails),
        Kind("partial_day", "Partial number: MMDD-NNNN (engineer)", "engineer", day_tails),
        Kind("chinese", "Chinese word (engineer)", "engineer", CHINESE),
        Kind("english", "English word (engineer)", "engineer", ENGLISH),
        Kind("nothing", "Words that match nothing (engineer)", "engineer", NOTHING),
        Kind("closed_filter", "Chinese word, closed tickets only (engineer)", "engineer",
             CHINESE, state="closed"),
        Kind("requester", "Requester: words and own partial numbers", "requester",
             words[:8] + [n[-4:] for n in own]),
        Kind("api", "API ?q=, Chinese and English words (engineer)", "engineer", words,
             auth="token"),
    ]  # fmt: skip


def measure_search(kind: Kind, user: Any, rounds: int = 3) -> None:
    """The search itself, in this process: parsing and the two queries of
    ``tickets.search.search`` (the page adds the rows, the session and the layout)."""
    import time

    from tickets import search, selectors

    states = ("closed",) if kind.state == "closed" else ()
    times = []
    for _ in range(rounds):
        for q in kind.queries:
            started = time.perf_counter()
            within = search.Filters(states=states).apply(selectors.tickets_visible_to(user))
            search.search(user, search.parse(q), within)
            times.append((time.perf_counter() - started) * 1000)
    kind.result["search"] = {**summary(times), "p90": pct(times, 90)}


def measure(gun: Gunicorn, kind: Kind, ident: Any, n: int) -> None:
    scenario = Scenario(kind.key, kind.label, "GET", kind.paths[0], kind.who, kind.auth)
    for path in kind.paths[:3]:  # warm both workers
        scenario.path = path
        request(gun.port, scenario, ident, None)
    offset = gun.log_size()
    times, statuses = [], set()
    for i in range(n):
        scenario.path = kind.paths[i % len(kind.paths)]
        status, ms, _ = request(gun.port, scenario, ident, None)
        statuses.add(status)
        times.append(ms)
    kind.result["client"] = {**summary(times), "p90": pct(times, 90)}
    kind.result["server"] = summary(gun.server_times(offset))
    kind.result["status"] = sorted(statuses)


def markdown(db: str, n_tickets: int, rows: list[Kind], load: tuple[float, float]) -> str:
    today = dt.date.today().isoformat()  # noqa: DTZ011
    lines = [
        f"### Search, {n_tickets:,} tickets (`{db}`), {today}",
        "",
        "`bench/search.py`: gunicorn `servicedesk.wsgi`, 2 sync workers on 127.0.0.1, bench "
        f"settings; {rows[0].result['client']['n']} sequential requests per scenario cycling "
        "through its queries, after 3 warm-up requests; milliseconds, client side (server "
        "median from gunicorn's access log). Queries: one request through the test Client. "
        f"Load average {load[0]:.2f} before, {load[1]:.2f} after (2 cores). "
        f"Goal: median under {GOAL_MS:.0f} ms.",
        "",
        "| scenario | queries tried | median | p90 | max | server median | search alone: "
        "median / p90 | SQL queries | HTTP | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for k in rows:
        c, s, alone = k.result["client"], k.result["server"], k.result["search"]
        ok = "met" if c["median"] < GOAL_MS else "**missed**"
        lines.append(
            f"| {k.label} | {len(k.queries)} | {c['median']:.1f} | {c['p90']:.1f} | "
            f"{c['max']:.1f} | {s['median']:.1f} | {alone['median']:.1f} / "
            f"{alone['p90']:.1f} | {k.result['queries']} | "
            f"{','.join(map(str, k.result['status']))} | {ok} |"
        )
    lines += [
        "",
        "*Search alone*: `tickets.search.parse` and `search` (the `EXPLAIN` that picks the "
        "plan, then the ranked ids) in this process, three rounds over the scenario's queries; "
        "the page adds the session, the layout and the rows shown.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="servicedesk_bench")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--only", default="", help="comma-separated scenario keys")
    parser.add_argument("--results", default="", help="markdown file to update (a section)")
    args = parser.parse_args()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    setup_django(args.db)
    from django.core.management import call_command
    from django.db import connection

    if not (ARTIFACTS / "static" / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    with connection.cursor() as c:
        c.execute(
            "SELECT count(*) FILTER (WHERE search_document IS NULL), count(*) FROM tickets_ticket"
        )
        missing, total = c.fetchone()
    if missing:
        raise SystemExit(f"{missing} tickets have no search vectors: run bench/generate.py")
    people = identities()
    chosen = [k for k in kinds() if not args.only or k.key in args.only.split(",")]
    for k in chosen:
        sc = Scenario(k.key, k.label, "GET", k.paths[0], k.who, k.auth)
        count_queries(sc, people[k.who][1])
        k.result["queries"] = sc.result["queries"]
        measure_search(k, people[k.who][1])
    before = os.getloadavg()[0]
    print(f"# search: {total:,} tickets in {args.db}; load average {before:.2f}", flush=True)
    gun = Gunicorn(args.db, free_port())
    try:
        for k in chosen:
            measure(gun, k, people[k.who][0], args.requests)
            c = k.result["client"]
            print(
                f"{k.label:<48} median {c['median']:7.1f} ms  p90 {c['p90']:7.1f}  max "
                f"{c['max']:7.1f}  (server {k.result['server']['median']:6.1f})  queries "
                f"{k.result['queries']:>2}  HTTP {k.result['status']}  search alone "
                f"{k.result['search']['median']:.1f} / p90 {k.result['search']['p90']:.1f}",
                flush=True,
            )
    finally:
        gun.stop()
    if args.results:
        body = markdown(args.db, total, chosen, (before, os.getloadavg()[0]))
        write_section(Path(args.results), f"search:{args.db}", body)
        print(f"results written to {args.results}")


if __name__ == "__main__":
    main()
