"""Followers (CC) of a ticket: colleagues of the requester and engineers who want its news.

A follower sees the ticket as its requester does (public side only; staff keep what their
role shows them) and hears its public updates (``tickets.notify.tell_watchers``). Who may:

* the requester adds colleagues to their own ticket and removes any follower;
* engineers and tech leads add anyone ("follow" is adding themselves) and remove anyone;
* staff who read every ticket (a manager) follow and unfollow it themselves;
* every follower may stop following.

Each change is one timeline entry; the person added by someone else is told.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import capabilities
from tickets import notify, permissions
from tickets.choices import EventKind, TicketNotice
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.models import Ticket, Watcher
from tickets.services import base

USERNAME_MAX = User._meta.get_field("username").max_length or 150


class NotWatching(TicketNotFound):
    """The named person does not follow the ticket (404, like a missing ticket)."""


def max_watchers() -> int:
    return int(getattr(settings, "TICKETS_MAX_WATCHERS", 50))


def _unknown_person() -> ValidationError:
    # One answer for "no such person", "not active" and "not yours to name": a requester
    # learns nothing about who exists from it.
    return ValidationError({"user": _("No active person with this username or e-mail.")})


def find_person(value: User | str | int | None, *, actor: User) -> User:
    """The active person ``value`` names: a username or e-mail address; engineers may also
    give the numeric id. A requester naming by id would be walking the user table."""
    if isinstance(value, User):
        if not value.is_active:
            raise _unknown_person()
        return value
    text = "" if value is None else str(value).strip()
    if not text or len(text) > USERNAME_MAX or "\x00" in text:
        raise _unknown_person()
    match = (Q(username=text) | Q(email__iexact=text)) if "@" in text else Q(username=text)
    if text.isdigit() and capabilities(actor).work_queue:
        match |= Q(pk=int(text))
    people = list(User.objects.filter(match, is_active=True)[:2])
    if len(people) != 1:  # none, or an e-mail address two accounts share
        exact = [p for p in people if p.username == text]
        if len(exact) != 1:
            raise _unknown_person()
        people = exact
    return people[0]


def add_watcher(ticket_id: int, *, actor: User, user: User | str | int | None) -> Watcher:
    """``user`` follows the ticket from now on; adding oneself is "follow"."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        if not (
            permissions.can_add_watchers(ticket, actor) or permissions.can_follow(ticket, actor)
        ):
            raise ActionForbidden(_("You may not add followers to this ticket."))
        person = find_person(user, actor=actor)
        if person.pk == actor.pk:
            if not permissions.can_follow(ticket, actor):
                raise ValidationError({"user": _("The requester hears about the ticket anyway.")})
        elif not permissions.can_add_watchers(ticket, actor):
            raise ActionForbidden(_("You may follow this ticket, not add others."))
        if person.pk == ticket.requester_id:
            raise ValidationError({"user": _("The requester hears about the ticket anyway.")})
        if Watcher.objects.filter(ticket=ticket, user=person).exists():
            raise InvalidTransition(
                _("%(name)s already follows this ticket.") % {"name": person.name}
            )
        if Watcher.objects.filter(ticket=ticket).count() >= max_watchers():
            raise ValidationError(
                {"user": _("A ticket may have at most %(n)d followers.") % {"n": max_watchers()}}
            )
        watcher = Watcher.objects.create(ticket=ticket, user=person, added_by=actor, created_at=now)
        event = base.record(
            ticket, EventKind.WATCHER_ADDED, actor=actor, now=now, data=_who(person)
        )
        if person.pk != actor.pk:
            notify.tell([person], TicketNotice.FOLLOWING, ticket, event)
    return watcher


def remove_watcher(ticket_id: int, *, actor: User, user: User | str | int | None) -> Ticket:
    """``user`` stops following the ticket (their own choice, the requester's or an
    engineer's); nobody is told."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        watcher = _watcher(ticket, user)
        if not permissions.can_remove_watcher(ticket, actor, watcher.user_id):
            raise ActionForbidden(_("You may only stop following yourself."))
        person = watcher.user
        watcher.delete()
        base.record(ticket, EventKind.WATCHER_REMOVED, actor=actor, now=now, data=_who(person))
    return ticket


def _watcher(ticket: Ticket, user: User | str | int | None) -> Watcher:
    """The follower row naming ``user`` (a user, username or id: followers are listed to
    everyone who sees the ticket, so nothing is given away), else 404."""
    rows = Watcher.objects.filter(ticket=ticket).select_related("user")
    if isinstance(user, User):
        found = rows.filter(user=user).first()
    else:
        text = "" if user is None else str(user).strip()
        if not text or len(text) > USERNAME_MAX or "\x00" in text:
            raise NotWatching
        found = rows.filter(user__username=text).first()
        if found is None and text.isdigit():
            found = rows.filter(user_id=int(text)).first()
    if found is None:
        raise NotWatching
    return found


def _who(person: User) -> dict[str, str]:
    return {"user": person.name, "username": person.username}
