"""Saved views: a person keeps the queue's filters as a named tab of their own."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from tickets.filters import canonical_query
from tickets.models import SavedView
from tickets.services.saved_views import MAX_SAVED_VIEWS
from tickets.tests.factories import make_category, make_ticket

pytestmark = pytest.mark.django_db

SAVE = "/tickets/queue/views/"


@pytest.fixture
def web(web):
    """The pages in English (the assertions read the English words)."""

    def login(user):
        User.objects.filter(pk=user.pk).update(language="en")
        user.language = "en"
        return web(user)

    return login


def tabs(html: str) -> list[str]:
    """The saved-view tabs' names as the queue shows them."""
    return [
        " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", name)).split())
        for name in re.findall(r'data-saved-view="\d+"[^>]*>(.*?)</a>', html, re.S)
    ]


def lit(html: str) -> list[str]:
    """The tabs marked as the one shown (``aria-current``)."""
    return re.findall(r'<a class="nav-link active" href="/tickets/queue/\?([^"]*)"', html)


def test_an_engineer_saves_the_filters_as_a_tab_that_comes_back(web, bob, alice):
    # given: bob filters the queue
    make_ticket(requester=alice, title="Printer jams")
    client = web(bob)

    # when: he saves the filters shown (with noise a URL may carry) as a tab
    response = client.post(
        SAVE,
        {"name": "High, unassigned", "query": "unassigned=true&priority=high&page=3&utm=x"},
    )

    # then: the filters are kept in one spelling, and the queue shows them with the tab lit
    view = SavedView.objects.get(owner=bob)
    assert view.name == "High, unassigned"
    assert view.query == "priority=high&unassigned=true"
    assert response.status_code == 302
    assert response["Location"] == "/tickets/queue/?priority=high&unassigned=true"
    page = client.get(response["Location"]).content.decode()
    assert tabs(page) == ["High, unassigned 0"]  # the tab shown carries its count
    assert lit(page) == ["priority=high&amp;unassigned=true"]
    assert "Saved as your tab “High, unassigned”." in page


def test_saved_tabs_are_per_person(web, bob, erin):
    SavedView.objects.create(owner=bob, name="Bob's", query="mine=true", created_at=timezone.now())

    assert tabs(web(bob).get("/tickets/queue/").content.decode()) == ["Bob's"]
    assert tabs(web(erin).get("/tickets/queue/").content.decode()) == []


def test_a_tab_shows_its_count_only_while_it_is_shown(web, bob, alice):
    make_ticket(requester=alice, impact="network", urgency="interrupted")
    make_ticket(requester=alice)
    SavedView.objects.create(
        owner=bob, name="High", query="priority=high", created_at=timezone.now()
    )
    client = web(bob)

    assert tabs(client.get("/tickets/queue/").content.decode()) == ["High"]
    assert tabs(client.get("/tickets/queue/?priority=high").content.decode()) == ["High 1"]


def test_tabs_are_listed_in_the_order_they_were_saved(web, bob):
    client = web(bob)
    for name, query in [("Zeta", "priority=low"), ("Alpha", "priority=high")]:
        client.post(SAVE, {"name": name, "query": query})

    assert tabs(client.get("/tickets/queue/").content.decode()) == ["Zeta", "Alpha"]
    assert list(SavedView.objects.values_list("position", flat=True)) == [0, 1]


def test_rename_and_delete_a_tab(web, bob):
    client = web(bob)
    client.post(SAVE, {"name": "Old", "query": "priority=high"})
    view = SavedView.objects.get(owner=bob)

    renamed = client.post(f"/tickets/queue/views/{view.pk}/rename/", {"name": "  New  "})
    assert renamed.status_code == 302
    assert SavedView.objects.get(pk=view.pk).name == "New"

    deleted = client.post(f"/tickets/queue/views/{view.pk}/delete/")
    assert deleted.status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_someone_elses_tab_does_not_exist_for_you(web, bob, erin):
    view = SavedView.objects.create(
        owner=bob, name="Bob's", query="mine=true", created_at=timezone.now()
    )
    client = web(erin)

    assert (
        client.post(f"/tickets/queue/views/{view.pk}/rename/", {"name": "Mine"}).status_code == 404
    )
    assert client.post(f"/tickets/queue/views/{view.pk}/delete/").status_code == 404
    assert SavedView.objects.get(pk=view.pk).name == "Bob's"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"name": "", "query": "priority=high"}, "This field is required."),
        (
            {"name": "x" * 61, "query": "priority=high"},
            "Ensure this value has at most 60 characters",
        ),
        ({"name": "Taken", "query": "priority=low"}, "You already have a tab with this name."),
        ({"name": "Again", "query": "mine=true&page=2"}, "Your tab “Taken” already shows these"),
        ({"name": "Nothing", "query": "page=2&utm=x"}, "Choose some filters first"),
        ({"name": "Long", "query": "q=" + "字" * 900}, "These filters are too long"),
    ],
)
def test_a_tab_that_cannot_be_kept_is_a_form_error_on_the_queue(web, bob, body, error):
    # given
    SavedView.objects.create(owner=bob, name="Taken", query="mine=true", created_at=timezone.now())

    # when
    response = web(bob).post(SAVE, body)

    # then: the queue with the save form open and the error beside the name
    html = response.content.decode()
    assert response.status_code == 400
    assert error in html
    assert 'class="collapse show" id="save-view"' in html
    assert SavedView.objects.filter(owner=bob).count() == 1


def test_a_rename_to_a_taken_name_is_refused(web, bob):
    now = timezone.now()
    first = SavedView.objects.create(owner=bob, name="One", query="mine=true", created_at=now)
    SavedView.objects.create(owner=bob, name="Two", query="priority=high", created_at=now)

    response = web(bob).post(f"/tickets/queue/views/{first.pk}/rename/", {"name": "Two"})

    assert response.status_code == 400
    assert "You already have a tab with this name." in response.content.decode()
    assert SavedView.objects.get(pk=first.pk).name == "One"


def test_a_person_keeps_at_most_the_limit_of_tabs(web, bob):
    now = timezone.now()
    SavedView.objects.bulk_create(
        SavedView(owner=bob, name=f"Tab {i}", query=f"q={i}", created_at=now)
        for i in range(MAX_SAVED_VIEWS)
    )

    response = web(bob).post(SAVE, {"name": "One more", "query": "priority=high"})

    assert response.status_code == 400
    assert (
        f"You have {MAX_SAVED_VIEWS} tabs already; delete one first." in response.content.decode()
    )


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_requesters_have_no_queue_tabs(request, web, persona):
    user = request.getfixturevalue(persona)

    response = web(user).post(SAVE, {"name": "Mine", "query": "priority=high"})

    assert response.status_code == 403
    assert not SavedView.objects.exists()


def test_a_managers_tabs_work_too(web, dave):
    response = web(dave).post(SAVE, {"name": "Newest high", "query": "sort=newest&priority=high"})

    assert response.status_code == 302
    assert SavedView.objects.get(owner=dave).query == "priority=high&sort=newest"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("priority=high&sort=deadline", "priority=high"),  # the default order says nothing
        ("state=submitted&state=accepted&x=1&page=2", "state=submitted&state=accepted"),
        ("q=%E6%89%93%E5%8D%B0&assignee=&mine=true", "mine=true&q=%E6%89%93%E5%8D%B0"),
    ],
)
def test_filters_are_kept_in_one_spelling(given, kept):
    assert canonical_query(QueryDict(given)) == kept


def test_a_tab_name_is_shown_as_text(web, bob):
    payload = '<img src=x onerror=alert(1)>"'
    SavedView.objects.create(
        owner=bob, name=payload, query="priority=high", created_at=timezone.now()
    )

    html = web(bob).get("/tickets/queue/?priority=high").content.decode()

    assert payload not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&quot;" in html


def test_the_queue_reads_tabs_in_one_query_however_many(web, bob, alice):
    make_category("hardware")
    make_ticket(requester=alice)
    client = web(bob)
    client.get("/tickets/queue/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/tickets/queue/").status_code == 200
        return len(captured)

    one = (
        SavedView.objects.create(owner=bob, name="A", query="q=a", created_at=timezone.now()),
        queries(),
    )[1]
    for i in range(9):
        SavedView.objects.create(owner=bob, name=f"T{i}", query=f"q={i}", created_at=timezone.now())
    assert queries() == one
