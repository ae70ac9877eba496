"""What the apps above ``assets`` plug into, without ``assets`` naming them.

A device's page and its API detail list the tickets raised about it. Tickets sit above
assets, which never import them: the app that may read tickets (``fieldwork``) registers
the function that answers "which of this device's tickets may this person see", and
``assets`` calls it. With nothing registered, the list is empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import AnyUser
    from assets.models import Asset


@dataclass(frozen=True)
class AssetTicket:
    """One ticket about a device, as its page and its API show it."""

    number: str
    title: str
    state: str
    state_label: str
    submitted_at: dt.datetime
    link: str
    state_class: str = "bg-secondary-lt"  # the badge's colour, as the ticket pages show it


TicketsOf = Callable[["Asset", "AnyUser"], list[AssetTicket]]

_tickets_of: list[TicketsOf] = []


def register_tickets_of(function: TicketsOf) -> None:
    """Set the one function listing a device's tickets for a viewer (newest first; it must
    run a fixed number of queries). Registering again replaces it."""
    _tickets_of[:] = [function]


def tickets_of(asset: Asset, user: AnyUser) -> list[AssetTicket]:
    return _tickets_of[0](asset, user) if _tickets_of else []
