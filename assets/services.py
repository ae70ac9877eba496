"""Every write to the device register: one device (pages, API), a CSV import, and the
maintenance records that resolved tickets leave behind.

Straight lines, as everywhere: atomic → lock → visible (404) → permitted (403) →
validate (400, the field named) → change → save. Devices have no timeline of their own;
what happens to a device is told by its tickets and its maintenance history.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from assets import csv_import, permissions
from assets.csv_import import ImportJob, Row, RowError
from assets.errors import AssetForbidden, AssetNotFound
from assets.models import Asset, MaintenanceRecord
from assets.validation import FIELDS, Lookups, clean, max_length

log = logging.getLogger(__name__)

IMPORT_TASK = "assets.tasks.import_assets"

# Rows checked or written between two progress updates of an import.
CHUNK = 200


def _lookups_for(raw: Mapping[str, Any]) -> Lookups:
    site = raw.get("site")
    owner = raw.get("owner")
    return Lookups.load(
        site_codes=[str(site)] if site else [], usernames=[str(owner)] if owner else []
    )


def _tag_taken(tag: str, *, other_than: int | None = None) -> bool:
    rows = Asset.objects.filter(tag=tag)
    if other_than is not None:
        rows = rows.exclude(pk=other_than)
    return rows.exists()


def create_asset(*, actor: User, data: Mapping[str, Any]) -> Asset:
    """A new device (engineers, tech leads, admins). Fields as ``validation.clean`` reads
    them: the site by code, the owner by username."""
    if not permissions.can_add(actor):
        raise AssetForbidden(_("You may not add devices."))
    values, errors = clean(data, _lookups_for(data))
    if not errors and _tag_taken(values["tag"]):
        errors["tag"] = _("Another device already has this tag.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Asset.objects.create(**values)
    except IntegrityError:  # the same tag created meanwhile
        raise ValidationError({"tag": _("Another device already has this tag.")}) from None


def update_asset(asset_id: int, *, actor: User, changes: Mapping[str, Any]) -> Asset:
    """Change the fields given (the others stay); who may see but not change gets 403."""
    unknown = set(changes) - set(FIELDS)
    with transaction.atomic():
        asset = Asset.objects.select_for_update(no_key=True).filter(pk=asset_id).first()
        if asset is None or not permissions.can_view(asset, actor):
            raise AssetNotFound
        if not permissions.can_edit(asset, actor):
            raise AssetForbidden(_("You may not change devices."))
        if unknown:
            raise ValidationError(
                {name: _("This field cannot be changed.") for name in sorted(unknown)}
            )
        values, errors = clean(changes, _lookups_for(changes), partial=True)
        tag = values.get("tag")
        if tag and "tag" not in errors and _tag_taken(tag, other_than=asset.pk):
            errors["tag"] = _("Another device already has this tag.")
        if errors:
            raise ValidationError(errors)
        for name, value in values.items():
            setattr(asset, name, value)
        try:
            with transaction.atomic():
                asset.save(update_fields=list(values) or None)
        except IntegrityError:
            raise ValidationError({"tag": _("Another device already has this tag.")}) from None
    return asset


def record_maintenance(
    asset_id: int,
    *,
    ticket_id: int | None,
    date: dt.date,
    work_done: str,
    parts: str,
    now: dt.datetime,
) -> MaintenanceRecord:
    """Add a line to the device's history; called inside the caller's transaction (the
    ticket's resolution). Texts are cut to the fields' limits rather than refused: they
    were accepted where they were written."""
    return MaintenanceRecord.objects.create(
        asset_id=asset_id,
        ticket_id=ticket_id,
        date=date,
        work_done=_fit(work_done, MaintenanceRecord, "work_done"),
        parts=_fit(parts, MaintenanceRecord, "parts"),
        created_at=now,
    )


def _fit(text: str, model: type[MaintenanceRecord], name: str) -> str:
    limit = max_length(name, model)
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- CSV import ----------------------------------------------------------------------------


def import_limits() -> tuple[int, int, int]:
    """(file size in MB, rows per file, rows imported in the request rather than by a
    worker), read at call time so ``override_settings`` works."""
    return (
        int(getattr(settings, "ASSETS_IMPORT_MAX_MB", 5)),
        int(getattr(settings, "ASSETS_IMPORT_MAX_ROWS", 20_000)),
        int(getattr(settings, "ASSETS_IMPORT_INLINE_ROWS", 300)),
    )


def start_import(*, actor: User, upload: UploadedFile[bytes]) -> ImportJob:
    """Read the file and start its job: in this request when it is small, else on a
    worker (in this request too when no worker can be reached). A file that is not a CSV
    of devices is a ``ValidationError`` on ``file``; row errors are the job's report."""
    if not permissions.can_import(actor):
        raise AssetForbidden(_("You may not import devices."))
    max_mb, max_rows, inline_rows = import_limits()
    if (upload.size or 0) > max_mb * 1024 * 1024:
        raise ValidationError({"file": _("The file may be at most %(max)d MB.") % {"max": max_mb}})
    rows = csv_import.parse(upload.read(), max_rows=max_rows)
    job = ImportJob.new(actor_id=actor.pk, file_name=(upload.name or "")[-200:], total=len(rows))
    job.save()
    job.store_rows(rows)
    if len(rows) <= inline_rows or not _enqueue(job.id):
        return run_import(job.id)
    return job


def _enqueue(job_id: str) -> bool:
    """Hand the job to a worker (``assets.tasks.import_assets``, sent by name: the task
    module imports this one)."""
    try:
        current_app.send_task(IMPORT_TASK, args=(job_id,), retry=False)
    except Exception:  # broker unreachable: the request runs the job itself
        log.warning("broker unavailable; asset import %s runs in the request", job_id)
        return False
    return True


def run_import(job_id: str) -> ImportJob:
    """Check every row; if none is wrong, write them all in one transaction (a device
    whose tag exists is updated, the others created). Idempotent: a job runs once."""
    job = ImportJob.load(job_id)
    if job is None:
        raise AssetNotFound
    if job.state != csv_import.QUEUED or not job.claim():
        return job
    rows = job.take_rows()
    if rows is None:
        job.state, job.message = csv_import.FAILED, _("The upload expired; upload the file again.")
        job.save()
        return job
    job.state = csv_import.CHECKING
    job.save()
    checked = _check(job, rows)
    if job.error_count:
        job.state = csv_import.FAILED
        job.save()
        return job
    job.state = csv_import.IMPORTING
    job.save()
    try:
        with transaction.atomic():
            _write(job, checked)
    except IntegrityError:
        job.state = csv_import.FAILED
        job.message = _(
            "Someone added a device with one of these tags meanwhile; nothing was imported. "
            "Upload the file again."
        )
        job.written = job.created = job.updated = 0
        job.save()
        return job
    job.state = csv_import.DONE
    job.save()
    return job


def _check(job: ImportJob, rows: list[Row]) -> list[dict[str, Any]]:
    lookups = Lookups.load(
        site_codes=[r.get("site", "") for _line, r in rows],
        usernames=[r.get("owner", "") for _line, r in rows],
    )
    tags = {r.get("tag", "").strip() for _line, r in rows}
    existing = {a.tag: a.pk for a in Asset.objects.filter(tag__in=tags).only("pk", "tag")}
    first_line: dict[str, int] = {}
    checked: list[dict[str, Any]] = []
    for start in range(0, len(rows), CHUNK):
        errors: list[RowError] = []
        for line, raw in rows[start : start + CHUNK]:
            values, problems = clean(raw, lookups)
            if csv_import.ROW in raw:
                problems[csv_import.ROW] = _("This line has more cells than the header.")
            tag = values.get("tag", "")
            if tag and "tag" not in problems:
                if tag in first_line:
                    problems["tag"] = _("The same tag is on line %(line)d.") % {
                        "line": first_line[tag]
                    }
                else:
                    first_line[tag] = line
            errors += [
                RowError(line, name, message)
                for name, message in sorted(problems.items(), key=_column_order)
            ]
            values["pk"] = existing.get(tag)
            checked.append(values)
        job.add_errors(errors)
        job.checked += len(rows[start : start + CHUNK])
        job.save()
    return checked


def _column_order(item: tuple[str, str]) -> int:
    name = item[0]
    return FIELDS.index(name) if name in FIELDS else len(FIELDS)


def _write(job: ImportJob, checked: list[dict[str, Any]]) -> None:
    """Inside the import's one transaction: nothing is kept unless everything is."""
    names = [name for name in FIELDS if name != "tag"]
    for start in range(0, len(checked), CHUNK):
        chunk = checked[start : start + CHUNK]
        new = [
            Asset(**{k: v for k, v in row.items() if k != "pk"}) for row in chunk if not row["pk"]
        ]
        old = [
            Asset(pk=row["pk"], **{k: v for k, v in row.items() if k != "pk"})
            for row in chunk
            if row["pk"]
        ]
        if new:
            Asset.objects.bulk_create(new)
        if old:
            Asset.objects.bulk_update(old, names)
        job.created += len(new)
        job.updated += len(old)
        job.written += len(chunk)
        job.save()


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name != "pk"}


def import_progress(job_id: str, *, actor: User) -> ImportJob:
    """The job, for the person who started it (anyone else: 404)."""
    job = ImportJob.load(job_id)
    if job is None or job.actor_id != actor.pk or not permissions.can_import(actor):
        raise AssetNotFound
    return job
