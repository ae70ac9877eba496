"""Demo data in one place, each app contributing its part: discovery and the shared context.

An app contributes to ``manage.py load_demo`` with a ``demo.py`` module of its
own (``accounts/demo.py``, ``assets/demo.py``, ``tickets/demo.py`` …) that
imports only its own app and lower ones, never this package. The module offers:

``load(context) -> None`` (required)
    Make this app's part through its services (or the ORM where the app has
    no services), and record in ``context`` what later parts need, by natural
    key (site code, username, asset tag). Declare what it reads and fills in
    as a ``typing.Protocol`` in the module; ``DemoContext`` below satisfies
    every such protocol. A part that makes something a later part needs adds
    a field here.
``is_loaded() -> bool``
    The part's marker is there: the demo data is already loaded.
``conflicts() -> list[str]``
    Rows someone else created under a demo name, one phrase per kind.
``summary(context) -> list[str]``
    Counts for the "Loaded demo data: …" line, e.g. ``"8 assets"``.
``report(context) -> list[str]``
    Lines printed after that line (the tickets by state).
``logins() -> list[tuple[str, str, str, str]]``
    (username, name, role, password) rows for the logins table.

Only ``load`` is required. Parts run in ``INSTALLED_APPS`` order, which lists
lower layers first (accounts → assets → tickets → feature apps), so each part
finds what the parts below it made; apps without ``demo.py`` are skipped. No
part may import a test-only package: ``load_demo`` is shipped code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from accounts.models import Department, Site, User
from assets.models import Asset
from demo import clock
from tickets.models import Ticket

DEMO_MODULE = "demo"

Login = tuple[str, str, str, str]


@dataclass
class DemoContext:
    """What the parts loaded so far made, and the moment the demo history ends."""

    now: dt.datetime
    sites: dict[str, Site] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    assets: dict[str, Asset] = field(default_factory=dict)
    tickets: list[Ticket] = field(default_factory=list)

    @contextmanager
    def stopped_at(self, moment: dt.datetime) -> Iterator[clock.DemoClock]:
        """``timezone.now()`` returns ``moment`` (moved by ``shift``) inside the block.

        Parts set the clock back through this, so no app imports ``demo``.
        """
        with clock.stopped_at(moment) as demo_clock:
            yield demo_clock


@dataclass(frozen=True)
class DemoPart:
    """One app's contribution: its ``demo`` module, with the optional hooks defaulted."""

    app_label: str
    module: ModuleType

    def load(self, context: DemoContext) -> None:
        self.module.load(context)

    def is_loaded(self) -> bool:
        hook = getattr(self.module, "is_loaded", None)
        return bool(hook()) if hook else False

    def conflicts(self) -> list[str]:
        hook = getattr(self.module, "conflicts", None)
        return list(hook()) if hook else []

    def summary(self, context: DemoContext) -> list[str]:
        hook = getattr(self.module, "summary", None)
        return list(hook(context)) if hook else []

    def report(self, context: DemoContext) -> list[str]:
        hook = getattr(self.module, "report", None)
        return list(hook(context)) if hook else []

    def logins(self) -> list[Login]:
        hook = getattr(self.module, "logins", None)
        return list(hook()) if hook else []


def parts() -> list[DemoPart]:
    """Every installed app's ``demo`` module, in ``INSTALLED_APPS`` order (lower layers first)."""
    found = []
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, DEMO_MODULE):
            continue
        module = import_module(f"{config.name}.{DEMO_MODULE}")
        if not callable(getattr(module, "load", None)):
            continue  # not a contribution (a third-party app's own ``demo`` module)
        found.append(DemoPart(config.label, module))
    return found


def is_loaded(demo_parts: list[DemoPart]) -> bool:
    return any(part.is_loaded() for part in demo_parts)


def conflicts(demo_parts: list[DemoPart]) -> list[str]:
    return [problem for part in demo_parts for problem in part.conflicts()]


def load(demo_parts: list[DemoPart]) -> DemoContext:
    """Run every part, in order, in one transaction: either all of the demo is there or none."""
    with transaction.atomic():
        context = DemoContext(now=timezone.now())
        for part in demo_parts:
            part.load(context)
    return context


def summary(demo_parts: list[DemoPart], context: DemoContext) -> list[str]:
    return [phrase for part in demo_parts for phrase in part.summary(context)]


def report(demo_parts: list[DemoPart], context: DemoContext) -> list[str]:
    return [line for part in demo_parts for line in part.report(context)]


def logins(demo_parts: list[DemoPart]) -> list[Login]:
    return [row for part in demo_parts for row in part.logins()]
