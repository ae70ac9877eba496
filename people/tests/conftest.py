"""Shared set-up for automatic assignment: the printer category, a working Wednesday morning,
and a desk with the default calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from accounts.tests.factories import make_user
from tickets.models import Category
from tickets.tests.factories import make_category

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Wednesday 25 November 2026, 10:00 in Shanghai: inside the default calendar's hours.
WORKING = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Committed transactions run their after-commit hooks: keep tasks off any real broker."""
    monkeypatch.setattr("notifications.tasks.enqueue", lambda ids: None, raising=False)


@pytest.fixture
def working_hours(seeded_calendar):
    """The clock stands still on a working Wednesday morning."""
    with time_machine.travel(WORKING, tick=False):
        yield WORKING


@pytest.fixture
def printers(db) -> Category:
    hardware = make_category("hardware", name="硬件故障", name_en="Hardware")
    return make_category(
        "hardware-printer", parent=hardware, name="打印机/外设", name_en="Printer / peripherals"
    )


@pytest.fixture
def network(db) -> Category:
    return make_category("network-wifi", name="无线网络", name_en="Wi-Fi")


@pytest.fixture
def ann(db):
    return make_user("ann", Role.ENGINEER)


@pytest.fixture
def ben(db):
    return make_user("ben", Role.ENGINEER)


@pytest.fixture
def cid(db):
    return make_user("cid", Role.ENGINEER)
