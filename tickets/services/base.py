"""What every ticket service shares: input checks, the row lock, the timeline, stored files.

Not a pipeline: each service in this package is a straight-line function that
reads top to bottom — atomic → lock → visible → permitted → allowed now →
validate → change → save → event → notify — calling these small pieces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets import permissions
from tickets.attachments import clean_filename, stored_content_type, validate_upload
from tickets.choices import EventKind
from tickets.errors import TicketNotFound
from tickets.limits import max_length
from tickets.models import Attachment, Category, Message, Ticket, TicketEvent

# "Since when" is a moment in the past; the slack allows a caller's clock running ahead.
OCCURRED_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
OCCURRED_SLACK = dt.timedelta(days=1)


def text(
    field: str,
    value: Any,
    *,
    model: type[models.Model] = Ticket,
    source: str | None = None,
    limit: int | None = None,
    required: bool = True,
) -> str:
    """Cleaned text for ``field``, no longer than the model field it is stored in
    (``source`` names that field when the input's name differs; ``limit`` is for text
    kept only in the timeline)."""
    limit = limit or max_length(model, source or field)
    cleaned = "" if value is None else str(value).strip()
    if required and not cleaned:
        raise ValidationError({field: _("This field is required.")})
    if len(cleaned) > limit:
        raise ValidationError(
            {
                field: _("At most %(max)d characters (this has %(n)d).")
                % {"max": limit, "n": len(cleaned)}
            }
        )
    if "\x00" in cleaned:
        raise ValidationError({field: _("Text may not contain NUL characters.")})
    return cleaned


def choice(field: str, value: Any, choices: type[models.TextChoices]) -> str:
    if value not in choices.values:
        raise ValidationError(
            {
                field: _("“%(value)s” is not one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(choices.values)}
            }
        )
    return str(value)


def occurred_at(value: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not OCCURRED_EARLIEST <= value <= now + OCCURRED_SLACK:
        raise ValidationError({"occurred_at": _("Give a time between the year 2000 and now.")})
    return value


def category(value: Category | str | None) -> Category:
    if isinstance(value, Category):
        found: Category | None = value
    else:
        found = (
            Category.objects.filter(slug=value or "", is_active=True)
            .select_related("parent")
            .first()
        )
    if found is None or not found.is_active:
        raise ValidationError({"category": _("Unknown category.")})
    return found


def lock(ticket_id: int, actor: User) -> Ticket:
    """The ticket row, locked for this transaction; ``TicketNotFound`` if the actor may not
    see it. A second writer waits here, then sees what the first one did."""
    try:
        ticket = (
            Ticket.objects.select_for_update(no_key=True, of=("self",))
            .select_related("category", "requester", "assignee")
            .get(pk=ticket_id)
        )
    except Ticket.DoesNotExist:
        raise TicketNotFound from None
    if not permissions.can_view(ticket, actor):
        raise TicketNotFound
    return ticket


def record(
    ticket: Ticket,
    kind: str,
    *,
    actor: User | None,
    now: dt.datetime,
    from_state: str = "",
    to_state: str = "",
    message: Message | None = None,
    data: dict[str, Any] | None = None,
    is_internal: bool = False,
) -> TicketEvent:
    """Append one timeline entry (append-only: nothing updates or deletes them)."""
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        at=now,
        from_state=from_state,
        to_state=to_state,
        message=message,
        data=data or {},
        is_internal=is_internal,
    )


def store_files(
    ticket: Ticket,
    files: Iterable[UploadedFile[bytes]],
    *,
    actor: User,
    now: dt.datetime,
    message: Message | None = None,
    is_internal: bool = False,
) -> list[Attachment]:
    stored = []
    for upload in files:
        validate_upload(upload)
        name = clean_filename(upload.name or "")
        attachment = Attachment(
            ticket=ticket,
            message=message,
            uploaded_by=actor,
            original_name=name,
            content_type=stored_content_type(name),
            size=upload.size or 0,
            is_internal=is_internal,
            created_at=now,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    if stored:
        record(
            ticket,
            EventKind.ATTACHMENT_ADDED,
            actor=actor,
            now=now,
            data={"files": [a.original_name for a in stored]},
            is_internal=is_internal,
        )
    return stored
