"""The e-mails of an incident: the management report says everything a manager needs, in
the reader's language and zone; late and "no new status" said plainly."""

from __future__ import annotations

import pytest
import time_machine

from accounts.models import User
from incidents import services
from incidents.choices import ClockKind, IncidentNotice, IncidentStatus
from incidents.tests.factories import declare_at, run_sweeps_at
from notifications.models import Notification
from notifications.transports.email import render
from tests.clock import sh
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def email(kind: str, user: User) -> Notification:
    return Notification.objects.filter(kind=kind, recipient=user, channel="email").latest("pk")


def test_the_report_email_carries_status_impact_work_next_steps_and_next_report(tom, dave):
    # given: an identified incident with a note, reported at 10:30
    User.objects.filter(pk=dave.pk).update(language="en")
    incident = declare_at(sh(2026, 3, 2, 10, 0), by=tom)
    with time_machine.travel(sh(2026, 3, 2, 10, 20), tick=False):
        services.post_status(
            incident.pk,
            actor=tom,
            status=IncidentStatus.IDENTIFIED,
            note="The disk array failed.",
            next_steps="Fail over to the standby server.",
        )
    run_sweeps_at(sh(2026, 3, 2, 10, 30))

    # when
    subject, body = render(email(ClockKind.REPORT, User.objects.get(pk=dave.pk)))

    # then
    assert incident.number in subject
    assert "Status: Identified" in body
    assert "Nobody can post invoices or orders." in body
    assert "The disk array failed." in body
    assert "Fail over to the standby server." in body
    assert "Next report: 2026-03-02 11:00 (Asia/Shanghai)" in body
    assert f"/incidents/{incident.number}/" in body
    assert "late" not in body


def test_a_late_report_with_nothing_new_says_both_in_chinese(tom, dave):
    # given
    User.objects.filter(pk__in=[dave.pk, tom.pk]).update(language="zh-hans")
    declare_at(sh(2026, 3, 2, 10, 0), by=tom)
    run_sweeps_at(sh(2026, 3, 2, 11, 5))

    # when
    _subject, body = render(email(ClockKind.REPORT, User.objects.get(pk=dave.pk)))
    _subject, reminder = render(email(IncidentNotice.STATUS_REMINDER, User.objects.get(pk=tom.pk)))

    # then
    assert "迟发" in body
    assert "无新进展" in body
    assert "2026-03-02 11:00" in reminder


def test_requesters_are_told_in_plain_words_with_their_tickets(tom, alice):
    ticket = make_ticket(requester=alice, title="ERP login fails")
    User.objects.filter(pk=alice.pk).update(language="en")
    incident = services.declare(actor=tom, title="ERP down", impact="x", ticket=ticket)
    services.record_restoration(incident.pk, actor=tom, restoration="Standby server is live.")
    alice = User.objects.get(pk=alice.pk)

    _s, linked = render(email(IncidentNotice.TICKET_LINKED, alice))
    _s, restored = render(email(IncidentNotice.RESTORED, alice))

    assert ticket.number in linked and "wider outage" in linked
    assert "Service was restored at" in restored and "Standby server is live." in restored
    assert f"/tickets/{ticket.number}/" in restored
