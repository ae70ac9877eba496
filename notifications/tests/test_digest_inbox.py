"""The inbox groups by ticket and kind, "mark all of this kind read" exists, a digest reads
in its reader's language; quiet hours are set on the settings page; a digest's queue link
shows only its owner's tickets, within what they may see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Site, User
from notifications import digests, folding, outbox
from notifications.choices import Urgency
from notifications.models import Notification, QuietHours
from notifications.tests.digest_scene import breaching, digest_rows
from tests.clock import sh
from tickets.choices import TicketNotice
from tickets.obligations import sweep_sla

pytestmark = pytest.mark.django_db


def tell(user: User, kind: str, number: str, cause: str, urgency: str = Urgency.NORMAL) -> None:
    outbox.save_and_dispatch(
        outbox.build(
            recipients=[user],
            kind=kind,
            cause=cause,
            now=timezone.now(),
            link=f"/tickets/{number}/",
            payload={"number": number, "title": f"About {number}"},
            urgency=urgency,
        )
    )


@pytest.fixture
def news(bob):
    """bob: three replies and an assignment about IT-A, one reply about IT-B."""
    for i in range(3):
        tell(bob, TicketNotice.REPLY, "IT-A", f"event:a{i}")
    tell(bob, TicketNotice.ASSIGNED, "IT-A", "event:a-assigned")
    tell(bob, TicketNotice.REPLY, "IT-B", "event:b")
    return bob


def groups_on(page: str) -> int:
    return page.count('class="list-group-item list-group-item-action')


def test_the_inbox_groups_by_ticket_and_kind(news, web):
    page = web(news).get("/notifications/").content.decode()

    assert groups_on(page) == 3
    assert "×3" in page
    assert page.index("IT-B") < page.index("IT-A")  # the newest group first


def test_opening_a_group_reads_the_whole_group(news, web):
    latest = Notification.objects.filter(
        recipient=news, kind=TicketNotice.REPLY, link="/tickets/IT-A/", channel="in_app"
    ).latest("pk")

    response = web(news).post(f"/notifications/{latest.pk}/open/")

    assert response["Location"] == "/tickets/IT-A/"
    unread = Notification.objects.filter(recipient=news, channel="in_app", read_at__isnull=True)
    assert set(unread.values_list("kind", "link")) == {
        (TicketNotice.REPLY, "/tickets/IT-B/"),
        (TicketNotice.ASSIGNED, "/tickets/IT-A/"),
    }


def test_mark_all_of_this_kind_read(news, erin, web):
    tell(erin, TicketNotice.REPLY, "IT-A", "event:erin")

    response = web(news).post(f"/notifications/read/{TicketNotice.REPLY}/")

    assert response.status_code == 302
    unread = Notification.objects.filter(channel="in_app", read_at__isnull=True)
    assert sorted(unread.values_list("recipient__username", "kind")) == [
        ("bob", TicketNotice.ASSIGNED),
        ("erin", TicketNotice.REPLY),
    ]


def test_one_kind_only(news, web):
    page = web(news).get("/notifications/", {"kind": TicketNotice.ASSIGNED}).content.decode()

    assert groups_on(page) == 1
    assert f'action="/notifications/read/{TicketNotice.ASSIGNED}/"' in page


def test_the_inbox_costs_the_same_queries_for_few_and_many_groups(
    bob, web, django_assert_num_queries
):
    client = web(bob)
    client.get("/notifications/")  # warm up: session, content types
    for i in range(3):
        tell(bob, TicketNotice.REPLY, f"IT-F{i}", f"event:f{i}")
    with django_assert_num_queries(8) as few:
        client.get("/notifications/")
    for i in range(60):  # at once: none folded into a digest
        tell(bob, TicketNotice.REPLY, f"IT-M{i}", f"event:m{i}", urgency=Urgency.HIGH)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get("/notifications/").content.decode()
    assert groups_on(page) == 50


@pytest.mark.usefixtures("seeded_calendar")
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "3 tickets breached their response time: IT-DGA-00005"),
        ("zh-hans", "3 张工单响应已超时：IT-DGA-00005"),
    ],
)
def test_a_digest_reads_in_the_readers_language(
    alice, bob, erin, web, settings, language, expected
):
    settings.NOTIFY_DIGEST_THRESHOLD = 5
    due = sh(2026, 11, 23, 10, 3)
    breaching(alice, 8, due)
    sweep_sla(now=due + dt.timedelta(minutes=1))
    digests.close_due(folding.window_start(due) + folding.window())
    bob.language = language
    bob.save(update_fields=["language"])

    page = web(bob).get("/notifications/").content.decode()

    assert expected in page


# --- quiet hours on the settings page ----------------------------------------------------------


def test_quiet_hours_are_saved_in_the_persons_zone_and_cleared(bob, web):
    bob.site = Site.objects.create(code="bj-q", name="北京", time_zone="Asia/Shanghai")
    bob.save(update_fields=["site"])
    client = web(bob)

    response = client.post(
        "/notifications/preferences/", {"quiet_starts": "22:00", "quiet_ends": "07:00"}
    )

    assert response.status_code == 302
    hours = QuietHours.objects.get(user=bob)
    assert (hours.starts, hours.ends, hours.time_zone) == (
        dt.time(22, 0),
        dt.time(7, 0),
        "Asia/Shanghai",
    )
    page = client.get("/notifications/preferences/").content.decode()
    assert 'value="22:00"' in page and 'value="07:00"' in page

    client.post("/notifications/preferences/", {"quiet_starts": "", "quiet_ends": ""})
    assert not QuietHours.objects.filter(user=bob).exists()


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"quiet_starts": "22:00", "quiet_ends": "22:00"}, "quiet_ends"),
        ({"quiet_starts": "22:00", "quiet_ends": ""}, "quiet_ends"),
        ({"quiet_starts": "", "quiet_ends": "07:00"}, "quiet_starts"),
        ({"quiet_starts": "25:99", "quiet_ends": "07:00"}, "quiet_starts"),
    ],
)
def test_bad_quiet_hours_are_a_form_error_naming_the_field(bob, web, given, field):
    response = web(bob).post("/notifications/preferences/", given)

    assert response.status_code == 400
    assert f'id="{field}-error"' in response.content.decode()
    assert not QuietHours.objects.filter(user=bob).exists()


def test_the_settings_page_reads_in_chinese(bob, web):
    bob.language = "zh-hans"
    bob.save(update_fields=["language"])

    page = web(bob).get("/notifications/preferences/").content.decode()

    assert "免打扰时段" in page and "Quiet hours" not in page


# --- the queue's digest filter ---------------------------------------------------------------


@pytest.mark.usefixtures("seeded_calendar")
def test_the_queue_shows_a_digests_tickets_to_its_owner_only_within_their_sites(
    alice, bob, erin, api, settings
):
    settings.NOTIFY_DIGEST_THRESHOLD = 5
    due = sh(2026, 11, 23, 10, 3)
    tickets = breaching(alice, 9, due)
    sweep_sla(now=due + dt.timedelta(minutes=1))
    digests.close_due(folding.window_start(due) + folding.window())
    [erins] = digest_rows(erin, TicketNotice.RESPONSE_BREACH)
    digest = erins.payload["digest"]

    def listed(person: User) -> list[str]:
        rows = api(person).get("/api/v1/tickets/", {"digest": digest}).json()["results"]
        return sorted(row["number"] for row in rows)

    # erin sees her four folded tickets; bob, with her digest's id, sees none
    assert listed(erin) == sorted(t.number for t in tickets[5:])
    assert listed(bob) == []
    # once erin is limited to another site, the filter keeps within what she may see
    elsewhere = Site.objects.create(code="far", name="Far away")
    erin.limited_to_sites.add(elsewhere)
    assert listed(User.objects.get(pk=erin.pk)) == []
    # a bad value names the field
    response = api(erin).get("/api/v1/tickets/", {"digest": "1e9"})
    assert response.status_code == 400
    assert "digest" in response.json()
