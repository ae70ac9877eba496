"""The SLA sweep, called directly: what it records, whom it tells, and that it does so once.

A medium ticket filed Monday 2026-11-23 09:00 (Asia/Shanghai) has its response
warning at 09:24, response due 09:30, resolution warning at 15:24 (80 % of 8
working hours) and resolution due 17:00.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from notifications import digests
from notifications.choices import NotificationChannel
from notifications.models import Notification
from tests.clock import sh
from tickets import services
from tickets.choices import EventKind, Impact, Urgency
from tickets.models import SlaEvent, SlaEventKind, Ticket, TicketEvent
from tickets.obligations import sweep_sla
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

MEDIUM = {"impact": Impact.SINGLE, "urgency": Urgency.INTERRUPTED}


FILED = sh(2026, 11, 23, 9, 0)
RESPONSE_WARN = sh(2026, 11, 23, 9, 24)
RESPONSE_DUE = sh(2026, 11, 23, 9, 30)
RESOLUTION_WARN = sh(2026, 11, 23, 15, 24)
RESOLUTION_DUE = sh(2026, 11, 23, 17, 0)


@pytest.fixture
def staff(bob, erin, tom, dave):
    """Two engineers, a tech lead (who also works the queue) and a manager (who does not)."""
    return {"bob": bob, "erin": erin, "tom": tom, "dave": dave}


def filed_ticket(requester) -> Ticket:
    with time_machine.travel(FILED, tick=False):
        return make_ticket(requester=requester, **MEDIUM)


def accepted_by(ticket: Ticket, engineer) -> Ticket:
    with time_machine.travel(FILED + dt.timedelta(minutes=10), tick=False):
        return services.accept_ticket(ticket.pk, actor=engineer)


def notified(kind: str, channel: str = NotificationChannel.IN_APP) -> set[str]:
    return set(
        Notification.objects.filter(kind=kind, channel=channel).values_list(
            "recipient__username", flat=True
        )
    )


def digested(kind: str, at: dt.datetime) -> set[str]:
    """Who got ``kind`` in a digest once the window of ``at`` closed (tech leads: issue 17)."""
    digests.close_due(at + dt.timedelta(minutes=10))
    return set(
        Notification.objects.filter(
            kind=kind, channel=NotificationChannel.IN_APP, payload__has_key="digest"
        ).values_list("recipient__username", flat=True)
    )


def counts() -> tuple[int, int, int]:
    return (
        SlaEvent.objects.count(),
        Notification.objects.count(),
        TicketEvent.objects.filter(kind=EventKind.SLA_BREACHED).count(),
    )


def test_response_breach_is_recorded_once_with_timeline_and_notifications(alice, staff):
    # given: nobody accepted the ticket
    ticket = filed_ticket(alice)

    # when
    recorded = sweep_sla(now=RESPONSE_DUE + dt.timedelta(minutes=1))

    # then: one event (the warning, due at the same time, is folded into the breach)
    assert recorded == 1
    event = SlaEvent.objects.get(ticket=ticket)
    assert (event.kind, event.due_at) == (SlaEventKind.RESPONSE_BREACH, RESPONSE_DUE)
    ticket.refresh_from_db()
    assert ticket.response_breached_at == RESPONSE_DUE
    breached = TicketEvent.objects.get(ticket=ticket, kind=EventKind.SLA_BREACHED)
    assert breached.data == {
        "clock": SlaEventKind.RESPONSE_BREACH,
        "due_at": RESPONSE_DUE.astimezone(dt.UTC).isoformat(),
    }
    # (written in one statement with the batch's others: every other column its default)
    assert breached.at == RESPONSE_DUE + dt.timedelta(minutes=1)
    assert (breached.actor_id, breached.message_id, breached.is_internal) == (None, None, False)
    assert (breached.from_state, breached.to_state) == ("", "")
    # the queue hears of it at once; the tech lead (who also works the queue) only in the
    # digest when the window closes (issue 17: tech leads no longer get every breach); the
    # manager and requester do not
    assert notified(SlaEventKind.RESPONSE_BREACH) == {"bob", "erin"}
    assert notified(SlaEventKind.RESPONSE_BREACH, NotificationChannel.EMAIL) == {"bob", "erin"}
    assert Notification.objects.filter(payload__number=ticket.number).count() == 4
    assert digested(SlaEventKind.RESPONSE_BREACH, RESPONSE_DUE) == {"tom"}


def test_in_app_notifications_are_delivered_and_emails_wait_for_the_outbox(alice, staff):
    # given
    filed_ticket(alice)

    # when
    sweep_sla(now=RESPONSE_DUE)

    # then
    rows = Notification.objects.filter(kind=SlaEventKind.RESPONSE_BREACH)
    assert all(r.sent_at for r in rows if r.channel == NotificationChannel.IN_APP)
    assert not any(r.sent_at for r in rows if r.channel == NotificationChannel.EMAIL)


def test_breach_of_an_assigned_ticket_tells_the_assignee_and_the_tech_lead_in_a_digest(
    alice, staff
):
    # given: erin accepted it in time
    ticket = accepted_by(filed_ticket(alice), staff["erin"])

    # when: the sweep first runs after the resolution deadline
    recorded = sweep_sla(now=RESOLUTION_DUE + dt.timedelta(seconds=1))

    # then
    assert recorded == 1
    assert list(SlaEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)) == [
        SlaEventKind.RESOLUTION_BREACH
    ]
    assert notified(SlaEventKind.RESOLUTION_BREACH) == {"erin"}
    assert digested(SlaEventKind.RESOLUTION_BREACH, RESOLUTION_DUE) == {"tom"}
    ticket.refresh_from_db()
    assert ticket.resolution_breached_at == RESOLUTION_DUE
    assert ticket.response_breached_at is None


def test_warning_at_80_percent_tells_the_assignee_only(alice, staff):
    # given
    ticket = accepted_by(filed_ticket(alice), staff["erin"])

    # when
    recorded = sweep_sla(now=RESOLUTION_WARN)

    # then: a warning, no breach, no timeline entry, and the next check is the deadline
    assert recorded == 1
    event = SlaEvent.objects.get(ticket=ticket)
    assert (event.kind, event.due_at) == (SlaEventKind.RESOLUTION_WARNING, RESOLUTION_DUE)
    assert notified(SlaEventKind.RESOLUTION_WARNING) == {"erin"}
    assert not TicketEvent.objects.filter(kind=EventKind.SLA_BREACHED).exists()
    ticket.refresh_from_db()
    assert ticket.resolution_breached_at is None
    assert ticket.sla_next_check_at == RESOLUTION_DUE


def test_response_warning_tells_the_queue(alice, staff):
    # given
    ticket = filed_ticket(alice)

    # when
    sweep_sla(now=RESPONSE_WARN)

    # then
    assert notified(SlaEventKind.RESPONSE_WARNING) == {"bob", "erin", "tom"}
    ticket.refresh_from_db()
    assert ticket.sla_next_check_at == RESPONSE_DUE


def test_warning_then_breach_are_two_events(alice, staff):
    # given
    ticket = filed_ticket(alice)

    # when
    sweep_sla(now=RESPONSE_WARN)
    sweep_sla(now=RESPONSE_DUE)

    # then
    assert sorted(SlaEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)) == [
        SlaEventKind.RESPONSE_BREACH,
        SlaEventKind.RESPONSE_WARNING,
    ]
    ticket.refresh_from_db()
    assert ticket.sla_next_check_at == RESOLUTION_WARN


def test_breach_sweep_is_idempotent(alice, staff):
    # given
    filed_ticket(alice)
    sweep_sla(now=RESPONSE_DUE)
    before = counts()

    # when
    again = sweep_sla(now=RESPONSE_DUE + dt.timedelta(seconds=30))

    # then
    assert again == 0
    assert counts() == before


def test_an_event_already_recorded_is_not_announced_again(alice, staff):
    # given: a breach recorded, then the row looks unswept again (a sweep that read it
    # before the first one committed sees exactly this)
    ticket = filed_ticket(alice)
    sweep_sla(now=RESPONSE_DUE)
    before = counts()
    Ticket.objects.filter(pk=ticket.pk).update(
        response_breached_at=None, sla_next_check_at=RESPONSE_WARN
    )

    # when
    again = sweep_sla(now=RESPONSE_DUE + dt.timedelta(seconds=30))

    # then: the unique (ticket, kind, due time) keeps everything single
    assert again == 0
    assert counts() == before
    ticket.refresh_from_db()
    assert ticket.response_breached_at == RESPONSE_DUE


def test_next_check_becomes_null_when_every_clock_has_breached(alice, staff):
    # given
    ticket = filed_ticket(alice)

    # when
    recorded = sweep_sla(now=RESOLUTION_DUE)

    # then
    assert recorded == 2
    ticket.refresh_from_db()
    assert ticket.response_breached_at == RESPONSE_DUE
    assert ticket.resolution_breached_at == RESOLUTION_DUE
    assert ticket.sla_next_check_at is None
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_BREACHED).count() == 2


def test_nothing_happens_before_the_first_milestone(alice, staff):
    # given
    ticket = filed_ticket(alice)

    # when
    recorded = sweep_sla(now=RESPONSE_WARN - dt.timedelta(seconds=1))

    # then
    assert recorded == 0
    assert counts() == (0, 0, 0)
    ticket.refresh_from_db()
    assert ticket.sla_next_check_at == RESPONSE_WARN


def test_every_due_ticket_is_handled_across_batches(alice, staff):
    # given
    tickets = [filed_ticket(alice) for _ in range(5)]

    # when
    recorded = sweep_sla(now=RESPONSE_DUE, batch_size=2)

    # then
    assert recorded == 5
    assert set(SlaEvent.objects.values_list("ticket_id", flat=True)) == {t.pk for t in tickets}
    assert not Ticket.objects.filter(sla_next_check_at__lte=RESPONSE_DUE).exists()


def test_inactive_engineers_are_not_notified(alice, staff):
    # given
    staff["bob"].is_active = False
    staff["bob"].save(update_fields=["is_active"])
    filed_ticket(alice)

    # when
    sweep_sla(now=RESPONSE_DUE)

    # then
    assert notified(SlaEventKind.RESPONSE_BREACH) == {"erin"}


def test_finished_tickets_are_never_swept(alice, staff):
    # given: cancelled before anything was due
    ticket = filed_ticket(alice)
    with time_machine.travel(FILED + dt.timedelta(minutes=1), tick=False):
        services.cancel_ticket(ticket.pk, actor=alice, reason="Works again")

    # when
    recorded = sweep_sla(now=RESOLUTION_DUE)

    # then
    assert recorded == 0
    assert Ticket.objects.get(pk=ticket.pk).sla_next_check_at is None


def test_unassigned_breach_goes_to_the_engineers_of_the_tickets_site(alice, staff):
    # given: alice works in Beijing, where erin is the only engineer; bob is in Shanghai
    from accounts.models import Site

    beijing = Site.objects.create(code="bj-test", name="北京分公司", city="北京")
    shanghai = Site.objects.create(code="sh-test", name="上海总部", city="上海")
    for person, site in ((alice, beijing), (staff["erin"], beijing), (staff["bob"], shanghai)):
        person.site = site
        person.save(update_fields=["site"])
    ticket = filed_ticket(alice)
    assert ticket.site_id == beijing.pk

    # when
    sweep_sla(now=RESPONSE_DUE + dt.timedelta(minutes=1))

    # then: the Beijing queue hears of it (the tech lead in the digest), Shanghai does not
    assert notified(SlaEventKind.RESPONSE_BREACH) == {"erin"}
    assert digested(SlaEventKind.RESPONSE_BREACH, RESPONSE_DUE) == {"tom"}
