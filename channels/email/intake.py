"""One e-mail → a ticket, a reply on one, a command, or nothing: ``receive(raw)``.

Parsed (``parse``; what is no message is logged and dropped: ``"malformed"``), then
handed to the IM intake's core, which claims it once by its Message-ID (a message without
one: by a digest of its bytes) and records the outcome, with these decisions:

1. **Machines and ourselves** (``loops``): ignored, logged, never answered.
2. **Which ticket** — only by a genuine reply token (``notifications.reply_tokens``) in
   the addresses it was sent to (To, Cc, Delivered-To, X-Original-To, Envelope-To) or in
   the subject; never by the From header, In-Reply-To or a quoted ticket number.
3. **Who** — with a token: the token's person when the From address is theirs (case
   aside); else the From address's person when they may see the ticket (the web's rule);
   else the mail is no reply at all and files a new ticket for its sender. Without one:
   the one active person whose e-mail address is the From address. Nobody (or two people
   sharing it): nothing is filed, and one explanation may be mailed back (``answers``).
4. Under that person's language and time zone: a **command** (the reply's text is exactly
   one: ``fixed`` / ``已解决`` and ``not fixed`` / ``未解决`` on the token's resolved
   ticket, or the sender's latest resolved one when there is no token; ``status IT-…``;
   the survey's ``1``–``5``); a **reply** (its quoted history cut off, ``quotes``) added
   like the page's reply box, answering an info request; else a **new ticket**
   (``channel = email``): the subject (without Re:/Fwd:, "[IT-…]" and the reference) as its title,
   the whole text as the symptom, guesses as for IM. Attachments go with the text under
   the web's upload limits; what is left out is noted in the text (``attachments``).
5. The answer goes by mail after the commit (``answers``): the new ticket's number and
   the promised response time, a command's result, why nothing was done. A reply added
   to a ticket is not acknowledged (the engineer's own answer is the next mail).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import re

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from channels import commands
from channels.choices import InboundOutcome
from channels.commands import Answer
from channels.email import PROVIDER, answers, attachments, decode, loops, quotes
from channels.email.parse import Mail, Malformed, parse
from channels.intake import Delivery, Outcome, core
from notifications import reply_tokens
from notifications.times import reader_zone
from tickets import permissions, selectors, services
from tickets.choices import Channel, TicketState
from tickets.limits import TEXT_MAX, max_length
from tickets.models import Ticket

log = logging.getLogger(__name__)

MALFORMED = "malformed"
TOO_LARGE = "too_large"
# Larger messages are not read (an MTA's own limit, Postfix's 10 MB by default, is lower).
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
# The commands that confirm or reject a fix: on the token's ticket when the mail has one.
CONFIRMATIONS = {"channels.fixed": True, "channels.not_fixed": False}
_REPLY_PREFIXES = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|sv|antw|答复|回复|转发)\s*(?:\[\d+\])?\s*[:：]\s*)+", re.IGNORECASE
)
# The desk's own decorations of its subjects: "[IT-…]" before, "[ref:<token>]" after.
_DECORATIONS = re.compile(rf"\[\s*{commands.NUMBER}\s*\]|\[?\s*ref:[a-z0-9-]*\s*\]?", re.IGNORECASE)


def receive(raw: bytes) -> Outcome:
    """Handle one message exactly once (see the module's docstring)."""
    if len(raw) > MAX_MESSAGE_BYTES:
        log.warning("e-mail of %d bytes not read (the limit is %d)", len(raw), MAX_MESSAGE_BYTES)
        return Outcome(TOO_LARGE)
    try:
        mail = parse(raw)
    except Malformed as exc:
        log.warning("malformed e-mail not read: %s", exc)
        return Outcome(MALFORMED)
    delivery = Delivery(
        provider=PROVIDER,
        event_id=mail.message_id or "sha256:" + hashlib.sha256(raw).hexdigest(),
        sender=mail.sender,
        text=mail.text,
        raw={"message_id": mail.message_id, "subject": mail.subject},
    )
    outcome = core.receive(
        delivery,
        decide=functools.partial(_decide, mail),
        answer=functools.partial(answers.queue, mail),
    )
    log.info(
        "e-mail %s from %s: %s %s",
        delivery.event_id,
        mail.sender,
        outcome.outcome,
        outcome.ticket_number,
    )
    return outcome


def _decide(mail: Mail, delivery: Delivery) -> core.Done:
    reason = loops.why_ignored(mail)
    if reason:
        log.info("e-mail %s from %s ignored: %s", delivery.event_id, mail.sender, reason)
        return core.Done(InboundOutcome.IGNORED)
    user, ticket, ambiguous = _who_and_where(mail)
    if user is None:
        return _unknown_sender(ambiguous=ambiguous)
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(reader_zone(user)):
        if ticket is not None:
            return _on_ticket(mail, delivery, user, ticket)
        return _new_ticket(mail, delivery, user)


def _who_and_where(mail: Mail) -> tuple[User | None, Ticket | None, bool]:
    """The writer, the ticket the mail replies on (or None), whether the From address is
    ambiguous (see the module's docstring, 2 and 3)."""
    senders = list(
        User.objects.filter(is_active=True, email__iexact=mail.sender).order_by("pk")[:2]
    )
    from_user = senders[0] if len(senders) == 1 else None
    token = reply_tokens.read(*mail.recipients, mail.subject)
    if token is not None:
        ticket = Ticket.objects.filter(pk=token.ticket_id).first()
        if ticket is not None:
            writer = User.objects.filter(
                pk=token.user_id, is_active=True, email__iexact=mail.sender
            ).first()
            if writer is not None:
                return writer, ticket, False
            if from_user is not None and permissions.can_view(ticket, from_user):
                return from_user, ticket, False
        log.info(
            "reply token of ticket %s for user %s not taken for mail from %s",
            token.ticket_id,
            token.user_id,
            mail.sender,
        )
    return from_user, None, len(senders) > 1


def _unknown_sender(*, ambiguous: bool) -> core.Done:
    """Nothing is filed; the explanation is in the desk's language."""
    with translation.override(settings.LANGUAGE_CODE):
        if ambiguous:
            text = _(
                "This e-mail address belongs to more than one service desk account, so your "
                "message was not filed. Please ask IT support to correct it."
            )
        else:
            text = _(
                "Hello! This e-mail address is not known to the IT service desk, so your "
                "message was not filed. Please write from the address of your service desk "
                "account, or report the problem at %(url)s"
            ) % {"url": settings.SITE_URL.rstrip("/") + reverse("tickets:new")}
    return core.Done(InboundOutcome.UNKNOWN_SENDER, answer=Answer(text))


def _on_ticket(mail: Mail, delivery: Delivery, user: User, ticket: Ticket) -> core.Done:
    """A reply on ``ticket``: a command, or its new text (and files) added to it."""
    text = quotes.new_text(mail.text)
    done = _command(user, delivery, text, ticket)
    if done is not None:
        return done
    kept = attachments.keep(mail.attachments, actor=user, ticket=ticket)
    body = attachments.with_notes(text, kept.notes, limit=TEXT_MAX)
    if not body and kept.files:
        body = _files_sent(kept.files)
    if not body:
        return core.Done(InboundOutcome.IGNORED, user, ticket)  # nothing new in it
    done = core.add_reply(user, ticket, body, files=kept.files)
    if done.outcome == InboundOutcome.REPLIED:
        return dataclasses.replace(done, answer=None)
    return done


def _new_ticket(mail: Mail, delivery: Delivery, user: User) -> core.Done:
    text = mail.text.strip()
    title = subject_title(mail.subject)
    done = _command(user, delivery, text or title, None)
    if done is not None:
        return done
    words = commands.command_text(text or title).casefold()
    if not mail.attachments and words in core.ACKNOWLEDGEMENTS:
        return core.Done(InboundOutcome.IGNORED, user)
    kept = attachments.keep(mail.attachments, actor=user)
    description = attachments.with_notes(text or title, kept.notes, limit=TEXT_MAX)
    if not description and kept.files:
        description = _files_sent(kept.files)
    if not description:
        words_please = Answer(_("I can only read text: please describe the problem in words."))
        return core.Done(InboundOutcome.IGNORED, user, answer=words_please)
    done = core.file_ticket(
        user, delivery, description, channel=Channel.EMAIL, title=title, files=kept.files
    )
    if done.outcome == InboundOutcome.FILED and done.ticket is not None:
        follow_up = _("To add to it, reply to this e-mail and keep the reference in its subject.")
        text = core.filed_text(done.ticket, follow_up=follow_up)
        done = dataclasses.replace(done, answer=Answer(text, ticket_id=done.ticket.pk))
    return done


def subject_title(subject: str) -> str:
    """A ticket title from a subject: without Re:/Fwd:/回复: and the desk's decorations,
    on one line, shortened to the title's length with "…"."""
    title = decode.one_line(_DECORATIONS.sub(" ", subject))
    title = _REPLY_PREFIXES.sub("", title)
    limit = max_length(Ticket, "title")
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _files_sent(files: list[SimpleUploadedFile]) -> str:
    return _("Files sent by e-mail: %(names)s") % {
        "names": ", ".join(upload.name or "" for upload in files)
    }


def _command(user: User, delivery: Delivery, text: str, ticket: Ticket | None) -> core.Done | None:
    """The command the text is exactly, run; ``None`` when it is none (or, on a ticket
    not waiting for the sender's confirmation, "fixed" is just a reply)."""
    found = commands.find(text) if text else None
    if found is None:
        return None
    name = found[0].name
    if name in CONFIRMATIONS:
        return _confirm(user, ticket, fixed=CONFIRMATIONS[name])
    answer = commands.run(user, dataclasses.replace(delivery, text=text))
    if answer is None:
        return None
    answered = Ticket.objects.filter(pk=answer.ticket_id).first() if answer.ticket_id else None
    return core.Done(InboundOutcome.COMMAND, user, answered, answer)


def _confirm(user: User, ticket: Ticket | None, *, fixed: bool) -> core.Done | None:
    """Confirm or reject the fix of the token's ticket (or, without a token, of the
    sender's latest resolved ticket), as the verification page would."""
    if ticket is None:
        ticket = (
            selectors.my_tickets(user)
            .filter(state=TicketState.RESOLVED)
            .order_by("-resolved_at", "-pk")
            .first()
        )
        if ticket is None:
            nothing = _("None of your tickets is waiting for you to confirm a fix.")
            return core.Done(InboundOutcome.COMMAND, user, answer=Answer(nothing))
    elif ticket.state != TicketState.RESOLVED or not permissions.is_requester_of(ticket, user):
        return None
    try:
        with transaction.atomic():
            if fixed:
                note = _("Confirmed by e-mail.")
                services.verify_ticket(ticket.pk, actor=user, verification_note=note)
            else:
                reason = _("Not fixed (answered by e-mail).")
                services.reject_fix(ticket.pk, actor=user, reason=reason)
    except core.DOMAIN_ERRORS as exc:
        failed = Answer(commands.explain(exc), ticket_id=ticket.pk)
        return core.Done(InboundOutcome.IGNORED, user, ticket, failed)
    if fixed:
        said = _("Thank you! Ticket %(number)s is confirmed as fixed.")
    else:
        said = _("Ticket %(number)s goes back to the engineer. Reply here to tell them more.")
    answer = Answer(said % {"number": ticket.number}, ticket_id=ticket.pk)
    return core.Done(InboundOutcome.COMMAND, user, ticket, answer)
