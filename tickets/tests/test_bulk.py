"""Bulk actions in the queue: each ticket through its own service, its own event, its own
notice; refusals named by number while the others are done; a fixed number of queries per
ticket."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import User
from notifications.models import DigestItem, Notification
from tickets.choices import EventKind, Priority, TicketNotice, TicketState
from tickets.models import Ticket, TicketEvent
from tickets.services.bulk import MAX_BULK_TICKETS, bulk_assign
from tickets.tests.factories import make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(web):
    """The pages in English (the assertions read the English words)."""

    def login(user):
        User.objects.filter(pk=user.pk).update(language="en")
        user.language = "en"
        return web(user)

    return login


URL = "/tickets/queue/bulk/"
REASON = "Printers are Erin's this week"


def assign_body(tickets, engineer, **extra):
    return {
        "action": "assign",
        "tickets": [t.number for t in tickets],
        "assignee": str(engineer.pk),
        "reason": REASON,
        "next": "priority=medium&page=1",
        **extra,
    }


def priority_body(tickets, priority=Priority.HIGH, **extra):
    return {
        "action": "priority",
        "tickets": [t.number for t in tickets],
        "priority": priority,
        "reason": "The whole floor is affected",
        **extra,
    }


def notices(user, kind=TicketNotice.ASSIGNED):
    return Notification.objects.filter(recipient=user, kind=kind, channel="in_app")


def flashes(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_tech_lead_assigns_several_tickets_in_one_action(web, tom, erin, alice):
    # given
    tickets = [make_ticket(requester=alice, title=f"Printer {i}") for i in range(3)]

    # when
    response = web(tom).post(URL, assign_body(tickets, erin))

    # then: each assigned, each with its own event and its own notice to Erin
    assert response.status_code == 302
    assert response["Location"] == "/tickets/queue/?page=1&priority=medium"
    for ticket in tickets:
        fresh = Ticket.objects.get(pk=ticket.pk)
        assert fresh.assignee == erin
        assert fresh.state == TicketState.SUBMITTED  # assigning does not accept
        event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ASSIGNED)
        assert event.actor == tom and event.data["reason"] == REASON
    assert notices(erin).count() == 3
    assert sorted(n.payload["number"] for n in notices(erin)) == sorted(t.number for t in tickets)
    assert flashes(response) == [f"3 tickets assigned to {erin.name}."]


def test_refused_tickets_are_named_by_number_and_the_others_are_done(web, tom, erin, bob, alice):
    # given: one ticket that can be assigned, one closed, one already Erin's
    fine = make_ticket(requester=alice)
    closed = make_ticket_in(TicketState.CLOSED, requester=alice, engineer=bob)
    already = make_ticket(requester=alice)
    web(tom).post(URL, assign_body([already], erin))

    # when
    response = web(tom).post(URL, assign_body([fine, closed, already], erin))

    # then
    assert response.status_code == 302
    assert Ticket.objects.get(pk=fine.pk).assignee == erin
    assert Ticket.objects.get(pk=closed.pk).assignee == bob
    assert TicketEvent.objects.filter(ticket=closed, kind=EventKind.ASSIGNED).count() == 0
    assert TicketEvent.objects.filter(ticket=already, kind=EventKind.ASSIGNED).count() == 1
    done, refused = flashes(response)
    assert done == f"1 ticket assigned to {erin.name}."
    assert refused.startswith("2 tickets not changed: ")
    assert f"{closed.number} (A finished ticket cannot be assigned)" in refused
    assert f"{already.number} (The ticket is already assigned to this engineer)" in refused


def test_an_engineer_changes_the_priority_of_several_tickets_with_one_reason(web, bob, alice):
    # given
    tickets = [make_ticket(requester=alice) for _ in range(2)]
    assert {t.priority for t in tickets} == {Priority.MEDIUM}

    # when
    response = web(bob).post(URL, priority_body(tickets))

    # then: each through change_priority (its event, its clocks recalculated)
    assert response.status_code == 302
    for ticket in tickets:
        fresh = Ticket.objects.get(pk=ticket.pk)
        assert fresh.priority == Priority.HIGH
        assert fresh.priority_reason == "The whole floor is affected"
        kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
        assert kinds.count(EventKind.PRIORITY_CHANGED) == 1
        assert EventKind.SLA_RECALCULATED in kinds
    assert flashes(response) == ["2 tickets now have priority High."]


def test_a_ticket_that_already_has_the_priority_is_reported(web, bob, alice):
    high = make_ticket(requester=alice, impact="network", urgency="interrupted")
    medium = make_ticket(requester=alice)
    assert high.priority == Priority.HIGH

    response = web(bob).post(URL, priority_body([high, medium]))

    assert Ticket.objects.get(pk=medium.pk).priority == Priority.HIGH
    assert flashes(response) == [
        "1 ticket now has priority High.",
        f"1 ticket not changed: {high.number} (The ticket already has this priority)",
    ]


def test_an_engineer_may_not_assign_in_bulk(web, bob, erin, alice):
    ticket = make_ticket(requester=alice)

    response = web(bob).post(URL, assign_body([ticket], erin))

    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


@pytest.mark.parametrize("persona", ["alice", "dave"])
def test_people_who_do_not_work_the_queue_get_403(request, web, persona, alice):
    ticket = make_ticket(requester=alice)
    user = request.getfixturevalue(persona)

    response = web(user).post(URL, priority_body([ticket]))

    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.MEDIUM


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"reason": ""}, "bulk-reason", "This field is required."),
        ({"tickets": []}, None, "Select at least one ticket in the list."),
        ({"tickets": ["<script>"]}, None, "That is not a ticket number."),
        ({"priority": ""}, "bulk-priority", "Choose the new priority."),
        ({"priority": "urgent"}, "bulk-priority", "Select a valid choice."),
    ],
)
def test_bad_input_is_a_form_error_on_the_queue_and_changes_nothing(
    web, bob, alice, change, field, error
):
    # given
    ticket = make_ticket(requester=alice)
    before = TicketEvent.objects.count()

    # when
    response = web(bob).post(URL, {**priority_body([ticket]), **change})

    # then: the queue again, the error shown, the ticket still ticked, nothing written
    body = response.content.decode()
    assert response.status_code == 400
    assert error in body
    if field:
        assert f'id="{field}"' in body and "is-invalid" in body
    if change.get("tickets") is None:
        assert f'value="{ticket.number}" form="bulk-form" aria-label' in body
        assert "checked" in body.split(f'value="{ticket.number}" form="bulk-form"')[1][:80]
    assert TicketEvent.objects.count() == before
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.MEDIUM


def test_assigning_needs_an_engineer_who_works_the_queue(web, tom, alice, dave):
    ticket = make_ticket(requester=alice)

    response = web(tom).post(URL, {**assign_body([ticket], dave)})

    assert response.status_code == 400
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_more_than_the_limit_is_refused_before_anything_is_done(web, bob, alice):
    ticket = make_ticket(requester=alice)
    numbers = [ticket.number] + [f"IT-20990101-{i:04d}" for i in range(MAX_BULK_TICKETS)]

    response = web(bob).post(URL, {**priority_body([]), "tickets": numbers})

    assert response.status_code == 400
    assert f"Select at most {MAX_BULK_TICKETS} tickets at a time." in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.MEDIUM


def test_unknown_numbers_are_reported_not_a_server_error(web, bob, alice):
    ticket = make_ticket(requester=alice)

    response = web(bob).post(
        URL, {**priority_body([ticket]), "tickets": [ticket.number, "IT-20990101-0001"]}
    )

    assert response.status_code == 302
    assert flashes(response)[1] == "1 ticket not changed: IT-20990101-0001 (No such ticket)"


def test_the_bulk_service_answers_in_the_order_given(tom, erin, alice):
    tickets = [make_ticket(requester=alice) for _ in range(3)]
    numbers = [tickets[2].number, "nope", tickets[0].number, tickets[2].number]

    with translation.override("en"):
        result = bulk_assign(numbers, actor=tom, assignee=erin, reason=REASON)

        assert result.done == [tickets[2].number, tickets[0].number]
        assert result.refused == [("nope", "No such ticket.")]


# --- queries: a fixed number per ticket ----------------------------------------------------


def _assign_queries(client, tickets, engineer) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(URL, assign_body(tickets, engineer))
    assert response.status_code == 302
    return len(captured)


def test_fifty_tickets_assigned_at_once_write_fifty_events_in_a_fixed_number_of_queries(
    web, tom, erin, bob, alice
):
    # given: a warm client (session, content types), then batches of 1, 2 and 50 tickets
    client = web(tom)
    client.get("/tickets/queue/")
    batches = [[make_ticket(requester=alice) for _ in range(n)] for n in (1, 2, 50)]

    # when
    one, two, fifty = (_assign_queries(client, batch, erin) for batch in batches)

    # then: N tickets cost a*N + b queries
    per_ticket = two - one
    assert per_ticket <= 8  # lock, check, update, event, notice (and savepoints)
    assert fifty == one + 49 * per_ticket
    everyone = [t for batch in batches for t in batch]
    assert TicketEvent.objects.filter(kind=EventKind.ASSIGNED, ticket__in=everyone).count() == 53
    # once per ticket: one by one up to the digest threshold, the rest folded into the
    # window's digest (issue 17: a bulk assignment is a storm too)
    one_by_one = list(notices(erin).values_list("payload__number", flat=True))
    folded = list(
        DigestItem.objects.filter(
            digest__recipient=erin, digest__kind=TicketNotice.ASSIGNED
        ).values_list("number", flat=True)
    )
    assert sorted(one_by_one + folded) == sorted(t.number for t in everyone)
    assert Notification.objects.filter(recipient=bob, kind=TicketNotice.ASSIGNED).count() == 0


@override_settings(TICKETS_QUEUE_PAGE_SIZE=1)
def test_the_page_answering_a_failed_action_links_to_the_queue_not_to_itself(web, bob, alice):
    # given: two pages of tickets
    tickets = [make_ticket(requester=alice) for _ in range(2)]

    # when: a bulk action without a reason, sent from page 1 of the medium tickets
    response = web(bob).post(
        URL, {**priority_body(tickets[:1]), "reason": "", "next": "priority=medium"}
    )

    # then: the refresh, the tabs, the pages and the filters all address the queue
    body = response.content.decode()
    assert response.status_code == 400
    assert 'hx-get="/tickets/queue/?priority=medium"' in body
    assert 'href="/tickets/queue/?priority=medium&amp;page=2"' in body
    assert 'action="/tickets/queue/"' in body
    assert 'href="?' not in body and "/tickets/queue/bulk/?" not in body


def test_refusals_read_in_chinese_with_full_width_punctuation(web, bob, alice):
    closed = [make_ticket_in(TicketState.CLOSED, requester=alice, engineer=bob) for _ in range(2)]
    client = web(bob)
    User.objects.filter(pk=bob.pk).update(language="zh-hans")

    [refused] = flashes(client.post(URL, priority_body(closed)))

    assert refused.startswith("2 张工单未更改：")
    assert f"{closed[0].number}（" in refused and "）；" in refused
    assert " (" not in refused and "; " not in refused
