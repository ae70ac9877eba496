"""Checking and naming uploaded files before they are stored; the upload limits.

Uploads are stored under random names (see ``models.attachment_path``); the
name the user gave is kept only as text, cleaned here, and used for the
``Content-Disposition`` of the download.

Limits, read at call time so ``override_settings`` works: one file
(``TICKETS_MAX_ATTACHMENT_MB``), one request (``ATTACHMENTS_PER_REQUEST`` files,
``ATTACHMENTS_REQUEST_MB`` in total), one ticket (``ATTACHMENTS_TICKET_MB``) and one
person per day in the desk's time zone (``ATTACHMENTS_USER_DAY_MB``). The per-request
limits are checked here; the ticket and daily totals need the database and are checked
by ``tickets.services.base.check_upload_quotas``.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

# Types a browser may show inline safely are still served as downloads; the
# stored type only helps the requester's computer pick an application.
_KEPT_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "application/zip",
}
# Programs and scripts that run when opened on Windows or macOS: refused, whatever the
# browser says the type is, and files that start like a Windows program (``MZ``) too.
# Logs, screenshots, documents and archives are what a desk needs.
BLOCKED_SUFFIXES = frozenset(
    {
        ".exe", ".com", ".bat", ".cmd", ".msi", ".msp", ".scr", ".pif", ".cpl", ".dll",
        ".sys", ".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh", ".hta", ".ps1", ".psm1",
        ".lnk", ".reg", ".jar", ".app", ".apk", ".dmg", ".pkg", ".iso",
    }
)  # fmt: skip
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def clean_filename(raw: str) -> str:
    """The last path component, without control characters or leading dots; never empty."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_CHARS.sub("_", name).strip().lstrip(".")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:9]) if dot else name[:200]
    return name or "file"


def stored_content_type(name: str) -> str:
    guessed, _encoding = mimetypes.guess_type(name)
    return guessed if guessed in _KEPT_TYPES else "application/octet-stream"


MB = 1024 * 1024
# What a request may carry beside its files: the form fields (a 20,000-character message is
# at most 80 kB of UTF-8) and the multipart framing of each part. The early refusal by
# ``Content-Length`` (``servicedesk.middleware``) allows this much above the files' limit.
FORM_ALLOWANCE_BYTES = 1 * MB


def max_attachment_bytes() -> int:
    return int(settings.TICKETS_MAX_ATTACHMENT_MB) * MB


def files_per_request() -> int:
    return int(settings.ATTACHMENTS_PER_REQUEST)


def request_limit_mb() -> int:
    return int(settings.ATTACHMENTS_REQUEST_MB)


def ticket_limit_mb() -> int:
    return int(settings.ATTACHMENTS_TICKET_MB)


def user_day_limit_mb() -> int:
    return int(settings.ATTACHMENTS_USER_DAY_MB)


def request_body_limit_bytes() -> int:
    """The largest request body worth reading: the files' limit plus the form fields."""
    return request_limit_mb() * MB + FORM_ALLOWANCE_BYTES


def too_many_files_message(count: int | None) -> str:
    """The refusal of too many files in one request, naming the limit (and the count, when
    it is known: Django's parser stops a flood before anyone counts it)."""
    limit = files_per_request()
    if count is None:
        return _("At most %(limit)d files at once.") % {"limit": limit}
    return _("At most %(limit)d files at once (this has %(count)d).") % {
        "limit": limit,
        "count": count,
    }


def validate_request(files: Sequence[UploadedFile[bytes]], *, field: str = "attachments") -> None:
    """One request's files: how many, each one, and their total (no database needed)."""
    if len(files) > files_per_request():
        raise ValidationError({field: too_many_files_message(len(files))})
    for upload in files:
        validate_upload(upload, field=field)
    total_mb = request_limit_mb()
    if sum(upload.size or 0 for upload in files) > total_mb * MB:
        raise ValidationError(
            {field: _("Files sent at once may total at most %(limit)d MB.") % {"limit": total_mb}}
        )


def validate_upload(upload: UploadedFile[bytes], *, field: str = "attachments") -> None:
    limit = max_attachment_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                field: _("%(name)s is larger than %(limit)d MB.")
                % {"name": clean_filename(upload.name or ""), "limit": limit // MB}
            }
        )
    if upload.size == 0:
        raise ValidationError({field: _("%(name)s is empty.") % {"name": upload.name}})
    if is_program(upload):
        raise ValidationError(
            {
                field: _(
                    "%(name)s is a program or script: these cannot be attached. "
                    "Send a screenshot or the log instead."
                )
                % {"name": clean_filename(upload.name or "")}
            }
        )


def is_program(upload: UploadedFile[bytes]) -> bool:
    """A file that would run when opened: by its name, or by a Windows program's header."""
    suffix = PurePath(clean_filename(upload.name or "")).suffix.lower()
    if suffix in BLOCKED_SUFFIXES:
        return True
    head: bytes = upload.read(2)
    upload.seek(0)
    return head == b"MZ"


def upload_hint() -> str:
    """What the upload field says before anyone picks a file."""
    return _(
        "Up to %(count)d files, each at most %(limit)d MB: screenshots, PDF, logs, documents, "
        "archives. Programs and scripts (.exe, .bat, .ps1 …) are refused."
    ) % {"count": files_per_request(), "limit": max_attachment_bytes() // MB}


def store_upload(row: Any, upload: UploadedFile[bytes], name: str) -> Any:
    """Save ``upload``'s bytes under ``name`` into ``row.file`` and the row itself: the file
    rows of articles and training sessions (each row its own model, the same way to keep)."""
    row.file.save(name, upload, save=False)
    row.save()
    return row


def delete_with_file(row: Any) -> None:
    """Delete a file row now, and its stored bytes once the transaction commits (a rollback
    keeps both)."""
    stored = row.file
    row.delete()
    transaction.on_commit(lambda: stored.delete(save=False))
