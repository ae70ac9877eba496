"""The conversation on a ticket: replies, internal notes, questions to the requester, files.

A question (R2.3) puts the ticket on hold — it waits on the requester and the
resolution clock pauses — until the requester's next public reply.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets import actions, clocks, hooks, notify, permissions, search
from tickets.actions import Action
from tickets.attachments import validate_request
from tickets.choices import EventKind, MessageKind, TicketNotice, WaitingOn
from tickets.models import Attachment, Message, Ticket
from tickets.services import base


def add_message(
    ticket_id: int,
    *,
    actor: User,
    body: str,
    internal: bool = False,
    files: Sequence[UploadedFile[bytes]] = (),
) -> Message:
    """A public reply or an internal note. A requester's reply ends a wait on them.

    An internal note leaves ``last_activity_at`` alone: requesters see that time (their list,
    the API), and a note they cannot read must not tell them something happened. For the
    queue this keeps "last activity" meaning "what the requester last saw move", which is the
    staleness an engineer sorts by; the note itself is on the engineers' timeline.
    """
    cleaned = base.text("body", body, model=Message)
    validate_request(files)
    now = timezone.now()
    base.check_upload_quotas(files, actor=actor, now=now)
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        if internal:
            actions.check(ticket, actor, Action.NOTE)
        actions.check(ticket, actor, Action.REPLY)
        message = Message.objects.create(
            ticket=ticket,
            author=actor,
            kind=MessageKind.INTERNAL if internal else MessageKind.PUBLIC,
            body=cleaned,
            created_at=now,
        )
        from_requester = permissions.is_requester_of(ticket, actor)
        answered = not internal and ticket.is_waiting_on_requester and from_requester
        kind = EventKind.NOTE_ADDED if internal else EventKind.REPLIED
        resumed = None
        if answered:
            kind = EventKind.INFO_PROVIDED
            ticket.waiting_on = WaitingOn.NONE
            resumed = clocks.resume(ticket, now, "requester_answered")
        if not internal:
            ticket.last_activity_at = now
            ticket.save(update_fields=["waiting_on", "last_activity_at", *clocks.SLA_FIELDS])
        event = base.record(
            ticket, kind, actor=actor, now=now, message=message, is_internal=internal
        )
        if resumed:
            base.record(ticket, EventKind.SLA_RESUMED, actor=actor, now=now, data=resumed)
        base.store_files(ticket, files, actor=actor, now=now, message=message, is_internal=internal)
        search.add_words(ticket.pk, cleaned, internal=internal)
        if internal:
            pass  # internal notes never leave the engineers' view
        elif from_requester:
            notice = TicketNotice.INFO_PROVIDED if answered else TicketNotice.REPLY
            notify.tell_assignee(notice, ticket, event)
            notify.tell_watchers(notice, ticket, event, besides=[ticket.assignee])
        else:
            notify.tell_requester(TicketNotice.REPLY, ticket, event)
            hooks.public_update.send(sender=Ticket, ticket=ticket, actor=actor, at=now)
    return message


def request_info(ticket_id: int, *, actor: User, question: str) -> Ticket:
    """Ask the requester for missing details (R2.3); the ticket waits on them until they answer."""
    cleaned = base.text("question", question, model=Message, source="body")
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        actions.check(ticket, actor, Action.REQUEST_INFO)
        message = Message.objects.create(
            ticket=ticket, author=actor, kind=MessageKind.PUBLIC, body=cleaned, created_at=now
        )
        ticket.waiting_on = WaitingOn.REQUESTER
        ticket.last_activity_at = now
        paused = clocks.pause(ticket, now, "waiting_on_requester")
        ticket.save(update_fields=["waiting_on", "last_activity_at", *clocks.SLA_FIELDS])
        event = base.record(ticket, EventKind.INFO_REQUESTED, actor=actor, now=now, message=message)
        search.add_words(ticket.pk, cleaned)
        if paused:
            base.record(ticket, EventKind.SLA_PAUSED, actor=actor, now=now, data=paused)
        notify.tell_requester(TicketNotice.INFO_REQUESTED, ticket, event)
        hooks.public_update.send(sender=Ticket, ticket=ticket, actor=actor, at=now)
    return ticket


def add_attachments(
    ticket_id: int, *, actor: User, files: Sequence[UploadedFile[bytes]]
) -> list[Attachment]:
    """Files on their own (not with a message); public, so they count as activity."""
    if not files:
        raise ValidationError({"file": _("Choose a file to upload.")})
    validate_request(files, field="file")
    now = timezone.now()
    base.check_upload_quotas(files, actor=actor, now=now, field="file")
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        actions.check(ticket, actor, Action.ATTACH)
        stored = base.store_files(ticket, files, actor=actor, now=now, field="file")
        ticket.last_activity_at = now
        ticket.save(update_fields=["last_activity_at"])
        return stored
