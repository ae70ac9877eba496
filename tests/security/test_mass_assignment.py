"""Mass assignment: read-only fields sent to any writable endpoint or form change nothing.

Each endpoint is called twice with the clock frozen: once with its legitimate body (inside a
savepoint that is then rolled back) and once with the same body plus every read-only field
of the ticket and of the user (state, requester, assignee, priority, number, channel, the
SLA columns, role, groups, is_staff, is_superuser …). The second call must answer the same
and leave the database exactly as the first did: the extra fields were ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from notifications.models import Notification
from tickets.choices import TicketState as S
from tickets.models import Attachment, Message, Ticket, TicketEvent
from tickets.tests.factories import DIAGNOSIS, make_category, make_ticket, move_to

pytestmark = pytest.mark.django_db

FROZEN = dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.UTC)  # a Tuesday, working hours
LATER = "2099-01-01T00:00:00Z"
EARLIER = "2001-01-01T00:00:00Z"

# What nobody may set through a body or a form. Values are the attacker's wishes.
TICKET_FIELDS: dict[str, Any] = {
    "state": "closed",
    "closed_as": "completed",
    "number": "IT-19990101-9999",
    "channel": "email",
    "priority": "low",
    "priority_reason": "because I say so",
    "waiting_on": "vendor",
    "reopen_count": 42,
    "cancel_reason": "injected",
    "verification_note": "injected",
    "solution": "injected",
    "response_due_at": LATER,
    "response_warn_at": LATER,
    "response_breached_at": EARLIER,
    "resolution_due_at": LATER,
    "resolution_warn_at": LATER,
    "resolution_breached_at": EARLIER,
    "sla_paused_at": EARLIER,
    "held_seconds": 999_999,
    "sla_next_check_at": LATER,
    "next_due_at": LATER,
    "submitted_at": EARLIER,
    "accepted_at": EARLIER,
    "closed_at": EARLIER,
    "last_activity_at": EARLIER,
    "id": 1,
    "pk": 1,
}
USER_FIELDS: dict[str, Any] = {
    "is_staff": True,
    "is_superuser": True,
    "is_active": True,
    "role": "admin",
    "groups": ["admin", "tech_lead"],
    "user_permissions": ["tickets.view_all_tickets"],
    "username": "root",
    "email": "attacker@example.com",
    "language": "en",
}


def _people_fields(ctx: dict[str, Any], as_form: bool) -> dict[str, Any]:
    """Foreign keys an attacker would like to point elsewhere (by username, or pk in forms)."""

    def ref(user: User) -> Any:
        return str(user.pk) if as_form else user.username

    return {
        "requester": ref(ctx["carol"]),
        "reported_by": ref(ctx["carol"]),
        "assignee": ref(ctx["erin"]),
        "author": ref(ctx["carol"]),
        "uploaded_by": ref(ctx["carol"]),
        "site": "1",
        "category": ctx["other_category"].slug if not as_form else str(ctx["other_category"].pk),
    }


def _extras(
    ctx: dict[str, Any], legit: dict[str, Any], as_form: bool, takes: frozenset[str] = frozenset()
) -> dict[str, Any]:
    extras = {**TICKET_FIELDS, **USER_FIELDS, **_people_fields(ctx, as_form)}
    extras = {k: v for k, v in extras.items() if k not in takes}
    if as_form:
        extras = {k: v if isinstance(v, list) else str(v) for k, v in extras.items()}
    # Fields this endpoint legitimately takes keep their legitimate value.
    return {**extras, **legit}


# --- the database, as far as a request could have changed it ---------------------------------


def _state() -> dict[str, Any]:
    """Everything a write could touch, keyed by stable values (ticket numbers, usernames)."""
    skip = {"id"}
    tickets = {
        t.number: {f.attname: getattr(t, f.attname) for f in Ticket._meta.concrete_fields}
        for t in Ticket.objects.all()
    }
    for row in tickets.values():
        for key in skip:
            row.pop(key, None)
    return {
        "tickets": tickets,
        "events": sorted(
            (e.ticket.number, e.kind, e.actor_id, e.from_state, e.to_state, str(e.data), e.at)
            for e in TicketEvent.objects.select_related("ticket")
        ),
        "messages": sorted(
            (m.ticket.number, m.kind, m.author_id, m.body)
            for m in Message.objects.select_related("ticket")
        ),
        "attachments": sorted(
            (a.ticket.number, a.original_name, a.uploaded_by_id, a.is_internal, a.size)
            for a in Attachment.objects.select_related("ticket")
        ),
        "notifications": sorted(
            (n.recipient_id, n.kind, n.channel) for n in Notification.objects.all()
        ),
        "users": sorted(
            (
                u.username,
                u.email,
                u.is_staff,
                u.is_superuser,
                u.is_active,
                u.language,
                tuple(sorted(u.groups.values_list("name", flat=True))),
                tuple(sorted(u.user_permissions.values_list("codename", flat=True))),
            )
            for u in User.objects.all()
        ),
    }


def _same_as_legit(send: Callable[[bool], Any]) -> None:
    """``send(with_extras)`` twice: the extras must change neither the answer nor the data."""
    sid = transaction.savepoint()
    legit = send(False)
    expected = _state()
    transaction.savepoint_rollback(sid)
    before = _state()

    attacked = send(True)

    assert legit.status_code < 400, (legit.status_code, legit.content[:500])
    assert expected != before, "the legitimate request changed nothing: a broken test"
    assert attacked.status_code == legit.status_code, attacked.content[:500]
    after = _state()
    differences = {key: (after[key], expected[key]) for key in after if after[key] != expected[key]}
    assert not differences, differences


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def ctx(alice, carol, bob, erin, tom):
    with time_machine.travel(FROZEN, tick=False):
        yield {
            "owner": alice,
            "carol": carol,
            "engineer": bob,
            "erin": erin,
            "lead": tom,
            "category": make_category(),
            "other_category": make_category("network-wifi"),
        }


def _ticket_in(ctx: dict[str, Any], state: str) -> Ticket:
    ticket = make_ticket(requester=ctx["owner"], category=ctx["category"])
    return move_to(ticket, state, engineer=ctx["engineer"])


def _api(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return client


# --- API -----------------------------------------------------------------------------------------

NEW_TICKET = {
    "title": "Monitor flickers",
    "description": "The screen flickers every few seconds.",
    "impact": "single",
    "urgency": "abnormal",
}

# Parameters an endpoint takes from some people only (refused, not ignored, for the others);
# tested on their own below.
TAKES = {
    ("post", ""): frozenset({"requester"}),
    ("post", "accept/"): frozenset({"assignee"}),
    ("post", "assign/"): frozenset({"assignee"}),
}

API_WRITES = [
    # (actor, state of alice's ticket or None to create, method, suffix, legit body)
    ("owner", None, "post", "", {**NEW_TICKET}),
    ("engineer", None, "post", "", {**NEW_TICKET, "requester": "alice"}),
    ("owner", S.SUBMITTED, "patch", "", {"title": "Monitor flickers badly"}),
    ("engineer", S.ACCEPTED, "patch", "", {"scenario": "while on a video call"}),
    ("engineer", S.SUBMITTED, "post", "accept/", {}),
    ("engineer", S.ACCEPTED, "post", "diagnose/", DIAGNOSIS),
    ("engineer", S.DIAGNOSED, "post", "resolve/", {"solution": "Replaced the cable"}),
    ("owner", S.RESOLVED, "post", "verify/", {"verification_note": "Works"}),
    ("owner", S.RESOLVED, "post", "reject_fix/", {"reason": "Still flickers"}),
    ("engineer", S.VERIFIED, "post", "close/", {}),
    ("owner", S.SUBMITTED, "post", "cancel/", {"reason": "Solved itself"}),
    ("engineer", S.ACCEPTED, "post", "request_info/", {"question": "Which monitor?"}),
    ("engineer", S.SUBMITTED, "post", "priority/", {"priority": "high", "reason": "CEO"}),
    ("owner", S.ACCEPTED, "post", "messages/", {"body": "Any news?"}),
    ("lead", S.SUBMITTED, "post", "assign/", {"assignee": "erin", "reason": "Erin is free"}),
]


@pytest.mark.parametrize(
    ("actor", "state", "method", "suffix", "legit"),
    API_WRITES,
    ids=[f"{a}-{m}-{s or 'ticket'}" for a, _st, m, s, _b in API_WRITES],
)
def test_api_write_ignores_read_only_fields(ctx, actor, state, method, suffix, legit):
    # given
    legit = {**legit, "category": ctx["category"].slug} if state is None else legit
    url = "/api/v1/tickets/"
    if state is not None:
        url += f"{_ticket_in(ctx, state).number}/{suffix}"
    client = _api(ctx[actor])

    def send(with_extras: bool) -> Any:
        takes = TAKES.get((method, suffix), frozenset())
        body = _extras(ctx, legit, as_form=False, takes=takes) if with_extras else legit
        return getattr(client, method)(url, body, format="json")

    # when / then
    _same_as_legit(send)


def test_api_upload_ignores_read_only_fields(ctx):
    # given
    ticket = _ticket_in(ctx, S.ACCEPTED)
    client = _api(ctx["owner"])
    url = f"/api/v1/tickets/{ticket.number}/attachments/"

    def send(with_extras: bool) -> Any:
        body: dict[str, Any] = {"file": SimpleUploadedFile("log.txt", b"line 1\n")}
        if with_extras:
            body.update(_extras(ctx, {}, as_form=True) | {"is_internal": "true"})
        return client.post(url, body, format="multipart")

    # when / then
    _same_as_legit(send)


# --- pages ------------------------------------------------------------------------------------


def _ticket_form(ctx: dict[str, Any]) -> dict[str, Any]:
    return {**NEW_TICKET, "category": str(ctx["category"].pk)}


PAGE_WRITES = [
    # (actor, state or None, path suffix, legit form)
    ("owner", None, "new/", _ticket_form),
    ("engineer", None, "call/", lambda c: {**_ticket_form(c), "requester": str(c["owner"].pk)}),
    ("engineer", S.SUBMITTED, "accept/", lambda c: {}),
    ("engineer", S.ACCEPTED, "diagnose/", lambda c: DIAGNOSIS),
    ("engineer", S.DIAGNOSED, "resolve/", lambda c: {"solution": "Replaced the cable"}),
    ("owner", S.RESOLVED, "verify/", lambda c: {"verification_note": "Works"}),
    ("owner", S.RESOLVED, "reject/", lambda c: {"reason": "Still flickers"}),
    ("engineer", S.VERIFIED, "close/", lambda c: {}),
    ("owner", S.SUBMITTED, "cancel/", lambda c: {"reason": "Solved itself"}),
    ("engineer", S.ACCEPTED, "request-info/", lambda c: {"question": "Which monitor?"}),
    ("owner", S.ACCEPTED, "reply/", lambda c: {"body": "Any news?"}),
    ("engineer", S.SUBMITTED, "priority/", lambda c: {"priority": "high", "reason": "CEO"}),
    (
        "lead",
        S.ACCEPTED,
        "assign/",
        lambda c: {"assignee": str(c["erin"].pk), "reason": "Erin knows monitors"},
    ),
]


@pytest.mark.parametrize(
    ("actor", "state", "suffix", "legit"),
    PAGE_WRITES,
    ids=[f"{a}-{s.rstrip('/')}" for a, _st, s, _f in PAGE_WRITES],
)
def test_page_form_ignores_read_only_fields(ctx, web, actor, state, suffix, legit):
    # given
    number = _ticket_in(ctx, state).number + "/" if state is not None else ""
    url = f"/tickets/{number}{suffix}"
    client = web(ctx[actor])
    form = legit(ctx)

    def send(with_extras: bool) -> Any:
        return client.post(url, _extras(ctx, form, as_form=True) if with_extras else form)

    # when / then
    _same_as_legit(send)


def test_language_form_changes_only_the_language(ctx, web):
    # given
    client = web(ctx["owner"])

    def send(with_extras: bool) -> Any:
        form = {"language": "en", "next": "/tickets/mine/"}
        return client.post("/accounts/language/", _extras(ctx, form, True) if with_extras else form)

    # when / then
    _same_as_legit(send)


# --- the fields that are writable only for some people -----------------------------------------


def test_requester_cannot_file_for_someone_else(ctx):
    # given
    before = _state()

    # when
    response = _api(ctx["owner"]).post(
        "/api/v1/tickets/",
        {**NEW_TICKET, "category": ctx["category"].slug, "requester": "carol"},
        format="json",
    )

    # then
    assert response.status_code == 403
    assert _state() == before


def test_requester_cannot_name_an_assignee_and_engineer_cannot_name_another(ctx):
    # given
    ticket = _ticket_in(ctx, S.SUBMITTED)
    url = f"/api/v1/tickets/{ticket.number}/accept/"
    before = _state()

    # when
    as_requester = _api(ctx["owner"]).post(url, {"assignee": "bob"}, format="json")
    as_engineer = _api(ctx["engineer"]).post(url, {"assignee": "erin"}, format="json")

    # then
    assert as_requester.status_code == 403
    assert as_engineer.status_code == 403
    assert _state() == before


@pytest.mark.parametrize("via", ["api", "page"])
def test_priority_does_not_change_without_a_reason(ctx, web, via):
    # given
    ticket = _ticket_in(ctx, S.ACCEPTED)
    before = _state()

    # when
    if via == "api":
        response = _api(ctx["engineer"]).post(
            f"/api/v1/tickets/{ticket.number}/priority/", {"priority": "low"}, format="json"
        )
    else:
        response = web(ctx["engineer"]).post(
            f"/tickets/{ticket.number}/priority/", {"priority": "low", "reason": "  "}
        )

    # then
    assert response.status_code == 400
    assert "reason" in response.content.decode()
    assert _state() == before


def test_patch_with_only_read_only_fields_changes_nothing(ctx):
    # given
    ticket = _ticket_in(ctx, S.ACCEPTED)
    before = _state()

    # when
    response = _api(ctx["owner"]).patch(
        f"/api/v1/tickets/{ticket.number}/",
        _extras(ctx, {}, as_form=False),
        format="json",
    )

    # then
    assert response.status_code == 200
    assert response.json()["state"] == "accepted"
    assert response.json()["priority"] == "medium"
    assert _state() == before
