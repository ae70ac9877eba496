"""A mail's attachments as uploads, under the web's limits (``tickets.attachments``).

Each file is checked as a web upload is (size, empty, a program by its name or its first
bytes), then the count and the total one request may carry, then the ticket's and the
person's daily totals. What does not pass is left out and named in a note that goes on
the ticket with the text (the sender and the engineer both see what was not kept): a file
over the limits never fails the mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from channels.email.parse import Part
from tickets import attachments as limits
from tickets.models import Ticket
from tickets.services import base


@dataclass(frozen=True)
class Kept:
    files: list[SimpleUploadedFile]
    notes: list[str]  # one line per file left out, saying why


def keep(parts: Sequence[Part], *, actor: User, ticket: Ticket | None = None) -> Kept:
    files: list[SimpleUploadedFile] = []
    notes: list[str] = []
    total = 0
    for part in parts:
        upload = SimpleUploadedFile(
            limits.clean_filename(part.name), part.content, content_type=part.content_type
        )
        try:
            limits.validate_upload(upload)
        except ValidationError as error:
            notes.append(_not_kept(" ".join(error.messages)))
            continue
        size = upload.size or 0
        if len(files) >= limits.files_per_request():
            notes.append(_not_kept(f"{upload.name}: {limits.too_many_files_message(len(parts))}"))
            continue
        if total + size > limits.request_limit_mb() * limits.MB:
            reason = _("Files sent at once may total at most %(limit)d MB.") % {
                "limit": limits.request_limit_mb()
            }
            notes.append(_not_kept(f"{upload.name}: {reason}"))
            continue
        files.append(upload)
        total += size
    if files:
        try:
            base.check_upload_quotas(files, actor=actor, now=timezone.now(), ticket=ticket)
        except ValidationError as error:
            names = ", ".join(upload.name or "" for upload in files)
            notes.append(_not_kept(f"{names}: {' '.join(error.messages)}"))
            files = []
    return Kept(files, notes)


def _not_kept(reason: str) -> str:
    return _("E-mail attachment not kept: %(reason)s") % {"reason": reason}


def with_notes(text: str, notes: Sequence[str], *, limit: int) -> str:
    """``text`` with the notes after it, the text shortened so the whole fits ``limit``."""
    if not notes:
        return text[:limit]
    tail = "\n".join(notes)
    room = max(0, limit - len(tail) - 2)
    return f"{text[:room]}\n\n{tail}".strip()[:limit]
