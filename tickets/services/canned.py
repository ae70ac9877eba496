"""Canned replies: reusable texts engineers insert into replies and internal notes.

A reply is personal (``owner`` is its engineer, nobody else sees it) or shared (``owner``
empty, offered to every engineer). Engineers and tech leads keep their own; only tech
leads write, change or delete the shared ones (managers and requesters do not answer
tickets and get none). Placeholders are filled when a reply is inserted, never stored
filled: ``fill_placeholders`` leaves anything it does not know exactly as typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from tickets import permissions
from tickets.errors import ActionForbidden, TicketNotFound
from tickets.models import CannedReply, Ticket
from tickets.services import base

# name -> what it becomes (shown on the management page)
PLACEHOLDERS: dict[str, Promise] = {
    "requester_name": gettext_lazy("the requester's name"),
    "ticket_number": gettext_lazy("the ticket number"),
    "ticket_title": gettext_lazy("the ticket's title"),
    "engineer_name": gettext_lazy("your name (the engineer inserting the reply)"),
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class CannedReplyNotFound(TicketNotFound):
    """No such canned reply, or someone else's personal one (both look the same: 404)."""


def limit_personal() -> int:
    return int(getattr(settings, "TICKETS_CANNED_PERSONAL_MAX", 100))


def limit_shared() -> int:
    return int(getattr(settings, "TICKETS_CANNED_SHARED_MAX", 200))


def fill_placeholders(body: str, values: Mapping[str, str]) -> str:
    """``body`` with each known ``{name}`` replaced; unknown names and stray braces stay."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def render_canned_reply(reply: CannedReply, *, ticket: Ticket, engineer: User) -> str:
    """The reply's text for this ticket, as ``engineer`` inserts it."""
    return fill_placeholders(
        reply.body,
        {
            "requester_name": ticket.requester.name,
            "ticket_number": ticket.number,
            "ticket_title": ticket.title,
            "engineer_name": engineer.name,
        },
    )


def _check_user(actor: User) -> None:
    if not permissions.can_use_canned_replies(actor):
        raise ActionForbidden(_("Canned replies are for engineers."))


def _check_sharing(actor: User) -> None:
    if not permissions.can_share_canned_replies(actor):
        raise ActionForbidden(_("Only a tech lead writes shared canned replies."))


def _locked(reply_id: int, actor: User) -> CannedReply:
    """The reply row, locked; 404 unless it is shared or the actor's own."""
    reply = CannedReply.objects.select_for_update(no_key=True).filter(pk=reply_id).first()
    if reply is None or (reply.owner_id is not None and reply.owner_id != actor.pk):
        raise CannedReplyNotFound
    return reply


def _check_room(actor: User, *, shared: bool) -> None:
    """At most ``limit_personal()`` replies per engineer and ``limit_shared()`` shared ones,
    so the picker on every ticket page stays a short list."""
    if shared:
        limit, count = limit_shared(), CannedReply.objects.filter(owner__isnull=True).count()
    else:
        limit, count = limit_personal(), CannedReply.objects.filter(owner=actor).count()
    if count < limit:
        return
    if shared:
        message = _("There are already %(n)d shared canned replies; delete some first.")
    else:
        message = _("You already have %(n)d canned replies; delete some first.")
    raise ValidationError({"shared" if shared else "title": message % {"n": limit}})


def create_canned_reply(*, actor: User, title: str, body: str, shared: bool = False) -> CannedReply:
    """A new personal reply, or (tech leads) a shared one."""
    _check_user(actor)
    if shared:
        _check_sharing(actor)
    cleaned_title = base.text("title", title, model=CannedReply, single_line=True)
    cleaned_body = base.text("body", body, model=CannedReply)
    now = timezone.now()
    with transaction.atomic():
        _check_room(actor, shared=shared)
        return CannedReply.objects.create(
            owner=None if shared else actor,
            title=cleaned_title,
            body=cleaned_body,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )


def update_canned_reply(reply_id: int, *, actor: User, changes: Mapping[str, Any]) -> CannedReply:
    """Change ``title``, ``body`` or ``shared`` (anything else is ignored). A tech lead may
    share their own reply or take a shared one back as their own."""
    _check_user(actor)
    cleaned: dict[str, Any] = {}
    if "title" in changes:
        cleaned["title"] = base.text("title", changes["title"], model=CannedReply, single_line=True)
    if "body" in changes:
        cleaned["body"] = base.text("body", changes["body"], model=CannedReply)
    with transaction.atomic():
        reply = _locked(reply_id, actor)
        if reply.owner_id is None:
            _check_sharing(actor)
        if "shared" in changes and bool(changes["shared"]) != (reply.owner_id is None):
            _check_sharing(actor)
            make_shared = bool(changes["shared"])
            _check_room(actor, shared=make_shared)
            reply.owner = None if make_shared else actor
            cleaned["owner"] = reply.owner
        for field, value in cleaned.items():
            setattr(reply, field, value)
        if cleaned:
            reply.updated_at = timezone.now()
            reply.save(update_fields=[*cleaned, "updated_at"])
        return reply


def delete_canned_reply(reply_id: int, *, actor: User) -> None:
    """Delete one's own reply, or (tech leads) a shared one."""
    _check_user(actor)
    with transaction.atomic():
        reply = _locked(reply_id, actor)
        if reply.owner_id is None:
            _check_sharing(actor)
        reply.delete()
