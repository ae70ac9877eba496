"""Deliveries for the channels' tests, built directly (no provider's signature at this level)."""

from __future__ import annotations

import itertools
from typing import Any

from accounts.models import User
from channels.choices import Provider
from channels.intake import Delivery

_event_ids = itertools.count(1)

ALICE_WECOM = "ZhangLi"
CAROL_WECOM = "WangFang"
BOB_WECOM = "LiQiang"
DAVE_WECOM = "ZhaoMin"


def message(text: str, *, sender: str = ALICE_WECOM, **overrides: Any) -> Delivery:
    """A WeCom text message with a fresh event id (``event_id=`` to redeliver one)."""
    fields: dict[str, Any] = {
        "provider": Provider.WECOM,
        "event_id": f"evt-{next(_event_ids)}",
        "sender": sender,
        "text": text,
        **overrides,
    }
    return Delivery(**fields)


IM_IDS = {"alice": ALICE_WECOM, "carol": CAROL_WECOM, "bob": BOB_WECOM, "dave": DAVE_WECOM}


def link(*people: User) -> None:
    """Give the personas their WeCom ids (``IM_IDS``), as they would link them."""
    for person in people:
        person.wecom_id = IM_IDS[person.username]
        person.save(update_fields=["wecom_id"])
