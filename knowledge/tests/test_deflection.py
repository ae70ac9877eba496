"""Suggestions on the new-ticket form: what was shown and accepted is recorded on the form's
session, accepting leaves without a ticket, filing anyway notes the ticket, requesters see
public articles only; the deflection numbers and their page."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.utils import timezone

from knowledge.choices import ArticleStatus, Audience
from knowledge.models import Article, SuggestionSession
from knowledge.services import suggestions
from knowledge.services.articles import create_article
from knowledge.views.suggest import query_of
from tickets.models import Ticket
from tickets.tests.factories import make_category, make_ticket

TOKEN = re.compile(r'name="suggest_token" id="kb-suggest-token" value="([0-9a-f-]{36})"')


def article(lead, title, **overrides) -> Article:
    fields = {
        "symptom": "Every page comes out blank.",
        "steps": ["Open the front cover", "Replace the fuser unit"],
        "status": ArticleStatus.PUBLISHED,
        "audience": Audience.PUBLIC,
        **overrides,
    }
    return create_article(by=lead, title=title, **fields)


def form_token(client) -> str:
    """The token the new-ticket form carries (one per form)."""
    page = client.get("/tickets/new/")
    found = TOKEN.search(page.content.decode())
    assert found, "the form carries no suggestion token"
    return found.group(1)


def suggest(client, token: str, title: str, description: str = ""):
    return client.get(
        "/knowledge/suggest/",
        {"title": title, "description": description, "suggest_token": token},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_form_carries_a_token_and_asks_as_the_person_types(web, alice):
    page = web(alice).get("/tickets/new/").content.decode()
    assert TOKEN.search(page)
    assert 'hx-get="/knowledge/suggest/"' in page
    assert "keyup changed delay:400ms from:#id_title" in page
    assert "keyup changed delay:400ms from:#id_description" in page
    # under the symptom, inside the form (the token is posted with it)
    symptom = page.index('id="id_description"')
    assert symptom < page.index('id="kb-suggest"') < page.index("</form>", symptom)


def test_what_was_shown_is_recorded_once_per_form(web, alice, tom):
    # given
    fuser = article(tom, "Printer prints blank pages")
    jam = article(tom, "Printer jams on tray 2")
    client = web(alice)
    token = form_token(client)

    # when: two pauses while typing
    first = suggest(client, token, "printer")
    second = suggest(client, token, "printer", "blank pages")

    # then
    assert first.status_code == 200 and second.status_code == 200
    html = first.content.decode()
    assert fuser.title in html and "This solved my problem" in html
    assert "Show the 2 steps" in html and "Replace the fuser unit" in html
    session = SuggestionSession.objects.get()
    assert str(session.token) == token and session.user == alice
    assert sorted(session.shown) == sorted([fuser.pk, jam.pk])  # each once
    assert session.last_query == "printer blank pages"
    assert session.accepted_at is None and session.ticket is None


def test_a_short_query_suggests_nothing_and_records_nothing(web, alice, tom):
    article(tom, "Printer prints blank pages")
    response = suggest(web(alice), str(uuid.uuid4()), " p ")
    assert response.status_code == 200 and not response.content.decode().strip()
    assert not SuggestionSession.objects.exists()


def test_requesters_never_see_internal_articles_in_suggestions(web, alice, bob, tom):
    # given: one article for everyone, one for staff, one not yet published
    public = article(tom, "Printer prints blank pages")
    internal = article(tom, "Printer spooler reset on the print server", audience=Audience.INTERNAL)
    draft = article(tom, "Printer firmware downgrade", status=ArticleStatus.DRAFT)

    # when
    hers = suggest(web(alice), str(uuid.uuid4()), "printer").content.decode()
    his = suggest(web(bob), str(uuid.uuid4()), "printer").content.decode()

    # then
    assert public.title in hers
    assert internal.title not in hers and draft.title not in hers
    assert f'data-article="{internal.pk}"' in his  # staff are suggested internal ones
    assert draft.title not in his  # suggestions are published articles only
    shown = SuggestionSession.objects.get(user=alice).shown
    assert internal.pk not in shown and draft.pk not in shown


def test_accepting_an_article_leaves_the_form_without_a_ticket(web, alice, tom):
    # given
    fuser = article(tom, "Printer prints blank pages")
    client = web(alice)
    token = form_token(client)
    suggest(client, token, "printer")

    # when: "this solved my problem"
    response = client.post(
        "/knowledge/suggest/accept/",
        {"suggest_token": token, "article": fuser.pk},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # then: off to her home page, no ticket, the acceptance counted
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/"
    assert not Ticket.objects.filter(requester=alice).exists()
    session = SuggestionSession.objects.get()
    assert session.accepted_article == fuser and session.accepted_at is not None
    assert session.ticket is None
    home = client.get("/tickets/mine/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "no ticket was filed" in home
    # without htmx, a plain redirect
    again = client.post("/knowledge/suggest/accept/", {"suggest_token": token, "article": fuser.pk})
    assert again.status_code == 302 and again["Location"] == "/"


def test_filing_anyway_notes_the_ticket_on_the_forms_session(web, alice, tom):
    # given
    article(tom, "Printer prints blank pages")
    client = web(alice)
    token = form_token(client)
    suggest(client, token, "printer")

    # when: she files the form anyway
    response = client.post(
        "/tickets/new/",
        {
            "title": "Printer prints blank pages",
            "description": "Tried the article, still blank.",
            "impact": "single",
            "urgency": "abnormal",
            "category": make_category().pk,
            "suggest_token": token,
        },
    )

    # then
    assert response.status_code == 302
    ticket = Ticket.objects.get(requester=alice)
    session = SuggestionSession.objects.get()
    assert session.ticket == ticket and session.accepted_at is None


def test_the_form_back_with_errors_keeps_its_token_and_asks_again(web, alice):
    # given
    token = str(uuid.uuid4())

    # when: a form missing its required fields
    response = web(alice).post(
        "/tickets/new/", {"title": "Printer prints blank pages", "suggest_token": token}
    )

    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert TOKEN.search(html).group(1) == token
    assert "input changed delay:400ms from:#id_description, load" in html


def test_someone_elses_token_records_and_accepts_nothing(web, alice, carol, tom):
    # given: carol's form was shown an article
    fuser = article(tom, "Printer prints blank pages")
    token = form_token(web(carol))
    suggest(web(carol), token, "printer")

    # when: alice names carol's token
    suggest(web(alice), token, "printer blank")
    refused = web(alice).post(
        "/knowledge/suggest/accept/", {"suggest_token": token, "article": fuser.pk}
    )

    # then
    assert refused.status_code == 400
    session = SuggestionSession.objects.get()
    assert session.user == carol and session.last_query == "printer"
    assert session.accepted_at is None


@pytest.mark.parametrize("case", ["garbage token", "no token", "unknown token", "not shown"])
def test_accepting_anything_but_an_article_shown_is_a_400(web, alice, tom, case):
    # given: the form was shown one article, not the other
    fuser = article(tom, "Printer prints blank pages")
    other = article(tom, "Monitor flickers")
    client = web(alice)
    token = form_token(client)
    suggest(client, token, "printer")
    sent = {
        "garbage token": {"suggest_token": "not-a-uuid", "article": fuser.pk},
        "no token": {"article": fuser.pk},
        "unknown token": {"suggest_token": str(uuid.uuid4()), "article": fuser.pk},
        "not shown": {"suggest_token": token, "article": other.pk},
    }[case]

    # when
    response = client.post("/knowledge/suggest/accept/", sent, HTTP_ACCEPT_LANGUAGE="en")

    # then
    assert response.status_code == 400
    assert not SuggestionSession.objects.filter(accepted_at__isnull=False).exists()


def test_accepting_after_the_form_was_filed_is_a_409(web, alice, tom):
    fuser = article(tom, "Printer prints blank pages")
    client = web(alice)
    token = form_token(client)
    suggest(client, token, "printer")
    SuggestionSession.objects.update(ticket=make_ticket(requester=alice))
    response = client.post(
        "/knowledge/suggest/accept/", {"suggest_token": token, "article": fuser.pk}
    )
    assert response.status_code == 409


# --- the numbers ---------------------------------------------------------------------------


def _session(user, at, *, shown=(), accepted=None, ticket=None) -> SuggestionSession:
    return SuggestionSession.objects.create(
        token=uuid.uuid4(),
        user=user,
        started_at=at,
        shown=list(shown),
        accepted_article=accepted,
        accepted_at=at + dt.timedelta(minutes=2) if accepted else None,
        ticket=ticket,
    )


@pytest.fixture
def period_sessions(alice, carol, tom):
    """In the period: 9 forms asked, 6 shown articles: 2 solved by one (no ticket), 1
    accepted one and filed anyway, 2 filed, 1 left; 3 saw nothing. Outside it: 2 more."""
    fuser = article(tom, "Printer prints blank pages")
    jam = article(tom, "Printer jams")
    ticket = make_ticket(requester=alice)
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=timezone.get_current_timezone())
    shown = [fuser.pk, jam.pk]
    _session(alice, start, shown=shown, accepted=fuser)
    _session(carol, start + dt.timedelta(days=3), shown=shown, accepted=fuser)
    _session(alice, start + dt.timedelta(days=4), shown=shown, accepted=jam, ticket=ticket)
    _session(alice, start + dt.timedelta(days=5), shown=shown, ticket=ticket)
    _session(carol, start + dt.timedelta(days=6), shown=shown, ticket=ticket)
    _session(carol, start + dt.timedelta(days=7), shown=shown)
    for day in range(3):
        _session(alice, start + dt.timedelta(days=day))
    _session(alice, start - dt.timedelta(days=2), shown=shown, accepted=fuser)
    _session(alice, start + dt.timedelta(days=40), shown=shown, accepted=fuser)
    return fuser, jam


def test_the_deflection_numbers_of_a_period(period_sessions):
    # when
    start = dt.datetime(2026, 11, 1, tzinfo=timezone.get_current_timezone())
    numbers = suggestions.deflection(start, start + dt.timedelta(days=30))

    # then
    assert (numbers.asked, numbers.shown, numbers.nothing_found) == (9, 6, 3)
    assert (numbers.deflected, numbers.filed, numbers.left) == (2, 3, 1)
    assert numbers.rate == pytest.approx(2 / 6)
    fuser, _jam = period_sessions
    top = suggestions.top_accepted(start, start + dt.timedelta(days=30))
    assert [(row["accepted_article"], row["n"]) for row in top] == [(fuser.pk, 2)]


def test_no_suggestion_shown_has_no_rate(db):
    start = timezone.now()
    numbers = suggestions.deflection(start - dt.timedelta(days=1), start)
    assert numbers.shown == 0 and numbers.rate is None


def test_the_deflection_page_shows_the_periods_numbers(web, tom, period_sessions):
    # when
    response = web(tom).get(
        "/knowledge/deflection/?since=2026-11-01&until=2026-11-30", HTTP_ACCEPT_LANGUAGE="en"
    )

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-number="shown">6<' in html
    assert 'data-number="deflected">2<' in html
    assert 'data-number="filed">3<' in html
    assert 'data-number="rate">33 %<' in html
    assert "Printer prints blank pages" in html


def test_the_deflection_page_defaults_to_the_last_30_days(web, dave):
    response = web(dave).get("/knowledge/deflection/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    today = timezone.localdate()
    assert f'value="{today:%Y-%m-%d}"' in html
    assert f'value="{today - dt.timedelta(days=29):%Y-%m-%d}"' in html
    assert 'data-number="rate">—<' in html


@pytest.mark.parametrize(
    "query",
    ["since=2026-13-01", "since=2026-11-30&until=2026-11-01", "since=2020-01-01&until=2026-01-01"],
)
def test_a_bad_period_is_a_400_beside_its_field(web, tom, query):
    response = web(tom).get(f"/knowledge/deflection/?{query}")
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()


def test_only_tech_leads_managers_and_admins_read_the_deflection_page(web, alice, bob, admin):
    assert web(alice).get("/knowledge/deflection/").status_code == 403
    assert web(bob).get("/knowledge/deflection/").status_code == 403
    assert web(admin).get("/knowledge/deflection/").status_code == 200


def test_a_nul_in_the_typed_text_is_no_500(web, alice, bob, tom):
    fuser = article(tom, "Printer prints blank pages")
    ticket = make_ticket(requester=alice)
    response = suggest(web(alice), str(uuid.uuid4()), "\x00printer")
    assert response.status_code == 200 and fuser.title in response.content.decode()
    assert SuggestionSession.objects.get().last_query == "printer"
    found = web(bob).get(f"/knowledge/tickets/{ticket.number}/articles/find/", {"q": "\x00"})
    assert found.status_code == 200


def test_the_query_drops_what_postgresql_cannot_take():
    assert query_of("  Printer\x00 ", "blank\ud800\n pages") == "Printer blank pages"
