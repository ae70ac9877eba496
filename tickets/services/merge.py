"""Merging a duplicate ticket into the one that survives.

The duplicate's messages and files are **moved** onto the survivor (one row each, their
authors, kinds and times untouched), so nothing is stored or counted twice, and internal
notes and files stay internal. Its conversation entries (replies, notes, questions, answers,
files) are appended to the survivor's timeline at their original times, marked with the
duplicate's number, and one ``merged_from`` entry says what came in. The duplicate keeps its
whole timeline (its entries still point at the moved messages, so its history reads as
before), gains a ``merged_into`` entry and is closed as a duplicate, its SLA clocks stopped.
Its requester follows the survivor from then on (a watcher: they may open it and hear its
public updates). Both requesters are told once (once in all when one person filed both).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets import actions, clocks, notify, permissions, search
from tickets.actions import Action
from tickets.choices import OPEN_STATES, EventKind, MessageKind, TicketNotice
from tickets.errors import InvalidTransition, TicketNotFound
from tickets.models import Attachment, Message, Ticket, TicketEvent, Watcher
from tickets.services import base
from tickets.services.watchers import max_watchers

# Timeline entries that are the conversation itself: they travel with the messages.
CONVERSATION_KINDS = frozenset(
    {
        EventKind.REPLIED,
        EventKind.NOTE_ADDED,
        EventKind.INFO_REQUESTED,
        EventKind.INFO_PROVIDED,
        EventKind.ATTACHMENT_ADDED,
    }
)


@dataclass(frozen=True)
class MergePlan:
    """The two locked rows a merge would join, once every check has passed."""

    duplicate: Ticket
    survivor: Ticket


def _lock_pair(ticket_id: int, survivor_id: int | None) -> dict[int, Ticket]:
    """Both rows, locked in primary-key order (the locking policy: no two merges of the
    same pair in opposite directions can deadlock)."""
    ids = sorted({ticket_id} | ({survivor_id} if survivor_id else set()))
    rows = (
        Ticket.objects.select_for_update(no_key=True, of=("self",))
        .select_related("category", "requester", "assignee", "duplicate_of")
        .defer("search_document", "search_notes")  # written by tickets.search alone
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {row.pk: row for row in rows}


def _plan(ticket_id: int, *, actor: User, into: str) -> MergePlan:
    """Lock and check, in the services' order: visible (404) → permitted (403) → allowed
    now (409) → input (400, naming ``into``). Must run inside a transaction."""
    number = base.text("into", into, source="number")
    survivor_id = Ticket.objects.filter(number=number).values_list("pk", flat=True).first()
    rows = _lock_pair(ticket_id, survivor_id)
    duplicate = rows.get(ticket_id)
    if duplicate is None or not permissions.can_view(duplicate, actor):
        raise TicketNotFound
    try:
        actions.check(duplicate, actor, Action.CLOSE_AS_DUPLICATE)
    except InvalidTransition:
        if duplicate.duplicate_of is not None:
            raise InvalidTransition(
                _("%(number)s was already merged into %(into)s.")
                % {"number": duplicate.number, "into": duplicate.duplicate_of.number}
            ) from None
        raise
    survivor = rows.get(survivor_id) if survivor_id else None
    if survivor is None or not permissions.can_view(survivor, actor):
        raise ValidationError({"into": _("There is no ticket %(number)s.") % {"number": number}})
    if survivor.pk == duplicate.pk:
        raise ValidationError({"into": _("A ticket cannot be merged into itself.")})
    if survivor.duplicate_of is not None:
        raise InvalidTransition(
            _("%(number)s was itself merged into %(into)s: merge into that one.")
            % {"number": survivor.number, "into": survivor.duplicate_of.number}
        )
    if survivor.state not in OPEN_STATES:
        raise InvalidTransition(
            _("%(number)s is %(state)s: merge into a ticket that is still open.")
            % {"number": survivor.number, "state": survivor.get_state_display()}
        )
    return MergePlan(duplicate=duplicate, survivor=survivor)


def check_merge(ticket_id: int, *, actor: User, into: str) -> Ticket:
    """Every check of ``merge_ticket`` without changing anything: the survivor, for the page
    that asks "merge IT-… into IT-…?" before the real thing."""
    with transaction.atomic():
        return _plan(ticket_id, actor=actor, into=into).survivor


def _copy_conversation(duplicate: Ticket, survivor: Ticket) -> None:
    """Append the duplicate's conversation entries to the survivor's timeline, at their own
    times and by their own authors; a message that somehow has no entry gets one."""
    marker = {"merged_from": duplicate.number}
    copies = []
    covered: set[int] = set()
    for event in TicketEvent.objects.filter(ticket=duplicate, kind__in=CONVERSATION_KINDS):
        copies.append(
            TicketEvent(
                ticket=survivor,
                kind=event.kind,
                actor_id=event.actor_id,
                at=event.at,
                message_id=event.message_id,
                data={**event.data, **marker},
                is_internal=event.is_internal,
            )
        )
        if event.message_id:
            covered.add(event.message_id)
    for message in Message.objects.filter(ticket=duplicate).exclude(pk__in=covered):
        internal = message.kind == MessageKind.INTERNAL
        copies.append(
            TicketEvent(
                ticket=survivor,
                kind=EventKind.NOTE_ADDED if internal else EventKind.REPLIED,
                actor_id=message.author_id,
                at=message.created_at,
                message=message,
                data=marker,
                is_internal=internal,
            )
        )
    TicketEvent.objects.bulk_create(copies)


def merge_ticket(ticket_id: int, *, actor: User, into: str) -> Ticket:
    """Close ticket ``ticket_id`` as a duplicate of ticket number ``into``; the survivor.

    Engineers and tech leads merge an open ticket into another open one. Refused: a ticket
    not visible (404), a requester or manager (403), a ticket already closed or merged, or a
    survivor that is finished or was itself merged (409), an unknown survivor or the ticket
    itself (400 on ``into``).
    """
    now = timezone.now()
    with transaction.atomic():
        plan = _plan(ticket_id, actor=actor, into=into)
        duplicate, survivor = plan.duplicate, plan.survivor
        public_messages = Message.objects.filter(ticket=duplicate, kind=MessageKind.PUBLIC).count()
        public_files = Attachment.objects.filter(ticket=duplicate, is_internal=False).count()
        # The entries first: they are copied from the duplicate's own rows.
        _copy_conversation(duplicate, survivor)
        Message.objects.filter(ticket=duplicate).update(ticket=survivor)
        Attachment.objects.filter(ticket=duplicate).update(ticket=survivor)

        from_state = duplicate.state
        duplicate.close_as_duplicate(survivor=survivor, now=now)
        duplicate.last_activity_at = now
        clocks.finish(duplicate)  # no more warnings or breaches: the sweep skips it
        duplicate.save()
        survivor.last_activity_at = now
        survivor.save(update_fields=["last_activity_at"])
        search.refresh_ticket(survivor.pk)  # the messages that came in are findable there

        moved = {"messages": public_messages, "attachments": public_files}
        into_event = base.record_transition(
            duplicate,
            EventKind.MERGED_INTO,
            actor=actor,
            now=now,
            from_state=from_state,
            data={"into": survivor.number, **moved},
        )
        from_event = base.record(
            survivor,
            EventKind.MERGED_FROM,
            actor=actor,
            now=now,
            data={
                "ticket": duplicate.number,
                "title": duplicate.title,
                "description": duplicate.description,
                "requester": duplicate.requester.name,
                "submitted_at": duplicate.submitted_at.isoformat(),
                **moved,
            },
        )
        if duplicate.requester_id != survivor.requester_id:
            _follow(survivor, duplicate.requester, actor=actor, now=now)
        # Each requester once, about their own ticket; one person who filed both hears
        # once, about the survivor.
        notify.tell([survivor.requester], TicketNotice.MERGED, survivor, from_event)
        if duplicate.requester_id != survivor.requester_id:
            notify.tell([duplicate.requester], TicketNotice.DUPLICATE, duplicate, into_event)
    return survivor


def _follow(survivor: Ticket, person: User, *, actor: User, now: dt.datetime) -> None:
    """The duplicate's requester follows the survivor, where their problem is now worked:
    they may open it (its public side) and hear its public updates. Not told separately
    (the merge notice is their one message); skipped when the ticket has its maximum of
    followers or they already follow it."""
    followers = Watcher.objects.filter(ticket=survivor)
    if followers.filter(user=person).exists() or followers.count() >= max_watchers():
        return
    Watcher.objects.create(ticket=survivor, user=person, added_by=actor, created_at=now)
    base.record(
        survivor,
        EventKind.WATCHER_ADDED,
        actor=actor,
        now=now,
        data={"user": person.name, "username": person.username},
    )
