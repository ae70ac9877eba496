""" "Link to the ongoing incident" in one click, from the queue and from the work view, and
the work view's prompt to declare on a high-priority ticket about a core system."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import IncidentTicket
from incidents.tests.factories_ui import declare, resolve, resolved
from tickets.choices import Impact, TicketState, Urgency
from tickets.tests.factories import make_category, make_ticket, move_to

pytestmark = pytest.mark.django_db

QUEUE_LINK = "/incidents/link-from-queue/"


def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _detail(number: str) -> str:
    return reverse("tickets:detail", kwargs={"number": number})


def _linked(incident) -> set[str]:
    return set(
        IncidentTicket.objects.filter(incident=incident).values_list("ticket__number", flat=True)
    )


# --- the queue --------------------------------------------------------------------------------


def test_the_queue_offers_linking_while_an_incident_is_open(web, tom, bob, alice):
    make_ticket(requester=alice)
    client = _english(web(bob))
    assert "data-incident-link" not in client.get(reverse("tickets:queue")).content.decode()

    incident = declare(by=tom)

    page = client.get(reverse("tickets:queue")).content.decode()
    assert f'data-incident="{incident.number}"' in page
    assert f"Link to {incident.number} (ongoing)" in page
    assert f'data-incident-link="{QUEUE_LINK}"' in page
    assert "js/incident_link.js" in page


def test_linking_the_queue_selection_links_them_and_goes_back_to_the_queue(
    web, tom, bob, alice, carol
):
    incident = declare(by=tom)
    tickets = [make_ticket(requester=p) for p in (alice, carol, alice)]
    numbers = [t.number for t in tickets]

    client = _english(web(bob))
    answer = client.post(
        QUEUE_LINK,
        {"incident": incident.number, "tickets": numbers, "next": "priority=high&page=2"},
    )

    assert answer.status_code == 302
    assert answer["Location"] == reverse("tickets:queue") + "?page=2&priority=high"
    assert _linked(incident) == set(numbers)
    page = client.get(answer["Location"]).content.decode()
    assert f"3 tickets linked to {incident.number}." in page


def test_linking_again_says_what_was_linked_already(web, tom, bob, alice):
    incident = declare(by=tom)
    first, second = make_ticket(requester=alice), make_ticket(requester=alice)
    client = _english(web(bob))
    client.post(QUEUE_LINK, {"incident": incident.number, "tickets": [first.number]})

    answer = client.post(
        QUEUE_LINK,
        {"incident": incident.number, "tickets": [first.number, second.number]},
        follow=True,
    )

    assert f"1 ticket linked to {incident.number}. 1 was linked already." in answer.content.decode()


def test_nothing_selected_is_a_400_in_the_bulk_bar(web, tom, bob):
    incident = declare(by=tom)

    answer = _english(web(bob)).post(QUEUE_LINK, {"incident": incident.number})

    assert answer.status_code == 400
    assert "Select at least one ticket in the list." in answer.content.decode()
    assert "data-bulk-errors" in answer.content.decode()


def test_a_finished_ticket_is_named_in_the_400(web, tom, bob, alice):
    incident = declare(by=tom)
    closed = move_to(make_ticket(requester=alice), TicketState.CLOSED, engineer=bob)

    answer = _english(web(bob)).post(
        QUEUE_LINK, {"incident": incident.number, "tickets": [closed.number]}
    )

    assert answer.status_code == 400
    assert closed.number in answer.content.decode()
    assert _linked(incident) == set()


def test_an_incident_that_is_over_is_a_409(web, tom, bob, alice):
    incident = resolved(by=tom)
    ticket = make_ticket(requester=alice)

    answer = web(bob).post(QUEUE_LINK, {"incident": incident.number, "tickets": [ticket.number]})

    assert answer.status_code == 409


def test_who_may_link_from_the_queue(web, tom, bob, alice, dave):
    incident = declare(by=tom)
    ticket = make_ticket(requester=alice)
    body = {"incident": incident.number, "tickets": [ticket.number]}

    assert web(dave).post(QUEUE_LINK, body).status_code == 403  # managers read
    assert web(alice).post(QUEUE_LINK, body).status_code == 403
    assert web(bob).post(QUEUE_LINK, {**body, "incident": "MI-20990101-01"}).status_code == 404
    assert web(bob).get(QUEUE_LINK).status_code == 405


# --- the work view ----------------------------------------------------------------------------


def test_the_work_view_links_the_ticket_in_one_click(web, tom, bob, alice):
    incident = declare(by=tom)
    ticket = make_ticket(requester=alice)
    client = _english(web(bob))
    page = client.get(_detail(ticket.number)).content.decode()
    assert f"Link to {incident.number} (ongoing)" in page
    assert f'data-offer="{incident.number}"' in page

    answer = client.post(
        reverse("incidents:link_ticket", kwargs={"number": ticket.number}),
        {"incident": incident.number},
    )

    assert answer.status_code == 302
    assert answer["Location"] == _detail(ticket.number) + "#incident-panel"
    assert _linked(incident) == {ticket.number}
    page = client.get(_detail(ticket.number)).content.decode()
    assert f'data-linked-incident="{incident.number}"' in page
    assert f'data-offer="{incident.number}"' not in page


def test_the_work_view_shows_the_incident_after_it_is_resolved(web, tom, bob, alice):
    incident = declare(by=tom)
    ticket = make_ticket(requester=alice)
    web(bob).post(
        reverse("incidents:link_ticket", kwargs={"number": ticket.number}),
        {"incident": incident.number},
    )
    resolve(incident, by=tom)

    page = web(bob).get(_detail(ticket.number)).content.decode()
    assert f'data-linked-incident="{incident.number}"' in page
    assert "data-offer=" not in page


def test_the_requester_and_managers_get_no_link_button(web, tom, alice, dave):
    declare(by=tom)
    ticket = make_ticket(requester=alice)

    assert "data-offer=" not in web(alice).get(_detail(ticket.number)).content.decode()
    assert "data-offer=" not in web(dave).get(_detail(ticket.number)).content.decode()


def test_linking_from_the_work_view_refusals(web, tom, bob, alice, carol, dave):
    incident = declare(by=tom)
    ticket = make_ticket(requester=alice)
    url = reverse("incidents:link_ticket", kwargs={"number": ticket.number})

    assert web(carol).post(url, {"incident": incident.number}).status_code == 404
    assert web(dave).post(url, {"incident": incident.number}).status_code == 403
    missing = _english(web(bob)).post(url, {})
    assert missing.status_code == 400
    assert "Choose the incident to link this ticket to." in missing.content.decode()
    over = resolved(by=tom, title="Over")
    assert web(bob).post(url, {"incident": over.number}).status_code == 409


# --- the prompt to declare --------------------------------------------------------------------


def _ticket(alice, *, slug: str, impact: str, urgency: str = Urgency.INTERRUPTED):
    return make_ticket(
        requester=alice, category=make_category(slug), impact=impact, urgency=urgency
    )


@pytest.mark.parametrize(
    ("slug", "impact", "prompted"),
    [
        ("software-business", Impact.NETWORK, True),  # ERP, high priority
        ("network-wired", Impact.MULTIPLE, True),  # the network, high priority
        ("software-business", Impact.SINGLE, False),  # core system, medium priority
        ("hardware-printer", Impact.NETWORK, False),  # high priority, not a core system
    ],
)
def test_a_high_priority_ticket_on_a_core_system_prompts_declaring(
    web, bob, alice, slug, impact, prompted
):
    ticket = _ticket(alice, slug=slug, impact=impact)

    page = _english(web(bob)).get(_detail(ticket.number)).content.decode()

    assert ('id="declare-prompt"' in page) is prompted
    if prompted:
        assert "Declare a major incident?" in page
        assert f'href="{reverse("incidents:new")}?ticket={ticket.number}"' in page


def test_the_prompt_is_for_those_who_declare_and_not_once_linked(web, tom, bob, alice, dave):
    ticket = _ticket(alice, slug="software-business", impact=Impact.NETWORK)

    assert 'id="declare-prompt"' not in web(alice).get(_detail(ticket.number)).content.decode()
    assert 'id="declare-prompt"' not in web(dave).get(_detail(ticket.number)).content.decode()

    incident = declare(by=tom, ticket=ticket)
    web(bob).post(
        reverse("incidents:link_ticket", kwargs={"number": ticket.number}),
        {"incident": incident.number},
    )
    assert 'id="declare-prompt"' not in web(bob).get(_detail(ticket.number)).content.decode()


def test_the_core_systems_are_a_setting(web, bob, alice, settings):
    settings.INCIDENTS_CORE_CATEGORIES = ["hardware-printer"]
    printer = _ticket(alice, slug="hardware-printer", impact=Impact.NETWORK)

    assert 'id="declare-prompt"' in web(bob).get(_detail(printer.number)).content.decode()


def test_the_work_view_panel_runs_the_same_queries_however_many_links(
    web, tom, bob, alice, django_assert_max_num_queries
):
    # given: a ticket linked to one incident, another linked to three
    one = make_ticket(requester=alice)
    many = make_ticket(requester=alice)
    first = declare(by=tom, title="First")
    client = web(bob)
    for number, incidents in ((one.number, [first]), (many.number, [first])):
        for incident in incidents:
            client.post(
                reverse("incidents:link_ticket", kwargs={"number": number}),
                {"incident": incident.number},
            )
    for title in ("Second", "Third"):
        extra = declare(by=tom, title=title)
        client.post(
            reverse("incidents:link_ticket", kwargs={"number": many.number}),
            {"incident": extra.number},
        )
    client.get(_detail(one.number))  # the banner's cache is warm for both

    with CaptureQueriesContext(connection) as short:
        client.get(_detail(one.number))
    with django_assert_max_num_queries(len(short.captured_queries)):
        client.get(_detail(many.number))
