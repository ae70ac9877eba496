"""The escalation ladder of a high-priority ticket, under a controlled clock.

A high-priority ticket filed Monday 2026-11-23 10:00 (Asia/Shanghai) is due for a response
at 10:15 (7×24). Unaccepted: the engineers covering its site hear at 10:15 (the response
breach), the tech leads at 10:30 (urgent), the managers at 11:00; each rung once, however
many sweeps run, and none once someone accepts it.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connections

from notifications import tasks
from notifications.choices import NotificationChannel, Urgency
from notifications.models import Notification
from sla import obligations
from tests.clock import sh
from tickets import services
from tickets.choices import EventKind, Impact, Priority, TicketNotice
from tickets.choices import Urgency as TicketUrgency
from tickets.models import SlaEvent, SlaEventKind, Ticket, TicketEvent
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.usefixtures("seeded_calendar")

HIGH = {"impact": Impact.MULTIPLE, "urgency": TicketUrgency.INTERRUPTED}
FILED = sh(2026, 11, 23, 10, 0)
LADDER = ("tickets.sla", "tickets.escalation")


def at(hour: int, minute: int) -> dt.datetime:
    return sh(2026, 11, 23, hour, minute)


def sweep(now: dt.datetime) -> int:
    """Every sweep of the ladder, as beat runs them; how many events they recorded."""
    return sum(obligations.sweep(name, now=now).total for name in LADDER)


def told(kind: str, channel: str = NotificationChannel.IN_APP) -> list[str]:
    return sorted(
        Notification.objects.filter(kind=kind, channel=channel).values_list(
            "recipient__username", flat=True
        )
    )


def filed(requester) -> Ticket:
    with time_machine.travel(FILED, tick=False):
        ticket = make_ticket(requester=requester, **HIGH)
    assert ticket.priority == Priority.HIGH
    assert ticket.response_due_at == at(10, 15)
    assert ticket.escalation_check_at == at(10, 30)
    return ticket


@pytest.fixture
def desk(bob, erin, tom, dave):
    """Two engineers, a tech lead (who also works the queue) and a manager."""
    return {"bob": bob, "erin": erin, "tom": tom, "dave": dave}


@pytest.mark.django_db
def test_an_unaccepted_high_ticket_climbs_the_ladder_one_rung_at_a_time(alice, desk):
    ticket = filed(alice)

    # 10:14: only the response warning (at 80 %, 10:12), which the queue hears of at once
    assert sweep(at(10, 14)) == 1
    assert {n.urgency for n in Notification.objects.filter(kind=TicketNotice.RESPONSE_WARNING)} == {
        Urgency.HIGH
    }

    # 10:15: the engineers covering the site, at once; not the tech lead, not the manager
    assert sweep(at(10, 15)) == 1
    assert told(TicketNotice.RESPONSE_BREACH) == ["bob", "erin"]
    assert told(TicketNotice.RESPONSE_BREACH, NotificationChannel.EMAIL) == ["bob", "erin"]
    assert {n.urgency for n in Notification.objects.filter(kind=TicketNotice.RESPONSE_BREACH)} == {
        Urgency.HIGH
    }
    assert told(TicketNotice.ESCALATION_TECH_LEAD) == []

    # 10:29: still nothing more; 10:30: the tech leads, urgent
    assert sweep(at(10, 29)) == 0
    assert sweep(at(10, 30)) == 1
    assert told(TicketNotice.ESCALATION_TECH_LEAD) == ["tom"]
    assert told(TicketNotice.ESCALATION_TECH_LEAD, NotificationChannel.EMAIL) == ["tom"]
    lead = Notification.objects.get(kind=TicketNotice.ESCALATION_TECH_LEAD, channel="in_app")
    assert lead.urgency == Urgency.URGENT
    assert lead.payload["number"] == ticket.number
    assert dt.datetime.fromisoformat(lead.payload["due_at"]) == at(10, 15)
    assert told(TicketNotice.ESCALATION_MANAGER) == []

    # 11:00: the managers
    assert sweep(at(10, 59)) == 0
    assert sweep(at(11, 0)) == 1
    assert told(TicketNotice.ESCALATION_MANAGER) == ["dave"]
    manager = Notification.objects.get(kind=TicketNotice.ESCALATION_MANAGER, channel="in_app")
    assert manager.urgency == Urgency.HIGH

    # each rung once: later sweeps add nothing, nothing is left to watch
    before = Notification.objects.count()
    assert sweep(at(11, 30)) == 0
    assert Notification.objects.count() == before
    ticket.refresh_from_db()
    assert ticket.escalation_check_at is None
    assert sorted(SlaEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)) == [
        SlaEventKind.ESCALATION_MANAGER,
        SlaEventKind.ESCALATION_TECH_LEAD,
        SlaEventKind.RESPONSE_BREACH,
        SlaEventKind.RESPONSE_WARNING,
    ]
    rungs = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_ESCALATED)
    assert sorted(e.data["rung"] for e in rungs) == [
        SlaEventKind.ESCALATION_MANAGER,
        SlaEventKind.ESCALATION_TECH_LEAD,
    ]


@pytest.mark.django_db
def test_beat_down_for_an_hour_climbs_every_rung_at_once(alice, desk):
    ticket = filed(alice)

    assert sweep(at(11, 5)) == 3

    assert told(TicketNotice.RESPONSE_BREACH) == ["bob", "erin"]
    assert told(TicketNotice.ESCALATION_TECH_LEAD) == ["tom"]
    assert told(TicketNotice.ESCALATION_MANAGER) == ["dave"]
    ticket.refresh_from_db()
    assert ticket.escalation_check_at is None


@pytest.mark.django_db
def test_accepted_at_10_20_stops_the_ladder(alice, desk):
    # given: the first rung rang, then erin accepted the ticket
    ticket = filed(alice)
    sweep(at(10, 15))
    with time_machine.travel(at(10, 20), tick=False):
        services.accept_ticket(ticket.pk, actor=desk["erin"])
    ticket.refresh_from_db()
    assert ticket.escalation_check_at is None

    # when
    recorded = sweep(at(10, 30)) + sweep(at(11, 0))

    # then: no tech-lead or manager rung
    assert recorded == 0
    assert told(TicketNotice.ESCALATION_TECH_LEAD) == []
    assert told(TicketNotice.ESCALATION_MANAGER) == []
    assert not TicketEvent.objects.filter(kind=EventKind.SLA_ESCALATED).exists()


@pytest.mark.django_db
def test_a_sweep_that_finds_the_ticket_accepted_records_nothing(alice, desk):
    # given: accepted, but the row still says the ladder is due (a sweep that read it
    # before the acceptance committed sees exactly this)
    ticket = filed(alice)
    with time_machine.travel(at(10, 10), tick=False):
        services.accept_ticket(ticket.pk, actor=desk["bob"])
    Ticket.objects.filter(pk=ticket.pk).update(escalation_check_at=at(10, 30))

    assert sweep(at(11, 0)) == 0
    assert Ticket.objects.get(pk=ticket.pk).escalation_check_at is None


@pytest.mark.django_db
def test_a_ticket_lowered_from_high_leaves_the_ladder(alice, desk):
    ticket = filed(alice)
    with time_machine.travel(at(10, 5), tick=False):
        services.change_priority(
            ticket.pk, actor=desk["tom"], priority=Priority.MEDIUM, reason="One user only"
        )

    ticket.refresh_from_db()
    assert ticket.escalation_check_at is None
    sweep(at(11, 30))
    assert told(TicketNotice.ESCALATION_TECH_LEAD) == told(TicketNotice.ESCALATION_MANAGER) == []


@pytest.mark.django_db
def test_rungs_skip_people_whose_site_limits_keep_the_ticket_from_them(alice, desk):
    from accounts.models import Site

    elsewhere = Site.objects.create(code="far", name="Far away")
    desk["tom"].limited_to_sites.add(elsewhere)
    desk["dave"].limited_to_sites.add(elsewhere)
    filed(alice)

    assert sweep(at(11, 0)) == 3
    assert told(TicketNotice.ESCALATION_TECH_LEAD) == []
    assert told(TicketNotice.ESCALATION_MANAGER) == []


@pytest.mark.django_db
def test_the_sla_explanation_shows_the_rungs(alice, desk, web):
    ticket = filed(alice)
    sweep(at(11, 0))

    page = web(desk["bob"]).get(f"/tickets/{ticket.number}/").content.decode()

    assert 'data-rung="escalation_tech_lead"' in page
    assert 'data-rung="escalation_manager"' in page


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_ring_each_rung_once(alice, desk, monkeypatch):
    monkeypatch.setattr(tasks, "enqueue", lambda ids: None)  # no broker here
    ticket = filed(alice)
    for moment in (at(10, 15), at(10, 30), at(11, 0)):
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def run(
            when: dt.datetime = moment,
            barrier: threading.Barrier = start,
            failed: list[BaseException] = errors,
        ) -> None:
            try:
                barrier.wait(timeout=10)
                sweep(when)
            except BaseException as exc:  # noqa: BLE001 (reported by the test)
                failed.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []

    assert told(TicketNotice.RESPONSE_BREACH) == ["bob", "erin"]
    assert told(TicketNotice.ESCALATION_TECH_LEAD) == ["tom"]
    assert told(TicketNotice.ESCALATION_MANAGER) == ["dave"]
    assert SlaEvent.objects.filter(ticket=ticket).count() == 3
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_ESCALATED).count() == 2
