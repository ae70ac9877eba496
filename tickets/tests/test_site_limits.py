"""Staff limited to some sites (R7.2): an engineer limited to site A never meets site B's
tickets — not in the queue or its tab counts, the search, a ticket's page or files, the
API, the dispatch list or the alerts; staff not limited see every site."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Site
from accounts.roles import Role
from accounts.tests.factories import make_user
from notifications.models import Notification
from tests.security import access_table as table
from tests.security.matrix import (
    API_METHODS,
    OPERATIONS,
    World,
    fill,
    page_routes,
    setup_ticket,
)
from tickets import forms, related, selectors, services
from tickets.choices import TicketNotice, TicketState
from tickets.errors import TicketNotFound
from tickets.models import SlaEventKind
from tickets.notify import SlaAudience
from tickets.tests.factories import make_category, make_ticket, make_ticket_in, snapshot

pytestmark = pytest.mark.django_db

WORD = "Projector flickers zq4"


@pytest.fixture
def sites(alice, carol):
    """Site A (Shanghai) is alice's, site B (Beijing) is carol's."""
    a = Site.objects.create(code="sh", name="Shanghai HQ")
    b = Site.objects.create(code="bj", name="Beijing branch")
    alice.site, carol.site = a, b
    alice.save(update_fields=["site"])
    carol.save(update_fields=["site"])
    return a, b


@pytest.fixture
def lena(sites):
    """An engineer limited to site A."""
    person = make_user("lena", Role.ENGINEER)
    person.limited_to_sites.set([sites[0]])
    return person


@pytest.fixture
def tickets(sites, alice, carol, bob):
    """One open ticket at each site and one filed without a site, all with the same words."""
    nobody = make_user("nina", Role.REQUESTER)
    mine = make_ticket(requester=alice, title=f"{WORD} at A")
    theirs = make_ticket(requester=carol, title=f"{WORD} at B")
    [services.add_attachments(t.pk, actor=t.requester, files=[_file()]) for t in (mine, theirs)]
    siteless = make_ticket(requester=nobody, title=f"{WORD} nowhere")
    return mine, theirs, siteless


def _file() -> SimpleUploadedFile:
    return SimpleUploadedFile("screen.png", b"\x89PNG flicker")


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _row_numbers(html: str) -> set[str]:
    return set(re.findall(r'<tr data-href="/tickets/([^/"]+)/"', html))


def _found(client: Client, **query: str) -> set[str]:
    """The numbers of the search page's result rows (the query itself is echoed too)."""
    html = client.get("/tickets/search/", query).content.decode()
    results = html.split('id="search-summary"', 1)[-1] if 'id="search-summary"' in html else ""
    return set(re.findall(r'href="/tickets/(IT-[\d-]+)/"', results))


def _tab_counts(html: str) -> dict[str, int]:
    return {
        query: int(count)
        for query, count in re.findall(
            r'<a class="nav-link[^"]*" href="/tickets/queue/\??([^"]*)"[^>]*>[^<]*'
            r'<span class="badge[^"]*">(\d+)<',
            html,
        )
    }


# --- lists: the queue, its counts, the search -----------------------------------------------


def test_limited_engineer_queue_shows_only_their_sites_tickets(web, lena, bob, tickets):
    # given
    mine, theirs, siteless = tickets

    # when
    limited = web(lena).get("/tickets/queue/").content.decode()
    everywhere = web(bob).get("/tickets/queue/").content.decode()

    # then: site A only (not B, not the ticket without a site); bob sees all three
    assert _row_numbers(limited) == {mine.number}
    assert _row_numbers(everywhere) == {mine.number, theirs.number, siteless.number}


def test_limited_engineer_tab_counts_count_only_their_sites(web, lena, bob, alice, carol, sites):
    # given: at A one open and one verified; at B two open and one verified
    make_ticket(requester=alice)
    make_ticket_in(TicketState.VERIFIED, requester=alice, engineer=bob)
    make_ticket(requester=carol)
    make_ticket(requester=carol)
    make_ticket_in(TicketState.VERIFIED, requester=carol, engineer=bob)

    # when
    counts = _tab_counts(web(lena).get("/tickets/queue/").content.decode())
    all_counts = _tab_counts(web(bob).get("/tickets/queue/").content.decode())

    # then
    assert counts[""] == 2 and counts["unassigned=true"] == 1 and counts["state=verified"] == 1
    assert all_counts[""] == 5 and all_counts["state=verified"] == 2


def test_queue_filter_offers_only_their_sites(web, lena, bob, tickets):
    limited = web(lena).get("/tickets/queue/").content.decode()
    everywhere = web(bob).get("/tickets/queue/").content.decode()
    assert 'value="sh"' in limited and 'value="bj"' not in limited
    assert 'value="sh"' in everywhere and 'value="bj"' in everywhere


def test_naming_another_site_in_the_queue_filter_shows_none_of_its_tickets(web, lena, tickets):
    response = web(lena).get("/tickets/queue/", {"site": "bj"})
    assert tickets[1].number not in response.content.decode()


def test_search_page_finds_only_their_sites_tickets(web, lena, bob, tickets):
    # given
    mine, theirs, siteless = tickets

    # when: the shared words, and site B's ticket by its number
    words = _found(web(lena), q="zq4")
    by_number = _found(web(lena), q=theirs.number)
    everything = _found(web(bob), q="zq4")

    # then
    assert words == {mine.number}
    assert by_number == set()
    assert everything == {t.number for t in tickets}


def test_search_page_filters_by_site_among_their_sites(web, bob, lena, tickets):
    # given
    mine, theirs, _siteless = tickets

    # when
    at_b = _found(web(bob), q="zq4", site="bj")
    form = web(lena).get("/tickets/search/").content.decode()

    # then: bob narrows to B; lena is offered her site only
    assert at_b == {theirs.number}
    assert 'value="sh"' in form and 'value="bj"' not in form


def test_search_page_has_no_site_filter_for_requesters(web, alice):
    assert 'name="site"' not in web(alice).get("/tickets/search/").content.decode()


# --- one ticket: page, report, files -----------------------------------------------------------


def test_another_sites_ticket_page_report_and_files_are_not_found(web, lena, tickets):
    # given
    _mine, theirs, siteless = tickets
    client = web(lena)
    attachment = theirs.attachments.get()

    # when / then
    assert client.get(f"/tickets/{theirs.number}/").status_code == 404
    assert client.get(f"/tickets/{siteless.number}/").status_code == 404
    assert client.get(f"/tickets/{theirs.number}/report/").status_code == 404
    url = reverse("tickets:attachment", args=[theirs.number, attachment.pk])
    assert client.get(url).status_code == 404


def test_their_sites_ticket_opens_as_usual(web, lena, tickets):
    mine = tickets[0]
    client = web(lena)
    assert client.get(f"/tickets/{mine.number}/").status_code == 200
    attachment = mine.attachments.get()
    url = reverse("tickets:attachment", args=[mine.number, attachment.pk])
    assert client.get(url).status_code == 200


def test_actions_on_another_sites_ticket_are_not_found_and_change_nothing(web, lena, tickets):
    theirs = tickets[1]
    before = snapshot(theirs)
    client = web(lena)
    assert client.post(f"/tickets/{theirs.number}/accept/").status_code == 404
    assert client.post(f"/tickets/{theirs.number}/reply/", {"body": "Hi"}).status_code == 404
    assert snapshot(theirs) == before


def test_service_refuses_another_sites_ticket(lena, tickets):
    with pytest.raises(TicketNotFound):
        services.accept_ticket(tickets[1].pk, actor=lena)


def test_own_ticket_filed_at_another_site_stays_reachable(web, lena, sites):
    # given: lena (limited to A) is based at B and files a ticket of her own there
    lena.site = sites[1]
    lena.save(update_fields=["site"])
    own = make_ticket(requester=lena, title="My laptop will not boot")
    client = web(lena)

    # when / then: her page and "my tickets" show it; her site A queue does not list it
    assert client.get(f"/tickets/{own.number}/").status_code == 200
    assert own.number in client.get("/tickets/mine/").content.decode()
    assert own.number not in _row_numbers(client.get("/tickets/queue/").content.decode())


def test_links_to_another_sites_ticket_are_hidden(lena, bob, tickets):
    # given: site A's ticket linked to site B's
    mine, theirs, _siteless = tickets
    services.link_tickets(mine.pk, actor=bob, other=theirs.number)

    # when
    shown = [r.other.number for r in related.links_for(lena, mine)]
    shown_to_bob = [r.other.number for r in related.links_for(bob, mine)]

    # then
    assert shown == [] and shown_to_bob == [theirs.number]


# --- the API --------------------------------------------------------------------------------------


def test_api_list_detail_and_search_show_only_their_sites(lena, bob, tickets):
    # given
    mine, theirs, siteless = tickets
    client = _token_client(lena)

    # when
    listed = {row["number"] for row in client.get("/api/v1/tickets/").json()["results"]}
    found = {row["number"] for row in client.get("/api/v1/tickets/?q=zq4").json()["results"]}
    everyone = {r["number"] for r in _token_client(bob).get("/api/v1/tickets/").json()["results"]}

    # then
    assert listed == found == {mine.number}
    assert everyone == {mine.number, theirs.number, siteless.number}
    assert client.get(f"/api/v1/tickets/{mine.number}/").status_code == 200
    assert client.get(f"/api/v1/tickets/{theirs.number}/").status_code == 404
    assert client.get(f"/api/v1/tickets/{siteless.number}/").status_code == 404


def test_api_actions_on_another_sites_ticket_are_not_found(lena, tickets):
    theirs = tickets[1]
    before = snapshot(theirs)
    client = _token_client(lena)
    assert client.post(f"/api/v1/tickets/{theirs.number}/accept/", {}).status_code == 404
    response = client.post(
        f"/api/v1/tickets/{theirs.number}/messages/", {"body": "On my way"}, format="json"
    )
    assert response.status_code == 404
    assert client.get(f"/api/v1/tickets/{theirs.number}/attachments/").status_code == 404
    assert snapshot(theirs) == before


# Routes whose "number" is a major incident's (MI-…), not a ticket's.
INCIDENT_ROUTES = ("incidents",)
# Every route and API operation about one ticket, tried by an engineer limited to another
# site: the access matrix's routes and path values, site B's ticket (alice moved to B).
NUMBER_ROUTES = [
    r
    for r in page_routes()
    if "number" in r.params and r.name and not r.name.startswith(INCIDENT_ROUTES)
]
NUMBER_OPERATIONS = [
    (m, p) for m, p in OPERATIONS if "{number}" in p and not p.startswith("/api/v1/incidents/")
]


@pytest.fixture
def world_at_b(alice, carol, bob, erin, tom, dave, admin, sites, lena) -> World:
    """The access matrix's world (its personas by role), alice's ticket filed at site B."""
    by_name = {p.username: p for p in (alice, carol, bob, erin, tom, dave, admin)}
    users = {role: by_name[name] for role, name in table.PERSONAS.items()}
    world = World(users={**users, "anonymous": None}, category=make_category(), password="")
    owner = world.users["owner"]
    owner.site = sites[1]
    owner.save(update_fields=["site"])
    setup_ticket(world, table.Case(expect=table.TICKET_READERS, state=TicketState.ACCEPTED))
    return world


@pytest.mark.parametrize("route", NUMBER_ROUTES, ids=lambda r: r.name)
def test_every_ticket_page_hides_another_sites_ticket(world_at_b, lena, route):
    # given
    client = Client()
    client.force_login(lena)
    case = table.Case(expect=table.TICKET_READERS, state=TicketState.ACCEPTED)
    before = snapshot(world_at_b.ticket)

    # when / then
    for method in ("get", "post"):
        sid = transaction.savepoint()
        try:
            url = reverse(route.name, kwargs=fill(route.params, world_at_b, case))
            status = getattr(client, method)(url).status_code
            assert status in (404, 405), f"{method.upper()} {route.name}: {status}"
        finally:
            transaction.savepoint_rollback(sid)
    assert snapshot(world_at_b.ticket) == before


@pytest.mark.parametrize(("method", "path"), NUMBER_OPERATIONS, ids=lambda v: str(v))
def test_every_ticket_api_operation_hides_another_sites_ticket(world_at_b, lena, method, path):
    # given
    assert method in API_METHODS
    client = _token_client(lena)
    case = table.Case(expect=table.TICKET_READERS, state=TicketState.ACCEPTED)
    params = re.findall(r"{(\w+)}", path)
    url = path.format(**fill(params, world_at_b, case))
    before = snapshot(world_at_b.ticket)

    # when
    response = getattr(client, method.lower())(url, {}, format="json")

    # then
    assert response.status_code == 404, f"{method} {path}: {response.status_code}"
    assert snapshot(world_at_b.ticket) == before


# --- who is offered, who is told -----------------------------------------------------------------


def test_dispatch_offers_only_engineers_who_may_see_the_ticket(lena, bob, tickets):
    mine, theirs, _siteless = tickets
    at_b = set(forms.AssignForm(ticket=theirs).fields["assignee"].queryset)
    at_a = set(forms.AssignForm(ticket=mine).fields["assignee"].queryset)
    assert lena not in at_b and bob in at_b
    assert lena in at_a and bob in at_a


def test_assigning_another_sites_ticket_to_a_limited_engineer_names_the_field(
    api, tom, lena, tickets
):
    # given
    theirs = tickets[1]

    # when
    response = api(tom).post(
        f"/api/v1/tickets/{theirs.number}/assign/",
        {"assignee": lena.username, "reason": "Closest engineer"},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert "assignee" in response.json()
    theirs.refresh_from_db()
    assert theirs.assignee is None


def test_high_priority_ticket_is_told_only_to_engineers_of_its_site(lena, bob, carol, sites):
    # when: a 7x24 emergency at B
    ticket = make_ticket(requester=carol, impact="network", urgency="interrupted")

    # then
    told = set(
        Notification.objects.filter(kind=TicketNotice.SUBMITTED, payload__number=ticket.number)
        .values_list("recipient__username", flat=True)
        .distinct()
    )
    assert "bob" in told and "lena" not in told


def test_sla_alerts_skip_staff_limited_to_other_sites(lena, bob, tom, carol, alice, sites):
    # given: lena is based at B (the site queue of B's tickets) but limited to A; a tech
    # lead is limited to A too
    lena.site = sites[1]
    lena.save(update_fields=["site"])
    tom.limited_to_sites.set([sites[0]])
    at_b = make_ticket(requester=carol)
    at_a = make_ticket(requester=alice)

    # when
    audience = SlaAudience([at_b, at_a])

    def told(ticket) -> set[str]:  # one by one or, for the tech lead, in digests (issue 17)
        groups = audience.for_event(ticket, SlaEventKind.RESOLUTION_BREACH)
        return {p.username for people, _urgency in groups for p in people}

    for_b, for_a = told(at_b), told(at_a)

    # then: B's unassigned breach goes to the engineers who may see it, not lena or tom
    assert "lena" not in for_b and "tom" not in for_b and "bob" in for_b
    assert {"lena", "tom"} <= for_a


def test_a_superuser_is_never_limited(admin, tickets, sites):
    admin.limited_to_sites.set([sites[0]])
    assert selectors.tickets_visible_to(admin).count() == 3


def test_an_unlimited_engineer_sees_every_site(bob, tickets):
    assert set(selectors.tickets_visible_to(bob)) == set(tickets)


def test_limited_queue_runs_a_fixed_number_of_queries(
    web, lena, alice, sites, django_assert_max_num_queries
):
    # given
    client = web(lena)
    client.get("/tickets/queue/")
    make_ticket(requester=alice)
    with django_assert_max_num_queries(13) as one:
        client.get("/tickets/queue/")
    for _ in range(10):
        make_ticket(requester=alice, category=make_category("network-wifi"))

    # when
    with django_assert_max_num_queries(13) as eleven:
        response = client.get("/tickets/queue/")

    # then
    assert len(_row_numbers(response.content.decode())) == 11
    assert len(one) == len(eleven)
