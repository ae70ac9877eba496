"""A request that fails after writing its notification rows rolls them back and publishes no
task: nothing on the broker points at a row that does not exist.

The failure is injected right after the notification rows are written (inside the
transaction); ``django_capture_on_commit_callbacks(execute=True)`` runs whatever was left
for "after commit", and Celery's ``send_task`` is replaced by a recorder, so a task that
was published anyway would be seen. Each case first runs without the failure (in a
savepoint), to show that it does publish then: the check cannot pass by accident.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from notifications import outbox
from notifications import tasks as notification_tasks
from notifications.models import Notification
from servicedesk.celery import app as celery_app
from tests.reliability.due import due_tickets
from tickets import obligations as sweep
from tickets.choices import TicketState
from tickets.models import Message, SlaEvent, Ticket, TicketEvent
from tickets.tests.factories import make_category, make_ticket, make_ticket_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


class Injected(RuntimeError):
    """The failure after the notification rows were written."""


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, Any]]:
    sent: list[tuple[str, Any]] = []

    def record(name: str, args: Any = None, kwargs: Any = None, **options: Any) -> None:
        sent.append((name, args))

    monkeypatch.setattr(celery_app, "send_task", record)
    # A broker failure remembered from an earlier test would skip the publish altogether.
    monkeypatch.setattr(notification_tasks, "_broker_failed_at", None, raising=False)
    return sent


@pytest.fixture
def fail_after_writing(monkeypatch) -> Callable[[], list[int]]:
    """``fail_after_writing()`` arms the failure; returns the row counts seen at that moment."""
    seen: list[int] = []

    def arm() -> list[int]:
        original = outbox.save_and_dispatch

        def write_then_fail(rows: Any) -> None:
            original(rows)
            seen.append(Notification.objects.count())
            raise Injected("failed after writing the notification rows")

        monkeypatch.setattr(outbox, "save_and_dispatch", write_then_fail)
        return seen

    return arm


def _counts() -> tuple[int, ...]:
    return (
        Notification.objects.count(),
        Message.objects.count(),
        TicketEvent.objects.count(),
        SlaEvent.objects.count(),
        Ticket.objects.count(),
    )


def _token_client(user: Any) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _web(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _actions(ctx: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    ticket, accepted = ctx["submitted"], ctx["accepted"]
    category = ctx["category"].slug
    return {
        "api-reply": lambda: _token_client(ctx["bob"]).post(
            f"/api/v1/tickets/{accepted.number}/messages/", {"body": "On my way"}, format="json"
        ),
        "page-accept": lambda: _web(ctx["bob"]).post(f"/tickets/{ticket.number}/accept/"),
        "api-high-priority-ticket": lambda: _token_client(ctx["alice"]).post(
            "/api/v1/tickets/",
            {
                "title": "Whole office offline",
                "description": "No network on any floor",
                "category": category,
                "impact": "network",
                "urgency": "interrupted",
            },
            format="json",
        ),
        "sla-sweep": lambda: sweep.sweep_sla(),
    }


@pytest.fixture
def ctx(alice, bob, erin, tom):
    category = make_category()
    due_tickets(alice, 5, lambda i: timezone.now() - dt.timedelta(hours=1))
    return {
        "alice": alice,
        "bob": bob,
        "category": category,
        "submitted": make_ticket(requester=alice, category=category),
        "accepted": make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob),
    }


def _answer(result: Any) -> int | None:
    return getattr(result, "status_code", None)


@pytest.mark.parametrize(
    "action", ["api-reply", "page-accept", "api-high-priority-ticket", "sla-sweep"]
)
def test_rolled_back_write_publishes_no_task(
    ctx, action, published, fail_after_writing, django_capture_on_commit_callbacks
):
    # given: without the failure, the same action publishes a task for rows that exist
    run = _actions(ctx)[action]
    sid = transaction.savepoint()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        control = run()
    assert _answer(control) in (None, 200, 201, 302), control
    assert callbacks, "the action left nothing for after commit: a broken test"
    assert published, "the action published no task: a broken test"
    for _name, args in published:
        ids = args[0]
        assert Notification.objects.filter(pk__in=ids).count() == len(ids)
    transaction.savepoint_rollback(sid)
    published.clear()
    before = _counts()
    seen = fail_after_writing()

    # when: it fails right after writing its notification rows
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        if action == "sla-sweep":
            with pytest.raises(Injected):
                run()
        else:
            response = run()
            assert response.status_code == 500

    # then: the rows existed for a moment, and are gone with everything else; nothing sent
    assert seen and seen[0] > before[0]
    assert _counts() == before
    assert callbacks == []
    assert published == []
