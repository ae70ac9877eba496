"""Each person's inbox: the bell's list on a page and in the API, opened one by one or all read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from notifications import kinds, outbox
from notifications.models import Notification
from tickets import services
from tickets.choices import Impact, TicketNotice, Urgency
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

HIGH = {"impact": Impact.NETWORK, "urgency": Urgency.INTERRUPTED}


@pytest.fixture
def outage(alice, bob, erin):
    """A high-priority ticket: bob and erin are each told (in the app and by e-mail)."""
    return make_ticket(requester=alice, title="Core switch down", **HIGH)


def in_app(user: User) -> Notification:
    return Notification.objects.get(recipient=user, channel="in_app")


def test_api_lists_my_own_notifications_newest_first_with_text_and_link(outage, bob, api):
    # given: bob is also told that a ticket was assigned to him, later
    services.accept_ticket(outage.pk, actor=bob)

    # when
    response = api(bob).get("/api/v1/notifications/")

    # then
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["kind"] for r in rows] == ["ticket_submitted"]
    [row] = rows
    assert row["number"] == outage.number
    assert row["read_at"] is None
    assert row["link"].endswith(f"/tickets/{outage.number}/")
    assert outage.number in row["text"] and "Core switch down" in row["text"]
    assert set(row) == {"id", "kind", "created_at", "read_at", "number", "text", "link"}


def test_api_text_is_in_the_callers_language(outage, bob, erin, api):
    # given
    User.objects.filter(pk=bob.pk).update(language="en")
    User.objects.filter(pk=erin.pk).update(language="zh-hans")

    # when
    english = api(User.objects.get(pk=bob.pk)).get("/api/v1/notifications/").json()
    chinese = api(User.objects.get(pk=erin.pk)).get("/api/v1/notifications/").json()

    # then
    assert english["results"][0]["text"].startswith("New high-priority ticket")
    assert not chinese["results"][0]["text"].startswith("New high-priority ticket")


def test_api_never_shows_someone_elses_notifications(outage, carol, api):
    # when
    response = api(carol).get("/api/v1/notifications/")

    # then
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_api_filters_by_kind_and_unread(outage, alice, bob, api):
    # given: bob replies, alice is told; alice marks that one read; then bob asks a question
    services.accept_ticket(outage.pk, actor=bob)
    services.add_message(outage.pk, actor=bob, body="On my way")
    services.request_info(outage.pk, actor=bob, question="Which floor?")
    reply = Notification.objects.get(recipient=alice, channel="in_app", kind="reply")
    api(alice).post(f"/api/v1/notifications/{reply.pk}/read/")

    # when
    everything = api(alice).get("/api/v1/notifications/").json()["results"]
    unread = api(alice).get("/api/v1/notifications/?unread=true").json()["results"]
    read = api(alice).get("/api/v1/notifications/?unread=false").json()["results"]
    replies = api(alice).get("/api/v1/notifications/?kind=reply").json()["results"]

    # then
    assert [r["kind"] for r in everything] == ["info_requested", "reply", "ticket_accepted"]
    assert [r["kind"] for r in unread] == ["info_requested", "ticket_accepted"]
    assert [r["kind"] for r in read] == ["reply"]
    assert [r["id"] for r in replies] == [reply.pk]


def test_api_refuses_a_bad_unread_value_naming_the_field(outage, bob, api):
    # when
    response = api(bob).get("/api/v1/notifications/?unread=perhaps")

    # then
    assert response.status_code == 400
    assert "unread" in response.json()


def test_marking_one_read_by_api_keeps_the_first_time(outage, bob, api):
    # given
    notification = in_app(bob)

    # when
    first = api(bob).post(f"/api/v1/notifications/{notification.pk}/read/")
    second = api(bob).post(f"/api/v1/notifications/{notification.pk}/read/")

    # then
    assert first.status_code == second.status_code == 200
    assert first.json()["read_at"] is not None
    assert second.json()["read_at"] == first.json()["read_at"]
    assert api(bob).get("/api/v1/notifications/?unread=true").json()["results"] == []


def test_nobody_marks_someone_elses_notification(outage, bob, erin, api):
    # given
    notification = in_app(bob)

    # when
    response = api(erin).post(f"/api/v1/notifications/{notification.pk}/read/")

    # then
    assert response.status_code == 404
    assert in_app(bob).read_at is None


def test_the_email_copy_is_not_an_inbox_item(outage, bob, api):
    # given: bob's e-mail row of the same news
    email = Notification.objects.get(recipient=bob, channel="email")

    # when
    response = api(bob).post(f"/api/v1/notifications/{email.pk}/read/")

    # then
    assert response.status_code == 404


def test_api_list_runs_a_fixed_number_of_queries(alice, bob, api):
    # given
    client = api(bob)
    make_ticket(requester=alice, title="First outage", **HIGH)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/notifications/")
    for n in range(20):
        make_ticket(requester=alice, title=f"Outage {n}", **HIGH)

    # when
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/notifications/")

    # then
    assert len(response.json()["results"]) == 21
    assert len(many) == len(few)


def test_opening_a_notification_marks_it_read_and_goes_to_the_ticket(outage, bob, web):
    # given
    notification = in_app(bob)

    # when
    response = web(bob).post(f"/notifications/{notification.pk}/open/")

    # then
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{outage.number}/"
    assert in_app(bob).read_at is not None


def test_the_inbox_page_lists_my_notifications_with_an_open_button(outage, bob, web):
    # when
    page = web(bob).get("/notifications/").content.decode()

    # then
    assert f"/notifications/{in_app(bob).pk}/open/" in page
    assert "Core switch down" in page


def test_a_notification_with_an_outside_link_opens_the_inbox_instead(bob, web):
    # given: a row whose link points off-site (no feature writes one; the view must not follow)
    kinds.register(TicketNotice)
    outbox.save_and_dispatch(
        outbox.build(
            recipients=[bob],
            kind=TicketNotice.REPLY,
            cause="test:outside",
            now=timezone.now(),
            link="https://evil.example/",
        )
    )
    notification = in_app(bob)

    # when
    response = web(bob).post(f"/notifications/{notification.pk}/open/")

    # then
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"


def test_a_kind_nobody_registered_is_refused(bob):
    # when / then
    with pytest.raises(ValueError, match="never registered"):
        outbox.build(recipients=[bob], kind="made_up", cause="x", now=timezone.now())
