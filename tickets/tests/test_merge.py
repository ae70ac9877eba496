"""Merging a duplicate into the ticket that stays (Zammad's "merge").

The duplicate's messages and files move to the survivor with their authors and times, its
conversation joins the survivor's timeline with one "merged from" entry saying what came
in; the duplicate is closed as a duplicate with its clocks stopped and its own history
still readable; both requesters are told once.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import User
from notifications.choices import NotificationChannel
from notifications.models import Notification
from tickets import selectors, services
from tickets.choices import ClosedAs, EventKind, MessageKind, TicketNotice, TicketState
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound, ValidationError
from tickets.models import Attachment, Message, SlaEvent, Ticket, TicketEvent, Watcher
from tickets.obligations import sweep_sla
from tickets.tests.factories import make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Refusals are read in English here (the desk's default language is Chinese)."""
    with translation.override("en"):
        yield


NOTE = "Internal: the switch in room 3 is on the vendor list"


def _told(user, kind: str) -> int:
    return Notification.objects.filter(
        recipient=user, kind=kind, channel=NotificationChannel.IN_APP
    ).count()


@pytest.fixture
def pair(alice, carol, bob):
    """alice's duplicate (a reply, her file, an internal note with a file) and carol's
    ticket about the same fault, both accepted by bob."""
    duplicate = make_ticket_in(
        TicketState.ACCEPTED, requester=alice, engineer=bob, title="No network on floor 3"
    )
    services.add_message(duplicate.pk, actor=bob, body="Is the cable plugged in?")
    services.add_message(
        duplicate.pk,
        actor=alice,
        body="Yes, and the light is off",
        files=[SimpleUploadedFile("port.jpg", b"jpeg bytes")],
    )
    services.add_message(
        duplicate.pk,
        actor=bob,
        body=NOTE,
        internal=True,
        files=[SimpleUploadedFile("vendor.txt", b"contract")],
    )
    survivor = make_ticket_in(
        TicketState.ACCEPTED, requester=carol, engineer=bob, title="Floor 3 switch is down"
    )
    return Ticket.objects.get(pk=duplicate.pk), survivor


def test_merge_moves_messages_and_files_with_their_authors_and_times(pair, alice, bob):
    # given
    duplicate, survivor = pair
    before = list(
        Message.objects.filter(ticket=duplicate).values_list("pk", "author_id", "created_at")
    )

    # when
    result = services.merge_ticket(duplicate.pk, actor=bob, into=survivor.number)

    # then: the same rows, now on the survivor, authors and times untouched
    assert result.pk == survivor.pk
    moved = list(
        Message.objects.filter(ticket=survivor).values_list("pk", "author_id", "created_at")
    )
    assert moved == before and len(moved) == 3
    files = Attachment.objects.filter(ticket=survivor).order_by("pk")
    assert [(a.original_name, a.is_internal) for a in files] == [
        ("port.jpg", False),
        ("vendor.txt", True),
    ]
    assert not Message.objects.filter(ticket=duplicate).exists()
    assert not Attachment.objects.filter(ticket=duplicate).exists()


def test_the_survivors_timeline_shows_the_conversation_and_what_came_in(pair, bob, web):
    # given
    duplicate, survivor = pair

    # when
    services.merge_ticket(duplicate.pk, actor=bob, into=survivor.number)

    # then: the replies, the note and the files are entries of the survivor, at their times
    copied = TicketEvent.objects.filter(ticket=survivor, data__merged_from=duplicate.number)
    originals = TicketEvent.objects.filter(
        ticket=duplicate,
        kind__in=[EventKind.REPLIED, EventKind.NOTE_ADDED, EventKind.ATTACHMENT_ADDED],
    )
    assert sorted((e.kind, e.at, e.actor_id, e.is_internal) for e in copied) == sorted(
        (e.kind, e.at, e.actor_id, e.is_internal) for e in originals
    )
    merged_from = TicketEvent.objects.get(ticket=survivor, kind=EventKind.MERGED_FROM)
    assert merged_from.data["ticket"] == duplicate.number
    assert merged_from.data["title"] == "No network on floor 3"
    assert merged_from.data["messages"] == 2  # public ones: the internal note is not counted
    assert merged_from.data["attachments"] == 1
    page = web(bob).get(f"/tickets/{survivor.number}/").content.decode()
    assert "Yes, and the light is off" in page
    assert NOTE in page
    assert duplicate.description in page


def test_the_duplicate_is_closed_as_duplicate_with_its_history_readable(pair, alice, bob, web):
    # given
    duplicate, survivor = pair

    # when
    services.merge_ticket(duplicate.pk, actor=bob, into=survivor.number)

    # then
    duplicate.refresh_from_db()
    assert duplicate.state == TicketState.CLOSED
    assert duplicate.closed_as == ClosedAs.DUPLICATE
    assert duplicate.duplicate_of_id == survivor.pk
    assert duplicate.closed_at is not None
    event = TicketEvent.objects.get(ticket=duplicate, kind=EventKind.MERGED_INTO)
    assert (event.from_state, event.to_state) == (TicketState.ACCEPTED, TicketState.CLOSED)
    assert event.data["into"] == survivor.number
    # its own timeline still carries every message it had (the entries point at them)
    bodies = [
        e.message.body for e in selectors.events_for(alice, duplicate) if e.message is not None
    ]
    assert bodies == ["Is the cable plugged in?", "Yes, and the light is off"]
    page = web(alice).get(f"/tickets/{duplicate.number}/").content.decode()
    assert "Yes, and the light is off" in page
    assert f'href="/tickets/{survivor.number}/"' in page


def test_the_duplicates_requester_follows_the_survivor(pair, alice, carol, bob, web):
    # given
    duplicate, survivor = pair

    # when
    services.merge_ticket(duplicate.pk, actor=bob, into=survivor.number)

    # then: alice may open carol's ticket (its public side) and hears its public updates
    assert Watcher.objects.filter(ticket=survivor, user=alice).exists()
    page = web(alice).get(f"/tickets/{survivor.number}/")
    assert page.status_code == 200
    assert "Yes, and the light is off" in page.content.decode()
    assert NOTE not in page.content.decode()
    entry = TicketEvent.objects.get(ticket=survivor, kind=EventKind.WATCHER_ADDED)
    assert entry.data["username"] == alice.username


def test_one_requester_of_both_follows_nothing_new(alice, bob):
    # given
    first, second = make_ticket(requester=alice), make_ticket(requester=alice)

    # when
    services.merge_ticket(second.pk, actor=bob, into=first.number)

    # then
    assert not Watcher.objects.exists()


def test_both_requesters_are_told_once(pair, alice, carol, bob):
    # given
    duplicate, survivor = pair
    before = {p.pk: Notification.objects.filter(recipient=p).count() for p in (alice, carol)}

    # when
    services.merge_ticket(duplicate.pk, actor=bob, into=survivor.number)

    # then: one message each (in the app, and the e-mail copy), about the ticket they can open
    assert _told(alice, TicketNotice.DUPLICATE) == 1
    assert _told(carol, TicketNotice.MERGED) == 1
    assert _told(alice, TicketNotice.MERGED) == _told(carol, TicketNotice.DUPLICATE) == 0
    after = {p.pk: Notification.objects.filter(recipient=p).count() for p in (alice, carol)}
    assert after[alice.pk] - before[alice.pk] == 2  # in-app + e-mail
    assert after[carol.pk] - before[carol.pk] == 2
    alices = Notification.objects.get(
        recipient=alice, kind=TicketNotice.DUPLICATE, channel=NotificationChannel.IN_APP
    )
    assert alices.link == f"/tickets/{duplicate.number}/"
    carols = Notification.objects.get(
        recipient=carol, kind=TicketNotice.MERGED, channel=NotificationChannel.IN_APP
    )
    assert carols.link == f"/tickets/{survivor.number}/"


def test_one_requester_of_both_tickets_is_told_once(alice, bob):
    # given: alice filed the same fault twice
    first = make_ticket(requester=alice, title="Outlook crashes")
    second = make_ticket(requester=alice, title="Outlook crashes again")

    # when
    services.merge_ticket(second.pk, actor=bob, into=first.number)

    # then
    told = Notification.objects.filter(
        recipient=alice,
        kind__in=[TicketNotice.MERGED, TicketNotice.DUPLICATE],
        channel=NotificationChannel.IN_APP,
    )
    assert [(n.kind, n.link) for n in told] == [(TicketNotice.MERGED, f"/tickets/{first.number}/")]


def test_merged_internal_notes_stay_internal(pair, carol, bob, api, web):
    # given
    duplicate, survivor = pair

    # when
    services.merge_ticket(duplicate.pk, actor=bob, into=survivor.number)

    # then: carol (the survivor's requester) sees the public conversation, never the note
    page = web(carol).get(f"/tickets/{survivor.number}/").content.decode()
    assert "Yes, and the light is off" in page
    assert NOTE not in page and "vendor.txt" not in page
    messages = api(carol).get(f"/api/v1/tickets/{survivor.number}/messages/").json()
    assert [m["body"] for m in messages] == [
        "Is the cable plugged in?",
        "Yes, and the light is off",
    ]
    events = api(carol).get(f"/api/v1/tickets/{survivor.number}/events/").json()
    assert NOTE not in str(events) and "vendor.txt" not in str(events)
    files = api(carol).get(f"/api/v1/tickets/{survivor.number}/attachments/").json()
    assert [f["original_name"] for f in files] == ["port.jpg"]
    note = Message.objects.get(body=NOTE)
    assert note.kind == MessageKind.INTERNAL and note.ticket_id == survivor.pk


def test_the_duplicates_clocks_stop_no_sweep_finds_it(alice, carol, bob, seeded_calendar):
    # given: a submitted duplicate whose response clock runs
    duplicate = make_ticket(requester=alice)
    survivor = make_ticket(requester=carol)
    assert duplicate.sla_next_check_at is not None

    # when: merged, then weeks pass and the sweep runs
    services.merge_ticket(duplicate.pk, actor=bob, into=survivor.number)
    duplicate.refresh_from_db()
    with time_machine.travel(timezone.now() + dt.timedelta(days=30), tick=False):
        sweep_sla()

    # then: nothing watched, nothing breached on the duplicate; the survivor's clocks ran on
    assert duplicate.sla_next_check_at is None and duplicate.next_due_at is None
    assert not SlaEvent.objects.filter(ticket=duplicate).exists()
    assert duplicate.response_breached_at is None
    assert SlaEvent.objects.filter(ticket=survivor).exists()


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("itself", ValidationError),
        ("unknown", ValidationError),
        ("closed survivor", InvalidTransition),
        ("verified survivor", InvalidTransition),
        ("merged survivor", InvalidTransition),
        ("already merged", InvalidTransition),
    ],
)
def test_merge_refuses_with_a_clear_error(alice, carol, bob, case, error):
    # given
    duplicate = make_ticket(requester=alice)
    survivor = make_ticket(requester=carol)
    into = survivor.number
    if case == "itself":
        into = duplicate.number
    elif case == "unknown":
        into = "IT-19990101-0001"
    elif case == "closed survivor":
        into = make_ticket_in(TicketState.CLOSED, requester=carol, engineer=bob).number
    elif case == "verified survivor":
        into = make_ticket_in(TicketState.VERIFIED, requester=carol, engineer=bob).number
    elif case == "merged survivor":
        services.merge_ticket(survivor.pk, actor=bob, into=make_ticket(requester=carol).number)
    elif case == "already merged":
        services.merge_ticket(duplicate.pk, actor=bob, into=make_ticket(requester=carol).number)
    events = TicketEvent.objects.count()

    # when
    with pytest.raises(error) as refused:
        services.merge_ticket(duplicate.pk, actor=bob, into=into)

    # then: nothing changed, and the words say why
    assert TicketEvent.objects.count() == events
    if error is ValidationError:
        assert set(refused.value.message_dict) == {"into"}
    else:
        assert str(refused.value)
    if case == "already merged":
        assert "already merged" in str(refused.value)
    if case == "merged survivor":
        assert "merge into that one" in str(refused.value)


def test_only_engineers_and_tech_leads_merge(alice, carol, bob, tom, dave):
    # given
    duplicate = make_ticket(requester=alice)
    survivor = make_ticket(requester=alice)

    # then: the requester and the manager may not; carol does not even see the ticket
    for person in (alice, dave):
        with pytest.raises(ActionForbidden):
            services.merge_ticket(duplicate.pk, actor=person, into=survivor.number)
    with pytest.raises(TicketNotFound):
        services.merge_ticket(duplicate.pk, actor=carol, into=survivor.number)
    services.merge_ticket(duplicate.pk, actor=tom, into=survivor.number)
    assert Ticket.objects.get(pk=duplicate.pk).duplicate_of_id == survivor.pk


def test_the_page_asks_before_merging_then_goes_to_the_survivor(pair, bob, web):
    # given
    duplicate, survivor = pair
    client = web(bob)

    # when: the number is checked and both tickets are named; nothing has changed yet
    asked = client.post(f"/tickets/{duplicate.number}/merge/", {"into": survivor.number})

    # then
    assert asked.status_code == 200
    html = asked.content.decode()
    assert duplicate.number in html and survivor.number in html and survivor.title in html
    assert Ticket.objects.get(pk=duplicate.pk).state == TicketState.ACCEPTED

    # when: confirmed
    done = client.post(
        f"/tickets/{duplicate.number}/merge/", {"into": survivor.number, "confirm": "1"}
    )

    # then: on to the survivor, which shows the merged message
    assert done.status_code == 302 and done["Location"] == f"/tickets/{survivor.number}/"
    page = client.get(done["Location"]).content.decode()
    assert "Yes, and the light is off" in page
    assert Ticket.objects.get(pk=duplicate.pk).closed_as == ClosedAs.DUPLICATE


def test_the_page_shows_a_wrong_number_next_to_the_field(alice, bob, web):
    # given
    duplicate = make_ticket(requester=alice)

    User.objects.filter(pk=bob.pk).update(language="en")

    # when
    response = web(bob).post(f"/tickets/{duplicate.number}/merge/", {"into": "IT-0000"})

    # then
    assert response.status_code == 400
    assert "There is no ticket IT-0000." in response.content.decode()


def test_api_merge_answers_both_tickets_and_names_the_field(pair, bob, api):
    # given
    duplicate, survivor = pair
    client = api(bob)

    # when
    missing = client.post(f"/api/v1/tickets/{duplicate.number}/merge/", {}, format="json")
    itself = client.post(
        f"/api/v1/tickets/{duplicate.number}/merge/", {"into": duplicate.number}, format="json"
    )
    done = client.post(
        f"/api/v1/tickets/{duplicate.number}/merge/", {"into": survivor.number}, format="json"
    )
    again = client.post(
        f"/api/v1/tickets/{duplicate.number}/merge/", {"into": survivor.number}, format="json"
    )

    # then
    assert missing.status_code == 400 and "into" in missing.json()
    assert itself.status_code == 400 and "into" in itself.json()
    assert done.status_code == 200
    body = done.json()
    assert body["duplicate"]["closed_as"] == "duplicate"
    assert body["duplicate"]["state"] == "closed"
    assert body["survivor"]["number"] == survivor.number
    assert again.status_code == 409


def test_a_merge_runs_the_same_queries_for_few_and_many_messages(alice, carol, bob):
    # given: two duplicates, with 2 and 12 messages
    def duplicate_with(n: int) -> Ticket:
        ticket = make_ticket(requester=alice)
        for i in range(n):
            services.add_message(ticket.pk, actor=alice if i % 2 else bob, body=f"Message {i}")
        return ticket

    few, many = duplicate_with(2), duplicate_with(12)
    counts = []

    # when
    for duplicate in (few, many):
        survivor = make_ticket(requester=carol)
        with CaptureQueriesContext(connection) as queries:
            services.merge_ticket(duplicate.pk, actor=bob, into=survivor.number)
        counts.append(len(queries))

    # then
    assert counts[0] == counts[1]
    assert TicketEvent.objects.filter(data__merged_from=many.number).count() == 12


def test_the_merged_conversation_is_found_on_the_survivor(alice, carol, bob, api):
    # given: a word only the duplicate's reply holds
    duplicate = make_ticket(requester=alice, title="Phone rings once")
    services.add_message(duplicate.pk, actor=alice, body="The handset says kingfisher")
    survivor = make_ticket(requester=carol, title="Desk phones dead")

    # when
    services.merge_ticket(duplicate.pk, actor=bob, into=survivor.number)

    # then: the search finds the survivor by it (for its requester too)
    for person in (bob, carol):
        found = api(person).get("/api/v1/tickets/", {"q": "kingfisher"}).json()["results"]
        assert survivor.number in [row["number"] for row in found]
