"""A session's uploaded files (slides, handouts).

Checked as ticket attachments are (``tickets.attachments``: size, count and total per
request, programs and scripts refused by name and by a Windows program's header), stored
privately under random names, served only by the session's file view (as downloads,
``nosniff``, a sandboxing CSP). Tech leads add and remove them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets.attachments import (
    clean_filename,
    delete_with_file,
    store_upload,
    stored_content_type,
    validate_request,
)
from tickets.errors import ActionForbidden
from training import permissions, selectors
from training.errors import FileNotFound, SessionNotFound
from training.models import Material, TrainingSession

# A session is a lesson, not a file store.
MAX_FILES_PER_SESSION = 20
FIELD = "attachments"


def _lock_for_edit(session_id: int, actor: User) -> TrainingSession:
    session = (
        selectors.sessions_visible_to(actor)
        .select_for_update(no_key=True)
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise SessionNotFound
    if not permissions.can_manage(actor):
        raise ActionForbidden(_("Only tech leads change a session's materials."))
    return session


@transaction.atomic
def add_files(
    session_id: int, *, actor: User, files: Sequence[UploadedFile[bytes]]
) -> list[Material]:
    """Store ``files`` on the session (all or none)."""
    session = _lock_for_edit(session_id, actor)
    if session.is_cancelled:  # kept as it was when cancelled (training.services.sessions)
        raise ValidationError({FIELD: _("This training is cancelled.")})
    if not files:
        raise ValidationError({FIELD: _("Choose a file.")})
    validate_request(files, field=FIELD)
    present = Material.objects.filter(session=session).count()
    if present + len(files) > MAX_FILES_PER_SESSION:
        raise ValidationError(
            {
                FIELD: _("A session keeps at most %(count)d files.")
                % {"count": MAX_FILES_PER_SESSION}
            }
        )
    now = timezone.now()
    stored = []
    for upload in files:
        name = clean_filename(upload.name or "")
        row = Material(
            session=session,
            original_name=name,
            content_type=stored_content_type(name),
            size=upload.size or 0,
            uploaded_by=actor,
            created_at=now,
        )
        stored.append(store_upload(row, upload, name))
    return stored


@transaction.atomic
def remove_file(session_id: int, file_id: int, *, actor: User) -> None:
    """Delete one of the session's files (the stored bytes once the row is gone)."""
    session = _lock_for_edit(session_id, actor)
    row = Material.objects.filter(session=session, pk=file_id).first()
    if row is None:
        raise FileNotFound
    delete_with_file(row)
