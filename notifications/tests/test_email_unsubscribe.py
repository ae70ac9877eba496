"""One-click unsubscribe (RFC 8058): the signed link of a mail turns that kind of e-mail off
for its reader, without login, from the mail provider's POST or the page's button; a GET
only asks; a link that is not genuine changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from notifications import delivery, outbox
from notifications.choices import NotificationChannel
from notifications.email import unsubscribe
from notifications.models import Notification, Preference
from tickets import notify
from tickets.choices import TicketNotice
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"  # the body RFC 8058 has the provider POST


def path(user_id: int, kind: str) -> str:
    return f"/notifications/unsubscribe/{unsubscribe.token(user_id, kind)}/"


def one_click(url: str, method: str = "post"):
    """A mail provider's one-click POST: no session, no cookie, CSRF checks on."""
    client = Client(enforce_csrf_checks=True)
    if method == "get":
        return client.get(url)
    return client.post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded")


def told(person: User, kind: str, cause: str) -> set[str]:
    """The channels a notice of ``kind`` about a new ticket reaches ``person`` on."""
    ticket = make_ticket(requester=person, title="Monitor flickers")
    outbox.save_and_dispatch(
        notify.rows_about(ticket, recipients=[person], kind=kind, cause=cause, now=timezone.now())
    )
    return set(
        Notification.objects.filter(recipient=person, dedupe_key__startswith=cause).values_list(
            "channel", flat=True
        )
    )


def test_the_mail_providers_one_click_turns_that_kind_of_mail_off(alice, mailoutbox):
    # given: the List-Unsubscribe link of a mail alice received
    ticket = make_ticket(requester=alice)
    outbox.save_and_dispatch(
        notify.rows_about(
            ticket, recipients=[alice], kind=TicketNotice.REPLY, cause="c1", now=timezone.now()
        )
    )
    row = Notification.objects.get(recipient=alice, channel=NotificationChannel.EMAIL)
    delivery.send_notification(row.pk)
    link = mailoutbox[-1].extra_headers["List-Unsubscribe"].strip("<>")

    # when: her mail provider POSTs to it (RFC 8058)
    response = one_click(link.removeprefix("http://127.0.0.1:8000"))

    # then: replies no longer come by e-mail; the app and other kinds are unchanged
    assert response.status_code == 200
    assert Preference.objects.filter(
        user=alice, kind=TicketNotice.REPLY, channel=NotificationChannel.EMAIL, enabled=False
    ).exists()
    assert told(alice, TicketNotice.REPLY, "c2") == {NotificationChannel.IN_APP}
    assert told(alice, TicketNotice.ACCEPTED, "c3") == {
        NotificationChannel.IN_APP,
        NotificationChannel.EMAIL,
    }


def test_opening_the_link_only_asks_in_the_readers_language(alice):
    User.objects.filter(pk=alice.pk).update(language="zh-hans")

    page = Client().get(path(alice.pk, TicketNotice.REPLY))

    assert page.status_code == 200
    text = page.content.decode()
    assert "不再接收此类邮件" in text and "新回复" in text
    assert "/notifications/preferences/" in text
    assert not Preference.objects.exists()


def test_the_pages_button_stops_them_and_a_second_one_brings_them_back(alice):
    User.objects.filter(pk=alice.pk).update(language="en")
    link = path(alice.pk, TicketNotice.REPLY)

    stopped = Client().post(link, {"action": "off"})
    off = Preference.objects.filter(user=alice).values_list("kind", "channel", "enabled")
    assert list(off) == [(TicketNotice.REPLY, NotificationChannel.EMAIL, False)]
    assert "You no longer get e-mails about" in stopped.content.decode()

    again = Client().post(link, {"action": "on"})
    assert "again" in again.content.decode()
    assert not Preference.objects.exists()  # back to the default: e-mail on


def forged(alice: User, bob: User) -> list[str]:
    genuine = unsubscribe.token(alice.pk, TicketNotice.REPLY)
    user_id, kind, mac = genuine.split(".")
    return [
        f"{user_id}.{kind}.{mac[:-1]}{'b' if mac[-1] != 'b' else 'c'}",  # the mac changed
        f"{bob.pk}.{kind}.{mac}",  # another person's id under alice's mac
        f"{user_id}.{TicketNotice.ACCEPTED}.{mac}",  # another kind under the same mac
        f"{user_id}.{kind}.{mac.upper()}",
        f"{user_id}.{kind}",
        "0",
    ]


@pytest.mark.parametrize("index", range(6))
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_a_genuine_signature_works(alice, bob, index, method):
    token = forged(alice, bob)[index]

    response = one_click(f"/notifications/unsubscribe/{token}/", method)

    assert response.status_code == 404
    assert not Preference.objects.exists()


def test_a_link_for_a_kind_nobody_declared_or_a_deactivated_person_is_404(alice):
    ghost = f"/notifications/unsubscribe/{unsubscribe.token(alice.pk, 'no_such_kind')}/"
    assert one_click(ghost).status_code == 404

    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert one_click(path(alice.pk, TicketNotice.REPLY)).status_code == 404
    assert not Preference.objects.exists()
