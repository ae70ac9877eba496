"""Which ticket an IM thread is about (``OutboundThread``).

The outbound transports call ``remember_thread`` after the desk sends a message about a
ticket, with the provider's id that a reply to it carries as its thread (Slack's ``ts`` of
the thread's first message, Feishu's root message id …); the intake remembers the thread a
ticket was filed from. ``ticket_of_thread`` reads it back when a message comes in.
"""

from __future__ import annotations

from django.utils import timezone

from channels.models import OutboundThread
from tickets.models import Ticket

THREAD_ID_MAX = 128


def remember_thread(provider: str, thread_id: str, ticket: Ticket | int) -> None:
    """Remember that ``thread_id`` is about ``ticket`` (a ticket or its id). Idempotent, and
    the first ticket of a thread stands (insert ON CONFLICT DO NOTHING): a second send into
    the same thread, or a retried task, changes nothing. An empty or over-long id is skipped."""
    if not thread_id or len(thread_id) > THREAD_ID_MAX:
        return
    ticket_id = ticket if isinstance(ticket, int) else ticket.pk
    OutboundThread.objects.bulk_create(
        [
            OutboundThread(
                provider=provider,
                thread_id=thread_id,
                ticket_id=ticket_id,
                created_at=timezone.now(),
            )
        ],
        ignore_conflicts=True,
    )


def ticket_of_thread(provider: str, thread_id: str) -> int | None:
    """The id of the ticket the thread is about, or ``None``."""
    if not thread_id or len(thread_id) > THREAD_ID_MAX:
        return None
    return (
        OutboundThread.objects.filter(provider=provider, thread_id=thread_id)
        .values_list("ticket_id", flat=True)
        .first()
    )
