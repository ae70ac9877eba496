"""The knowledge panel in the engineer's work view: articles linked and suggested, "turn
into article", similar resolved tickets within the viewer's sites; a fixed query count."""

from __future__ import annotations

import pytest
from django.utils.safestring import mark_safe

from accounts.models import Site
from accounts.permissions import capabilities
from accounts.roles import Role
from accounts.tests.factories import make_user
from knowledge import panels
from knowledge.choices import ArticleStatus, Audience
from knowledge.models import Article
from knowledge.search import Hit
from knowledge.services.articles import create_article
from knowledge.services.links import link_article
from tickets import services
from tickets.choices import TicketState
from tickets.models import Ticket
from tickets.tests.factories import make_ticket, make_ticket_in, move_to


def article(lead, title, **overrides) -> Article:
    fields = {
        "symptom": "Every page comes out blank.",
        "steps": ["Replace the fuser unit"],
        "status": ArticleStatus.PUBLISHED,
        "audience": Audience.PUBLIC,
        **overrides,
    }
    return create_article(by=lead, title=title, **fields)


def resolved(requester, engineer, title, description="It happens every morning.", **kw) -> Ticket:
    ticket = make_ticket(requester=requester, title=title, description=description, **kw)
    ticket = move_to(ticket, TicketState.DIAGNOSED, engineer=engineer)
    services.resolve_ticket(ticket.pk, actor=engineer, solution=f"Fixed: {title}")
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def suggested(monkeypatch):
    """``knowledge.search.suggest`` answering with the given articles (no queries): the
    panel is tested against the search's contract, whatever ranks the hits."""
    answer: list[Article] = []

    def fake(user, q, *, limit=5):
        return [Hit(a, 1.0, mark_safe("<mark>printer</mark> blank")) for a in answer][:limit]

    monkeypatch.setattr(panels.search, "suggest", fake)
    return answer


def test_the_panel_lists_linked_and_suggested_articles_with_their_buttons(
    web, alice, bob, tom, suggested
):
    # given: two articles suggested, one of them already linked
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    fuser = article(tom, "Printer prints blank pages")
    toner = article(tom, "Printer toner low", audience=Audience.INTERNAL)
    suggested.extend([fuser, toner])
    link_article(ticket.pk, actor=bob, article=fuser.pk)

    # when
    html = web(bob).get(f"/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # then
    panel = html[html.index('id="knowledge"') :]
    linked = panel[panel.index('id="kb-linked"') : panel.index('id="kb-suggested"')]
    assert f'data-article="{fuser.pk}"' in linked and "/articles/unlink/" in linked
    offered = panel[panel.index('id="kb-suggested"') : panel.index('id="kb-similar')]
    assert f'data-article="{toner.pk}"' in offered and f'data-article="{fuser.pk}"' not in offered
    assert "/articles/link/" in offered and "Staff only" in offered
    assert "<mark>printer</mark>" in offered
    assert 'id="kb-find-q"' in panel
    assert 'id="kb-write-up"' not in panel  # no fix yet


def test_the_manager_reads_the_panel_without_buttons_requesters_never_see_it(
    web, alice, bob, dave, tom, suggested
):
    # given
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    fuser = article(tom, "Printer prints blank pages")
    suggested.append(fuser)
    link_article(ticket.pk, actor=bob, article=article(tom, "Printer jams").pk)

    # when
    managers = web(dave).get(f"/tickets/{ticket.number}/").content.decode()
    hers = web(alice).get(f"/tickets/{ticket.number}/").content.decode()

    # then
    assert 'id="knowledge"' in managers
    assert "/articles/link/" not in managers and "/articles/unlink/" not in managers
    assert 'id="kb-write-up"' not in managers and 'id="kb-find-q"' not in managers
    assert 'id="knowledge"' not in hers


def test_similar_resolved_tickets_are_ranked_by_their_words_within_the_viewers_sites(
    alice, carol, bob
):
    # given: alice at site A, carol at site B; lena works site A only
    site_a = Site.objects.create(code="sh", name="Shanghai HQ")
    site_b = Site.objects.create(code="bj", name="Beijing branch")
    alice.site, carol.site = site_a, site_b
    alice.save(update_fields=["site"])
    carol.save(update_fields=["site"])
    lena = make_user("lena", Role.ENGINEER)
    lena.limited_to_sites.set([site_a])
    current = make_ticket(requester=alice, title="Printer prints blank pages on floor 3")
    best = resolved(alice, bob, "Printer prints blank pages", "Blank pages from the printer.")
    weaker = resolved(alice, bob, "Printer makes a noise")
    elsewhere = resolved(carol, bob, "Printer prints blank pages in Beijing")
    # only the factory's diagnosis in common ("the 3rd floor printer")
    vpn = resolved(alice, bob, "VPN drops", "The tunnel disconnects.")
    still_open = make_ticket(requester=alice, title="Printer prints blank pages again")
    cancelled = make_ticket(requester=alice, title="Printer prints blank pages twice")
    services.cancel_ticket(cancelled.pk, actor=alice, reason="Filed twice")

    # when
    for_bob = [t.pk for t in panels.similar_tickets(current, bob)]
    for_lena = [t.pk for t in panels.similar_tickets(current, lena)]

    # then: resolved ones only, the closest first, another site's for those who work it
    assert for_bob[0] in (best.pk, elsewhere.pk)
    assert set(for_bob[:3]) == {best.pk, weaker.pk, elsewhere.pk}
    assert for_bob[3:] == [vpn.pk]
    assert for_lena == [best.pk, weaker.pk, vpn.pk]
    assert not {still_open.pk, cancelled.pk, current.pk} & set(for_bob)


def test_similar_tickets_show_in_the_work_view_with_their_solution(web, alice, bob, suggested):
    current = make_ticket(requester=alice, title="Printer prints blank pages on floor 3")
    best = resolved(alice, bob, "Printer prints blank pages")
    # the work view asks for them once it is shown (htmx), not while it is built
    page = web(bob).get(f"/tickets/{current.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    url = f"/knowledge/tickets/{current.number}/similar/"
    assert f'hx-get="{url}"' in page and best.number not in page
    similar = web(bob).get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_HX_REQUEST="true")
    assert similar.status_code == 200
    html = similar.content.decode()
    assert f'data-number="{best.number}"' in html
    assert "Fixed: Printer prints blank pages" in html


def test_similar_tickets_are_for_staff_only(web, alice, bob, suggested):
    current = make_ticket(requester=alice, title="Printer prints blank pages on floor 3")
    resolved(alice, bob, "Printer prints blank pages")
    response = web(alice).get(f"/knowledge/tickets/{current.number}/similar/")
    assert response.status_code == 403


def _history(ticket: Ticket, bob, tom, n: int) -> None:
    """``n`` linked articles, ``n`` similar resolved tickets, and their timeline entries."""
    for i in range(n):
        link_article(ticket.pk, actor=bob, article=article(tom, f"Printer fault {i}").pk)
        resolved(ticket.requester, bob, f"Printer prints blank pages {i}")


def _panel_queries(django_assert_num_queries, ticket, user, budget) -> dict:
    fresh = Ticket.objects.select_related("requester", "assignee", "category").get(pk=ticket.pk)
    capabilities(user)  # read once per request, before any panel
    with django_assert_num_queries(budget):
        return panels.work_panel(fresh, user)


def test_the_panel_runs_a_fixed_number_of_queries_whatever_the_history(
    django_assert_num_queries, alice, bob, tom, suggested
):
    # given
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    suggested.extend([article(tom, "Printer prints blank pages")])

    # then: the links with their articles (the similar tickets load after the page: one)
    small = _panel_queries(django_assert_num_queries, ticket, bob, 1)
    _history(ticket, bob, tom, 12)
    large = _panel_queries(django_assert_num_queries, ticket, bob, 1)
    assert len(small["solved_with"]) == 0 and len(large["solved_with"]) == 12
    with django_assert_num_queries(1):
        assert len(panels.similar_tickets(ticket, bob)) == panels.SIMILAR


def _count(django_assert_max_num_queries, ticket, user) -> int:
    fresh = Ticket.objects.select_related("requester", "assignee", "category").get(pk=ticket.pk)
    with django_assert_max_num_queries(50) as captured:
        panels.work_panel(fresh, user)
    return len(captured.captured_queries)


def test_with_the_real_search_the_count_does_not_grow_with_the_history(
    django_assert_max_num_queries, alice, bob, tom
):
    # given: the search's caches warm (a process reads them once)
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    article(tom, "Printer prints blank pages")
    capabilities(bob)
    _count(django_assert_max_num_queries, ticket, bob)
    before = _count(django_assert_max_num_queries, ticket, bob)

    # when
    _history(ticket, bob, tom, 8)

    # then
    assert _count(django_assert_max_num_queries, ticket, bob) == before
