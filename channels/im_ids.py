"""Setting people's IM ids in bulk from a CSV file (admins): read, check, then apply.

The header names the columns: ``username`` (required) and any of ``wecom_id``,
``dingtalk_id``, ``feishu_id``, ``slack_id``. A column left out, or an empty cell, changes
nothing; ``-`` clears the id. Every row is checked before anything is written: the person
exists, appears once, each id looks like an id (letters, digits, ``_ - @ .``, at most 64)
and names one active person once the file is applied. The checked rows wait in the cache
(an hour, for the admin who uploaded them) until applied in one transaction, checked again
there. The file may be UTF-8 (with or without BOM) or GB18030, comma-, semicolon- or
tab-separated (``assets.csv_import`` reads it).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import IM_ID_FIELDS
from assets.csv_import import decode

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
PENDING_TTL = 3600
CLEAR = "-"
COLUMNS = ("username", *IM_ID_FIELDS.values())
ID_SHAPE = re.compile(r"[A-Za-z0-9_.@\-]{1,64}")
ROW = "row"  # an error of the whole line, not one cell

Row = tuple[int, dict[str, str]]  # (line in the file, {column: text})


@dataclass
class RowError:
    line: int
    column: str
    message: str


@dataclass
class Change:
    line: int
    username: str
    changes: list[tuple[str, str, str]]  # (column, before, after)


@dataclass
class Check:
    """What applying the rows would do: the changes, the rows that change nothing, errors."""

    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def parse(data: bytes) -> list[Row]:
    """The file's rows; a ``ValidationError`` on ``file`` when it is not such a CSV."""
    if len(data) > MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // 2**20}}
        )
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
        header = [cell.strip().lower() for cell in next(reader)]
        columns = _columns(header)
        rows: list[Row] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationError(
                    {
                        "file": _("At most %(max)d people in one file; split it and try again.")
                        % {"max": MAX_ROWS}
                    }
                )
            row = {
                name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(columns)
            }
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
                row[ROW] = "extra"
            rows.append((reader.line_num, row))
    except StopIteration:
        raise ValidationError({"file": _("The file has no header row.")}) from None
    except csv.Error as exc:
        raise ValidationError(
            {
                "file": _("Line %(line)d is not valid CSV: %(error)s")
                % {"line": reader.line_num, "error": exc}
            }
        ) from None
    if not rows:
        raise ValidationError({"file": _("The file has a header but no rows.")})
    return rows


def _columns(header: list[str]) -> list[str]:
    for name in header:
        if name not in COLUMNS:
            raise ValidationError(
                {
                    "file": _("Unknown column “%(column)s”. The columns are: %(columns)s.")
                    % {"column": name[:40], "columns": ", ".join(COLUMNS)}
                }
            )
    if len(set(header)) != len(header):
        raise ValidationError({"file": _("A column appears twice in the header.")})
    if "username" not in header:
        raise ValidationError({"file": _("The header must name the column username.")})
    return header


def check(rows: list[Row]) -> Check:
    """Every row checked against the database and the rest of the file (a few queries)."""
    result = Check()
    names = {row.get("username", "") for _line, row in rows}
    people = {u.username: u for u in User.objects.filter(username__in=names)}
    seen: set[str] = set()
    wanted: dict[tuple[str, str], tuple[int, str]] = {}  # (column, id) -> (line, username)
    planned: list[tuple[int, User, dict[str, str]]] = []
    for line, row in rows:
        errors_before = len(result.errors)
        if row.get(ROW):
            result.errors.append(
                RowError(line, ROW, _("This line has more cells than the header."))
            )
        username = row.get("username", "")
        user = people.get(username)
        if not username:
            result.errors.append(RowError(line, "username", _("This field is required.")))
        elif user is None:
            result.errors.append(RowError(line, "username", _("No such user.")))
        elif username in seen:
            result.errors.append(RowError(line, "username", _("This person appears twice.")))
        seen.add(username)
        new: dict[str, str] = {}
        for column in IM_ID_FIELDS.values():
            value = row.get(column, "")
            if not value:
                continue
            if value == CLEAR:
                new[column] = ""
            elif not ID_SHAPE.fullmatch(value):
                result.errors.append(
                    RowError(
                        line,
                        column,
                        _("An id is 1 to 64 letters, digits and _ - @ . characters."),
                    )
                )
            elif (column, value) in wanted:
                other_line, other = wanted[(column, value)]
                result.errors.append(
                    RowError(
                        line,
                        column,
                        _("Line %(line)d gives this id to %(name)s too.")
                        % {"line": other_line, "name": other},
                    )
                )
            else:
                wanted[(column, value)] = (line, username)
                new[column] = value
        if user is not None and len(result.errors) == errors_before:
            planned.append((line, user, new))
    _check_taken(planned, result)
    if result.errors:
        return result
    for line, user, new in planned:
        changed = [(c, getattr(user, c), v) for c, v in new.items() if getattr(user, c) != v]
        if changed:
            result.changes.append(Change(line, user.username, changed))
        else:
            result.unchanged += 1
    return result


def _check_taken(planned: list[tuple[int, User, dict[str, str]]], result: Check) -> None:
    """An id the file gives someone may not stay with another active person."""
    in_file = {user.pk: new for _line, user, new in planned}
    for column in IM_ID_FIELDS.values():
        given = {new[column]: (line, user) for line, user, new in planned if new.get(column)}
        if not given:
            continue
        holders = User.objects.filter(is_active=True, **{f"{column}__in": list(given)}).values_list(
            "pk", "username", column
        )
        for pk, username, value in holders:
            line, user = given[value]
            if pk == user.pk:
                continue
            moves_away = column in in_file.get(pk, {})  # the file changes the holder's id too
            if not moves_away:
                result.errors.append(
                    RowError(
                        line,
                        column,
                        _("%(name)s already has this id.") % {"name": username},
                    )
                )


# --- waiting between the check and the apply --------------------------------------------------


def _key(token: str) -> str:
    return f"channels-im-ids:{token}"


def keep(rows: list[Row], *, actor: User) -> str:
    token = uuid.uuid4().hex
    cache.set(_key(token), {"actor": actor.pk, "rows": rows}, PENDING_TTL)
    return token


def pending(token: str, *, actor: User) -> list[Row] | None:
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return None
    data = cache.get(_key(token))
    if not isinstance(data, dict) or data.get("actor") != actor.pk:
        return None
    rows = data.get("rows")
    return rows if isinstance(rows, list) else None


def apply(token: str, *, actor: User) -> Check:
    """Write the checked rows (checked again, under a lock: a concurrent import or link
    waits); a ``ValidationError`` on ``file`` when they are gone or no longer pass."""
    rows = pending(token, actor=actor)
    if rows is None:
        raise ValidationError({"file": _("This check has expired: upload the file again.")})
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('channels.im-ids'))")
        result = check(rows)
        if result.errors:
            raise ValidationError(
                {"file": _("The file no longer passes the check: upload it again.")}
            )
        users = {
            u.username: u
            for u in User.objects.select_for_update(no_key=True).filter(
                username__in=[c.username for c in result.changes]
            )
        }
        for change in result.changes:
            user = users[change.username]
            for column, _before, after in change.changes:
                setattr(user, column, after)
        touched = sorted({c for change in result.changes for c, _b, _a in change.changes})
        if touched:
            User.objects.bulk_update(list(users.values()), touched, batch_size=500)
    cache.delete(_key(token))
    return result


def example_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(["alice", "ZhangLi", "", "ou_7d8a6e6df7621556ce0d21922b676706", "-"])
    return out.getvalue()
