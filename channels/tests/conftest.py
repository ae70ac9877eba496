"""The channels' test fixtures: ``deliver`` a ``Delivery`` to ``channels.intake.core`` and see
what was ``sent`` (the answers queued for ``channels.tasks.send_reply``); a local HTTP
``sink`` standing in for the providers, which outbound calls reach only with ``allow_sink``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from channels import replies
from channels.intake import Delivery, Outcome, core

from .http_sink import Sink, serve


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What ``channels.tasks.send_reply`` would be handed after each commit (the outbound
    feature's task is replaced here: these tests stop at the queue)."""
    calls: list[dict[str, Any]] = []

    def record(provider: str, kwargs: dict[str, Any]) -> None:
        calls.append({"provider": provider, **kwargs})

    monkeypatch.setattr(replies, "_send", record)
    return calls


@pytest.fixture
def deliver(
    django_capture_on_commit_callbacks: Any, sent: list[dict[str, Any]]
) -> Callable[[Delivery], Outcome]:
    """``deliver(message(...))``: the core receives it; after-commit work runs."""

    def run(delivery: Delivery) -> Outcome:
        with django_capture_on_commit_callbacks(execute=True):
            return core.receive(delivery)

    return run


@pytest.fixture
def delivered(monkeypatch: pytest.MonkeyPatch) -> list[Delivery]:
    """What a provider's intake hands to the core (the core itself is not run): the
    providers' parsing tests."""
    seen: list[Delivery] = []

    def receive(delivery: Delivery) -> Outcome:
        seen.append(delivery)
        return Outcome("filed", "IT-1")

    monkeypatch.setattr("channels.intake.core.receive", receive)
    return seen


@pytest.fixture
def sink() -> Iterator[Sink]:
    yield from serve()


@pytest.fixture
def allow_sink(settings: Any) -> None:
    """Let outbound calls reach the local server (refused by default, as in production)."""
    settings.CHANNELS_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def still_clock() -> Iterator[None]:
    """The clock stands still for the test: a signature's timestamp one second outside a
    provider's window stays outside it however long the request takes (the timestamps are
    whole seconds, so a running clock could cross a second between signing and checking)."""
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False):
        yield
