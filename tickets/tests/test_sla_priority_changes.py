"""SLA clocks when the priority changes after holds or after acceptance, and late fixes.

A priority change follows the re-triage rule of the new priority's policy: ``restart`` (the
default) restarts the clocks not yet met at the change, ``from_submission`` recomputes them
from the filing time, measuring every earlier hold on the new policy's clock. Both are
tested here; ``test_retriage.py`` covers the rules themselves.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from sla.calendars import clear_calendar_cache
from sla.choices import RetriageRule
from sla.models import SlaPolicy
from tests.clock import sh
from tickets import services
from tickets.choices import Impact, Urgency
from tickets.clock_display import resolution_clock, response_clock
from tickets.models import Ticket
from tickets.tests.factories import DIAGNOSIS, make_ticket

pytestmark = pytest.mark.django_db

HIGH = {"impact": Impact.NETWORK, "urgency": Urgency.INTERRUPTED}
MEDIUM = {"impact": Impact.SINGLE, "urgency": Urgency.INTERRUPTED}


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    clear_calendar_cache()
    yield
    clear_calendar_cache()


def at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


def use_rule(priority: str, rule: str) -> None:
    SlaPolicy.objects.filter(priority=priority).update(retriage_rule=rule)
    clear_calendar_cache()


def test_lowering_priority_after_a_weekend_hold_restarts_from_the_change(alice, bob):
    # given: a high ticket (24x7 clock) on hold from Friday 17:30 to Monday 09:00
    with at(sh(2026, 11, 20, 17, 0)):
        ticket = make_ticket(requester=alice, **HIGH)
    with at(sh(2026, 11, 20, 17, 10)):
        services.accept_ticket(ticket.pk, actor=bob)
    with at(sh(2026, 11, 20, 17, 30)):
        services.request_info(ticket.pk, actor=bob, question="Which VLAN?")
    with at(sh(2026, 11, 23, 9, 0)):
        services.add_message(ticket.pk, actor=alice, body="VLAN 20")
    assert Ticket.objects.get(pk=ticket.pk).resolution_due_at == sh(2026, 11, 23, 12, 30)

    # when: the engineer lowers it to medium (working-hours clock; the rule is restart)
    with at(sh(2026, 11, 23, 9, 10)):
        services.change_priority(ticket.pk, actor=bob, priority="medium", reason="one user only")

    # then: 8 working hours from the change (later than the 12:30 already promised); the
    # weekend hold is still measured on the working-hours clock (only Friday 17:30-18:00)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.resolution_due_at == sh(2026, 11, 23, 17, 10)
    assert ticket.held_seconds == 30 * 60


def test_from_submission_lowering_after_a_weekend_hold_counts_only_working_time_held(alice, bob):
    # given: a high ticket (24x7 clock) on hold from Friday 17:30 to Monday 09:00, and a
    # medium policy that recalculates from the filing time
    use_rule("medium", RetriageRule.FROM_SUBMISSION)
    with at(sh(2026, 11, 20, 17, 0)):
        ticket = make_ticket(requester=alice, **HIGH)
    with at(sh(2026, 11, 20, 17, 10)):
        services.accept_ticket(ticket.pk, actor=bob)
    with at(sh(2026, 11, 20, 17, 30)):
        services.request_info(ticket.pk, actor=bob, question="Which VLAN?")
    with at(sh(2026, 11, 23, 9, 0)):
        services.add_message(ticket.pk, actor=alice, body="VLAN 20")

    # when: the engineer lowers it to medium (working-hours clock)
    with at(sh(2026, 11, 23, 9, 10)):
        services.change_priority(ticket.pk, actor=bob, priority="medium", reason="one user only")

    # then: only Friday 17:30-18:00 was held in working time; 8 working hours + 30 min
    # from Friday 17:00 (1 h on Friday, 7 h 30 on Monday) is Monday 16:30, not days later
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.held_seconds == 30 * 60
    assert ticket.resolution_due_at == sh(2026, 11, 23, 16, 30)


def test_raising_priority_after_a_hold_restarts_the_resolution_clock_at_the_change(alice, bob):
    # given: a medium ticket on hold over the weekend, held 30 working minutes
    with at(sh(2026, 11, 20, 17, 0)):
        ticket = make_ticket(requester=alice, **MEDIUM)
    with at(sh(2026, 11, 20, 17, 10)):
        services.accept_ticket(ticket.pk, actor=bob)
    with at(sh(2026, 11, 20, 17, 30)):
        services.request_info(ticket.pk, actor=bob, question="Which VLAN?")
    with at(sh(2026, 11, 23, 9, 0)):
        services.add_message(ticket.pk, actor=alice, body="VLAN 20")

    # when: it turns out to hit the whole network
    with at(sh(2026, 11, 23, 9, 10)):
        services.change_priority(ticket.pk, actor=bob, priority="high", reason="whole floor")

    # then: 4 h around the clock from the change; the hold is re-measured on the 24x7 clock
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.resolution_due_at == sh(2026, 11, 23, 13, 10)
    assert ticket.held_seconds == (63 * 60 + 30) * 60
    assert resolution_clock(ticket, sh(2026, 11, 23, 9, 11)).status == "running"


def test_from_submission_raising_after_a_hold_counts_the_hold_in_wall_clock_time(alice, bob):
    # given: a medium ticket on hold over the weekend, held 30 working minutes, and a high
    # policy that recalculates from the filing time
    use_rule("high", RetriageRule.FROM_SUBMISSION)
    with at(sh(2026, 11, 20, 17, 0)):
        ticket = make_ticket(requester=alice, **MEDIUM)
    with at(sh(2026, 11, 20, 17, 10)):
        services.accept_ticket(ticket.pk, actor=bob)
    with at(sh(2026, 11, 20, 17, 30)):
        services.request_info(ticket.pk, actor=bob, question="Which VLAN?")
    with at(sh(2026, 11, 23, 9, 0)):
        services.add_message(ticket.pk, actor=alice, body="VLAN 20")
    assert Ticket.objects.get(pk=ticket.pk).held_seconds == 30 * 60

    # when: it turns out to hit the whole network
    with at(sh(2026, 11, 23, 9, 10)):
        services.change_priority(ticket.pk, actor=bob, priority="high", reason="whole floor")

    # then: the 24x7 clock held the whole weekend (63 h 30 min); 4 h + held from Friday 17:00
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.held_seconds == (63 * 60 + 30) * 60
    assert ticket.resolution_due_at == sh(2026, 11, 23, 12, 30)


def test_a_late_response_stays_late_when_the_priority_is_lowered(alice, bob):
    # given: a high ticket due for response at 18:05, accepted at 18:30
    with at(sh(2026, 11, 20, 17, 50)):
        ticket = make_ticket(requester=alice, **HIGH)
    with at(sh(2026, 11, 20, 18, 30)):
        services.accept_ticket(ticket.pk, actor=bob)

    # when
    with at(sh(2026, 11, 20, 18, 35)):
        services.change_priority(ticket.pk, actor=bob, priority="medium", reason="not urgent")

    # then: the response clock is history and keeps its deadline and breach
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.response_due_at == sh(2026, 11, 20, 18, 5)
    assert ticket.response_breached_at == sh(2026, 11, 20, 18, 5)
    assert response_clock(ticket, sh(2026, 11, 20, 18, 40)).status == "late"


def test_a_fix_after_the_deadline_is_late_without_waiting_for_the_sweep(alice, bob):
    # given: a high ticket (4 h, 24x7) filed at 08:00
    with at(sh(2026, 11, 24, 8, 0)):
        ticket = make_ticket(requester=alice, **HIGH)
        services.accept_ticket(ticket.pk, actor=bob)
        services.diagnose_ticket(ticket.pk, actor=bob, **DIAGNOSIS)

    # when: resolved at 12:30, half an hour late, before any sweep ran
    with at(sh(2026, 11, 24, 12, 30)):
        services.resolve_ticket(ticket.pk, actor=bob, solution="Replaced the switch")

    # then
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.resolution_breached_at == sh(2026, 11, 24, 12, 0)
    assert resolution_clock(ticket, sh(2026, 11, 24, 12, 31)).status == "late"


def test_a_fix_in_time_is_in_time(alice, bob):
    with at(sh(2026, 11, 24, 8, 0)):
        ticket = make_ticket(requester=alice, **HIGH)
        services.accept_ticket(ticket.pk, actor=bob)
        services.diagnose_ticket(ticket.pk, actor=bob, **DIAGNOSIS)
    with at(sh(2026, 11, 24, 11, 0)):
        services.resolve_ticket(ticket.pk, actor=bob, solution="Replaced the switch")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.resolution_breached_at is None
    assert resolution_clock(ticket, sh(2026, 11, 24, 11, 1)).status == "met"
