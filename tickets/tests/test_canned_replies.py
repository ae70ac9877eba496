"""Canned replies: personal and shared, who manages which, placeholders, the page and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tickets.errors import ActionForbidden, TicketNotFound
from tickets.models import CannedReply
from tickets.services import canned
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

API = "/api/v1/canned-replies/"
GREETING = "您好 {requester_name}，工单 {ticket_number}（{ticket_title}）已处理。{engineer_name}"


def shared_reply(tom, title="Password reset", body="Your password was reset, {requester_name}."):
    return canned.create_canned_reply(actor=tom, title=title, body=body, shared=True)


# --- services: who manages what ------------------------------------------------------


def test_engineer_keeps_personal_replies_nobody_else_sees(bob, erin):
    # given
    mine = canned.create_canned_reply(actor=bob, title="Printer", body="Please restart it.")

    # then
    assert mine.owner == bob
    assert mine.created_by == bob
    with pytest.raises(TicketNotFound):
        canned.update_canned_reply(mine.pk, actor=erin, changes={"title": "Hijacked"})
    with pytest.raises(TicketNotFound):
        canned.delete_canned_reply(mine.pk, actor=erin)
    assert CannedReply.objects.get(pk=mine.pk).title == "Printer"


def test_only_tech_leads_write_shared_replies(bob, tom):
    # when / then: an engineer may not share
    with pytest.raises(ActionForbidden):
        canned.create_canned_reply(actor=bob, title="Hi", body="Hello", shared=True)

    # a tech lead may; the engineer uses it but may not change or delete it
    reply = shared_reply(tom)
    assert reply.owner is None
    with pytest.raises(ActionForbidden):
        canned.update_canned_reply(reply.pk, actor=bob, changes={"body": "changed"})
    with pytest.raises(ActionForbidden):
        canned.delete_canned_reply(reply.pk, actor=bob)
    canned.update_canned_reply(reply.pk, actor=tom, changes={"body": "Reset done."})
    assert CannedReply.objects.get(pk=reply.pk).body == "Reset done."


def test_tech_lead_shares_a_personal_reply_and_takes_it_back(tom):
    reply = canned.create_canned_reply(actor=tom, title="VPN", body="Reinstall the client.")

    canned.update_canned_reply(reply.pk, actor=tom, changes={"shared": True})
    assert CannedReply.objects.get(pk=reply.pk).owner is None
    canned.update_canned_reply(reply.pk, actor=tom, changes={"shared": False})
    assert CannedReply.objects.get(pk=reply.pk).owner == tom


def test_engineer_may_not_share_their_own_reply(bob):
    reply = canned.create_canned_reply(actor=bob, title="VPN", body="Reinstall the client.")

    with pytest.raises(ActionForbidden):
        canned.update_canned_reply(reply.pk, actor=bob, changes={"shared": True})
    assert CannedReply.objects.get(pk=reply.pk).owner == bob


def test_requesters_and_managers_have_no_canned_replies(alice, dave):
    for person in (alice, dave):
        with pytest.raises(ActionForbidden):
            canned.create_canned_reply(actor=person, title="x", body="y")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "a" * 101}, "title"),
        ({"title": "two\nlines"}, "title"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 20_001}, "body"),
        ({"body": "nul\x00"}, "body"),
    ],
)
def test_bad_text_is_refused_naming_the_field(bob, changes, field):
    data = {"title": "Fine", "body": "Fine", **changes}

    with pytest.raises(ValidationError) as refused:
        canned.create_canned_reply(actor=bob, **data)

    assert list(refused.value.message_dict) == [field]
    assert not CannedReply.objects.exists()


def test_each_engineer_has_a_bounded_number_of_replies(bob, settings):
    settings.TICKETS_CANNED_PERSONAL_MAX = 2
    for i in range(2):
        canned.create_canned_reply(actor=bob, title=f"r{i}", body="text")

    with pytest.raises(ValidationError) as refused:
        canned.create_canned_reply(actor=bob, title="one more", body="text")
    assert "title" in refused.value.message_dict


# --- placeholders --------------------------------------------------------------------


def test_placeholders_are_filled_for_the_ticket_and_the_engineer(alice, bob):
    ticket = make_ticket(requester=alice, title="打印机卡纸")
    reply = canned.create_canned_reply(actor=bob, title="Done", body=GREETING)

    text = canned.render_canned_reply(reply, ticket=ticket, engineer=bob)

    assert text == f"您好 Alice，工单 {ticket.number}（打印机卡纸）已处理。Bob"


@pytest.mark.parametrize(
    "body",
    [
        "Dear {customer}, see {0} and {{ticket_number}}",
        "unbalanced { brace and } and {requester_name",
        '{"json": true} {ticket_number!r} {ticket_number:>10}',
        "%(requester_name)s ${requester_name}",
    ],
)
def test_unknown_placeholders_are_left_as_typed(alice, bob, body):
    ticket = make_ticket(requester=alice)
    reply = canned.create_canned_reply(actor=bob, title="Odd", body=body)

    text = canned.render_canned_reply(reply, ticket=ticket, engineer=bob)

    expected = body.replace("{{ticket_number}}", "{" + ticket.number + "}")
    expected = expected.replace("${requester_name}", "$Alice")
    assert text == expected


def test_render_endpoint_fills_the_reply_for_that_ticket(web, alice, bob):
    ticket = make_ticket(requester=alice, title="VPN drops")
    reply = canned.create_canned_reply(actor=bob, title="Done", body="Hi {requester_name}, {x}")

    response = web(bob).get(f"/tickets/{ticket.number}/canned/{reply.pk}/")

    assert response.status_code == 200
    assert response.json()["text"] == "Hi Alice, {x}"


def test_render_endpoint_hides_other_peoples_replies_and_refuses_requesters(web, alice, bob, erin):
    ticket = make_ticket(requester=alice)
    reply = canned.create_canned_reply(actor=bob, title="Mine", body="secret text")

    assert web(erin).get(f"/tickets/{ticket.number}/canned/{reply.pk}/").status_code == 404
    assert web(alice).get(f"/tickets/{ticket.number}/canned/{reply.pk}/").status_code == 403
    assert web(bob).get(f"/tickets/IT-00000000-0000/canned/{reply.pk}/").status_code == 404


# --- the pages -----------------------------------------------------------------------


def test_management_page_lists_shared_then_mine_and_explains_placeholders(web, bob, erin, tom):
    shared_reply(tom, title="Shared greeting")
    canned.create_canned_reply(actor=bob, title="Bob's printer text", body="Restart it.")
    canned.create_canned_reply(actor=erin, title="Erin's secret", body="Not for Bob.")

    page = web(bob).get("/tickets/canned-replies/")

    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Shared greeting") < html.index("Bob&#x27;s printer text")
    assert "Erin&#x27;s secret" not in html
    for code in ("{requester_name}", "{ticket_number}", "{ticket_title}", "{engineer_name}"):
        assert code in html
    assert f'href="/tickets/canned-replies/{CannedReply.objects.get(owner=bob).pk}/"' in html
    shared = CannedReply.objects.get(owner=None)
    assert f'href="/tickets/canned-replies/{shared.pk}/"' not in html  # bob may not edit it


def test_management_pages_refuse_requesters_and_managers(web, alice, dave):
    for person in (alice, dave):
        assert web(person).get("/tickets/canned-replies/").status_code == 403
        assert web(person).get("/tickets/canned-replies/new/").status_code == 403


def test_create_edit_and_delete_through_the_pages(web, bob):
    client = web(bob)

    bad = client.post("/tickets/canned-replies/new/", {"title": "", "body": "x"})
    assert bad.status_code == 400
    assert 'name="title" maxlength="100" class="form-control is-invalid"' in bad.content.decode()

    made = client.post("/tickets/canned-replies/new/", {"title": "Toner", "body": "Swap it."})
    assert made.status_code == 302
    reply = CannedReply.objects.get()
    assert reply.owner == bob

    edited = client.post(
        f"/tickets/canned-replies/{reply.pk}/", {"title": "Toner", "body": "Swap the toner."}
    )
    assert edited.status_code == 302
    assert CannedReply.objects.get().body == "Swap the toner."

    gone = client.post(f"/tickets/canned-replies/{reply.pk}/delete/")
    assert gone.status_code == 302
    assert not CannedReply.objects.exists()


def test_engineer_cannot_open_a_shared_reply_for_editing(web, bob, tom):
    reply = shared_reply(tom)

    assert web(bob).get(f"/tickets/canned-replies/{reply.pk}/").status_code == 403
    assert web(bob).post(f"/tickets/canned-replies/{reply.pk}/delete/").status_code == 403
    assert web(tom).get(f"/tickets/canned-replies/{reply.pk}/").status_code == 200


def test_ticket_page_offers_the_picker_to_engineers_only(web, alice, bob, tom):
    ticket = make_ticket(requester=alice)
    shared_reply(tom, title="Shared greeting")

    engineer = web(bob).get(f"/tickets/{ticket.number}/").content.decode()
    requester = web(alice).get(f"/tickets/{ticket.number}/").content.decode()

    assert 'id="canned-select"' in engineer
    assert "Shared greeting" in engineer
    assert "/static/js/canned.js" in engineer
    assert "canned" not in requester


def test_management_page_runs_a_fixed_number_of_queries(
    web, bob, tom, django_assert_max_num_queries
):
    client = web(bob)
    assert client.get("/tickets/canned-replies/").status_code == 200
    for i in range(3):
        canned.create_canned_reply(actor=bob, title=f"mine {i}", body="text")

    with django_assert_max_num_queries(12) as few:
        client.get("/tickets/canned-replies/")
    for i in range(20):
        canned.create_canned_reply(actor=bob, title=f"more {i}", body="text")
        shared_reply(tom, title=f"shared {i}")
    with django_assert_max_num_queries(12) as many:
        page = client.get("/tickets/canned-replies/")

    assert page.content.decode().count("data-reply=") == 43
    assert len(few) == len(many)


# --- the API -------------------------------------------------------------------------


def test_api_lists_what_the_caller_may_use(api, bob, erin, tom):
    shared_reply(tom, title="A shared one")
    canned.create_canned_reply(actor=bob, title="Bob's", body="text")
    canned.create_canned_reply(actor=erin, title="Erin's", body="text")

    response = api(bob).get(API)

    assert response.status_code == 200
    rows = response.json()
    assert [(r["title"], r["shared"], r["can_edit"]) for r in rows] == [
        ("A shared one", True, False),
        ("Bob's", False, True),
    ]
    assert rows[1]["owner"] == "bob"


def test_api_creates_updates_and_deletes(api, bob):
    client = api(bob)

    made = client.post(API, {"title": "Reboot", "body": "Please reboot, {requester_name}."})
    assert made.status_code == 201, made.content
    reply_id = made.json()["id"]
    assert made.json()["shared"] is False

    patched = client.patch(f"{API}{reply_id}/", {"title": "Reboot first"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["title"] == "Reboot first"
    assert client.get(f"{API}{reply_id}/").json()["body"] == "Please reboot, {requester_name}."

    assert client.delete(f"{API}{reply_id}/").status_code == 204
    assert client.get(f"{API}{reply_id}/").status_code == 404


def test_api_shared_replies_are_for_tech_leads(api, bob, tom):
    refused = api(bob).post(API, {"title": "x", "body": "y", "shared": True}, format="json")
    assert refused.status_code == 403

    made = api(tom).post(API, {"title": "x", "body": "y", "shared": True}, format="json")
    assert made.status_code == 201
    reply_id = made.json()["id"]
    assert made.json()["owner"] is None
    assert api(bob).patch(f"{API}{reply_id}/", {"body": "z"}, format="json").status_code == 403
    assert api(bob).delete(f"{API}{reply_id}/").status_code == 403
    assert api(bob).get(f"{API}{reply_id}/").status_code == 200


def test_api_refuses_requesters_and_managers(api, alice, dave):
    for person in (alice, dave):
        assert api(person).get(API).status_code == 403
        assert api(person).post(API, {"title": "x", "body": "y"}).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "text"}, "title"),
        ({"title": "", "body": "text"}, "title"),
        ({"title": "t" * 101, "body": "text"}, "title"),
        ({"title": "two\r\nlines", "body": "text"}, "title"),
        ({"title": ["a"], "body": "text"}, "title"),
        ({"title": "t"}, "body"),
        ({"title": "t", "body": "x" * 20_001}, "body"),
        ({"title": "t", "body": "text", "shared": "banana"}, "shared"),
        ({"title": "t", "body": "text", "shared": None}, "shared"),
    ],
)
def test_api_bad_input_is_a_400_naming_the_field(api, bob, body, field):
    response = api(bob).post(API, body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not CannedReply.objects.exists()


def test_api_patch_bad_input_names_the_field(api, bob):
    reply = canned.create_canned_reply(actor=bob, title="Fine", body="Fine")

    response = api(bob).patch(f"{API}{reply.pk}/", {"body": ""}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["body"]


def test_api_someone_elses_personal_reply_is_not_found(api, bob, erin):
    reply = canned.create_canned_reply(actor=bob, title="Mine", body="text")

    for method in ("get", "patch", "delete"):
        assert getattr(api(erin), method)(f"{API}{reply.pk}/").status_code == 404
    assert api(erin).get(f"{API}99999999999999/").status_code == 404


def test_api_list_runs_a_fixed_number_of_queries(api, bob, tom, django_assert_max_num_queries):
    client = api(bob)
    assert client.get(API).status_code == 200
    canned.create_canned_reply(actor=bob, title="one", body="text")

    with django_assert_max_num_queries(6) as few:
        assert len(client.get(API).json()) == 1
    for i in range(15):
        canned.create_canned_reply(actor=bob, title=f"more {i}", body="text")
        shared_reply(tom, title=f"shared {i}")
    with django_assert_max_num_queries(6) as many:
        assert len(client.get(API).json()) == 31

    assert len(few) == len(many)


def test_updated_at_moves_on_change(bob, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    reply = canned.create_canned_reply(actor=bob, title="t", body="b")
    first = reply.updated_at

    time_machine.shift(60)
    canned.update_canned_reply(reply.pk, actor=bob, changes={"body": "c"})

    assert CannedReply.objects.get(pk=reply.pk).updated_at > first
    assert CannedReply.objects.get(pk=reply.pk).created_at == first
