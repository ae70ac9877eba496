"""What every ticket service shares: input checks, the row lock, the timeline, stored files.

Not a pipeline: each service in this package is a straight-line function that
reads top to bottom — atomic → lock → visible → permitted → allowed now →
validate → change → save → event → notify — calling these small pieces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, models
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets import attachments as upload_limits
from tickets import permissions
from tickets.attachments import clean_filename, stored_content_type
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
    single_line: bool = False,
) -> str:
    """Cleaned text for ``field``, no longer than the model field it is stored in
    (``source`` names that field when the input's name differs; ``limit`` is for text
    kept only in the timeline). ``single_line`` text (a title) may not contain a line break
    of any kind: it becomes an e-mail subject and the first line of notices, where a CR/LF
    would start a header-looking line of the sender's choosing."""
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
    if single_line and len(cleaned.splitlines()) > 1:
        raise ValidationError({field: _("Keep this to one line: no line breaks.")})
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
            # The search vectors (up to 1 MB) are written by tickets.search alone: not read
            # here, so a service's save() never sends them back or overwrites new words.
            .defer("search_document", "search_notes")
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


# Namespace of the transaction-level advisory lock that serialises one person's uploads.
_UPLOAD_LOCK_SPACE = 0x5D_F1


def _day_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The calendar day of ``now`` in the desk's time zone (``TIME_ZONE``), as instants."""
    zone = ZoneInfo(settings.TIME_ZONE)
    day = now.astimezone(zone).date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def check_upload_quotas(
    files: Sequence[UploadedFile[bytes]],
    *,
    actor: User,
    now: dt.datetime,
    ticket: Ticket | None = None,
    field: str = "attachments",
) -> None:
    """The totals that need the database: the ticket's files (when ``ticket`` is given) and
    what ``actor`` uploaded today, each with these files added.

    Services call it once before their transaction, for a quick answer without a lock, and
    again from ``store_files`` under the ticket's row lock, which is the check that counts:
    two requests for one ticket queue on that lock, and two for different tickets by one
    person queue on the advisory lock taken there.
    """
    incoming = sum(upload.size or 0 for upload in files)
    if not incoming:
        return
    if ticket is not None:
        limit = upload_limits.ticket_limit_mb()
        used = Attachment.objects.filter(ticket_id=ticket.pk).aggregate(n=Sum("size"))["n"]
        if (used or 0) + incoming > limit * upload_limits.MB:
            raise ValidationError(
                {
                    field: _(
                        "Files on one ticket may total at most %(limit)d MB; "
                        "these would go over it."
                    )
                    % {"limit": limit}
                }
            )
    limit = upload_limits.user_day_limit_mb()
    start, end = _day_bounds(now)
    used = Attachment.objects.filter(
        uploaded_by_id=actor.pk, created_at__gte=start, created_at__lt=end
    ).aggregate(n=Sum("size"))["n"]
    if (used or 0) + incoming > limit * upload_limits.MB:
        raise ValidationError(
            {
                field: _("You may upload at most %(limit)d MB a day; these files would go over it.")
                % {"limit": limit}
            }
        )


def record_transition(
    ticket: Ticket,
    kind: str,
    *,
    actor: User | None,
    now: dt.datetime,
    from_state: str,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """The timeline entry of a lifecycle transition: from which state to the ticket's new one."""
    return record(
        ticket,
        kind,
        actor=actor,
        now=now,
        from_state=from_state,
        to_state=ticket.state,
        data=data,
    )


def store_files(
    ticket: Ticket,
    files: Sequence[UploadedFile[bytes]],
    *,
    actor: User,
    now: dt.datetime,
    message: Message | None = None,
    is_internal: bool = False,
    field: str = "attachments",
) -> list[Attachment]:
    """Store ``files`` on ``ticket``, whose row the caller holds locked (or has just created).

    Every limit is checked before the first file is written, so a refusal stores nothing
    and the caller's transaction rolls back whatever it wrote before.
    """
    if not files:
        return []
    upload_limits.validate_request(files, field=field)
    with connection.cursor() as cursor:
        # One person's uploads to different tickets do not share a row lock; this lock
        # (released at commit) makes their daily total a sum nobody else is adding to.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [_UPLOAD_LOCK_SPACE, actor.pk % 2**31]
        )
    check_upload_quotas(files, actor=actor, now=now, ticket=ticket, field=field)
    stored = []
    for upload in files:
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
