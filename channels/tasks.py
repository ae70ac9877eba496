"""Celery tasks of the outbound side (thin adapters).

* ``channels.send_reply``: the intake's answer to a sender (``channels.replies``), through
  the provider's ``send_text``; network failures and rate limits are retried with
  back-off (at most ``REPLY_MAX_RETRIES`` times), anything else is logged. It never
  raises into the intake (it runs after the intake's commit, in a worker).
* ``channels.send_robot_posts`` / ``channels.dispatch_robot_posts``: the group robots'
  posts after commit, and every minute whatever was left behind.
* ``channels.send_email_answer``: the e-mail intake's answer to a sender
  (``channels.email.answers``), retried with the same back-off when the mail server fails.
* ``channels.poll_imap``: the unseen mail of ``IMAP_URL``'s mailbox (beat, every
  ``IMAP_POLL_SECONDS``; nothing when it is empty), ``channels.email.imap``.

The people's direct messages are the outbox's rows (``notifications.tasks``): their
transports are registered by ``channels.apps``.
"""

from __future__ import annotations

import importlib
import logging
import smtplib
from typing import Any

from celery import shared_task

from channels import robots
from channels.choices import Provider
from channels.email import answers as email_answers
from channels.email import imap
from channels.purge import purge_inbound as purge_inbound  # the intake's beat task, found here
from channels.threads import remember_thread
from channels.transports.common import ProviderError
from notifications.transports import RetryLater, Undeliverable

log = logging.getLogger(__name__)

REPLY_MAX_RETRIES = 5
REPLY_FIRST_WAIT = 10  # seconds; doubled per retry (10, 20, 40, 80, 160)


def provider_transport(provider: str) -> Any:
    """The provider's transport module (``channels/<provider>/transport.py``)."""
    if provider not in Provider.values:
        raise LookupError(f"unknown provider {provider!r}")
    return importlib.import_module(f"channels.{provider}.transport")


@shared_task(
    bind=True,
    name="channels.send_reply",
    max_retries=REPLY_MAX_RETRIES,
    soft_time_limit=60,
    time_limit=90,
)
def send_reply(
    self: Any,
    provider: str,
    to: str,
    text: str,
    thread: str = "",
    ticket_id: int | None = None,
) -> str:
    """Send ``text`` to ``to`` (a person or a conversation) on ``provider``, in ``thread``
    when given; with ``ticket_id``, remember the thread so a reply there lands on it.
    Returns the provider's message id ("" when it failed for good)."""
    try:
        transport = provider_transport(provider)
        if not transport.is_configured():
            log.warning("no %s credentials: answer to %s not sent", provider, to)
            return ""
        message_id = str(transport.send_text(to, text, thread) or "")
    except (ProviderError, RetryLater) as exc:
        if self.request.retries >= REPLY_MAX_RETRIES:
            log.warning("IM answer on %s to %s given up: %s", provider, to, exc)
            return ""
        wait = REPLY_FIRST_WAIT * 2**self.request.retries
        if isinstance(exc, RetryLater):
            wait = max(wait, int(exc.after))
        raise self.retry(exc=exc, countdown=wait) from exc
    except (Undeliverable, LookupError) as exc:
        log.warning("IM answer on %s to %s not deliverable: %s", provider, to, exc)
        return ""
    except Exception:
        log.exception("IM answer on %s to %s failed", provider, to)
        return ""
    if ticket_id is not None:
        try:
            remember = thread or message_id
            if remember:
                remember_thread(provider, remember, ticket_id)
        except Exception:
            log.exception("could not remember the %s thread of ticket %s", provider, ticket_id)
    return message_id


@shared_task(name="channels.send_robot_posts", soft_time_limit=120, time_limit=150)
def send_robot_posts(ids: list[int]) -> int:
    """Post these robot messages; posts already sent or claimed are skipped."""
    return sum(1 for post_id in ids if robots.send_post(post_id))


@shared_task(name="channels.dispatch_robot_posts", soft_time_limit=120, time_limit=150)
def dispatch_robot_posts() -> int:
    """What a lost task, a broker outage or a rate limit left behind (beat: every minute);
    also rewrites the cached kinds robots post."""
    robots.refresh_kinds()
    return sum(1 for post_id in robots.pending_ids() if robots.send_post(post_id))


@shared_task(
    bind=True,
    name="channels.send_email_answer",
    max_retries=REPLY_MAX_RETRIES,
    soft_time_limit=60,
    time_limit=90,
)
def send_email_answer(
    self: Any,
    to: str,
    subject: str,
    body: str,
    in_reply_to: str = "",
    references: list[str] | None = None,
    token: str = "",
) -> bool:
    """Send one answer (``channels.email.answers.send``); True when the server took it."""
    try:
        email_answers.send(
            to=to,
            subject=subject,
            body=body,
            in_reply_to=in_reply_to,
            references=references,
            token=token,
        )
    except smtplib.SMTPRecipientsRefused as exc:
        log.warning("e-mail answer to %s refused: %s", to, exc)
        return False
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.retries >= REPLY_MAX_RETRIES:
            log.warning("e-mail answer to %s given up: %s", to, exc)
            return False
        raise self.retry(exc=exc, countdown=REPLY_FIRST_WAIT * 2**self.request.retries) from exc
    return True


@shared_task(
    name="channels.poll_imap", soft_time_limit=imap.LOCK_SECONDS, time_limit=imap.LOCK_SECONDS + 30
)
def poll_imap() -> int:
    return imap.poll_configured()
