"""The stored pack as a page shows it: times back as datetimes (shown in the reader's zone),
categories in the reader's language, and only the tickets the reader's site limits show
(R7.2: the others are counted, not named)."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language

from accounts.models import AnyUser
from incidents.choices import IncidentStatus
from reports.review.access import serves
from tickets.models import SlaEventKind

TIME_KEYS = frozenset(
    {
        "start",
        "end",
        "covers_until",
        "lookback_start",
        "submitted_at",
        "at",
        "due_at",
        "answered_at",
        "declared_at",
        "restored_at",
        "resolved_at",
        "written_at",
        "accepted_at",
        "invited_at",
    }
)


def _times(value: Any) -> Any:
    """A copy with every ISO time under a known key parsed (dates stay ISO strings unless
    the key is ``due_on``)."""
    if isinstance(value, list):
        return [_times(v) for v in value]
    if not isinstance(value, dict):
        return value
    found: dict[str, Any] = {}
    for key, item in value.items():
        if key in TIME_KEYS and isinstance(item, str):
            found[key] = parse_datetime(item)
        elif key == "due_on" and isinstance(item, str):
            found[key] = parse_date(item)
        else:
            found[key] = _times(item)
    return found


def _visible(rows: list[dict[str, Any]], user: AnyUser) -> tuple[list[dict[str, Any]], int]:
    shown = [row for row in rows if serves(user, row.get("site_id"))]
    return shown, len(rows) - len(shown)


def category_label(category: dict[str, Any]) -> str:
    english = (get_language() or "").startswith("en")
    return str(category.get("name_en") if english else category.get("name")) or str(
        category.get("slug", "")
    )


def pack_for(pack: dict[str, Any], user: AnyUser) -> dict[str, Any]:
    """The pack for ``user``'s page (see the module docstring). One query at most (the
    reader's site limits, asked even for an empty pack so the page's count is fixed)."""
    serves(user, None)
    found: dict[str, Any] = _times(pack)
    start, since = found.get("start"), found.get("lookback_start")
    found["lookback_weeks"] = (start - since).days // 7 if start and since else 0
    groups = []
    for group in found.get("groups", []):
        shown, hidden = _visible(group["tickets"], user)
        if not shown:
            continue
        groups.append(
            {
                **group,
                "tickets": shown,
                "hidden": hidden,
                "label": category_label(group["category"]),
            }
        )
    found["groups"] = groups
    for section in ("reopened", "breaches", "low_ratings"):
        found[section], found[f"{section}_hidden"] = _visible(found.get(section, []), user)
    for row in found["breaches"]:
        row["kind_label"] = _label(SlaEventKind, row.get("kind"))
    found["incidents"] = [
        {**i, "status_label": _label(IncidentStatus, i.get("status"))}
        for i in found.get("incidents", [])
    ]
    return found


def _label(choices: type[Any], value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)
