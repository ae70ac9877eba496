"""Calling a provider: ``channels.http`` plus the back-off and the errors the outbox knows.

``post``/``get`` check the target's back-off first, turn HTTP 429 into ``RetryLater``,
a refused target into ``Undeliverable`` (no retry makes a private address public), and
any other failure into ``ProviderError`` (the outbox retries it). Each transport reads
its provider's answer for its own rate-limit and error codes.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from channels import http
from channels.models import OutboundThread
from channels.threads import THREAD_ID_MAX
from channels.transports import limits
from notifications.transports import Undeliverable
from tickets.models import Ticket


class ProviderError(Exception):
    """The provider refused or failed the call (worth retrying later)."""


def _call(target: str, do: Any) -> http.Response:
    limits.check(target)
    try:
        response: http.Response = do()
    except http.HTTPError as exc:
        if exc.status == 429:
            raise limits.hit(target, exc.retry_after) from exc
        raise ProviderError(f"{target}: HTTP {exc.status}") from exc
    except http.Refused as exc:
        raise Undeliverable(f"{target}: {exc}") from exc
    except http.NetworkError as exc:
        raise ProviderError(f"{target}: {exc}") from exc
    return response


def post(
    target: str, url: str, body: Any, *, headers: dict[str, str] | None = None
) -> http.Response:
    return _call(target, lambda: http.post_json(url, body, headers=headers))


def get(target: str, url: str, *, headers: dict[str, str] | None = None) -> http.Response:
    return _call(target, lambda: http.get(url, headers=headers))


def remember_ticket_threads(provider: str, sent: list[tuple[str, str]]) -> None:
    """After messages about tickets, a reply in their threads lands on the ticket: (ticket
    number, thread id) pairs; numbers that are no ticket's (an incident's ``MI-…``) are
    skipped. Two queries at most, however many messages."""
    wanted = [(number, thread) for number, thread in sent if number and thread]
    if not wanted:
        return
    tickets = dict(
        Ticket.objects.filter(number__in={number for number, _thread in wanted}).values_list(
            "number", "pk"
        )
    )
    now = timezone.now()
    rows = [
        OutboundThread(
            provider=provider, thread_id=thread, ticket_id=tickets[number], created_at=now
        )
        for number, thread in wanted
        if number in tickets and len(thread) <= THREAD_ID_MAX
    ]
    if rows:  # the first ticket of a thread stands (``channels.threads``)
        OutboundThread.objects.bulk_create(rows, ignore_conflicts=True)
