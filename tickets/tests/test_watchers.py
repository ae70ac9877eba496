"""Followers (CC): who may add and remove them, what they see, what they are told."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Department, Site
from accounts.roles import Role
from accounts.tests.factories import make_user
from notifications.models import Notification
from tickets import services
from tickets.choices import EventKind, TicketNotice, TicketState
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.models import Watcher
from tickets.services import watchers
from tickets.tests.factories import make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db

NOTE = "Internal: the vendor contract 4711 expired 9c2e"


def told(person, ticket=None, kind=None) -> list[Notification]:
    rows = Notification.objects.filter(recipient=person, channel="in_app")
    if ticket is not None:
        rows = rows.filter(payload__number=ticket.number)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows)


@pytest.fixture
def office():
    site = Site.objects.create(code="sh", name="Shanghai")
    return Department.objects.create(name="Finance", site=site)


@pytest.fixture
def grace(db, alice, office):
    """alice's colleague in Finance (a requester too)."""
    alice.department = office
    alice.save(update_fields=["department"])
    return make_user("grace", Role.REQUESTER, department=office, display_name="Grace Wu")


# --- adding and removing -----------------------------------------------------------


def test_requester_adds_a_colleague_who_is_told_and_the_timeline_says_so(alice, grace):
    # given
    ticket = make_ticket(requester=alice)

    # when
    watchers.add_watcher(ticket.pk, actor=alice, user="grace")

    # then
    assert Watcher.objects.get(ticket=ticket).user == grace
    event = ticket.events.get(kind=EventKind.WATCHER_ADDED)
    assert event.actor == alice
    assert event.data["user"] == "Grace Wu"
    assert not event.is_internal
    assert [n.kind for n in told(grace, ticket)] == [TicketNotice.FOLLOWING]


def test_requester_names_a_colleague_by_email(alice, grace):
    ticket = make_ticket(requester=alice)

    watchers.add_watcher(ticket.pk, actor=alice, user="GRACE@example.com")

    assert Watcher.objects.filter(ticket=ticket, user=grace).exists()


def test_requester_may_not_name_people_by_id(alice, grace):
    # given: ids are a counter anyone could walk through
    ticket = make_ticket(requester=alice)

    # when / then
    with pytest.raises(ValidationError) as refused:
        watchers.add_watcher(ticket.pk, actor=alice, user=str(grace.pk))
    assert "user" in refused.value.message_dict
    assert not Watcher.objects.exists()


def test_unknown_inactive_and_requester_are_refused_on_the_user_field(alice, grace, bob):
    ticket = make_ticket(requester=alice)
    grace.is_active = False
    grace.save(update_fields=["is_active"])

    for name in ("nobody-here", "grace", "alice", "", "x" * 300, "bad\x00name"):
        with pytest.raises(ValidationError) as refused:
            watchers.add_watcher(ticket.pk, actor=alice, user=name)
        assert list(refused.value.message_dict) == ["user"], name
    with pytest.raises(ValidationError):
        watchers.add_watcher(ticket.pk, actor=bob, user=alice.username)
    assert not Watcher.objects.exists()
    assert not ticket.events.filter(kind=EventKind.WATCHER_ADDED).exists()


def test_adding_someone_twice_is_a_conflict(alice, grace):
    ticket = make_ticket(requester=alice)
    watchers.add_watcher(ticket.pk, actor=alice, user="grace")

    with pytest.raises(InvalidTransition):
        watchers.add_watcher(ticket.pk, actor=alice, user="grace")
    assert ticket.events.filter(kind=EventKind.WATCHER_ADDED).count() == 1


def test_a_ticket_has_a_bounded_number_of_followers(alice, bob, erin, tom, settings):
    settings.TICKETS_MAX_WATCHERS = 2
    ticket = make_ticket(requester=alice)
    watchers.add_watcher(ticket.pk, actor=bob, user="bob")
    watchers.add_watcher(ticket.pk, actor=bob, user="erin")

    with pytest.raises(ValidationError) as refused:
        watchers.add_watcher(ticket.pk, actor=tom, user="tom")
    assert "user" in refused.value.message_dict


def test_engineer_follows_and_unfollows_and_is_not_told_of_it(alice, bob):
    ticket = make_ticket(requester=alice)

    watchers.add_watcher(ticket.pk, actor=bob, user=bob)
    assert Watcher.objects.filter(ticket=ticket, user=bob).exists()
    assert told(bob, ticket, TicketNotice.FOLLOWING) == []

    watchers.remove_watcher(ticket.pk, actor=bob, user="bob")
    assert not Watcher.objects.exists()
    assert ticket.events.filter(kind=EventKind.WATCHER_REMOVED).count() == 1


def test_engineer_adds_anyone_by_username_or_id(alice, bob, carol):
    ticket = make_ticket(requester=alice)

    watchers.add_watcher(ticket.pk, actor=bob, user=str(carol.pk))

    assert Watcher.objects.get(ticket=ticket).user == carol


def test_manager_follows_but_adds_nobody_else(alice, dave, erin):
    ticket = make_ticket(requester=alice)

    watchers.add_watcher(ticket.pk, actor=dave, user="dave")
    with pytest.raises(ActionForbidden):
        watchers.add_watcher(ticket.pk, actor=dave, user="erin")
    assert list(Watcher.objects.values_list("user__username", flat=True)) == ["dave"]


def test_a_follower_may_remove_only_themself(alice, grace, carol, bob):
    # given: grace and carol follow alice's ticket
    ticket = make_ticket(requester=alice)
    watchers.add_watcher(ticket.pk, actor=alice, user="grace")
    watchers.add_watcher(ticket.pk, actor=bob, user="carol")

    # when / then: grace may neither remove carol nor add anyone
    with pytest.raises(ActionForbidden):
        watchers.remove_watcher(ticket.pk, actor=grace, user="carol")
    with pytest.raises(ActionForbidden):
        watchers.add_watcher(ticket.pk, actor=grace, user="bob")

    # when: she removes herself, then the ticket is gone for her
    watchers.remove_watcher(ticket.pk, actor=grace, user="grace")
    with pytest.raises(TicketNotFound):
        watchers.remove_watcher(ticket.pk, actor=grace, user="carol")

    # then: the requester removes carol
    watchers.remove_watcher(ticket.pk, actor=alice, user="carol")
    assert not Watcher.objects.exists()


def test_removing_someone_who_does_not_follow_is_not_found(alice):
    ticket = make_ticket(requester=alice)

    with pytest.raises(TicketNotFound):
        watchers.remove_watcher(ticket.pk, actor=alice, user="grace")


def test_a_stranger_cannot_add_themself(alice, carol):
    ticket = make_ticket(requester=alice)

    with pytest.raises(TicketNotFound):
        watchers.add_watcher(ticket.pk, actor=carol, user="carol")


# --- what a follower sees ------------------------------------------------------------


@pytest.fixture
def noted(alice, bob, grace):
    """alice's diagnosed ticket, grace following; one public reply, one internal note (file)."""
    ticket = make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob)
    watchers.add_watcher(ticket.pk, actor=alice, user="grace")
    services.add_message(ticket.pk, actor=bob, body="We ordered a new fuser.")
    services.add_message(
        ticket.pk,
        actor=bob,
        body=NOTE,
        internal=True,
        files=[SimpleUploadedFile("vendor.txt", b"contract")],
    )
    return ticket


def test_follower_sees_the_public_side_on_the_page_never_internal_notes(web, grace, noted):
    # when
    page = web(grace).get(f"/tickets/{noted.number}/")

    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert "We ordered a new fuser." in html
    assert NOTE not in html
    assert "vendor.txt" not in html
    assert 'id="reply"' not in html  # following is reading; the requester answers


def test_follower_reads_the_ticket_through_the_api_without_internal_rows(api, grace, noted):
    client = api(grace)

    assert client.get(f"/api/v1/tickets/{noted.number}/").status_code == 200
    messages = client.get(f"/api/v1/tickets/{noted.number}/messages/").json()
    assert [m["body"] for m in messages] == ["We ordered a new fuser."]
    events = client.get(f"/api/v1/tickets/{noted.number}/events/").json()
    assert EventKind.NOTE_ADDED not in {e["kind"] for e in events}
    assert NOTE not in str(events)
    files = client.get(f"/api/v1/tickets/{noted.number}/attachments/").json()
    assert files == []
    listed = client.get("/api/v1/tickets/").json()["results"]
    assert [t["number"] for t in listed] == [noted.number]


def test_follower_may_not_reply(api, grace, noted):
    response = api(grace).post(
        f"/api/v1/tickets/{noted.number}/messages/", {"body": "me too"}, format="json"
    )

    assert response.status_code == 403


def test_a_stranger_still_sees_nothing(api, web, carol, noted):
    assert web(carol).get(f"/tickets/{noted.number}/").status_code == 404
    assert api(carol).get(f"/api/v1/tickets/{noted.number}/").status_code == 404
    assert api(carol).get("/api/v1/tickets/").json()["results"] == []


def test_staff_follower_keeps_staff_visibility(api, erin, noted):
    watchers.add_watcher(noted.pk, actor=erin, user="erin")

    messages = api(erin).get(f"/api/v1/tickets/{noted.number}/messages/").json()

    assert NOTE in [m["body"] for m in messages]


# --- what a follower is told ---------------------------------------------------------


def test_followers_hear_public_replies_never_internal_notes(alice, bob, grace, noted):
    # then (the fixture's reply and note): grace heard the reply, and only that
    kinds = [n.kind for n in told(grace, noted)]
    assert kinds.count(TicketNotice.REPLY) == 1
    assert NOTE not in str([n.payload for n in told(grace, noted)])
    note_event = noted.events.get(kind=EventKind.NOTE_ADDED)
    assert not Notification.objects.filter(dedupe_key__startswith=f"event:{note_event.pk}:")


def test_followers_hear_the_requesters_reply_and_the_fix(alice, bob, grace, noted):
    # when
    services.add_message(noted.pk, actor=alice, body="Thanks, waiting.")
    services.resolve_ticket(noted.pk, actor=bob, solution="Replaced the fuser")

    # then: the requester is asked to verify; the colleague hears it was resolved
    assert told(grace, noted, TicketNotice.REPLY)[0].payload["number"] == noted.number
    assert len(told(grace, noted, TicketNotice.REPLY)) == 2
    assert len(told(grace, noted, TicketNotice.FOLLOWED_RESOLVED)) == 1
    assert told(grace, noted, TicketNotice.RESOLVED) == []
    assert len(told(alice, noted, TicketNotice.RESOLVED)) == 1


def test_acceptance_reaches_followers_in_their_words(alice, bob, grace):
    ticket = make_ticket(requester=alice)
    watchers.add_watcher(ticket.pk, actor=alice, user="grace")

    services.accept_ticket(ticket.pk, actor=bob)

    assert len(told(grace, ticket, TicketNotice.FOLLOWED_ACCEPTED)) == 1
    assert len(told(alice, ticket, TicketNotice.ACCEPTED)) == 1


def test_followers_are_not_told_of_their_own_reply(alice, bob, erin):
    # given: erin (an engineer) follows bob's ticket, and so does bob himself
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    watchers.add_watcher(ticket.pk, actor=erin, user="erin")
    watchers.add_watcher(ticket.pk, actor=bob, user="bob")

    # when: erin answers publicly
    services.add_message(ticket.pk, actor=erin, body="Try the other tray.")
    event = ticket.events.get(kind=EventKind.REPLIED)

    # then: alice and bob hear it, erin does not
    recipients = set(
        Notification.objects.filter(
            dedupe_key__startswith=f"event:{event.pk}:", channel="in_app"
        ).values_list("recipient__username", flat=True)
    )
    assert recipients == {"alice", "bob"}


def test_each_person_is_told_once_per_event_even_when_also_assignee(alice, bob):
    # given: bob is the assignee and follows the ticket too
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    watchers.add_watcher(ticket.pk, actor=bob, user="bob")

    # when: the requester writes
    services.add_message(ticket.pk, actor=alice, body="It happens again.")
    event = ticket.events.get(kind=EventKind.REPLIED)

    # then: one message per channel for bob, not two
    rows = Notification.objects.filter(dedupe_key__startswith=f"event:{event.pk}:")
    assert sorted(rows.values_list("recipient__username", "channel")) == [
        ("bob", "email"),
        ("bob", "in_app"),
    ]
    assert rows.get(channel="in_app").kind == TicketNotice.REPLY


def test_an_inactive_follower_is_not_told(alice, bob, grace):
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    watchers.add_watcher(ticket.pk, actor=alice, user="grace")
    grace.is_active = False
    grace.save(update_fields=["is_active"])

    services.add_message(ticket.pk, actor=bob, body="Fixed?")

    assert told(grace, ticket, TicketNotice.REPLY) == []


# --- the API ------------------------------------------------------------------------


def test_api_lists_adds_and_removes_followers(api, alice, grace, bob):
    ticket = make_ticket(requester=alice)
    url = f"/api/v1/tickets/{ticket.number}/watchers/"

    added = api(alice).post(url, {"user": "grace"}, format="json")
    assert added.status_code == 201, added.content
    assert added.json()["username"] == "grace"
    assert added.json()["added_by"] == "alice"
    followed = api(bob).post(url, {"user": bob.pk}, format="json")
    assert followed.status_code == 201, followed.content

    listed = api(grace).get(url)
    assert listed.status_code == 200
    assert [w["username"] for w in listed.json()] == ["grace", "bob"]

    gone = api(grace).delete(f"{url}grace/")
    assert gone.status_code == 204
    assert api(grace).get(url).status_code == 404  # no longer hers to see
    assert api(alice).delete(f"{url}grace/").status_code == 404
    assert api(alice).post(url, {"user": "bob"}, format="json").status_code == 409


@pytest.mark.parametrize(
    "body",
    [{}, {"user": ""}, {"user": None}, {"user": "nobody"}, {"user": "x" * 300}, {"user": []}],
    ids=["missing", "blank", "null", "unknown", "too-long", "list"],
)
def test_api_refuses_bad_input_naming_the_user_field(api, alice, body):
    ticket = make_ticket(requester=alice)

    response = api(alice).post(f"/api/v1/tickets/{ticket.number}/watchers/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["user"]


def test_api_refuses_a_requester_naming_an_id(api, alice, grace):
    ticket = make_ticket(requester=alice)

    response = api(alice).post(
        f"/api/v1/tickets/{ticket.number}/watchers/", {"user": grace.pk}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["user"]


def test_api_watcher_list_runs_a_fixed_number_of_queries(
    api, alice, bob, django_assert_max_num_queries
):
    ticket = make_ticket(requester=alice)
    client = api(bob)
    url = f"/api/v1/tickets/{ticket.number}/watchers/"
    people = [make_user(f"cc{i}", Role.REQUESTER) for i in range(12)]
    for person in people[:2]:
        watchers.add_watcher(ticket.pk, actor=bob, user=person)
    assert client.get(url).status_code == 200

    with django_assert_max_num_queries(10) as few:
        assert len(client.get(url).json()) == 2
    for person in people[2:]:
        watchers.add_watcher(ticket.pk, actor=bob, user=person)
    with django_assert_max_num_queries(10) as many:
        assert len(client.get(url).json()) == 12

    assert len(few) == len(many)


def test_ticket_page_shows_followers_in_a_fixed_number_of_queries(
    web, alice, bob, django_assert_max_num_queries
):
    ticket = make_ticket(requester=alice)
    client = web(bob)
    url = f"/tickets/{ticket.number}/"
    people = [make_user(f"cc{i}", Role.REQUESTER) for i in range(10)]
    watchers.add_watcher(ticket.pk, actor=bob, user=people[0])
    assert client.get(url).status_code == 200

    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for person in people[1:]:
        watchers.add_watcher(ticket.pk, actor=bob, user=person)
    with django_assert_max_num_queries(40) as many:
        page = client.get(url)

    assert page.content.decode().count('data-username="cc') == 10
    assert len(few) == len(many)


# --- the page ------------------------------------------------------------------------


def test_page_adds_a_colleague_and_shows_the_error_beside_the_field(web, alice, grace):
    ticket = make_ticket(requester=alice)
    client = web(alice)

    bad = client.post(f"/tickets/{ticket.number}/watchers/add/", {"user": "nobody"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'id="watcher_user" class="form-control is-invalid"' in html
    assert "<details open>" in html  # the add form stays open with its error

    good = client.post(f"/tickets/{ticket.number}/watchers/add/", {"user": "grace"})
    assert good.status_code == 302
    page = client.get(good["Location"]).content.decode()
    assert 'data-username="grace"' in page
    assert "Grace Wu" in page


def test_unfollowing_a_ticket_one_cannot_otherwise_see_goes_home(web, alice, grace):
    ticket = make_ticket(requester=alice)
    watchers.add_watcher(ticket.pk, actor=alice, user="grace")

    response = web(grace).post(f"/tickets/{ticket.number}/watchers/remove/", {"user": "grace"})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_requester_is_offered_only_her_department(web, alice, grace, carol):
    ticket = make_ticket(requester=alice)

    answer = web(alice).get(f"/tickets/{ticket.number}/watchers/candidates/?q=")
    by_name = web(alice).get(f"/tickets/{ticket.number}/watchers/candidates/?q=car")

    assert [p["username"] for p in answer.json()["results"]] == ["grace"]
    assert by_name.json()["results"] == []


def test_engineer_searches_everyone_active_at_most_20(web, alice, bob):
    ticket = make_ticket(requester=alice)
    for i in range(25):
        make_user(f"zed{i:02d}", Role.REQUESTER, display_name=f"Zed {i}")

    found = web(bob).get(f"/tickets/{ticket.number}/watchers/candidates/?q=zed").json()
    nothing = web(bob).get(f"/tickets/{ticket.number}/watchers/candidates/?q=").json()

    assert len(found["results"]) == 20
    assert all(p["username"].startswith("zed") for p in found["results"])
    assert nothing["results"] == []
