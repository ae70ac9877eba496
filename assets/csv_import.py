"""Importing devices from a CSV file: reading the file, and the import job's progress.

The file is read in the request (a file that is not a CSV of devices is a form error at
once); its rows wait in the cache under the job's id while the job checks every row and,
only if none is wrong, writes them all in one transaction (``assets.services.run_import``:
in the request for a small file, in a Celery task for a big one). The job's state lives
in the cache too (Redis in production: the web process reads what the worker writes), so
the progress bar polls a cheap read and no table is needed for a job that lives minutes.

Columns are named in the header row, in any order, by their code (``tag``, ``kind``,
``vendor``, ``model``, ``os_version``, ``site``, ``owner``, ``warranty_end``) or their
label in English or Chinese; ``tag`` and ``kind`` are required, the others optional. The
file may be UTF-8 (with or without BOM) or GB18030 (Excel's "CSV" on a Chinese Windows),
comma-, semicolon- or tab-separated.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from assets.validation import FIELDS, label

# A job and its rows are kept this long after the upload (seconds).
JOB_TTL = 6 * 3600
# The job's report keeps this many row errors (it counts them all).
MAX_REPORTED_ERRORS = 500

QUEUED = "queued"
CHECKING = "checking"
IMPORTING = "importing"
DONE = "done"
FAILED = "failed"
RUNNING = (QUEUED, CHECKING, IMPORTING)

# A row's error that belongs to no column (a line with more cells than the header).
ROW = "row"

Row = tuple[int, dict[str, str]]  # (line in the file, {column: text})


def _key(job_id: str) -> str:
    return f"assets-import:{job_id}"


@dataclass
class RowError:
    line: int
    field: str
    message: str


@dataclass
class ImportJob:
    """One upload: who, which file, how far, and what was wrong or done."""

    id: str
    actor_id: int
    file_name: str
    total: int
    state: str = QUEUED
    checked: int = 0
    written: int = 0
    created: int = 0
    updated: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    message: str = ""  # why nothing was imported, when it is not the rows' fault

    @classmethod
    def new(cls, *, actor_id: int, file_name: str, total: int) -> ImportJob:
        return cls(id=uuid.uuid4().hex, actor_id=actor_id, file_name=file_name, total=total)

    @classmethod
    def load(cls, job_id: str) -> ImportJob | None:
        if not re.fullmatch(r"[0-9a-f]{32}", job_id or ""):
            return None
        data = cache.get(_key(job_id))
        if not isinstance(data, dict):
            return None
        data["errors"] = [RowError(**e) for e in data.get("errors", [])]
        return cls(**data)

    def save(self) -> None:
        cache.set(_key(self.id), asdict(self), JOB_TTL)

    @property
    def is_running(self) -> bool:
        return self.state in RUNNING

    @property
    def percent(self) -> int:
        """Checking is the first half of the bar, writing the second."""
        if self.state == DONE:
            return 100
        if not self.total:
            return 0
        return min(100, (self.checked + self.written) * 100 // (2 * self.total))

    @property
    def more_errors(self) -> int:
        return max(0, self.error_count - len(self.errors))

    def add_errors(self, errors: list[RowError]) -> None:
        self.error_count += len(errors)
        room = MAX_REPORTED_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])

    # The rows wait beside the job until it runs.
    def store_rows(self, rows: list[Row]) -> None:
        cache.set(_key(self.id) + ":rows", rows, JOB_TTL)

    def take_rows(self) -> list[Row] | None:
        rows = cache.get(_key(self.id) + ":rows")
        cache.delete(_key(self.id) + ":rows")
        return rows if isinstance(rows, list) else None

    def claim(self) -> bool:
        """True for the one runner that may run this job (a retried task finds it taken)."""
        return bool(cache.add(_key(self.id) + ":claimed", 1, JOB_TTL))


# --- reading the file ----------------------------------------------------------------------


def column_names() -> dict[str, str]:
    """Every accepted header (code, English or Chinese label), normalised -> column."""
    names = {name: name for name in FIELDS}
    names.update(
        {
            "asset_tag": "tag",
            "site_code": "site",
            "owner_username": "owner",
            "username": "owner",
            "os": "os_version",
            "firmware": "os_version",
            "warranty": "warranty_end",
        }
    )
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for name in FIELDS:
                names.setdefault(normalise(label(name)), name)
    return names


def normalise(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def decode(data: bytes) -> str:
    if b"\x00" in data:
        raise ValidationError({"file": _("This is not a CSV text file.")})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ValidationError({"file": _("Save the file as CSV in UTF-8 and try again.")}) from None


def parse(data: bytes, *, max_rows: int) -> list[Row]:
    """The file's rows as ``(line, {column: text})``, blank lines left out; a
    ``ValidationError`` naming ``file`` when it is not a CSV of devices at all."""
    text = decode(data)
    if not text.strip():
        raise ValidationError({"file": _("The file is empty.")})
    first_line = text.lstrip().splitlines()[0]
    try:
        dialect: Any = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ValidationError({"file": _("The file has no header row.")}) from None
    columns = _columns(header)
    rows: list[Row] = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= max_rows:
                raise ValidationError(
                    {
                        "file": _("At most %(max)d devices in one file; split it and try again.")
                        % {"max": max_rows}
                    }
                )
            row = {name: cells[i] if i < len(cells) else "" for i, name in enumerate(columns)}
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
                row[ROW] = str(len(cells))
            rows.append((start, row))
    except csv.Error as exc:
        raise ValidationError(
            {"file": _("Line %(line)d is not valid CSV: %(error)s") % {"line": line, "error": exc}}
        ) from None
    if not rows:
        raise ValidationError({"file": _("The file has a header but no devices.")})
    return rows


def _columns(header: list[str]) -> list[str]:
    known = column_names()
    columns: list[str] = []
    for cell in header:
        name = known.get(normalise(cell))
        if name is None:
            raise ValidationError(
                {
                    "file": _("Unknown column “%(column)s”. The columns are: %(columns)s.")
                    % {"column": cell.strip()[:40], "columns": ", ".join(FIELDS)}
                }
            )
        if name in columns:
            raise ValidationError(
                {"file": _("The column “%(column)s” appears twice.") % {"column": name}}
            )
        columns.append(name)
    missing = [name for name in ("tag", "kind") if name not in columns]
    if missing:
        raise ValidationError(
            {
                "file": _("The header must name the columns %(columns)s.")
                % {"columns": ", ".join(missing)}
            }
        )
    return columns


def template_csv() -> str:
    """An example file: the header and one device."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    writer.writerow(
        [
            "SH-LT-0100",
            "laptop",
            "Lenovo",
            "ThinkPad T14 Gen 4",
            "Windows 11 23H2",
            "sh-hq",
            "alice",
            "2027-06-30",
        ]
    )
    return out.getvalue()
