"""Quiet hours: in them only high and urgent notifications reach a person outside the app;
the rest shows in the app and waits, by e-mail and IM, for the morning digest.

bob (engineer, Shanghai) keeps quiet from 22:00 to 07:00.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection

from accounts.models import Site
from notifications import digests, folding, outbox, quiet_hours
from notifications.choices import DigestScope, NotificationChannel, Urgency
from notifications.models import Digest, DigestItem, QuietHours
from notifications.tests.digest_scene import breaching, digest_rows, direct
from tests.clock import sh
from tickets.choices import Priority, TicketNotice
from tickets.obligations import sweep_sla

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

KIND = TicketNotice.RESPONSE_BREACH
EMAIL = NotificationChannel.EMAIL
NIGHT = sh(2026, 11, 23, 23, 0)
MORNING = sh(2026, 11, 24, 7, 0)


@pytest.fixture
def quiet_bob(alice, bob, erin, settings):
    """alice files at the Shanghai site, where bob and erin work; bob keeps quiet hours."""
    settings.NOTIFY_DIGEST_THRESHOLD = 5
    site = Site.objects.create(code="sh-q", name="上海", time_zone="Asia/Shanghai")
    for person in (alice, bob, erin):
        person.site = site
        person.language = "en"
        person.save(update_fields=["site", "language"])
    quiet_hours.save(bob, dt.time(22, 0), dt.time(7, 0))
    return bob


def test_a_low_priority_breach_at_23_is_held_until_the_morning_digest(alice, quiet_bob, erin):
    # given: a medium ticket's response deadline passes at 23:00
    [ticket] = breaching(alice, 1, NIGHT, priority=Priority.LOW)

    # when
    sweep_sla(now=NIGHT + dt.timedelta(minutes=1))

    # then: in the app at once; no e-mail for bob (erin, not quiet, gets hers)
    assert direct(quiet_bob, KIND) == [ticket.number]
    assert direct(quiet_bob, KIND, EMAIL) == []
    assert direct(erin, KIND, EMAIL) == [ticket.number]
    night = Digest.objects.get(recipient=quiet_bob, scope=DigestScope.OUTSIDE)
    assert (night.window_start, night.closes_at) == (sh(2026, 11, 23, 22, 0), MORNING)

    # when: the closer runs all night, then at 07:00
    assert digests.close_due(MORNING - dt.timedelta(minutes=1)) == 0
    assert digest_rows(quiet_bob, KIND, EMAIL) == []
    digests.close_due(MORNING)

    # then: the morning digest by e-mail, not in the app (the app had it)
    [morning] = digest_rows(quiet_bob, KIND, EMAIL)
    assert morning.payload["numbers"] == [ticket.number]
    assert morning.payload["title"] == (
        f"1 ticket breached its response time during your quiet hours: {ticket.number}"
    )
    assert morning.created_at == MORNING
    assert len(digest_rows(quiet_bob, KIND)) == 0


def test_a_high_priority_breach_at_23_reaches_them_at_once(alice, quiet_bob):
    [ticket] = breaching(alice, 1, NIGHT, priority=Priority.HIGH)

    sweep_sla(now=NIGHT + dt.timedelta(minutes=1))

    assert direct(quiet_bob, KIND, EMAIL) == [ticket.number]
    assert not Digest.objects.filter(recipient=quiet_bob, scope=DigestScope.OUTSIDE).exists()


def test_a_window_digest_closing_in_quiet_hours_goes_to_the_app_and_waits_for_the_morning(
    alice, quiet_bob
):
    # given: eight breaches at 21:55, before bob's quiet hours: five one by one, three folded
    evening = sh(2026, 11, 23, 21, 55)
    tickets = breaching(alice, 8, evening)
    sweep_sla(now=evening + dt.timedelta(minutes=1))
    assert len(direct(quiet_bob, KIND, EMAIL)) == 5

    # when: the window closes at 22:00, in his quiet hours
    digests.close_due(sh(2026, 11, 23, 22, 0))

    # then: the digest in the app only; its three tickets join the morning digest
    [in_app] = digest_rows(quiet_bob, KIND)
    assert in_app.payload["count"] == 3
    assert digest_rows(quiet_bob, KIND, EMAIL) == []
    night = Digest.objects.get(recipient=quiet_bob, scope=DigestScope.OUTSIDE)
    assert set(DigestItem.objects.filter(digest=night).values_list("number", flat=True)) == {
        t.number for t in tickets[5:]
    }
    digests.close_due(MORNING)
    [morning] = digest_rows(quiet_bob, KIND, EMAIL)
    assert morning.payload["count"] == 3


def test_quiet_hours_in_sql_and_in_python_agree(bob):
    # given: hours across midnight, within a day, and none (equal ends), in two zones
    cases = [
        (dt.time(22, 0), dt.time(7, 0), "Asia/Shanghai"),
        (dt.time(12, 30), dt.time(13, 45), "Asia/Shanghai"),
        (dt.time(23, 0), dt.time(6, 0), "Europe/Berlin"),
        (dt.time(8, 0), dt.time(8, 0), "Asia/Shanghai"),
    ]
    moments = [sh(2026, 11, 23, 0, 0) + dt.timedelta(minutes=37 * i) for i in range(80)] + [
        sh(2026, 3, 29, 1, 0) + dt.timedelta(minutes=15 * i) for i in range(20)
    ]
    for starts, ends, zone in cases:
        hours = QuietHours.objects.update_or_create(
            user=bob, defaults={"starts": starts, "ends": ends, "time_zone": zone}
        )[0]
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH m (r, at) AS (SELECT %s::bigint, unnest(%s::timestamptz[])) "
                f"{quiet_hours.night_sql('m')}",
                [bob.pk, moments],
            )
            in_sql = {at: (s, e) for _r, at, s, e in cursor.fetchall()}
        for moment in moments:
            night = quiet_hours.night_of(hours, moment)
            expected = (night.starts_at, night.ends_at) if night else None
            assert in_sql.get(moment) == expected, (starts, ends, zone, moment)


def test_urgent_and_high_rows_are_never_held(alice, quiet_bob):
    now = NIGHT + dt.timedelta(minutes=5)
    for urgency, n in itertools.product((Urgency.HIGH, Urgency.URGENT), range(2)):
        outbox.save_and_dispatch(
            outbox.build(
                recipients=[quiet_bob],
                kind=TicketNotice.ASSIGNED,
                cause=f"event:{urgency}-{n}",
                now=now,
                link=f"/tickets/IT-Q-{n}/",
                payload={"number": f"IT-Q-{urgency}-{n}"},
                urgency=urgency,
            )
        )
    assert len(direct(quiet_bob, TicketNotice.ASSIGNED, EMAIL)) == 4
    assert folding.window_start(now) == sh(2026, 11, 23, 23, 0)
