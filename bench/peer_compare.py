"""``make bench-peer``: this service desk and django-helpdesk, same data size, one run.

    .venv/bin/python bench/peer_compare.py [--n 20000] [--requests 50]

1. django-helpdesk from PyPI into its own virtualenv ``bench/peer/.venv``
   (git-ignored), with the Django version it supports.
2. Our side: ``bench/generate.py --n 20000`` into ``servicedesk_bench_20k``,
   then the shared scenarios through ``bench/run.py`` (gunicorn, 2 workers).
3. Their side: ``bench/peer/helpdesk_side.py`` in their venv: a minimal project
   of ours around the ``helpdesk`` app, database ``servicedesk_peer``,
   20,000 tickets and 60,000 follow-ups (one ticket with 103), the same
   measurements through gunicorn (2 workers).
4. Both columns and the ratio, printed and written to ``bench/results/<date>.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ARTIFACTS, ROOT  # noqa: E402
from bench.run import write_section  # noqa: E402

PEER = ROOT / "bench" / "peer"
VENV = PEER / ".venv"
PAIRS = [
    # (label, our scenario, their scenario, goal ratio)
    ("Staff ticket list data (open tickets, 50 rows)", "queue", "list_data", 20),
    ("… ours as JSON: API list of open tickets by deadline", "api_open", "list_data", 20),
    ("Ticket page, typical", "ticket", "ticket", 20),
    ("Ticket page, 100+ events / follow-ups", "ticket_heavy", "ticket_heavy", 20),
    ("Create ticket (API)", "create_api", "create_api", None),
    ("API list, first page", "api_list", "api_list", None),
]


def sh(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run(args, cwd=ROOT, text=True, check=False, **kwargs)  # noqa: S603


def ensure_peer_venv() -> str:
    """Install django-helpdesk; return an empty string or the reason it failed."""
    python = VENV / "bin" / "python"
    if not python.exists():
        made = sh([sys.executable, "-m", "venv", str(VENV)])
        if made.returncode:
            return "could not create bench/peer/.venv"
    done = sh(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "django-helpdesk",
            "psycopg[binary]",
            "gunicorn",
        ],
        capture_output=True,
    )
    if done.returncode:
        return "pip install django-helpdesk failed: " + done.stderr.strip()[-800:]
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--followups", type=int, default=60_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--db", default="servicedesk_bench_20k")
    parser.add_argument(
        "--results",
        default=str(ROOT / "bench" / "results" / f"{dt.date.today()}.md"),  # noqa: DTZ011
    )
    args = parser.parse_args()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ours_json, theirs_json = ARTIFACTS / "peer-ours.json", ARTIFACTS / "peer-theirs.json"

    failure = ensure_peer_venv()
    gen = sh([sys.executable, "bench/generate.py", "--n", str(args.n), "--db", args.db])
    if gen.returncode:
        sys.exit("generating our data failed")
    keys = ",".join(p[1] for p in PAIRS)
    ours = sh(
        [
            sys.executable, "bench/run.py", "--db", args.db, "--only", keys,
            "--requests", str(args.requests), "--no-wrk", "--no-sweep", "--json", str(ours_json),
        ]
    )  # fmt: skip
    if ours.returncode:
        sys.exit("our side failed")
    if not failure:
        theirs = sh(
            [
                str(VENV / "bin" / "python"), "bench/peer/helpdesk_side.py",
                "--n", str(args.n), "--followups", str(args.followups),
                "--requests", str(args.requests), "--json", str(theirs_json),
            ]
        )  # fmt: skip
        if theirs.returncode:
            failure = f"bench/peer/helpdesk_side.py exited with {theirs.returncode} (see above)"
    a = json.loads(ours_json.read_text())
    b = json.loads(theirs_json.read_text()) if not failure else None
    text = report(a, b, failure, args)
    print(text)
    write_section(Path(args.results), "peer", text)
    print(f"results written to {args.results}")


def report(a: dict, b: dict | None, failure: str, args: argparse.Namespace) -> str:
    ours = {s["key"]: s for s in a["scenarios"]}
    lines = [
        f"### Against django-helpdesk at {args.n:,} tickets, {a['date']}",
        "",
    ]
    if b is None:
        lines += [f"django-helpdesk could not be measured: {failure}", ""]
        return "\n".join(lines)
    theirs = {s["key"]: s for s in b["scenarios"]}
    lines += [
        f"One run of `make bench-peer`: both products behind gunicorn with **2 sync workers on "
        f"127.0.0.1 (loopback)**, {args.requests} sequential requests per scenario after 3 "
        "warm-up requests (fewer for django-helpdesk's API list), medians in milliseconds "
        f"(client side), queries per request from Django's test Client. Ours: "
        f"`{a['db']}` ({a['n']:,} tickets from `bench/generate.py`: ~8 timeline events and "
        f"~1.5 messages per ticket, heaviest ticket {a['targets']['heavy_events']} events). "
        f"django-helpdesk {b['version']} on Django {b['django']}: {b['tickets']:,} tickets, "
        f"{b['followups']:,} follow-ups (one ticket with 103), database `servicedesk_peer`, "
        "a minimal project of ours (settings and URLs only; DEBUG off). "
        f"Load average {a['load_before'][0]:.2f} when our side started.",
        "",
        "| scenario | ours median | ours queries | django-helpdesk median | "
        "their queries | ratio (theirs / ours) | goal |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for label, mine, peer, goal in PAIRS:
        x, y = ours.get(mine), theirs.get(peer)
        if not x or not y:
            continue
        ratio = y["client"]["median"] / x["client"]["median"]
        verdict = (f"≥ {goal}×: " + ("met" if ratio >= goal else "**missed**")) if goal else ""
        lines.append(
            f"| {label} | {x['client']['median']:.1f} | {x['queries']} | "
            f"{y['client']['median']:.1f} | {y['queries']} | {ratio:.1f}× | {verdict} |"
        )
    page = theirs.get("list_page")
    if page:
        lines += [
            "",
            "Ours, list data = the whole queue page (HTML with tab counts and filters), and "
            "the API's JSON list of open tickets (50 rows, nearest deadline first). "
            "Theirs = `datatables_ticket_list` JSON (open tickets, 50 rows), which their "
            f"ticket list page ({page['client']['median']:.1f} ms, {page['queries']} queries) "
            "loads after it renders.",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
