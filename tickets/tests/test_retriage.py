"""Re-triage: what a priority change does to the SLA clocks, by the new policy's rule.

The seeded policies (Asia/Shanghai calendar, 09:00–18:00 on working days): high answers in
15 min and resolves in 4 h around the clock; medium 30 min / 8 h and low 30 min / 24 h of
working time. Tuesday 2026-11-24 is a normal working day; a ticket filed at 09:00 has run
4 working hours at 13:00.

``restart`` (the default): a clock not yet met restarts at the change with the new budget, a
lowered priority never makes a deadline earlier than the one promised, the change records no
breach and tells nobody of one. ``from_submission``: recomputed from the filing time, so the
ticket can be overdue at once, and the next sweep records and announces the breach.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone, translation

from notifications.models import Notification
from sla.calendars import clear_calendar_cache
from sla.choices import RetriageRule
from sla.models import SlaPolicy
from tests.clock import SHANGHAI, sh
from tickets import services
from tickets.choices import EventKind, Impact, Priority, TicketNotice, Urgency
from tickets.clock_display import explain_recalculation, resolution_clock, response_clock
from tickets.models import SlaEvent, SlaEventKind, Ticket, TicketEvent
from tickets.obligations import sweep_sla
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

MEDIUM = {"impact": Impact.SINGLE, "urgency": Urgency.INTERRUPTED}
HIGH = {"impact": Impact.NETWORK, "urgency": Urgency.INTERRUPTED}
FILED = sh(2026, 11, 24, 9, 0)
CHANGED = sh(2026, 11, 24, 13, 0)  # 4 working hours after filing
BREACHES = (TicketNotice.RESPONSE_BREACH, TicketNotice.RESOLUTION_BREACH)
WHY = "The whole sales floor is affected"


def at(moment: dt.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def use_rule(priority: str, rule: str, **numbers: Any) -> None:
    SlaPolicy.objects.filter(priority=priority).update(retriage_rule=rule, **numbers)
    clear_calendar_cache()


def filed(alice: Any, moment: dt.datetime = FILED, **fields: Any) -> Ticket:
    with at(moment):
        return make_ticket(requester=alice, **(fields or MEDIUM))


def change(ticket: Ticket, bob: Any, priority: str, moment: dt.datetime = CHANGED) -> Ticket:
    with at(moment):
        services.change_priority(ticket.pk, actor=bob, priority=priority, reason=WHY)
    return Ticket.objects.get(pk=ticket.pk)


def recalculated(ticket: Ticket) -> TicketEvent:
    return TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_RECALCULATED).get()


def explained(ticket: Ticket, language: str = "en", zone: str = "Asia/Shanghai") -> Any:
    event = recalculated(ticket)
    with translation.override(language), timezone.override(zone):
        return explain_recalculation(event.data, event.at)


def breach_notices() -> int:
    return Notification.objects.filter(kind__in=BREACHES).count()


# --- restart (the default) ---------------------------------------------------------------


def test_raising_medium_to_high_after_four_working_hours_is_due_15_minutes_after_the_change(
    alice, bob, erin, tom
):
    # given: a medium ticket filed at 09:00, nobody has answered it yet
    ticket = filed(alice)
    assert ticket.response_due_at == sh(2026, 11, 24, 9, 30)

    # when: at 13:00 an engineer raises it to high
    changed = change(ticket, bob, Priority.HIGH)

    # then: both clocks restart at the change: 15 min and 4 h around the clock
    assert changed.response_due_at == sh(2026, 11, 24, 13, 15)
    assert changed.response_warn_at == sh(2026, 11, 24, 13, 12)
    assert changed.resolution_due_at == sh(2026, 11, 24, 17, 0)
    assert changed.response_breached_at is None
    with translation.override("en"):
        clock = response_clock(changed, CHANGED)
    assert (clock.status, clock.text) == ("running", "due in 15 min")
    # and the change records no breach and tells nobody of one, now or at the next sweeps
    assert sweep_sla(now=CHANGED) == 0
    assert not SlaEvent.objects.filter(ticket=ticket).exists()
    assert breach_notices() == 0
    assert sweep_sla(now=sh(2026, 11, 24, 13, 12)) == 1  # the 80 % warning, as usual
    assert not SlaEvent.objects.filter(ticket=ticket, kind__endswith="_breach").exists()


def test_the_explanation_names_the_rule_the_time_elapsed_and_the_new_deadlines(alice, bob):
    # given
    ticket = filed(alice)

    # when
    change(ticket, bob, Priority.HIGH)

    # then: English and Chinese, in the reader's zone
    data = recalculated(ticket).data
    assert (data["rule"], data["response"], data["resolution"]) == ("restart", *["restarted"] * 2)
    assert data["response_elapsed_seconds"] == data["resolution_elapsed_seconds"] == 4 * 3600
    en = explained(ticket)
    assert "Rule of the High policy: clocks not yet met restart at the change" in en.rule
    assert en.reason == f"Reason: {WHY}"
    assert en.response == (
        "Response: 4 h elapsed before the change; restarted at the change with 15 min around "
        "the clock (7×24): due 2026-11-24 13:15 (was 2026-11-24 09:30)."
    )
    assert "4 h elapsed before the change" in en.resolution
    assert "due 2026-11-24 17:00" in en.resolution
    zh = explained(ticket, "zh-hans")
    assert "调整前已用 4 小时" in zh.response
    assert "2026-11-24 13:15" in zh.response
    assert "重新计时" in zh.rule
    berlin = explained(ticket, zone="Europe/Berlin")
    assert "due 2026-11-24 06:15" in berlin.response


def test_a_breach_recorded_before_the_change_stays_but_the_change_records_none(
    alice, bob, erin, tom
):
    # given: the medium response was missed at 09:30 and the sweep said so
    ticket = filed(alice)
    sweep_sla(now=sh(2026, 11, 24, 9, 31))
    assert SlaEvent.objects.filter(kind=SlaEventKind.RESPONSE_BREACH).count() == 1
    told = breach_notices()
    assert told > 0

    # when
    changed = change(ticket, bob, Priority.HIGH)

    # then: the history keeps the medium breach; the high clock runs from the change
    assert changed.response_due_at == sh(2026, 11, 24, 13, 15)
    assert changed.response_breached_at is None
    assert response_clock(changed, CHANGED).status == "running"
    assert sweep_sla(now=CHANGED) == 0
    assert SlaEvent.objects.filter(kind=SlaEventKind.RESPONSE_BREACH).count() == 1
    assert breach_notices() == told


def test_lowering_never_makes_a_deadline_earlier_than_the_one_promised(alice, bob):
    # given: a low policy answering within 60 min around the clock, and a medium ticket
    # filed Friday 17:50 whose response is promised for Monday 09:20
    use_rule(Priority.LOW, RetriageRule.RESTART, respond_minutes=60, respond_24x7=True)
    ticket = filed(alice, sh(2026, 11, 20, 17, 50))
    assert ticket.response_due_at == sh(2026, 11, 23, 9, 20)

    # when: lowered at 17:55 (a restarted low clock would be due Friday 18:55)
    changed = change(ticket, bob, Priority.LOW, sh(2026, 11, 20, 17, 55))

    # then: the promise stands; the resolution clock, later when restarted, restarts
    assert changed.response_due_at == sh(2026, 11, 23, 9, 20)
    assert changed.response_warn_at == sh(2026, 11, 23, 9, 14)
    assert changed.resolution_due_at == sh(2026, 11, 25, 14, 55)  # 24 working hours
    data = recalculated(ticket).data
    assert (data["response"], data["resolution"]) == ("kept", "restarted")
    assert "the earlier promise stands" in explained(ticket).response


def test_lowering_high_to_low_restarts_with_the_longer_budget(alice, bob):
    # given: a high ticket filed Tuesday 09:00 (due 09:15 and 13:00)
    ticket = filed(alice, **HIGH)

    # when: ten minutes later it turns out to affect one person
    changed = change(ticket, bob, Priority.LOW, sh(2026, 11, 24, 9, 10))

    # then: the low budgets from the change, both later than what was promised
    assert changed.response_due_at == sh(2026, 11, 24, 9, 40)
    assert changed.resolution_due_at == sh(2026, 11, 26, 15, 10)


def test_a_met_response_clock_is_untouched(alice, bob):
    # given: accepted at 09:20, in time for the 09:30 response deadline
    ticket = filed(alice)
    with at(sh(2026, 11, 24, 9, 20)):
        services.accept_ticket(ticket.pk, actor=bob)

    # when
    changed = change(ticket, bob, Priority.HIGH)

    # then: the response clock is history; only the resolution clock restarts
    assert changed.response_due_at == sh(2026, 11, 24, 9, 30)
    assert response_clock(changed, CHANGED).status == "met"
    assert changed.resolution_due_at == sh(2026, 11, 24, 17, 0)
    assert recalculated(ticket).data["response"] == "done"
    assert explained(ticket).response == "Response: already answered, unchanged."


def test_a_change_during_a_hold_restarts_the_budget_and_the_hold_counts_from_the_change(alice, bob):
    # given: accepted, then waiting on the requester from 10:00
    ticket = filed(alice)
    with at(sh(2026, 11, 24, 9, 20)):
        services.accept_ticket(ticket.pk, actor=bob)
    with at(sh(2026, 11, 24, 10, 0)):
        services.request_info(ticket.pk, actor=bob, question="Which floor?")

    # when: raised to high at 11:00 while on hold; the requester answers at 14:00
    changed = change(ticket, bob, Priority.HIGH, sh(2026, 11, 24, 11, 0))
    assert resolution_clock(changed, sh(2026, 11, 24, 11, 0)).status == "paused"
    with at(sh(2026, 11, 24, 14, 0)):
        services.add_message(ticket.pk, actor=alice, body="The third floor")

    # then: 4 h of the high budget after the 3 h held since the change
    assert Ticket.objects.get(pk=ticket.pk).resolution_due_at == sh(2026, 11, 24, 18, 0)


def test_a_hold_after_a_restart_moves_the_restarted_deadline(alice, bob):
    # given: raised to high at 13:00 (resolution due 17:00)
    ticket = filed(alice)
    with at(sh(2026, 11, 24, 9, 20)):
        services.accept_ticket(ticket.pk, actor=bob)
    change(ticket, bob, Priority.HIGH)

    # when: on hold from 14:00 to 15:30
    with at(sh(2026, 11, 24, 14, 0)):
        services.request_info(ticket.pk, actor=bob, question="Which floor?")
    with at(sh(2026, 11, 24, 15, 30)):
        services.add_message(ticket.pk, actor=alice, body="The third floor")

    # then: the restarted deadline moved by the hold, not recomputed from filing
    assert Ticket.objects.get(pk=ticket.pk).resolution_due_at == sh(2026, 11, 24, 18, 30)


def test_the_api_applies_the_rule_and_answers_with_the_new_deadlines(alice, bob, api):
    # given
    ticket = filed(alice)

    # when
    with at(CHANGED):
        response = api(bob).post(
            f"/api/v1/tickets/{ticket.number}/priority/",
            {"priority": "high", "reason": WHY},
            format="json",
        )

    # then: the same shape as before, with the restarted deadlines
    assert response.status_code == 200
    body = response.json()
    assert body["priority"] == "high"
    assert dt.datetime.fromisoformat(body["response_due_at"]) == sh(2026, 11, 24, 13, 15)
    assert dt.datetime.fromisoformat(body["resolution_due_at"]) == sh(2026, 11, 24, 17, 0)


# --- from_submission, chosen on the policy -------------------------------------------------


def test_from_submission_recalculates_from_filing_and_breaches_at_once(alice, bob, erin, tom):
    # given: the high policy recalculates from the filing time
    use_rule(Priority.HIGH, RetriageRule.FROM_SUBMISSION)
    ticket = filed(alice)

    # when
    changed = change(ticket, bob, Priority.HIGH)

    # then: due 15 min and 4 h after filing: overdue at once, as before
    assert changed.response_due_at == sh(2026, 11, 24, 9, 15)
    assert changed.resolution_due_at == sh(2026, 11, 24, 13, 0)
    with translation.override("en"):
        clock = response_clock(changed, CHANGED)
    assert (clock.status, clock.text) == ("breached", "late by 3 h 45 min")
    data = recalculated(ticket).data
    assert (data["rule"], data["response"]) == ("from_submission", "recalculated")
    en = explained(ticket)
    assert "deadlines recalculated from the filing time" in en.rule
    assert en.response.endswith("Overdue at once.")
    # and the next sweep records both breaches and tells the engineers and the tech lead
    assert changed.sla_next_check_at is not None and changed.sla_next_check_at <= CHANGED
    sweep_sla(now=CHANGED)
    assert set(SlaEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)) == {
        SlaEventKind.RESPONSE_BREACH,
        SlaEventKind.RESOLUTION_BREACH,
    }
    assert breach_notices() > 0


def test_the_rule_of_the_new_priority_decides(alice, bob):
    # given: only the medium policy recalculates from filing; the ticket goes high
    use_rule(Priority.MEDIUM, RetriageRule.FROM_SUBMISSION)
    ticket = filed(alice)

    # when
    changed = change(ticket, bob, Priority.HIGH)

    # then: high's rule (restart) applies
    assert changed.response_due_at == sh(2026, 11, 24, 13, 15)
    assert recalculated(ticket).data["rule"] == "restart"


def test_seeded_policies_restart_by_default():
    assert set(SlaPolicy.objects.values_list("retriage_rule", flat=True)) == {"restart"}


# --- the preview on the priority form --------------------------------------------------------


def preview(client: Any, ticket: Ticket, priority: str, language: str = "en") -> Any:
    with at(CHANGED):
        return client.get(
            f"/tickets/{ticket.number}/priority/preview/",
            {"priority": priority},
            HTTP_ACCEPT_LANGUAGE=language,
        )


def test_the_preview_shows_the_deadlines_the_save_then_stores(alice, bob, web):
    # given
    ticket = filed(alice)
    events = TicketEvent.objects.count()
    client = web(bob)

    # when: the form asks what high would do
    response = preview(client, ticket, "high")

    # then: the new deadlines in the reader's zone, nothing overdue, nothing written
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="priority-preview"' in page
    assert 'data-overdue="no"' in page
    assert "2026-11-24 13:15" in page
    assert "2026-11-24 17:00" in page
    assert "Nothing becomes overdue with this change." in page
    assert TicketEvent.objects.count() == events
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.MEDIUM

    # when: the form is saved
    with at(CHANGED):
        saved = client.post(
            f"/tickets/{ticket.number}/priority/", {"priority": "high", "reason": WHY}
        )

    # then: what the preview showed is what is stored
    assert saved.status_code == 302
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.response_due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") in page
    assert stored.response_due_at == sh(2026, 11, 24, 13, 15)
    assert stored.resolution_due_at == sh(2026, 11, 24, 17, 0)


def test_the_preview_warns_when_the_change_would_be_overdue_at_once(alice, bob, web):
    # given
    use_rule(Priority.HIGH, RetriageRule.FROM_SUBMISSION)
    ticket = filed(alice)

    # when
    response = preview(web(bob), ticket, "high", "zh-hans")

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-overdue="yes"' in page
    assert "2026-11-24 09:15" in page
    assert "保存后立即超时" in page


def test_the_preview_refuses_what_the_change_would_refuse(alice, bob, carol, web):
    # given
    ticket = filed(alice)

    # then: an unknown priority names the field; the same priority previews nothing
    bad = preview(web(bob), ticket, "critical")
    assert bad.status_code == 400
    assert "critical" in bad.content.decode()
    same = preview(web(bob), ticket, "medium")
    assert same.status_code == 200
    assert "data-overdue" not in same.content.decode()
    # and the requester may not look, another requester does not see the ticket
    assert preview(web(alice), ticket, "high").status_code == 403
    assert preview(web(carol), ticket, "high").status_code == 404


def test_the_ticket_page_offers_the_preview_and_explains_the_change(alice, bob, web):
    # given
    ticket = filed(alice)
    client = web(bob)
    with at(CHANGED):
        page = client.get(f"/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en")

    # then: the form asks for the preview when a priority is chosen
    html = page.content.decode()
    assert f'hx-get="/tickets/{ticket.number}/priority/preview/"' in html
    assert 'id="priority-preview"' in html

    # when: the change is saved, the SLA section explains it
    change(ticket, bob, Priority.HIGH)
    with at(CHANGED + dt.timedelta(minutes=1)):
        html = client.get(f"/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-rule="restart"' in html
    assert "4 h elapsed before the change" in html
    assert "due 2026-11-24 13:15" in html


def test_a_form_error_keeps_the_preview_of_the_chosen_priority(alice, bob, web):
    # given
    ticket = filed(alice)

    # when: the reason is missing
    with at(CHANGED):
        response = web(bob).post(
            f"/tickets/{ticket.number}/priority/",
            {"priority": "high", "reason": ""},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    # then: the form comes back with its error and the preview of high
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-overdue="no"' in html
    assert "2026-11-24 13:15" in html
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.MEDIUM


# --- the admin -------------------------------------------------------------------------------


def test_the_rule_is_chosen_per_policy_in_the_admin(admin, web):
    # given
    policy = SlaPolicy.objects.get(priority=Priority.HIGH)
    client = web(admin)

    # when
    page = client.get(f"/admin/sla/slapolicy/{policy.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")

    # then: both rules offered, with the help text
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="retriage_rule"' in html
    assert "Recalculate from the filing time" in html
    assert "never makes a deadline earlier than the one already promised" in html
