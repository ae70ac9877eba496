"""Personas and clients shared by every app's tests (healthchecks ``hc/test.py`` style).

alice and carol file tickets; carol must never see alice's. bob and erin are
engineers, tom is the tech lead, dave the manager, admin the administrator.
"""

from __future__ import annotations

import fcntl
import importlib
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import AppConfig
from django.apps import apps as django_apps
from django.db.models.signals import post_migrate
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import Role
from accounts.tests.factories import make_user


def pytest_configure(config: pytest.Config) -> None:
    # WhiteNoise warns when collectstatic has not run; tests never serve static files.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


# The rows a fresh install's data migrations seed (categories, SLA policies and the
# calendar, default functional checks, the glossary). A transactional test (live server,
# Celery worker) ends with a flush that empties every table; the flush sends
# ``post_migrate``, and this puts the seeds back, so a later test on the same worker finds
# the install as ``migrate`` left it, whichever order xdist ran them in. Tests only: on a
# real desk an admin's deletion of a seeded row must stand.
DATA_SEEDS = (
    "tickets.migrations.0002_default_categories",
    "fieldwork.migrations.0002_default_checks",
)


def _reseed(sender: AppConfig, **kwargs: object) -> None:
    from sla.seed import seed as seed_sla

    if sender.label != "reports":  # once per flush, after the seeds' apps
        return
    seed_sla(django_apps)
    for module in DATA_SEEDS:
        importlib.import_module(module).seed(django_apps, None)
    try:  # the glossary's seed, once the knowledge base has one
        glossary = importlib.import_module("knowledge.migrations.0002_glossary_seed")
    except ModuleNotFoundError:
        return
    glossary.seed(django_apps, None)


post_migrate.connect(_reseed, dispatch_uid="tests.reseed_after_flush")


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's test databases, but under xdist the migrations run once per run: the
    first worker migrates a template database and every worker's database is a copy of it
    (``CREATE DATABASE … TEMPLATE``: a second, where migrating is half a minute of CPU per
    worker). Without xdist, or with ``--reuse-db``, pytest-django's own way."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    workerinput = getattr(request.config, "workerinput", None)
    keep = django_db_keepdb and not django_db_createdb
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    with django_db_blocker.unblock():
        if workerinput is not None and not keep:
            _copy_of_template(workerinput["testrunuid"])
        config = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=keep or workerinput is not None,
        )
    yield
    if not keep:
        with django_db_blocker.unblock():
            try:  # as pytest-django: a connection some thread left open only warns
                teardown_databases(config, verbosity=request.config.option.verbose)
            except Exception as exc:  # noqa: BLE001
                request.node.warn(pytest.PytestWarning(f"test databases not dropped: {exc!r}"))


def _copy_of_template(run: str) -> None:
    """This worker's test database, a copy of the run's migrated template (made first, by
    whichever worker gets the lock first)."""
    from django.conf import settings
    from django.db import connections

    connection = connections["default"]
    name = connection.settings_dict["TEST"]["NAME"]
    template = re.sub(r"_gw\d+$", "", name) + "_template"
    folder = Path(tempfile.gettempdir())
    with (folder / f"{template}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        marker = folder / f"{template}.{run}"
        if not marker.exists():
            for old in folder.glob(f"{template}.*"):
                if old.suffix != ".lock":  # an earlier run's marker
                    old.unlink(missing_ok=True)
            original = connection.settings_dict["NAME"]
            connection.settings_dict["TEST"]["NAME"] = template
            try:
                connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            finally:
                connection.close()
                connection.settings_dict["NAME"] = original
                settings.DATABASES["default"]["NAME"] = original
                connection.settings_dict["TEST"]["NAME"] = name
            marker.touch()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the tests' in-process LocMemCache): throttle
    counters and cached lookups of one test never reach the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded files go to a throw-away folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def alice(db) -> User:
    return make_user("alice", Role.REQUESTER)


@pytest.fixture
def carol(db) -> User:
    return make_user("carol", Role.REQUESTER)


@pytest.fixture
def bob(db) -> User:
    return make_user("bob", Role.ENGINEER)


@pytest.fixture
def erin(db) -> User:
    return make_user("erin", Role.ENGINEER)


@pytest.fixture
def tom(db) -> User:
    return make_user("tom", Role.TECH_LEAD)


@pytest.fixture
def dave(db) -> User:
    return make_user("dave", Role.MANAGER)


@pytest.fixture
def admin(db) -> User:
    return make_user("admin", Role.ADMIN)


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    """``api(user)``: a DRF client signed in as ``user`` (anonymous with ``None``)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def web() -> Callable[[User], Client]:
    """``web(user)``: a Django test client (session login) for pages, one per user."""

    def login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def seeded_calendar(db):
    """The default calendar and SLA policies a fresh install has (re-seeded if a transactional
    test flushed them), with the per-process calendar cache cleared around the test."""
    from django.apps import apps

    from sla.calendars import clear_calendar_cache
    from sla.seed import seed

    seed(apps)
    clear_calendar_cache()
    yield
    clear_calendar_cache()
