"""Role capabilities, asked by permission, in one place.

Object-level rules for tickets live in ``tickets.permissions``; this module
answers the role-level questions the navigation and services share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Capabilities:
    file_ticket: bool = False
    work_queue: bool = False
    view_all: bool = False
    view_internal: bool = False
    log_call: bool = False
    assign: bool = False
    lead: bool = False
    view_reports: bool = False
    admin: bool = False


def capabilities(user: Any) -> Capabilities:
    if user is None or not user.is_authenticated or not user.is_active:
        return Capabilities()
    perms = user.get_all_permissions()
    return Capabilities(
        file_ticket="tickets.add_ticket" in perms,
        work_queue="tickets.work_ticket" in perms,
        view_all="tickets.view_all_tickets" in perms,
        view_internal="tickets.view_internal" in perms,
        log_call="tickets.log_call" in perms,
        assign="tickets.assign_ticket" in perms,
        lead="tickets.lead_ticket" in perms,
        view_reports="tickets.view_reports" in perms,
        admin=bool(user.is_staff),
    )
