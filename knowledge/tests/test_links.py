""" "Solved with": an engineer links an article to a ticket (one use, on the timeline) and
unlinks it; who may, and what the requester reads of it."""

from __future__ import annotations

import pytest

from knowledge.choices import ArticleStatus, Audience, KnowledgeEntry, LinkKind
from knowledge.models import Article, ArticleLink
from knowledge.services.articles import archive_article, create_article
from knowledge.services.links import link_article
from tickets.choices import TicketState
from tickets.errors import InvalidTransition
from tickets.models import TicketEvent
from tickets.tests.factories import make_ticket, make_ticket_in


def article(lead, title="Printer prints blank pages", **overrides) -> Article:
    """An article written by ``lead`` (a tech lead publishes at once), public and published
    unless told otherwise; ``status=archived`` is published, then archived."""
    fields = {
        "symptom": "Every page comes out blank.",
        "steps": ["Replace the fuser unit"],
        "status": ArticleStatus.PUBLISHED,
        "audience": Audience.PUBLIC,
        **overrides,
    }
    archived = fields["status"] == ArticleStatus.ARCHIVED
    if archived:
        fields["status"] = ArticleStatus.PUBLISHED
    found = create_article(by=lead, title=title, **fields)
    return archive_article(found.pk, by=lead) if archived else found


def test_linking_counts_a_use_and_shows_on_the_timeline(web, alice, bob, tom):
    # given
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    fuser = article(tom)

    # when
    response = web(bob).post(
        f"/knowledge/tickets/{ticket.number}/articles/link/", {"article": str(fuser.pk)}
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.number}/#knowledge"
    fuser.refresh_from_db()
    assert fuser.use_count == 1
    link = ArticleLink.objects.get()
    assert (link.ticket_id, link.kind, link.linked_by) == (ticket.pk, LinkKind.SOLVED_WITH, bob)
    event = TicketEvent.objects.get(ticket=ticket, kind=KnowledgeEntry.ARTICLE_LINKED)
    assert event.data == {"article": fuser.pk, "title": fuser.title} and not event.is_internal
    page = web(bob).get(f"/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-kind="kb_article_linked"' in page and "Knowledge article linked" in page
    assert 'id="kb-linked"' in page and f'data-article="{fuser.pk}"' in page
    # a public, published article: the requester reads that it helped
    mine = web(alice).get(f"/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-kind="kb_article_linked"' in mine and fuser.title in mine


def test_unlinking_takes_the_use_back_and_shows_on_the_timeline(web, alice, bob, tom):
    # given
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    fuser = article(tom)
    link_article(ticket.pk, actor=bob, article=fuser.pk)

    # when
    response = web(bob).post(
        f"/knowledge/tickets/{ticket.number}/articles/unlink/", {"article": fuser.pk}
    )

    # then
    assert response.status_code == 302
    fuser.refresh_from_db()
    assert fuser.use_count == 0
    assert not ArticleLink.objects.exists()
    kinds = list(
        TicketEvent.objects.filter(ticket=ticket, kind__startswith="kb_")
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == [KnowledgeEntry.ARTICLE_LINKED, KnowledgeEntry.ARTICLE_UNLINKED]
    page = web(bob).get(f"/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Knowledge article unlinked" in page and 'id="kb-linked-empty"' in page


def test_an_internal_articles_link_is_internal_on_the_timeline(web, alice, bob, tom):
    # given
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    secret = article(tom, title="Reset the print spooler", audience=Audience.INTERNAL)

    # when
    link_article(ticket.pk, actor=bob, article=secret.pk)

    # then
    event = TicketEvent.objects.get(ticket=ticket, kind=KnowledgeEntry.ARTICLE_LINKED)
    assert event.is_internal
    assert secret.title in web(bob).get(f"/tickets/{ticket.number}/").content.decode()
    assert secret.title not in web(alice).get(f"/tickets/{ticket.number}/").content.decode()


def test_linking_the_same_article_twice_is_a_409_and_counts_once(web, alice, bob, erin, tom):
    # given
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    fuser = article(tom)
    link_article(ticket.pk, actor=bob, article=fuser.pk)

    # when
    response = web(erin).post(
        f"/knowledge/tickets/{ticket.number}/articles/link/",
        {"article": fuser.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # then
    assert response.status_code == 409
    assert "already linked" in response.content.decode()
    fuser.refresh_from_db()
    assert fuser.use_count == 1
    with pytest.raises(InvalidTransition):
        link_article(ticket.pk, actor=erin, article=fuser.pk)


def test_unlinking_an_article_that_is_not_linked_is_a_409(web, alice, bob, tom):
    ticket = make_ticket(requester=alice)
    fuser = article(tom)
    response = web(bob).post(
        f"/knowledge/tickets/{ticket.number}/articles/unlink/", {"article": fuser.pk}
    )
    assert response.status_code == 409
    assert not TicketEvent.objects.filter(kind__startswith="kb_").exists()


def test_the_article_a_ticket_was_written_up_as_is_not_unlinked(web, alice, bob):
    # given
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    body = {"title": "T", "symptom": "S", "steps": "1. x", "audience": "internal"}
    web(bob).post(f"/knowledge/tickets/{ticket.number}/write-up/", body)
    written = Article.objects.get()

    # when
    response = web(bob).post(
        f"/knowledge/tickets/{ticket.number}/articles/unlink/", {"article": written.pk}
    )

    # then
    assert response.status_code == 409
    assert ArticleLink.objects.filter(kind=LinkKind.CREATED_FROM).count() == 1


@pytest.mark.parametrize("value", ["", "abc", "0", "-3", "99999999999", "1\x00"])
def test_a_bad_article_is_a_400_and_links_nothing(web, alice, bob, value):
    ticket = make_ticket(requester=alice)
    response = web(bob).post(
        f"/knowledge/tickets/{ticket.number}/articles/link/",
        {"article": value},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Choose an article from the list." in response.content.decode()
    assert not ArticleLink.objects.exists()


def test_an_archived_article_is_not_linked(web, alice, bob, tom):
    ticket = make_ticket(requester=alice)
    old = article(tom, status=ArticleStatus.ARCHIVED)
    response = web(bob).post(
        f"/knowledge/tickets/{ticket.number}/articles/link/", {"article": old.pk}
    )
    assert response.status_code == 400
    assert not ArticleLink.objects.exists()


def test_who_may_link(web, alice, carol, bob, dave, tom):
    # given
    ticket = make_ticket(requester=alice)
    fuser = article(tom)
    path = f"/knowledge/tickets/{ticket.number}/articles/link/"

    # then: requesters and the manager are refused, carol does not see the ticket
    assert web(alice).post(path, {"article": fuser.pk}).status_code == 403
    assert web(dave).post(path, {"article": fuser.pk}).status_code == 403
    assert web(carol).post(path, {"article": fuser.pk}).status_code == 404
    assert not ArticleLink.objects.exists()
    # any engineer or tech lead links, in any state
    assert web(tom).post(path, {"article": fuser.pk}).status_code == 302


def test_find_lists_articles_to_link_without_the_linked_or_archived(web, alice, bob, tom):
    # given
    ticket = make_ticket(requester=alice)
    linked = article(tom, title="Printer jams: linked")
    article(tom, title="Printer jams: archived", status=ArticleStatus.ARCHIVED)
    draft = article(tom, title="Printer jams: draft", status=ArticleStatus.DRAFT)
    link_article(ticket.pk, actor=bob, article=linked.pk)

    # when
    partial = web(bob).get(
        f"/knowledge/tickets/{ticket.number}/articles/find/?q=Printer+jams", HTTP_HX_REQUEST="true"
    )
    page = web(bob).get(f"/knowledge/tickets/{ticket.number}/articles/find/?q=Printer+jams")

    # then
    html = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in html
    assert f'data-article="{draft.pk}"' in html
    assert "archived" not in html and f'data-article="{linked.pk}"' not in html
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert "hx-request" in page["Vary"].lower()
    assert (
        web(alice).get(f"/knowledge/tickets/{ticket.number}/articles/find/?q=x").status_code == 403
    )
