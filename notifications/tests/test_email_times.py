"""A time in an e-mail is shown to its reader: their site's zone, their language, no ISO."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from accounts.models import Site
from accounts.roles import Role
from accounts.tests.factories import make_user
from notifications import delivery, outbox
from notifications.choices import NotificationChannel
from notifications.models import Notification
from tickets import notify
from tickets.choices import TicketNotice
from tickets.obligations import sweep_sla
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

# 20:30 UTC on 25 November is 04:30 the next morning in Shanghai, 21:30 in Berlin.
DUE = "2026-11-25T20:30:15.060722+00:00"


def engineer_at(zone: str, *, username: str, language: str):
    site = Site.objects.create(code=username, name=username, time_zone=zone)
    return make_user(username, Role.ENGINEER, site=site, language=language)


def breach_mail(ticket, reader, mailoutbox):
    """The response-breach e-mail the SLA sweep writes for ``reader``, as sent."""
    outbox.save_and_dispatch(
        notify.rows_about(
            ticket,
            recipients=[reader],
            kind=TicketNotice.RESPONSE_BREACH,
            cause=f"sla:{ticket.pk}:response_breach:{DUE}",
            now=timezone.now(),
            extra={"due_at": DUE},
        )
    )
    row = Notification.objects.get(
        recipient=reader, channel=NotificationChannel.EMAIL, kind=TicketNotice.RESPONSE_BREACH
    )
    assert delivery.send_notification(row.pk) is True
    return mailoutbox[-1]


def assert_no_iso(message) -> None:
    for text in (message.subject, message.body):
        assert "+00:00" not in text
        assert "060722" not in text
        assert "T20:30" not in text


@pytest.mark.parametrize(
    ("language", "label"), [("zh-hans", "截止时间："), ("en", "Due: ")], ids=["zh", "en"]
)
def test_a_shanghai_engineer_reads_the_deadline_in_local_time_and_language(
    alice, mailoutbox, language, label
):
    # given
    reader = engineer_at("Asia/Shanghai", username="wang", language=language)
    ticket = make_ticket(requester=alice)

    # when
    message = breach_mail(ticket, reader, mailoutbox)

    # then
    assert f"{label}2026-11-26 04:30" in message.body
    assert "Asia/Shanghai" in message.body
    assert_no_iso(message)


def test_a_berlin_engineer_reads_the_deadline_in_berlin_time(alice, mailoutbox):
    # given
    reader = engineer_at("Europe/Berlin", username="klaus", language="en")
    ticket = make_ticket(requester=alice)

    # when
    message = breach_mail(ticket, reader, mailoutbox)

    # then
    assert "Due: 2026-11-25 21:30 (Europe/Berlin)" in message.body
    assert "04:30" not in message.body
    assert_no_iso(message)


def test_a_server_in_utc_does_not_change_the_shanghai_readers_time(alice, mailoutbox, settings):
    # given: the server runs in UTC, the reader's office in Shanghai
    settings.TIME_ZONE = "UTC"
    reader = engineer_at("Asia/Shanghai", username="li", language="en")
    ticket = make_ticket(requester=alice)

    # when
    message = breach_mail(ticket, reader, mailoutbox)

    # then
    assert "Due: 2026-11-26 04:30 (Asia/Shanghai)" in message.body
    assert "20:30" not in message.body
    assert_no_iso(message)


def test_the_sla_sweeps_breach_mail_shows_the_readers_local_deadline(alice, mailoutbox):
    # given: a ticket with nobody at its site, so every engineer hears of the breach
    reader = engineer_at("Asia/Shanghai", username="zhao", language="zh-hans")
    ticket = make_ticket(requester=alice)
    ticket.refresh_from_db()
    sweep_sla(now=ticket.response_due_at + dt.timedelta(minutes=1))
    row = Notification.objects.get(
        recipient=reader, channel=NotificationChannel.EMAIL, kind=TicketNotice.RESPONSE_BREACH
    )

    # when
    delivery.send_notification(row.pk)

    # then
    [message] = [m for m in mailoutbox if m.to == [reader.email]]
    local = timezone.localtime(ticket.response_due_at, zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert f"截止时间：{local:%Y-%m-%d %H:%M}（Asia/Shanghai）" in message.body
    assert_no_iso(message)


def test_a_notice_about_an_appointment_says_when_in_the_readers_time(alice, mailoutbox):
    # given: a notice whose payload carries the moment it is about (a visit, a window)
    reader = engineer_at("Asia/Shanghai", username="zhou", language="en")
    ticket = make_ticket(requester=alice)
    outbox.save_and_dispatch(
        notify.rows_about(
            ticket,
            recipients=[reader],
            kind=TicketNotice.REPLY,
            cause="test:when",
            now=timezone.now(),
            extra={"when_at": DUE},
        )
    )
    row = Notification.objects.get(recipient=reader, channel=NotificationChannel.EMAIL)

    # when
    assert delivery.send_notification(row.pk) is True

    # then
    assert "When: 2026-11-26 04:30 (Asia/Shanghai)" in mailoutbox[-1].body
    assert_no_iso(mailoutbox[-1])
