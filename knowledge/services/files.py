"""Screenshots and attachments of an article.

Stored privately under random names (``knowledge.models.file_path``); they leave only
through the article's file view, which checks the reader may read the article. A file is
an image (shown inline in the text as ``![…](file:<id>)``) only when its first bytes say
PNG, JPEG, GIF or WebP, whatever its name claims; SVG is never an image here (it can
carry script). Programs are refused as for ticket attachments, and so are files over the
attachment size limit. Writers (``permissions.can_edit``) add and remove files.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from knowledge import permissions
from knowledge.errors import ArticleNotFound, KnowledgeForbidden
from knowledge.models import Article, ArticleFile
from tickets.attachments import (
    clean_filename,
    delete_with_file,
    store_upload,
    stored_content_type,
    validate_request,
)

# An article is a page, not a file store.
MAX_FILES_PER_ARTICLE = 30
FIELD = "attachments"

_IMAGE_MAGIC: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]


def sniff_image(upload: UploadedFile[bytes]) -> str | None:
    """The image type the file's first bytes say, or ``None`` (not an image we show)."""
    head: bytes = upload.read(12)
    upload.seek(0)
    for magic, content_type in _IMAGE_MAGIC:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _lock_for_edit(article_id: int, by: User) -> Article:
    article = Article.objects.select_for_update(no_key=True).filter(pk=article_id).first()
    if article is None or not permissions.can_read(article, by):
        raise ArticleNotFound
    if not permissions.can_edit(article, by):
        raise KnowledgeForbidden(_("You may not change this article's files."))
    return article


@transaction.atomic
def add_files(
    article_id: int, *, by: User, files: Sequence[UploadedFile[bytes]]
) -> list[ArticleFile]:
    """Store ``files`` on the article (all or none)."""
    article = _lock_for_edit(article_id, by)
    if not files:
        raise ValidationError({FIELD: _("Choose a file.")})
    validate_request(files, field=FIELD)
    present = ArticleFile.objects.filter(article=article).count()
    if present + len(files) > MAX_FILES_PER_ARTICLE:
        raise ValidationError(
            {
                FIELD: _("An article keeps at most %(count)d files.")
                % {"count": MAX_FILES_PER_ARTICLE}
            }
        )
    now = timezone.now()
    stored = []
    for upload in files:
        name = clean_filename(upload.name or "")
        image_type = sniff_image(upload)
        row = ArticleFile(
            article=article,
            original_name=name,
            content_type=image_type or stored_content_type(name),
            size=upload.size or 0,
            is_image=image_type is not None,
            uploaded_by=by,
            created_at=now,
        )
        stored.append(store_upload(row, upload, name))
    return stored


@transaction.atomic
def remove_file(article_id: int, file_id: int, *, by: User) -> None:
    """Delete one of the article's files (the stored bytes once the row is gone)."""
    article = _lock_for_edit(article_id, by)
    row = ArticleFile.objects.filter(article=article, pk=file_id).first()
    if row is None:
        raise ArticleNotFound
    delete_with_file(row)
