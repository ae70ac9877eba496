"""Checking and naming uploaded files before they are stored.

Uploads are stored under random names (see ``models.attachment_path``); the
name the user gave is kept only as text, cleaned here, and used for the
``Content-Disposition`` of the download.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
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


def max_attachment_bytes() -> int:
    return int(settings.TICKETS_MAX_ATTACHMENT_MB) * 1024 * 1024


def validate_upload(upload: UploadedFile[bytes], *, field: str = "attachments") -> None:
    limit = max_attachment_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                field: _("%(name)s is larger than %(limit)d MB.")
                % {"name": clean_filename(upload.name or ""), "limit": limit // (1024 * 1024)}
            }
        )
    if upload.size == 0:
        raise ValidationError({field: _("%(name)s is empty.") % {"name": upload.name}})
