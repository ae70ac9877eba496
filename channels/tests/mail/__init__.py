"""The e-mail tests' fixtures: real ``.eml`` files in this folder, as an MTA or an IMAP
server hands them over. ``%KEY%`` markers stand for what only the test knows (a reply
token, a ticket number) and are filled in by ``eml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase

from channels.email import answers, intake
from channels.intake import Outcome
from channels.tasks import send_email_answer
from notifications import tasks as notification_tasks

FOLDER = Path(__file__).parent
DESK = "IT Service Desk <servicedesk@example.com>"


def eml(name: str, **fill: str) -> bytes:
    """The fixture ``name``, each ``%KEY%`` replaced by ``fill["key"]``."""
    data = (FOLDER / name).read_bytes()
    for key, value in fill.items():
        data = data.replace(f"%{key.upper()}%".encode(), value.encode())
    return data


def ingest(raw: bytes) -> Outcome:
    """``intake.receive`` as the command and the poll call it; after-commit work runs."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return intake.receive(raw)


def desk(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The desk's mail settings; its answers sent here and now by the real task's body
    (into Django's test outbox) instead of through a broker; the notifications the
    tickets' services write left in the database (what they would hand a worker is
    returned), so no test publishes to a shared broker."""
    settings.DEFAULT_FROM_EMAIL = DESK
    settings.SITE_URL = "https://desk.example.com"
    settings.EMAIL_PLUS_ADDRESSING = True

    def send_here(message: dict[str, Any]) -> None:
        send_email_answer.apply(kwargs=message)

    handed_over: list[list[int]] = []
    monkeypatch.setattr(answers, "_send", send_here)
    monkeypatch.setattr(notification_tasks, "enqueue", handed_over.append)
    return handed_over
