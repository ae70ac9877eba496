"""From an IM message to a ticket (R1.2, R1.5): ``receive(delivery) -> Outcome``.

One transaction per event:

1. **Once.** The event is claimed first: ``INSERT … ON CONFLICT DO NOTHING RETURNING`` into
   ``InboundMessage`` (unique on provider and event id). A redelivery (providers retry for
   up to a day when they do not hear back quickly) inserts nothing and is a "duplicate":
   nothing else happens, no second answer. Two copies racing: the second waits on the
   first one's uncommitted row, then finds it — and if the first rolled back, it goes on.
2. **Ignored**: an edit, a bot's message (ours too: no loops), a group message that does
   not @-mention the desk.
3. **Who.** The sender is the active user whose ``<provider>_id`` is the sender's id (an
   empty id never matches). Nobody, or more than one person: nothing is filed, and the
   answer says how to link the IM account (a signed link to the profile page, sent to the
   sender alone — whoever holds that IM account and signs in confirms the link).
4. Under the sender's language and time zone: a **command** (``channels.commands``: the
   message is exactly the command); a **reply** on a ticket — a reply in a thread the desk
   started about a ticket (``channels.threads``), or a message quoting a ticket number —
   when the sender may see that ticket, added like a reply on its page (it answers an
   engineer's question the same way); else a **new ticket** (``channel = im``): the first
   line as its title, the whole text as the symptom, category, impact and urgency guessed
   from the words (``channels.categorize``).
5. The answer is queued for after the commit (``channels.replies``): the ticket's number
   and the promised response time, the command's result, or why nothing was done.

A domain error of a ticket service (not allowed, not now, a field refused) rolls back that
service's own savepoint and becomes the answer; the event stays recorded. Anything else
rolls the whole event back, so the provider's retry gets a fresh try.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import IM_ID_FIELDS, IM_LINK_MAX_AGE, im_id_max_length, im_link_token
from channels import categorize, commands, replies, threads
from channels.choices import InboundOutcome
from channels.commands import Answer
from channels.intake import Delivery, Outcome
from channels.models import InboundMessage
from notifications.times import reader_zone
from servicedesk.lib import sql
from tickets import permissions, selectors, services
from tickets.choices import Channel, TicketState
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.limits import TEXT_MAX
from tickets.models import Ticket

DUPLICATE = "duplicate"
NUMBER = re.compile(commands.NUMBER, re.IGNORECASE)
EVENT_ID_MAX = 128
SENDER_MAX = 128
# A new message that only says thanks or OK files nothing (said after a fix, it would
# otherwise become a ticket of its own). Compared with the command text, case-insensitive.
ACKNOWLEDGEMENTS = frozenset(
    {
        "谢谢",
        "谢谢你",
        "多谢",
        "感谢",
        "好的",
        "好",
        "收到",
        "ok",
        "okay",
        "thanks",
        "thank you",
        "thx",
        "👍",
    }
)
DOMAIN_ERRORS = (TicketNotFound, ActionForbidden, InvalidTransition, ValidationError)


@dataclass(frozen=True)
class Done:
    """What became of an event: its outcome, the sender's account, the ticket, the answer."""

    outcome: str
    user: User | None = None
    ticket: Ticket | None = None
    answer: Answer | None = None


Decide = Callable[[Delivery], Done]
Answerer = Callable[[Delivery, Done], None]


def receive(
    delivery: Delivery, *, decide: Decide | None = None, answer: Answerer | None = None
) -> Outcome:
    """Handle one provider event exactly once (see the module's docstring).

    Another channel brings its own steps 2–4 (``decide``) and 5 (``answer``, called in the
    transaction: it queues for after the commit) around the same claim and record: e-mail
    (``channels.email.intake``) finds its sender and ticket by address and reply token.
    """
    if not delivery.event_id:
        raise ValueError("a delivery needs the provider's event id")
    with transaction.atomic():
        row_id = _claim(delivery)
        if row_id is None:
            return Outcome(DUPLICATE)
        done = (decide or _handle)(delivery)
        InboundMessage.objects.filter(pk=row_id).update(
            outcome=done.outcome,
            user=done.user,
            ticket=done.ticket,
        )
        (answer or _queue_reply)(delivery, done)
    return Outcome(
        done.outcome,
        ticket_number=done.ticket.number if done.ticket else "",
        reply=done.answer.text if done.answer else "",
    )


def _queue_reply(delivery: Delivery, done: Done) -> None:
    """The IM answer, to the sender in their conversation (``channels.replies``)."""
    if done.answer is not None:
        replies.queue_reply(
            delivery,
            done.answer.text,
            ticket_id=done.answer.ticket_id,
            private=done.answer.private,
        )


def _event_key(event_id: str) -> str:
    """The provider's id, or a digest of one too long for the column (never truncated:
    two long ids sharing a beginning must stay two events)."""
    if len(event_id) <= EVENT_ID_MAX:
        return event_id
    return "sha256:" + hashlib.sha256(event_id.encode()).hexdigest()


def _claim(delivery: Delivery) -> int | None:
    """Record the event (as ignored until decided); its row id, or ``None`` when it was
    recorded before: ``INSERT … ON CONFLICT DO NOTHING RETURNING``, one statement, which
    waits for a concurrent insert of the same event to commit or roll back."""
    meta = InboundMessage._meta
    columns = ", ".join(
        sql.column(meta.get_field(name))
        for name in ("provider", "event_id", "sender", "outcome", "received_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {sql.table(InboundMessage)} ({columns}) "  # noqa: S608 - names only
            "VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (provider, event_id) DO NOTHING "
            f"RETURNING {sql.column(meta.pk)}",
            [
                delivery.provider,
                _event_key(_storable(delivery.event_id)),
                _storable(delivery.sender)[:SENDER_MAX],
                InboundOutcome.IGNORED,
                timezone.now(),
            ],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _handle(delivery: Delivery) -> Done:
    if delivery.is_bot or delivery.is_edit:
        return Done(InboundOutcome.IGNORED)
    if delivery.is_group and not delivery.mentions_desk:
        return Done(InboundOutcome.IGNORED)
    sender = _storable(delivery.sender)
    senders = _senders(delivery.provider, sender)
    if len(senders) != 1:
        return _unknown_sender(delivery, sender, ambiguous=len(senders) > 1)
    user = senders[0]
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(reader_zone(user)):
        return _from_user(user, delivery)


def _senders(provider: str, sender: str) -> list[User]:
    """The active users with this IM id (at most two: more than one is already too many)."""
    field = IM_ID_FIELDS.get(provider)
    if field is None or not sender.strip():
        return []
    return list(User.objects.filter(is_active=True, **{field: sender}).order_by("pk")[:2])


def _unknown_sender(delivery: Delivery, sender: str, *, ambiguous: bool) -> Done:
    """Nothing is filed; the answer (in the desk's language) says how to link the account."""
    with translation.override(settings.LANGUAGE_CODE):
        if ambiguous:
            text = _(
                "This IM account is linked to more than one service desk account, so your "
                "message was not filed. Please ask IT support to correct it."
            )
            return Done(InboundOutcome.UNKNOWN_SENDER, answer=Answer(text, private=True))
        linkable = delivery.provider in IM_ID_FIELDS and sender.strip()
        if linkable and len(sender) <= im_id_max_length(delivery.provider):
            token = im_link_token(delivery.provider, sender)
            url = replies.profile_link(urlencode({"link": token}))
            text = _(
                "Hello! This IM account is not linked to a service desk account yet, so your "
                "message was not filed. Open %(url)s , sign in and confirm the link (it works "
                "for %(days)d days), then send your message again."
            ) % {"url": url, "days": IM_LINK_MAX_AGE // 86400}
            # The link links whoever opens it: it goes to the sender alone, never a group.
            return Done(InboundOutcome.UNKNOWN_SENDER, answer=Answer(text, private=True))
        text = _(
            "Hello! I do not know who sent this message, so it was not filed. Link your IM "
            "account on your profile page: %(url)s"
        ) % {"url": replies.profile_link()}
        return Done(InboundOutcome.UNKNOWN_SENDER, answer=Answer(text))


def _storable(text: str) -> str:
    """Text PostgreSQL takes: no NUL, no lone surrogate (a JSON body may carry "\\ud800")."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def _from_user(user: User, delivery: Delivery) -> Done:
    text = _storable(delivery.text).strip()
    if not text:
        words = Answer(_("I can only read text: please describe the problem in words."))
        return Done(InboundOutcome.IGNORED, user, answer=words)
    answer = commands.run(user, delivery)
    if answer is not None:
        ticket = Ticket.objects.filter(pk=answer.ticket_id).first() if answer.ticket_id else None
        return Done(InboundOutcome.COMMAND, user, ticket, answer)
    ticket = _ticket_talked_about(user, delivery, text)
    if ticket is not None:
        return add_reply(user, ticket, text)
    if commands.command_text(text).casefold() in ACKNOWLEDGEMENTS:
        return Done(InboundOutcome.IGNORED, user)
    return file_ticket(user, delivery, text)


def _ticket_talked_about(user: User, delivery: Delivery, text: str) -> Ticket | None:
    """The ticket of the thread the message answers, else the first ticket number it
    quotes — only one the sender may see (one they may not is no ticket at all)."""
    ticket_id = threads.ticket_of_thread(delivery.provider, delivery.thread)
    if ticket_id is not None:
        found = Ticket.objects.filter(pk=ticket_id).first()
        if found is not None and permissions.can_view(found, user):
            return found
    for number in NUMBER.findall(unicodedata.normalize("NFKC", text)):
        try:
            return selectors.get_ticket_for(user, number.upper())
        except TicketNotFound:
            continue
    return None


def add_reply(
    user: User, ticket: Ticket, text: str, *, files: Sequence[UploadedFile[bytes]] = ()
) -> Done:
    """Add the message (and ``files``) to the ticket as its page's reply box would."""
    if ticket.state == TicketState.CLOSED:
        answer = Answer(
            _(
                "Ticket %(number)s is closed, so your message was not added to it. To report "
                "a problem, send it as a new message (not as a reply). %(link)s"
            )
            % {"number": ticket.number, "link": replies.ticket_link(ticket.number)},
            ticket_id=ticket.pk,
        )
        return Done(InboundOutcome.IGNORED, user, ticket, answer)
    answering = ticket.is_waiting_on_requester and ticket.requester_id == user.pk
    try:
        services.add_message(ticket.pk, actor=user, body=text[:TEXT_MAX], files=files)
    except DOMAIN_ERRORS as exc:
        answer = Answer(commands.explain(exc), ticket_id=ticket.pk, private=True)
        return Done(InboundOutcome.IGNORED, user, ticket, answer)
    if answering:
        said = _("Thank you: your answer is on ticket %(number)s and the engineer is told.")
    else:
        said = _("Added to ticket %(number)s.")
    return Done(
        InboundOutcome.REPLIED,
        user,
        ticket,
        Answer(said % {"number": ticket.number}, ticket_id=ticket.pk),
    )


def file_ticket(
    user: User,
    delivery: Delivery,
    text: str,
    *,
    channel: str = Channel.IM,
    title: str = "",
    files: Sequence[UploadedFile[bytes]] = (),
) -> Done:
    """File the message as a new ticket of the sender's. ``title``: the channel's own (an
    e-mail's subject), read with the text for the guesses; else the text's first line."""
    active = list(selectors.active_categories().order_by("sort_order", "slug"))
    slugs = {category.slug for category in active}
    guessed = categorize.guess(f"{title}\n{text}" if title else text, slugs)
    category = next((c for c in active if c.slug == guessed.category), active[0] if active else "")
    try:
        ticket = services.submit_ticket(
            actor=user,
            title=title or guessed.title,
            description=text[:TEXT_MAX],
            category=category,
            impact=guessed.impact,
            urgency=guessed.urgency,
            channel=channel,
            files=files,
        )
    except DOMAIN_ERRORS as exc:
        return Done(InboundOutcome.IGNORED, user, answer=Answer(commands.explain(exc)))
    # A later message in the thread this one started (or answered) is about this ticket.
    threads.remember_thread(delivery.provider, delivery.thread, ticket)
    return Done(InboundOutcome.FILED, user, ticket, Answer(filed_text(ticket), ticket.pk))


def filed_text(ticket: Ticket, *, follow_up: str = "") -> str:
    """The promise, as the web form words it, with the category guessed, how to add to the
    ticket (``follow_up``: the channel's own way; else replying or quoting the number) and
    the link."""
    if ticket.response_due_at is None:
        first = _("Ticket %(number)s has been filed.") % {"number": ticket.number}
    else:
        first = _("Ticket %(number)s has been filed. An engineer will respond by %(when)s.") % {
            "number": ticket.number,
            "when": replies.when_text(ticket.response_due_at),
        }
    return "\n".join(
        [
            first,
            _("Category: %(category)s (the engineer may change it).")
            % {"category": ticket.category.label},
            follow_up or _("To add to it, reply to this message or quote the number."),
            replies.ticket_link(ticket.number),
        ]
    )
