"""The ticket page runs a fixed number of queries however long the ticket's history: the
engineer's work view (every panel of the work column), the requester's page and the service
report of a ticket with 200 timeline entries, 20 work-log rows, 5 visits and 3 vendor cases
(with their updates and reminders), 5 consents, 20 functional checks and a plan with logs,
run exactly the queries of a ticket with one of each.

The rows are written with the ORM (what the services write, without their rules), so the
test measures reading only. Every timeline entry kind a feature registered with
``tickets.hooks`` appears in the long history, rendered by its own template; every panel
registered for the places shown is built — a new feature's panel is covered by itself.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fieldwork.models import FunctionalCheck, RemoteConsent, SiteVisit, WorkLog, WorkPlan
from tickets import hooks, services
from tickets.choices import EventKind, MessageKind, TicketState
from tickets.models import Message, Ticket, TicketEvent
from tickets.tests.factories import make_ticket_in
from vendors.choices import ReminderKind
from vendors.models import Vendor, VendorCase, VendorCaseUpdate, VendorReminder

pytestmark = pytest.mark.django_db

BIG = {"events": 200, "worklogs": 20, "visits": 5, "cases": 3, "consents": 5, "checks": 20}
SMALL = dict.fromkeys(BIG, 1)


def registered_kinds() -> list[str]:
    """Every feature's timeline kinds (the registry is private to tickets.hooks: a test
    may look, shipped code asks ``hooks.entry_kind``)."""
    return sorted(hooks._kinds)


def fill(ticket: Ticket, engineer, requester, counts: dict[str, int]) -> None:
    """``counts`` rows of each kind of history on ``ticket``, written directly."""
    now = timezone.now()
    at = itertools.count()

    def moment() -> dt.datetime:
        return now - dt.timedelta(hours=300) + dt.timedelta(minutes=next(at))

    # The timeline: replies, internal notes, files, priority changes and every feature kind.
    kinds = [
        EventKind.REPLIED,
        EventKind.NOTE_ADDED,
        EventKind.ATTACHMENT_ADDED,
        EventKind.PRIORITY_CHANGED,
        *registered_kinds(),
    ]
    events = []
    for index, kind in zip(range(counts["events"]), itertools.cycle(kinds), strict=False):
        message = None
        if kind in (EventKind.REPLIED, EventKind.NOTE_ADDED):
            message = Message.objects.create(
                ticket=ticket,
                author=engineer,
                kind=MessageKind.INTERNAL if kind == EventKind.NOTE_ADDED else MessageKind.PUBLIC,
                body=f"Message {index}",
                created_at=moment(),
            )
        events.append(
            TicketEvent(
                ticket=ticket,
                kind=kind,
                actor=engineer,
                at=moment(),
                message=message,
                is_internal=kind == EventKind.NOTE_ADDED,
                data={
                    "files": ["server.log"],
                    "from": "low",
                    "to": "medium",
                    "label": f"Check {index}",
                    "result": "passed",
                    "approach": "restart",
                    "window_start": now.isoformat(),
                    "window_end": (now + dt.timedelta(hours=1)).isoformat(),
                },
            )
        )
    TicketEvent.objects.bulk_create(events)

    WorkLog.objects.bulk_create(
        WorkLog(
            ticket=ticket,
            author=engineer,
            body=f"Step {i}",
            minutes=5,
            mode="onsite" if i % 2 else "phone",
            is_public=bool(i % 2),
            performed_at=moment(),
            created_at=moment(),
            parts_used="toner" if i % 5 == 0 else "",
        )
        for i in range(counts["worklogs"])
    )
    SiteVisit.objects.bulk_create(
        SiteVisit(
            ticket=ticket,
            engineer=engineer,
            scheduled_at=now + dt.timedelta(days=i),
            state="completed" if i else "scheduled",
            bring="Toner",
            created_by=engineer,
            created_at=moment(),
            completed_at=moment() if i else None,
        )
        for i in range(counts["visits"])
    )
    RemoteConsent.objects.bulk_create(
        RemoteConsent(
            ticket=ticket,
            requested_by=engineer,
            tool="TeamViewer",
            purpose=f"Session {i}",
            duration_minutes=30,
            state="granted" if i else "requested",
            requested_at=moment(),
            answered_by=requester if i else None,
            answered_at=moment() if i else None,
            granted_at=moment() if i else None,
            expires_at=moment() if i else None,
        )
        for i in range(counts["consents"])
    )
    vendor, _ = Vendor.objects.get_or_create(name="Lenovo Service")
    for i in range(counts["cases"]):
        case = VendorCase.objects.create(
            ticket=ticket,
            vendor=vendor,
            vendor_reference=f"RMA-{i}",
            summary="No power",
            status="open" if i == 0 else "closed",
            opened_by=engineer,
            opened_at=moment(),
            closed_by=None if i == 0 else engineer,
            closed_at=None if i == 0 else moment(),
            last_update_at=moment(),
            next_update_due_at=now + dt.timedelta(hours=2) if i == 0 else None,
            next_check_at=now + dt.timedelta(hours=2) if i == 0 else None,
        )
        VendorCaseUpdate.objects.bulk_create(
            VendorCaseUpdate(case=case, author=engineer, body=f"News {j}", created_at=moment())
            for j in range(3)
        )
        VendorReminder.objects.create(
            case=case, kind=ReminderKind.UPDATE_DUE, due_at=moment(), created_at=moment()
        )
    plan = WorkPlan.objects.create(
        ticket=ticket,
        approach="restart",
        risk="Drafts are lost",
        log_references="app01:/var/log/oa.log",
        window_start=now + dt.timedelta(days=1),
        window_end=now + dt.timedelta(days=1, hours=1),
        created_by=engineer,
        created_at=now,
        updated_at=now,
    )
    logs = services.add_attachments(
        ticket.pk,
        actor=requester,
        files=[SimpleUploadedFile(f"log{i}.txt", b"x") for i in range(min(counts["checks"], 5))],
    )
    plan.log_attachments.set(logs)
    FunctionalCheck.objects.bulk_create(
        FunctionalCheck(
            ticket=ticket,
            label=f"Check {i}",
            result="passed" if i % 2 else "",
            note="fine" if i % 2 else "",
            checked_by=engineer if i % 2 else None,
            checked_at=moment() if i % 2 else None,
            sort_order=i,
        )
        for i in range(counts["checks"])
    )


def queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize(
    ("viewer", "path"),
    [
        ("engineer", "/tickets/{}/"),  # the work view: every panel of the work column
        ("requester", "/tickets/{}/"),
        ("engineer", "/tickets/{}/report/"),
    ],
)
def test_a_long_history_runs_the_queries_of_a_short_one(web, alice, bob, viewer, path):
    # given: two of alice's tickets in work, with a long and a short history
    tickets = {}
    for name, counts in (("small", SMALL), ("big", BIG)):
        ticket = make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob)
        fill(ticket, bob, alice, counts)
        tickets[name] = ticket
    assert TicketEvent.objects.filter(ticket=tickets["big"]).count() >= 200
    client = web(bob if viewer == "engineer" else alice)
    for ticket in tickets.values():  # a first look may write (notifications read, checks)
        client.get(path.format(ticket.number))

    # when
    few = queries(client, path.format(tickets["small"].number))
    many = queries(client, path.format(tickets["big"].number))

    # then
    assert len(few) == len(many), "\n".join(["--- 1 of each:", *few, "--- long history:", *many])
