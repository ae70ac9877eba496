"""IM intake: ``POST /api/v1/intake/im/<provider>/`` (and WeCom's ``GET`` handshake).

Contract between the provider folders and the core:

* ``channels/<provider>/intake.py`` defines ``handle(request) -> HttpResponse``: it verifies
  the request with the provider's documented scheme (401/403 on a bad signature, token or
  CorpID, a stale timestamp; 400 on a malformed body; never a 500), answers handshakes and
  challenges itself, turns the event into a ``Delivery`` and calls
  ``channels.intake.core.receive(delivery) -> Outcome``, then answers the provider (2xx).
* ``core.receive`` de-duplicates (``InboundMessage``), maps the sender to a user, files a
  ticket, adds a reply to one, or runs a command, in one transaction, and queues the reply
  to the sender (``Outcome.reply``) for after the commit (``channels.replies``), so a
  network failure never blocks or fails intake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Delivery:
    provider: str  # channels.choices.Provider
    event_id: str  # the provider's own id of the event or message (de-duplication)
    sender: str  # the provider's user id; "" never matches a user
    text: str  # the message's plain text ("" for a non-text message)
    thread: str = ""  # the provider's thread / parent message id, "" when none
    chat: str = ""  # the conversation to answer in (a DM or group id), "" for the sender's DM
    is_group: bool = False
    mentions_desk: bool = True  # in a group: the desk's bot was @-mentioned
    is_bot: bool = False  # sent by a bot (ours or another): ignored
    is_edit: bool = False  # an edit of an earlier message: ignored
    raw: Mapping[str, Any] = field(default_factory=dict)  # the decoded event, for logs/tests


@dataclass(frozen=True)
class Outcome:
    outcome: str  # channels.choices.InboundOutcome, or "duplicate" (already handled)
    ticket_number: str = ""
    reply: str = ""  # what was queued to answer the sender ("" nothing)
