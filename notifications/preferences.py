"""Which channels a person hears about each kind of notification on.

Defaults, per role (a cell nobody changed):

* in the app and by e-mail: every kind, for everyone (as before there were preferences);
* on each IM the person linked: a requester, every kind the feature sends beyond the app
  (updates on their tickets); staff (engineer, tech lead, manager, admin), only the kinds
  declared urgent for staff with ``im_by_default_for_staff`` (assignments, SLA warnings …),
  so that the IM stays the place where work that cannot wait arrives.

A person's own choice (a ``Preference`` row) overrides one cell. Only cells that differ
from the default are stored. The outbox writer applies the same rules in the statement
that inserts the rows (``outbox.insert``): this module is the page's side of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils.functional import Promise

from accounts.models import User
from accounts.roles import Role
from notifications import kinds, transports
from notifications.choices import IM_CHANNELS, NotificationChannel
from notifications.models import Preference

STAFF_ROLES: tuple[str, ...] = (Role.ENGINEER, Role.TECH_LEAD, Role.MANAGER, Role.ADMIN)

_staff_im_kinds: set[str] = set()


def im_by_default_for_staff(*kind_values: str) -> None:
    """Declare kinds that reach staff on their IMs unless they turn it off. Idempotent."""
    _staff_im_kinds.update(str(kind) for kind in kind_values)


def staff_im_kinds() -> list[str]:
    return sorted(_staff_im_kinds)


def is_staff_role(user: User) -> bool:
    """Whether the person's defaults are staff's (one query for their role groups)."""
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name__in=STAFF_ROLES).exists()


def default_enabled(*, staff: bool, kind: str, channel: str) -> bool:
    if channel not in IM_CHANNELS:
        return True
    return not staff or kind in _staff_im_kinds


def address(user: User, channel: str) -> str:
    """Where the channel reaches the person ("" when it cannot): their e-mail or IM ID."""
    if channel == NotificationChannel.IN_APP:
        return "in_app"
    if channel == NotificationChannel.EMAIL:
        return user.email
    return str(getattr(user, f"{channel}_id", "") or "")


@dataclass(frozen=True)
class Column:
    channel: str
    label: str | Promise
    linked: bool  # the person can get it (an address); else the page shows it disabled


@dataclass(frozen=True)
class Cell:
    channel: str
    channel_label: str
    name: str  # the checkbox's name, "<kind>:<channel>"
    enabled: bool
    linked: bool


@dataclass(frozen=True)
class Row:
    kind: str
    label: str
    cells: list[Cell]


@dataclass(frozen=True)
class Group:
    label: str
    rows: list[Row]


def columns_for(user: User) -> list[Column]:
    """In the app, e-mail, and each IM the desk has set up, in that order."""
    wanted = [NotificationChannel.IN_APP, NotificationChannel.EMAIL]
    wanted += [NotificationChannel(c) for c in transports.available() if c in IM_CHANNELS]
    return [Column(str(c), c.label, bool(address(user, c))) for c in wanted]


def _group_label(member: object) -> str:
    config = apps.get_containing_app_config(type(member).__module__)
    return str(config.verbose_name) if config is not None else ""


def table_for(user: User) -> list[Group]:
    """Every registered kind × the person's columns: what they get now (two queries)."""
    staff = is_staff_role(user)
    chosen = {
        (kind, channel): enabled
        for kind, channel, enabled in Preference.objects.filter(user=user).values_list(
            "kind", "channel", "enabled"
        )
    }
    columns = columns_for(user)
    groups: dict[str, list[Row]] = {}
    for member in kinds.registered():
        kind = str(member.value)
        cells = []
        for column in columns:
            default = default_enabled(staff=staff, kind=kind, channel=column.channel)
            cells.append(
                Cell(
                    channel=column.channel,
                    channel_label=str(column.label),
                    name=f"{kind}:{column.channel}",
                    enabled=column.linked and chosen.get((kind, column.channel), default),
                    linked=column.linked,
                )
            )
        groups.setdefault(_group_label(member), []).append(Row(kind, str(member.label), cells))
    return [Group(label, rows) for label, rows in groups.items()]


def save(user: User, checked: Iterable[str]) -> int:
    """Store the person's choices from the page: ``checked`` names the ticked cells
    (``"<kind>:<channel>"``); every other cell of a channel they can get is off. Cells of
    channels they cannot get (no address) keep what was stored. Returns the rows stored."""
    ticked = set(checked)
    staff = is_staff_role(user)
    columns = [c for c in columns_for(user) if c.linked]
    rows = []
    for member in kinds.registered():
        kind = str(member.value)
        for column in columns:
            enabled = f"{kind}:{column.channel}" in ticked
            if enabled != default_enabled(staff=staff, kind=kind, channel=column.channel):
                rows.append(
                    Preference(user=user, kind=kind, channel=column.channel, enabled=enabled)
                )
    with transaction.atomic():
        Preference.objects.filter(user=user, channel__in=[c.channel for c in columns]).delete()
        Preference.objects.bulk_create(rows)
    return len(rows)


def set_choice(user: User, kind: str, channel: str, *, enabled: bool) -> None:
    """One cell (tests, the shell, a future API): stored only when it differs from the default."""
    if not kinds.is_registered(kind) or channel not in NotificationChannel.values:
        raise ValueError(f"unknown kind or channel: {kind!r}, {channel!r}")
    default = default_enabled(staff=is_staff_role(user), kind=kind, channel=channel)
    Preference.objects.filter(user=user, kind=kind, channel=channel).delete()
    if enabled != default:
        Preference.objects.create(user=user, kind=kind, channel=channel, enabled=enabled)
