"""Where calendar days come from: the chinesecalendar package, or a CSV / ICS file.

Pure functions returning ``(date, kind, name)`` rows; the seeding migration and
``manage.py import_calendar`` write them. ``kind`` is ``holiday`` or ``workday``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable

DayRow = tuple[dt.date, str, str]

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


class CalendarFileError(ValueError):
    """The file is not a calendar we can read; the message says where."""


def _name(english: str) -> str:
    chinese = HOLIDAY_NAMES_ZH.get(english)
    return f"{chinese} {english}" if chinese else english


def chinese_calendar_days() -> tuple[list[DayRow], int]:
    """Every holiday and adjusted working day the package knows, and its last year."""
    # A table of every year since 2004: loaded only when a calendar is seeded.
    import chinese_calendar

    rows: list[DayRow] = [
        (d, "holiday", _name(str(n))) for d, n in chinese_calendar.holidays.items()
    ]
    rows += [(d, "workday", _name(str(n))) for d, n in chinese_calendar.workdays.items()]
    last_year = max(d.year for d, _kind, _n in rows)
    return sorted(rows), last_year


def parse_csv(text: str) -> list[DayRow]:
    """``date,kind,name`` lines (a header line is allowed); kind is holiday or workday."""
    rows: list[DayRow] = []
    for number, record in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not record or not "".join(record).strip() or record[0].strip().lower() == "date":
            continue
        if len(record) < 2:
            raise CalendarFileError(f"line {number}: expected date,kind[,name]")
        try:
            day = dt.date.fromisoformat(record[0].strip())
        except ValueError:
            raise CalendarFileError(
                f"line {number}: {record[0]!r} is not a YYYY-MM-DD date"
            ) from None
        kind = record[1].strip().lower()
        if kind not in {"holiday", "workday"}:
            raise CalendarFileError(f"line {number}: kind must be holiday or workday, not {kind!r}")
        rows.append((day, kind, record[2].strip() if len(record) > 2 else ""))
    return rows


_ICS_DATE = re.compile(r"^DTSTART(?:;[^:]*)?:(\d{8})", re.MULTILINE)


def parse_ics(text: str) -> list[DayRow]:
    """All-day VEVENTs. A SUMMARY containing 班 / workday / working marks a worked day;
    every other event is a holiday (one row per day from DTSTART to DTEND)."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    rows: list[DayRow] = []
    for block in unfolded.split("BEGIN:VEVENT")[1:]:
        body = block.split("END:VEVENT")[0]
        start = _ICS_DATE.search(body)
        if not start:
            raise CalendarFileError("an event has no all-day DTSTART")
        end_match = re.search(r"^DTEND(?:;[^:]*)?:(\d{8})", body, re.MULTILINE)
        summary_match = re.search(r"^SUMMARY(?:;[^:]*)?:(.*)$", body, re.MULTILINE)
        summary = summary_match.group(1).strip() if summary_match else ""
        first = dt.datetime.strptime(start.group(1), "%Y%m%d").date()  # noqa: DTZ007
        last = (
            dt.datetime.strptime(end_match.group(1), "%Y%m%d").date() - dt.timedelta(days=1)  # noqa: DTZ007
            if end_match
            else first
        )
        lowered = summary.lower()
        kind = (
            "workday"
            if ("班" in summary or "workday" in lowered or "working" in lowered)
            else "holiday"
        )
        day = first
        while day <= max(first, last):
            rows.append((day, kind, summary))
            day += dt.timedelta(days=1)
    return rows


def parse_file(name: str, text: str) -> list[DayRow]:
    if name.lower().endswith(".ics") or text.lstrip().startswith("BEGIN:VCALENDAR"):
        return parse_ics(text)
    return parse_csv(text)


def years_of(rows: Iterable[DayRow]) -> set[int]:
    return {day.year for day, _kind, _name in rows}
