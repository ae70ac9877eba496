"""The desk's answers to mail, sent after the intake's commit (``channels.send_email_answer``).

To whom: a known sender's answer goes to the address of their account (not to whatever
the From header said); an unknown sender's explanation to the From address, and only

* at most once a day per address (a spammer's or a forger's address is not mailed twice),
* when the address's domain is one of the desk's people's (mail from outside the company
  is not answered: that would be backscatter to forged senders).

And at most ``ANSWERS_PER_HOUR`` answers per address an hour whatever they are (an
auto-responder that sends none of the headers ``loops`` knows cannot start a loop).

How: plain text, ``Auto-Submitted: auto-replied`` (RFC 3834) and
``X-Auto-Response-Suppress: All`` (so Exchange sends no out-of-office back), a Message-ID
of the desk's own (``ours``), In-Reply-To/References the mail answered; an answer about a
ticket carries the reply token of the ticket and its reader, in the Reply-To address
(``reply_tokens.reply_address``, with ``EMAIL_PLUS_ADDRESSING``) and the subject
(``[ref:<token>]``), so a reply lands on the ticket. A broker that is down loses the
answer (logged), never the intake.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction

from accounts.models import User
from channels.email import decode, ours
from channels.email.parse import Mail
from channels.intake import Delivery
from channels.intake.core import Done
from notifications import reply_tokens
from tickets.models import Ticket

log = logging.getLogger(__name__)

ANSWERS_PER_HOUR = 10
EXPLAIN_EVERY = 24 * 60 * 60  # seconds between two explanations to one unknown address
_REFERENCES_KEPT = 10


def queue(mail: Mail, delivery: Delivery, done: Done) -> None:
    """Mail ``done.answer`` to the sender once the transaction commits (see the module's
    docstring for to whom, and when not)."""
    answer = done.answer
    if answer is None or not answer.text:
        return
    if done.user is not None:
        to = done.user.email
    elif _may_explain(mail.sender):
        to = mail.sender
    else:
        log.info("no explanation mailed to %s", mail.sender)
        return
    if not to or not _within_hourly_limit(to):
        log.warning("answer to %s not sent: no address, or %d this hour", to, ANSWERS_PER_HOUR)
        return
    number, token = "", ""
    if answer.ticket_id is not None:
        number = _number(done, answer.ticket_id)
        if done.user is not None:
            token = reply_tokens.make(answer.ticket_id, done.user.pk)
    message = {
        "to": to,
        "subject": subject(mail.subject, number=number, token=token),
        "body": answer.text,
        "in_reply_to": mail.message_id,
        "references": [*mail.references[-_REFERENCES_KEPT:], mail.message_id],
        "token": token,
    }
    transaction.on_commit(lambda: _send(message))


def subject(original: str, *, number: str = "", token: str = "") -> str:
    """ "Re: <the mail's subject>", with the ticket's number and the reference; one line."""
    words = decode.one_line(original)
    if words and not words.lower().startswith(("re:", "回复:", "回复：", "答复:", "答复：")):
        words = f"Re: {words}"
    if number and number not in words:
        words = f"[{number}] {words}".strip()
    if token and f"ref:{token}" not in words.lower():
        words = f"{words} [ref:{token}]".strip()
    return words or "Re:"


def _number(done: Done, ticket_id: int) -> str:
    if done.ticket is not None and done.ticket.pk == ticket_id:
        return done.ticket.number
    return Ticket.objects.filter(pk=ticket_id).values_list("number", flat=True).first() or ""


def _address_key(kind: str, address: str) -> str:
    return f"channels:email:{kind}:{hashlib.sha256(address.lower().encode()).hexdigest()}"


def _may_explain(address: str) -> bool:
    """Once a day per address, and only to a domain the desk's people have addresses at."""
    domain = address.rpartition("@")[2]
    if not domain:
        return False
    colleagues = User.objects.filter(is_active=True, email__iendswith=f"@{domain}")
    if not colleagues.exists():
        return False
    return bool(cache.add(_address_key("explained", address), 1, timeout=EXPLAIN_EVERY))


def _within_hourly_limit(address: str) -> bool:
    key = _address_key("answers", address)
    if cache.add(key, 1, timeout=60 * 60):
        return True
    try:
        return int(cache.incr(key)) <= ANSWERS_PER_HOUR
    except ValueError:  # the hour ended between the two calls: a fresh count
        return True


def _send(message: dict[str, Any]) -> None:
    # Queued by name (``channels.tasks.send_email_answer``), as channels.replies does: the
    # task module imports this one.
    try:
        current_app.send_task("channels.send_email_answer", kwargs=message)
    except Exception:  # broker unreachable: the answer is lost, the intake stands
        log.warning("could not queue an e-mail answer to %s", message["to"])


def send(
    *,
    to: str,
    subject: str,
    body: str,
    in_reply_to: str = "",
    references: list[str] | None = None,
    token: str = "",
) -> None:
    """Send one answer now (the task's work; see the module's docstring)."""
    headers = {
        "Message-ID": ours.new_message_id(),
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
    }
    ids = [found for found in (references or []) if _is_message_id(found)]
    if in_reply_to and _is_message_id(in_reply_to):
        headers["In-Reply-To"] = f"<{in_reply_to}>"
    if ids:
        headers["References"] = " ".join(f"<{found}>" for found in ids)
    # Without plus addressing (EMAIL_PLUS_ADDRESSING off) the subject's reference alone
    # threads the reply, sent to the From address.
    plus_address = bool(token) and settings.EMAIL_PLUS_ADDRESSING
    message = EmailMessage(
        subject=decode.one_line(subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
        reply_to=[reply_tokens.reply_address(token)] if plus_address else None,
    )
    message.send()


def _is_message_id(value: str) -> bool:
    return bool(value) and "@" in value and not any(ch.isspace() or ch in "<>" for ch in value)
