"""A verified ticket invites its requester to rate the service (R5.3): one survey per
ticket, whoever verified it — the requester, an engineer for her, or the system.

Times are Asia/Shanghai on the seeded calendar (09:00–18:00, Monday to Friday, China's
public holidays). 2026-11-20 is a Friday.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from feedback.choices import SurveyNotice
from feedback.models import Survey
from notifications.choices import NotificationChannel
from notifications.models import Notification
from notifications.transports.email import render
from tests.clock import sh
from tickets import services as ticket_services
from tickets.choices import TicketState
from tickets.models import Ticket
from tickets.services import auto_verify_resolved

from .factories import answer, at, resolved_ticket, told, verified_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

FRIDAY_10 = sh(2026, 11, 20, 10, 0)
INVITED = SurveyNotice.INVITED


def test_requester_verifying_gets_one_survey_and_an_invitation(alice, bob):
    # when: alice confirms the fix on Friday morning
    ticket = verified_ticket(alice, bob, FRIDAY_10)

    # then: one survey, hers, closing unanswered after Mon, Tue, Wed (Thursday 00:00)
    survey = Survey.objects.get(ticket=ticket)
    assert survey.requester == alice
    assert survey.invited_at == FRIDAY_10
    assert survey.close_at == sh(2026, 11, 26, 0, 0)
    assert survey.answered_at is None
    # she is invited in the app and by e-mail, with her ticket's page as the link
    assert told(INVITED) == [("alice", "in_app"), ("alice", "email")]
    notice = Notification.objects.get(kind=INVITED, channel=NotificationChannel.IN_APP)
    assert notice.link == f"/tickets/{ticket.number}/"
    assert notice.payload["number"] == ticket.number
    assert notice.payload["answer_by_day"] == "2026-11-25"
    # nobody else hears of it
    assert {r for r, _c in told(INVITED)} == {"alice"}


def test_the_invitation_e_mail_speaks_the_requester_s_language(alice, bob):
    # given: alice reads Chinese
    alice.language = "zh-hans"
    alice.save()
    ticket = verified_ticket(alice, bob, FRIDAY_10)

    # when
    mail = Notification.objects.select_related("recipient").get(
        kind=INVITED, channel=NotificationChannel.EMAIL
    )
    subject, body = render(mail)

    # then: in Chinese, with the ticket, the last day and the link to rate
    assert subject == f"[{ticket.number}] 请评价本次服务：{ticket.title}"
    assert "响应速度" in body and "非常满意" in body
    assert "2026-11-25" in body
    assert f"/tickets/{ticket.number}/" in body


def test_an_engineer_verifying_for_the_requester_invites_her(alice, bob):
    # given: a fix confirmed on the phone
    ticket = resolved_ticket(alice, bob, sh(2026, 11, 20, 9, 0))

    # when: bob records it with a note
    at(
        FRIDAY_10,
        ticket_services.verify_ticket,
        ticket.pk,
        actor=bob,
        verification_note="Confirmed by phone",
    )

    # then: the survey is alice's, not bob's
    survey = Survey.objects.get(ticket=ticket)
    assert survey.requester == alice
    assert told(INVITED) == [("alice", "in_app"), ("alice", "email")]


@override_settings(TICKETS_AUTO_VERIFY_DAYS=3)
def test_the_system_verifying_a_silent_fix_invites_the_requester(alice, bob):
    # given: resolved on Friday morning, no answer since
    ticket = resolved_ticket(alice, bob, FRIDAY_10)

    # when: the hourly task verifies it on Thursday just after midnight
    assert auto_verify_resolved(now=sh(2026, 11, 26, 0, 1)) == 1

    # then: a survey, closing unanswered after Fri, Mon and Tue (Wednesday 00:00)
    survey = Survey.objects.get(ticket=ticket)
    assert survey.invited_at == sh(2026, 11, 26, 0, 1)
    assert survey.close_at == sh(2026, 12, 2, 0, 0)
    assert told(INVITED) == [("alice", "in_app"), ("alice", "email")]


def test_verified_again_after_a_reopen_keeps_one_survey_and_re_arms_it(alice, bob):
    # given: verified Friday, reopened on Monday, fixed and verified again on Tuesday
    ticket = verified_ticket(alice, bob, FRIDAY_10)
    at(
        sh(2026, 11, 23, 9, 0),
        ticket_services.reopen_ticket,
        ticket.pk,
        actor=alice,
        reason="Again",
    )
    resolve = ticket_services.resolve_ticket
    at(sh(2026, 11, 24, 9, 0), resolve, ticket.pk, actor=bob, solution="New fuser")
    at(sh(2026, 11, 24, 10, 0), ticket_services.verify_ticket, ticket.pk, actor=alice)

    # then: still one survey, closing three working days after the second verification
    survey = Survey.objects.get(ticket=ticket)
    assert Survey.objects.filter(ticket=ticket).count() == 1
    assert survey.invited_at == FRIDAY_10
    assert survey.close_at == sh(2026, 11, 28, 0, 0)
    # she was asked once per verification
    assert told(INVITED) == [("alice", "in_app"), ("alice", "email")] * 2


def test_verified_again_with_an_answer_already_given_closes_at_once(alice, bob):
    # given: verified and rated on Friday (closed), reopened Monday, fixed again Tuesday
    ticket = verified_ticket(alice, bob, FRIDAY_10)
    answer(ticket, alice, sh(2026, 11, 20, 11, 0))
    at(
        sh(2026, 11, 23, 9, 0),
        ticket_services.reopen_ticket,
        ticket.pk,
        actor=alice,
        reason="Again",
    )
    resolve = ticket_services.resolve_ticket
    at(sh(2026, 11, 24, 9, 0), resolve, ticket.pk, actor=bob, solution="New fuser")

    # when: she confirms the new fix
    at(sh(2026, 11, 24, 10, 0), ticket_services.verify_ticket, ticket.pk, actor=alice)

    # then: her answer stands (she may still change it), the ticket is closed, not asked again
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.state == TicketState.CLOSED
    assert ticket.closed_at == sh(2026, 11, 24, 10, 0)
    survey = Survey.objects.get(ticket=ticket)
    assert survey.close_at is None
    assert survey.speed == 5
    assert len(told(INVITED)) == 2
