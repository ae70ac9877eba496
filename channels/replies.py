"""Answers to IM senders, queued for after the intake's commit (owned by the core feature;
sent by the outbound feature's ``channels.tasks.send_reply``).

``queue_reply(delivery, text)``: on commit, ``send_reply.delay(provider, to, text, thread)``,
where ``to`` is the conversation the message came from (``delivery.chat``) or, for a direct
message without one, the sender. A rolled-back intake sends nothing; a broker that is down
loses the answer (logged), never the intake: the provider was already answered, and a retry
of the same event is a duplicate that changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from channels.intake import Delivery

log = logging.getLogger(__name__)


def queue_reply(
    delivery: Delivery, text: str, *, ticket_id: int | None = None, private: bool = False
) -> None:
    """Answer the sender of ``delivery`` once the current transaction commits.

    ``private``: to the sender alone (a direct message), even when they wrote in a group —
    for what the group should not read (a ticket's state, a link that links an account).
    ``ticket_id``: the ticket the answer is about; the transport remembers the thread it
    sends into (``channels.threads.remember_thread``), so a reply there lands on the ticket.
    """
    if not text:
        return
    to = delivery.sender if private else (delivery.chat or delivery.sender)
    if not to:
        return
    kwargs: dict[str, Any] = {
        "to": to,
        "text": text,
        "thread": "" if private and delivery.is_group else delivery.thread,
    }
    if ticket_id is not None:
        kwargs["ticket_id"] = ticket_id
    provider = delivery.provider
    transaction.on_commit(lambda: _send(provider, kwargs))


def _send(provider: str, kwargs: dict[str, Any]) -> None:
    # Queued by name (``channels.tasks.send_reply``): the task module imports the e-mail
    # intake, which imports the commands that answer through here.
    try:
        current_app.send_task("channels.send_reply", args=(provider,), kwargs=kwargs)
    except Exception:  # broker unreachable: the answer is lost, the intake stands
        log.warning("could not queue an IM answer (%s to %s)", provider, kwargs["to"])


def when_text(moment: dt.datetime) -> str:
    """A time as the web form's promise reads: "14:35" today, else "2026-11-27 09:30", in
    the active time zone (the reader's, set by the intake)."""
    local = timezone.localtime(moment)
    today = timezone.localdate()
    return dateformat.format(local, "H:i" if local.date() == today else "Y-m-d H:i")


def ticket_link(number: str) -> str:
    """The ticket's page, absolute (``SITE_URL``, as e-mails build links)."""
    path = reverse("tickets:detail", kwargs={"number": number})
    return settings.SITE_URL.rstrip("/") + path


def profile_link(query: str = "") -> str:
    """The profile page (where people link their IM accounts), absolute."""
    path = reverse("accounts:profile")
    return settings.SITE_URL.rstrip("/") + path + (f"?{query}" if query else "")
