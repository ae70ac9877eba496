"""Knowledge search at scale: suggestions while typing and the search page, 10,000 articles.

    .venv/bin/python bench/knowledge_search.py [--db sd_kbsearch_bench] [--articles 10000]
        [--rounds 3] [--results bench/results/<date>.md]

Run by hand, never as a timed test. See bench/README.md.

**Data.** ``--db`` (default ``sd_kbsearch_bench``) is created and migrated when missing
(the glossary seed comes with the migrations). Until it holds ``--articles`` articles, the
script adds variations of the demo set (``knowledge.demo.ARTICLES``): each copy keeps its
category and language, gets another device, office and floor, one of the demo's scenarios,
a sentence of 2–4 glossary terms taken at random (so words spread over the articles as in
a real base, not in 36 clusters), steps shuffled, and a status and audience drawn like a
live base (80 % published, 85 % public). Rows are written with ``bulk_create``, then the
search columns by ``knowledge.search.index.reindex`` in batches (the same code as a save).

**Measured, in this process** (bench settings: DEBUG off, PostgreSQL on loopback):

1. *Suggestions while typing*: ``knowledge.search.suggest`` for a requester and for an
   engineer, over 26 problems (Chinese, English, mixed, colloquial, codes) typed a piece at
   a time — every prefix the new-ticket form would send (two characters more each time for
   Chinese, a word or a half word for Latin text). Goal: **p95 under 50 ms**.
2. *Search*: ``knowledge.search.search`` for one page of 25 and as the article list calls it
   (``limit=200``), engineer and requester, over the whole problems; and the page itself
   (``GET /knowledge/?q=``) through Django's test Client with a signed-in session, template
   and all. Goal: **page median under 60 ms**.
3. *Queries*: of one suggestion and one search (steady state).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import ensure_database, pct, setup_django  # noqa: E402

SUGGEST_GOAL_MS = 50.0  # p95
PAGE_GOAL_MS = 60.0  # median
SEED = 20261126
PROBLEMS = [
    "打印机卡纸 面板提示 13.B2.D1",
    "电脑死机蓝屏了，一直重启进不去系统",
    "蓝屏 0x0000007B",
    "添加共享打印机报错 0x0000011b",
    "printer shows offline",
    "Windows activation error 0xC004F074",
    "outlook 收不到邮件",
    "邮箱满了别人发不进来",
    "VPN 连接失败 809",
    "vpn keeps disconnecting at home",
    "连上wifi但是上不了网",
    "账号被锁了登不上电脑",
    "password expired working from home",
    "此工作站和主域间的信任关系失败",
    "bitlocker 恢复密钥",
    "外接显示器没信号",
    "会议室投影没画面",
    "laptop battery not charging",
    "电脑很卡很慢 C盘满了",
    "teams 别人听不到我说话",
    "企业微信共享屏幕黑屏",
    "excel 打开 csv 乱码",
    "收到钓鱼邮件怎么办",
    "文件被加密了 后缀名都变了",
    "财务系统签名 未检测到U盾",
    "u盘识别不了",
]
DEVICES = [
    "ThinkPad T14",
    "ThinkPad X1 Carbon",
    "Dell Latitude 5440",
    "HP EliteBook 840",
    "ThinkCentre M70t",
    "OptiPlex 7010",
    "MacBook Pro 14",
    "HP LaserJet M404dn",
    "Ricoh IM C3000",
    "Epson CB-X06",
]
OFFICES = [
    "上海总部",
    "北京分公司",
    "深圳分公司",
    "Shanghai HQ",
    "Beijing office",
    "Shenzhen office",
]


def typed(problem: str) -> list[str]:
    """What the form sends while ``problem`` is typed: growing prefixes."""
    found: list[str] = []
    i = 2
    while i < len(problem):
        if problem[i - 1].isascii() and problem[i - 1].isalnum() and i % 3:
            i += 1
            continue
        found.append(problem[:i])
        i += 2
    found.append(problem)
    return list(dict.fromkeys(p for p in found if p.strip()))


def fill(count: int) -> int:
    """Add variations of the demo articles until there are ``count``; how many were added."""
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from knowledge import demo
    from knowledge.choices import ArticleStatus, Audience
    from knowledge.models import Article, GlossaryTerm, Scenario
    from knowledge.search import glossary, index
    from tickets.models import Category

    have = Article.objects.count()
    if have >= count:
        return 0
    rng = random.Random(SEED + have)  # noqa: S311 - test data, not secrets
    author, _ = User.objects.get_or_create(
        username="kb-bench", defaults={"display_name": "KB bench", "email": "kb@example.com"}
    )
    categories = {c.slug: c for c in Category.objects.all()}
    terms = list(GlossaryTerm.objects.values_list("zh", "en"))
    scenario_names = sorted({name for spec in demo.ARTICLES for name in spec.scenarios})
    scenarios = {n: Scenario.objects.get_or_create(name=n)[0] for n in scenario_names}
    now = timezone.now()
    statuses = (
        [ArticleStatus.PUBLISHED] * 16
        + [ArticleStatus.DRAFT] * 2
        + [ArticleStatus.REVIEWED, ArticleStatus.ARCHIVED]
    )
    added = 0
    snapshot = glossary.load()
    started = time.perf_counter()
    while have + added < count:
        batch: list[Article] = []
        chosen: list[list[str]] = []
        for _ in range(min(500, count - have - added)):
            spec = rng.choice(demo.ARTICLES)
            chinese = any("\u4e00" <= ch <= "\u9fff" for ch in spec.title)
            device, office = rng.choice(DEVICES), rng.choice(OFFICES)
            extra = rng.sample(terms, rng.randint(2, 4))
            if chinese:
                title = f"{spec.title}（{device}，{office}）"
                note = f"{office} {rng.randint(2, 30)} 楼，设备 {device}；同时提到：" + "、".join(
                    t[0] for t in extra
                )
            else:
                title = f"{spec.title} ({device}, {office})"
                note = f"Seen at {office}, floor {rng.randint(2, 30)}, on a {device}; also " + (
                    ", ".join(t[1] for t in extra)
                )
            steps = list(spec.steps)
            rng.shuffle(steps)
            moment = now - dt_days(rng.randint(1, 1000))
            status = rng.choice(statuses)
            batch.append(
                Article(
                    title=title[:200],
                    symptom=f"{spec.symptom} {note}",
                    cause=spec.cause,
                    steps=steps,
                    category=categories.get(spec.category),
                    audience=Audience.INTERNAL if rng.random() < 0.15 else Audience.PUBLIC,
                    status=status,
                    author=author,
                    created_at=moment,
                    updated_at=moment,
                    published_at=moment if status == ArticleStatus.PUBLISHED else None,
                    revision=1,
                )
            )
            chosen.append(spec.scenarios or [rng.choice(scenario_names)])
        with transaction.atomic():
            made = Article.objects.bulk_create(batch)
            Article.scenarios.through.objects.bulk_create(
                [
                    Article.scenarios.through(article_id=a.pk, scenario_id=scenarios[n].pk)
                    for a, names in zip(made, chosen, strict=True)
                    for n in names
                    if n in scenarios
                ]
            )
            index.reindex([a.pk for a in made], snapshot=snapshot)
        added += len(made)
        print(f"  {have + added} articles ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE knowledge_article")
    return added


def dt_days(days: int) -> dt.timedelta:
    return dt.timedelta(days=days, minutes=days * 7 % 1440)


def people() -> tuple[Any, Any]:
    from accounts.models import User
    from accounts.roles import Role, assign_role

    found = []
    for name, role in (("kb-requester", Role.REQUESTER), ("kb-engineer", Role.ENGINEER)):
        user, created = User.objects.get_or_create(
            username=name, defaults={"display_name": name, "email": f"{name}@example.com"}
        )
        if created:
            user.set_password("bench-only-12345")
            user.save()
            assign_role(user, role)
        found.append(User.objects.get(pk=user.pk))
    return found[0], found[1]


def timed(call: Any, items: list[str], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for q in items:
            started = time.perf_counter()
            call(q)
            times.append((time.perf_counter() - started) * 1000)
    return times


def queries_of(call: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def ensure_static() -> None:
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def stats(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "p95": pct(values, 95),
        "max": max(values),
        "n": len(values),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("KB_BENCH_DB", "sd_kbsearch_bench"))
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--results", type=Path, default=None)
    args = parser.parse_args()

    ensure_database(args.db)
    setup_django(args.db)
    from django.core.management import call_command
    from django.test import Client

    from knowledge import search
    from knowledge.models import Article

    call_command("migrate", verbosity=0)
    added = fill(args.articles)
    total = Article.objects.count()
    requester, engineer = people()
    ensure_static()
    load_before = os.getloadavg()
    print(f"{total} articles ({added} added); load average {load_before[0]:.2f}")

    prefixes = [p for problem in PROBLEMS for p in typed(problem)]
    search.suggest(engineer, "打印机")  # jieba and the glossary snapshot, once per process
    rows: list[tuple[str, dict[str, float], int]] = []
    for label, user in (("requester", requester), ("engineer", engineer)):
        times = timed(lambda q, u=user: search.suggest(u, q), prefixes, args.rounds)
        count = queries_of(lambda u=user: search.suggest(u, PROBLEMS[0]))
        rows.append(
            (f"suggest while typing ({label}), {len(prefixes)} prefixes", stats(times), count)
        )
    for label, user in (("engineer", engineer), ("requester", requester)):
        times = timed(lambda q, u=user: search.search(u, q, limit=25), PROBLEMS, args.rounds)
        count = queries_of(lambda u=user: search.search(u, PROBLEMS[0], limit=25))
        rows.append((f"search, limit 25 ({label}), {len(PROBLEMS)} problems", stats(times), count))
    for label, user in (("engineer", engineer), ("requester", requester)):
        times = timed(lambda q, u=user: search.search(u, q, limit=200), PROBLEMS, args.rounds)
        count = queries_of(lambda u=user: search.search(u, PROBLEMS[0], limit=200))
        rows.append((f"search, limit 200 ({label}), {len(PROBLEMS)} problems", stats(times), count))
    page_rows: list[tuple[str, dict[str, float], int]] = []
    for label, user in (("engineer", engineer), ("requester", requester)):
        client = Client()
        client.force_login(user)
        status = client.get("/knowledge/", {"q": PROBLEMS[0]}).status_code
        times = timed(lambda q, c=client: c.get("/knowledge/", {"q": q}), PROBLEMS, args.rounds)
        count = queries_of(lambda c=client: c.get("/knowledge/", {"q": PROBLEMS[0]}))
        page_rows.append((f"page GET /knowledge/?q= ({label}), HTTP {status}", stats(times), count))
    load_after = os.getloadavg()

    lines = []
    for label, s, count in rows + page_rows:
        lines.append(
            f"| {label} | {s['n']} | {s['median']:.1f} | {s['p95']:.1f} | {s['max']:.1f} "
            f"| {count} |"
        )
        print(
            f"{label}: median {s['median']:.1f} ms, p95 {s['p95']:.1f} ms, "
            f"max {s['max']:.1f} ms, {count} queries"
        )
    suggest_p95 = max(s["p95"] for label, s, _ in rows if label.startswith("suggest"))
    page_median = max(s["median"] for _, s, _ in page_rows)
    verdict_suggest = "met" if suggest_p95 < SUGGEST_GOAL_MS else "**missed**"
    verdict_page = "met" if page_median < PAGE_GOAL_MS else "**missed**"
    print(f"suggest p95 {suggest_p95:.1f} ms (goal < {SUGGEST_GOAL_MS:.0f}): {verdict_suggest}")
    print(f"page median {page_median:.1f} ms (goal < {PAGE_GOAL_MS:.0f}): {verdict_page}")
    if args.results:
        from django.utils import timezone

        from bench.run import write_section

        day = timezone.localdate().isoformat()
        body = "\n".join(
            [
                f"### Knowledge search, {total:,} articles (`{args.db}`), {day}",
                "",
                "`bench/knowledge_search.py`: in-process, bench settings (DEBUG off), "
                f"{args.rounds} rounds; milliseconds. Load average (1 min) "
                f"{load_before[0]:.2f} before, {load_after[0]:.2f} after (2 cores, shared). "
                f"Goals: suggestion p95 under {SUGGEST_GOAL_MS:.0f} ms — {verdict_suggest} "
                f"({suggest_p95:.1f}); search page median under {PAGE_GOAL_MS:.0f} ms — "
                f"{verdict_page} ({page_median:.1f}).",
                "",
                "| scenario | calls | median | p95 | max | SQL queries |",
                "|---|---:|---:|---:|---:|---:|",
                *lines,
            ]
        )
        write_section(args.results, f"knowledge_search:{args.db}", body)
        print(f"written to {args.results}")


if __name__ == "__main__":
    main()
