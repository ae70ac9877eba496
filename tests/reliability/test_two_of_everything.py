"""Two of everything against one database for a minute: two web processes (gunicorn, the
production configuration) taking API traffic in turn, two Celery workers and two beats (a
misconfigured deploy: DESIGN.md wants one beat; docs/operations.md says two are harmless).

While tickets fall due and the beats send the sweep twice as often, requesters file tickets
through one web process and the engineer accepts and replies through the other, and
accepts tickets that are about to breach. Afterwards every filed ticket, every accept and
reply, every SLA event and timeline entry and every notification is there exactly once,
and every e-mail was sent exactly once (the workers' console mail names each row it sends
in its ``Message-ID``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from accounts.roles import Role
from accounts.services import issue_api_token
from accounts.tests.factories import make_user
from notifications.models import DigestItem, Notification
from sla.tasks import run_sweeps as sweep_sla
from tests.processes import free_port
from tests.processes import stop_process as stop
from tests.reliability.conftest import REPO, wait_until
from tests.reliability.due import due_tickets, duplicates, people
from tickets.models import Message, SlaEvent, SlaEventKind, Ticket, TicketEvent
from tickets.tests.factories import make_category

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RUN_SECONDS = 60
SWEEP_EVERY = 3  # SLA_SWEEP_SECONDS for both beats
ALREADY_DUE = 100
FALLING_DUE = 200  # spread over the first 45 s of the run
PACE = 0.4  # seconds between two rounds of traffic
SENT = re.compile(r"Sending due task .*sla\.tasks\.run_sweeps")
MAILED = re.compile(r"^Message-ID: <[^>]*\.n(\d+)@", re.M)
BREACHES = (SlaEventKind.RESPONSE_BREACH, SlaEventKind.RESOLUTION_BREACH)
TITLE = "Two of everything"
# The workers run the production settings (the test settings keep mail in memory), in
# development mode with the test settings' key, and print every e-mail they send.
MAIL_TO_LOG = {
    "DJANGO_SETTINGS_MODULE": "servicedesk.settings",
    "DEBUG": "1",
    "SECRET_KEY": settings.SECRET_KEY,
    "EMAIL_URL": "console://",
}


class Api:
    """One person's API token, against whichever web process a call names."""

    def __init__(self, user: Any) -> None:
        self.key = issue_api_token(user).key

    def post(self, base: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - our own server
            base + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"Token {self.key}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                assert answer.status in (200, 201), (path, answer.status)
                return dict(json.loads(answer.read()))
        except urllib.error.HTTPError as error:
            pytest.fail(f"POST {base}{path}: {error.code} {error.read()[:2000]!r}")


def start_web(processes: Any, port: int) -> subprocess.Popen[bytes]:
    """gunicorn with the production configuration, one worker, on ``port``; its log is one
    of ``processes.logs`` and it is stopped with the others."""
    log = processes.folder / f"web-{len(processes.started)}.log"
    env = {
        **processes.env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    with log.open("wb") as out:
        web = subprocess.Popen(  # noqa: S603 - fixed arguments
            [str(REPO / ".venv" / "bin" / "gunicorn"), "-c", "deploy/gunicorn.conf.py"]
            + ["servicedesk.wsgi"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    processes.started.append(web)
    processes.logs.append(log)
    return web


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - our own server
            return bool(answer.status == 200)
    except OSError:
        return False


def told_of_breaches(person: Any) -> Counter[tuple[str, str]]:
    """The breaches of the due tickets ``person`` was told of, by (number, kind): one by one
    (in-app rows) or folded into a digest (issue 17). Each must appear exactly once."""
    one_by_one = Counter(
        Notification.objects.filter(recipient=person, channel="in_app", kind__in=BREACHES)
        .exclude(payload__has_key="digest")
        .values_list("payload__number", "kind")
    )
    folded = Counter(
        DigestItem.objects.filter(
            digest__recipient=person, digest__scope__in=("all", "app"), digest__kind__in=BREACHES
        ).values_list("number", "digest__kind")
    )
    return one_by_one + folded


def _requests_served(log: Path) -> Counter[int]:
    statuses: Counter[int] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("event") == "request" and entry.get("path", "").startswith("/api/"):
                statuses[entry["status"]] += 1
    return statuses


def test_two_webs_two_workers_two_beats_for_a_minute_do_everything_exactly_once(processes):
    # given: tickets overdue already, and tickets falling due while everything runs
    requester, staff = people()
    engineer: Any = staff[0]
    filers = [
        make_user("two_alice", Role.REQUESTER),  # with e-mail addresses: told by mail too
        make_user("two_carol", Role.REQUESTER),
    ]
    api = {user.pk: Api(user) for user in [*filers, engineer]}
    category = make_category()
    start = timezone.now() + dt.timedelta(seconds=10)  # after the processes have started
    spread = 45 / FALLING_DUE

    def due_at(i: int) -> dt.datetime:
        if i < ALREADY_DUE:
            return start - dt.timedelta(minutes=10)
        return start + dt.timedelta(seconds=(i - ALREADY_DUE) * spread)

    ids = due_tickets(requester, ALREADY_DUE + FALLING_DUE, due_at)
    falling = dict(
        Ticket.objects.filter(pk__in=ids[ALREADY_DUE:])
        .order_by("response_due_at")
        .values_list("number", "response_due_at")
    )

    # and: two web processes, two workers (sending e-mail to their logs), two beats
    webs = [free_port(), free_port()]
    for port in webs:
        start_web(processes, port)
    processes.worker(**MAIL_TO_LOG)
    processes.worker(**MAIL_TO_LOG)
    first = processes.beat(SLA_SWEEP_SECONDS=str(SWEEP_EVERY))
    bases = [f"http://127.0.0.1:{port}" for port in webs]
    for base in bases:
        wait_until(lambda b=base: _answers(b + "/healthz"), base, 60, processes.logs)
    wait_until(
        lambda: SENT.search(processes.log_of(first)),
        "the first beat to send a sweep",
        timeout=30,
        logs=processes.logs,
    )
    second = processes.beat(SLA_SWEEP_SECONDS=str(SWEEP_EVERY))

    # when: for a minute, requesters file through one web process and the engineer accepts
    # and replies through the other, turn about; now and then the engineer accepts a due
    # ticket a few seconds before its response deadline
    filed: list[str] = []
    accepted: list[str] = []
    replies: list[str] = []
    rescued: list[str] = []
    round_ = 0
    while (timezone.now() - start).total_seconds() < RUN_SECONDS:
        here, there = bases[round_ % 2], bases[(round_ + 1) % 2]
        filer = filers[round_ % 2]
        number = api[filer.pk].post(
            here,
            "/api/v1/tickets/",
            {
                "title": f"{TITLE} {round_}",
                "description": "Printer jams on every second page",
                "category": category.slug,
                "impact": "single",
                "urgency": "experience",
            },
        )["number"]
        filed.append(number)
        if round_ % 2 == 0:
            api[engineer.pk].post(there, f"/api/v1/tickets/{number}/accept/", {})
            accepted.append(number)
        if round_ % 3 == 0:
            for person, base in ((filer, there), (engineer, here)):
                body = f"Reply {round_} from {person.username}"
                api[person.pk].post(base, f"/api/v1/tickets/{number}/messages/", {"body": body})
                replies.append(body)
        if round_ % 5 == 0:
            now = timezone.now()
            soon = [
                n
                for n, due in falling.items()
                if n not in rescued and due and dt.timedelta(seconds=6) < due - now
            ]
            if soon:
                api[engineer.pk].post(there, f"/api/v1/tickets/{soon[0]}/accept/", {})
                rescued.append(soon[0])
        round_ += 1
        time.sleep(PACE)
    for beat in (first, second):
        beat.terminate()
    for beat in (first, second):
        stop(beat)
    sweep_sla.delay()  # whatever fell due after the beats' last sweep
    wait_until(
        lambda: not Ticket.objects.filter(pk__in=ids, resolution_breached_at__isnull=True).exists(),
        "every ticket's breaches to be recorded",
        timeout=60,
        logs=processes.logs,
    )
    emails = Notification.objects.filter(channel="email")
    wait_until(
        lambda: not emails.filter(sent_at__isnull=True).exists(),
        "every e-mail to be sent",
        timeout=30,
        logs=processes.logs,
    )

    # then: both web processes took a share of the traffic, none failed a request
    served = [_requests_served(log) for log in processes.logs if log.name.startswith("web-")]
    total = sum(sum(s.values()) for s in served)
    assert all(sum(s.values()) > total / 3 for s in served), served
    assert all(set(s) <= {200, 201} for s in served), served
    # and: both beats really did send the sweep, again and again
    sent = [len(SENT.findall(processes.log_of(beat))) for beat in (first, second)]
    assert all(n >= 5 for n in sent), sent
    # (about 60 tickets filed and 6 due ones accepted in time on a quiet machine)
    assert len(filed) >= 20 and len(rescued) >= 2, (len(filed), len(rescued))

    # then: every filed ticket once, with its filing, accepts and replies once
    mine = Ticket.objects.filter(title__startswith=TITLE)
    assert sorted(mine.values_list("number", flat=True)) == sorted(filed)
    assert len(set(filed)) == len(filed)
    events = TicketEvent.objects.filter(ticket__in=mine)
    submitted = Counter(events.filter(kind="submitted").values_list("ticket__number", flat=True))
    assert submitted == Counter(filed)
    accepts = TicketEvent.objects.filter(kind="accepted", ticket__number__in=accepted + rescued)
    assert Counter(accepts.values_list("ticket__number", flat=True)) == Counter(accepted + rescued)
    assert set(
        Ticket.objects.filter(number__in=accepted + rescued).values_list("assignee", flat=True)
    ) == {engineer.pk}
    bodies = Counter(Message.objects.filter(ticket__in=mine).values_list("body", flat=True))
    assert {body: bodies[body] for body in replies} == dict.fromkeys(replies, 1)

    # then: each breach once, on the timeline once; a due ticket accepted in time kept
    # its response promise
    twice = duplicates()
    assert (twice["sla_events"], twice["timeline"]) == ([], [])
    rescued_ids = set(Ticket.objects.filter(number__in=rescued).values_list("pk", flat=True))
    for ticket in Ticket.objects.filter(pk__in=rescued_ids):
        assert ticket.accepted_at and ticket.response_due_at, ticket.number
        assert ticket.accepted_at < ticket.response_due_at, ticket.number
    expected = {
        (pk, kind): 1
        for pk in ids
        for kind in BREACHES
        if not (pk in rescued_ids and kind == SlaEventKind.RESPONSE_BREACH)
    }
    recorded = Counter(
        SlaEvent.objects.filter(ticket__in=ids, kind__in=BREACHES).values_list("ticket", "kind")
    )
    assert recorded == expected
    timeline = Counter(
        TicketEvent.objects.filter(ticket__in=ids, kind="sla_breached").values_list(
            "ticket", "data__clock"
        )
    )
    assert timeline == expected
    # and: told to each person on the queue once (one by one up to the digest threshold,
    # the rest and the tech lead's in digests)
    for person in staff:
        heard = told_of_breaches(person)
        assert set(heard.values()) == {1}
        assert sum(heard.values()) == len(expected)

    # then: every notification once, every e-mail sent once: each row's Message-ID is in
    # exactly one worker's log, once
    told_twice = (
        Notification.objects.filter(kind__in=BREACHES)
        .values("link", "kind", "recipient", "channel")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert list(told_twice) == []
    mailed = Counter(
        int(found)
        for log in processes.logs
        if log.name.startswith("worker-")
        for found in MAILED.findall(log.read_text(errors="replace"))
    )
    rows = dict(emails.values_list("pk", "attempts"))
    assert rows, "no e-mail was written"
    assert mailed == Counter(rows.keys())
    assert set(rows.values()) == {1}

    # then: no process failed on the way (all stopped at once: each takes a second or two)
    for process in processes.started:
        process.terminate()
    for process in processes.started:
        stop(process)
    for log in processes.logs:
        text = log.read_text(errors="replace")
        assert "Traceback" not in text, f"{log.name}:\n{text[-3000:]}"
        assert "ERROR/" not in text, f"{log.name}:\n{text[-3000:]}"
        assert '"level": "ERROR"' not in text, f"{log.name}:\n{text[-3000:]}"
