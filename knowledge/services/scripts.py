"""The tools and scripts library (R6.4): diagnostic scripts and remote-tool guides.

Staff only: reading and downloading need ``use_scripts`` (requesters get 403); engineers
and tech leads add and change entries (``write_articles``). A script is its text
(``body``), an uploaded file, or both; a guide is Markdown text. Every download is logged
(``ScriptDownload``: who, when, which version, from where) and counted
(``Script.download_count``) in one transaction.

An uploaded file is kept as the script's source: the size limit of attachments applies,
and a Windows program (``MZ`` header) is refused — the library keeps what an engineer can
read before running it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import capabilities
from knowledge.choices import ScriptKind, ScriptLanguage
from knowledge.errors import KnowledgeForbidden, ScriptNotFound
from knowledge.models import Script, ScriptDownload
from knowledge.services import clean
from tickets.attachments import MB, clean_filename, max_attachment_bytes
from tickets.limits import TEXT_MAX, max_length

MAX_PLATFORMS = 20
PLATFORM_MAX = 100
BODY_MAX = 200_000
FIELDS = frozenset({"name", "kind", "language", "body", "file", "usage", "platforms", "version"})


def may_use(user: Any) -> bool:
    return bool(capabilities(user).use_scripts)


def may_write(user: Any) -> bool:
    caps = capabilities(user)
    return bool(caps.use_scripts and caps.write_articles)


def clean_platforms(value: Any) -> list[str]:
    return clean.names(
        "platforms",
        value,
        limit=PLATFORM_MAX,
        most=MAX_PLATFORMS,
        not_a_list=_("Give the platforms as a list of names."),
        too_many=_("At most %(count)d platforms."),
    )


def _upload(value: Any) -> UploadedFile[bytes] | None:
    if value is None:
        return None
    if not isinstance(value, UploadedFile):
        raise ValidationError({"file": _("Choose a file.")})
    limit = max_attachment_bytes()
    if value.size is None or value.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if value.size > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)d MB.") % {"limit": limit // MB}}
        )
    head: bytes = value.read(2)
    value.seek(0)
    if head == b"MZ":
        raise ValidationError(
            {"file": _("Programs are not kept here: upload the script's source.")}
        )
    return value


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - FIELDS
    if unknown:
        raise TypeError(f"cannot set {sorted(unknown)} on a script")
    cleaners: dict[str, Callable[[Any], Any]] = {
        "name": lambda v: _one_line(
            clean.text("name", v, limit=max_length(Script, "name"), required=True)
        ),
        "kind": lambda v: clean.choice("kind", v, ScriptKind),
        "language": lambda v: clean.choice("language", v, ScriptLanguage),
        "body": lambda v: clean.text("body", v, limit=BODY_MAX, strip=False),
        "file": _upload,
        "usage": lambda v: clean.text("usage", v, limit=TEXT_MAX),
        "platforms": clean_platforms,
        "version": lambda v: clean.text("version", v, limit=max_length(Script, "version")),
    }
    return {name: cleaners[name](value) for name, value in changes.items()}


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValidationError({"name": _("The name is one line.")})
    return value


def _store(script: Script, upload: UploadedFile[bytes]) -> None:
    name = clean_filename(upload.name or "")
    script.original_name = name
    script.file.save(name, upload, save=False)


@transaction.atomic
def create_script(
    *,
    by: User,
    name: str,
    kind: str = ScriptKind.SCRIPT,
    language: str = ScriptLanguage.POWERSHELL,
    body: str = "",
    file: UploadedFile[bytes] | None = None,
    usage: str = "",
    platforms: Iterable[str] = (),
    version: str = "",
) -> Script:
    """A new entry in the library, owned by ``by``: its text, a file, or both."""
    if not may_write(by):
        raise KnowledgeForbidden(_("Only engineers and tech leads add scripts."))
    data = _clean(
        {
            "name": name,
            "kind": kind,
            "language": language,
            "body": body,
            "file": file,
            "usage": usage,
            "platforms": platforms,
            "version": version,
        }
    )
    upload = data.pop("file")
    if not data["body"].strip() and upload is None:
        raise ValidationError({"body": _("Give the script's text or upload its file.")})
    now = timezone.now()
    script = Script(**data, owner=by, created_at=now, updated_at=now)
    if upload is not None:
        _store(script, upload)
    script.save()
    return script


@transaction.atomic
def update_script(script_id: int, *, by: User, **changes: Any) -> Script:
    """Change the fields given (a new ``file`` replaces the old one)."""
    if not may_use(by):
        raise KnowledgeForbidden(_("The scripts library is for the IT staff."))
    script = Script.objects.select_for_update(no_key=True).filter(pk=script_id).first()
    if script is None:
        raise ScriptNotFound
    if not may_write(by):
        raise KnowledgeForbidden(_("Only engineers and tech leads change scripts."))
    data = _clean(changes)
    upload = data.pop("file", None)
    for field, value in data.items():
        setattr(script, field, value)
    if not script.body.strip() and upload is None and not script.file:
        raise ValidationError({"body": _("Give the script's text or upload its file.")})
    old = script.file.name if upload is not None and script.file else ""
    if upload is not None:
        _store(script, upload)
    script.updated_at = timezone.now()
    script.save()
    if old:
        storage = script.file.storage
        transaction.on_commit(lambda: storage.delete(old))
    return script


@transaction.atomic
def record_download(script_id: int, *, by: User, ip_address: str | None = None) -> Script:
    """Log and count one download of the script (the caller then sends it)."""
    if not may_use(by):
        raise KnowledgeForbidden(_("The scripts library is for the IT staff."))
    script = Script.objects.select_for_update(no_key=True).filter(pk=script_id).first()
    if script is None:
        raise ScriptNotFound
    ScriptDownload.objects.create(
        script=script,
        user=by,
        version=script.version,
        downloaded_at=timezone.now(),
        ip_address=ip_address,
    )
    Script.objects.filter(pk=script.pk).update(download_count=F("download_count") + 1)
    script.download_count += 1
    return script
