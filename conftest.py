"""Personas and clients shared by every app's tests (healthchecks ``hc/test.py`` style).

alice and carol file tickets; carol must never see alice's. bob and erin are
engineers, tom is the tech lead, dave the manager, admin the administrator.
"""

from __future__ import annotations

import dataclasses
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
from django.test import Client, TransactionTestCase
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import Role
from accounts.tests.factories import make_user


def pytest_configure(config: pytest.Config) -> None:
    # WhiteNoise warns when collectstatic has not run; tests never serve static files.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


# The tests that take a minute or more of CPU (migrations run both ways, real processes, the
# API fuzzing slices, browser walks of every payload), longest first. xdist hands the
# first quarter of the run out one test per worker in turn, so these start at once, side by
# side, instead of one of them starting late and the whole run waiting for it at the end.
LONG_FIRST = (
    "tests/test_migrate_to_apps.py",
    "tests/reliability/",
    "tests/security/test_scanners.py",
    "tests/ops/test_backup.py",
    "tests/test_sla_query_plan.py",
    "tests/browser/test_xss.py",
    "tests/integration/",
    "tests/ops/test_processes.py",
    "tests/browser/test_journeys.py",
    "demo/tests/test_load_demo.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        found = [i for i, prefix in enumerate(LONG_FIRST) if item.nodeid.startswith(prefix)]
        return found[0] if found else len(LONG_FIRST)

    items.sort(key=rank)  # stable: the rest keep their order


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
    with django_db_blocker.unblock():
        _remember_seeds()
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


# A transactional test ends with a flush. Django's empties every table (TRUNCATE, a new file
# for each of some 150 tables and their indexes) and then re-seeds the install through
# post_migrate: about a second a test, a tenth of the suite. This one deletes only the rows
# the test added (foreign keys not checked: everything referenced goes too). The install's
# seeded tables (content types, permissions, role groups, categories, SLA policies, calendar,
# checks, glossary) keep their seeded rows when those are exactly as after the last seeding
# (rows a test added after them are deleted); if a test changed or deleted one, the seeded
# tables are emptied and re-seeded as by Django's flush. The next test finds the same
# database either way.
@dataclasses.dataclass(frozen=True)
class _Seeded:
    """A table holding rows on a fresh install: its seeded rows are those up to ``last``."""

    key: str
    last: int
    fingerprint: str


_seeds: dict[str, dict[str, _Seeded]] = {}  # database alias → table → its seeded rows


def _table_states(connection: Any, seeds: dict[str, _Seeded]) -> dict[str, tuple[bool, str]]:
    """Each table: whether it holds rows beyond the seeded ones, and the seeded rows'
    fingerprint."""
    tables = sorted(connection.introspection.django_table_names(only_existing=True))
    quote = connection.ops.quote_name
    parts = []
    for table in tables:
        seeded = seeds.get(table)
        if seeded is None:
            parts.append(f"SELECT %s, EXISTS (SELECT 1 FROM {quote(table)}), ''")  # noqa: S608
            continue
        key, last = quote(seeded.key), int(seeded.last)
        parts.append(
            f"SELECT %s, EXISTS (SELECT 1 FROM {quote(table)} WHERE {key} > {last}), "  # noqa: S608
            f"(SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) "
            f"FROM {quote(table)} r WHERE {key} <= {last})"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), tables)
        return {table: (bool(rows), fingerprint) for table, rows, fingerprint in cursor.fetchall()}


def _remember_seeds(alias: str | None = None) -> None:
    """The seeded tables of the test databases (of one) as a fresh install has them."""
    from django.db import connections

    for name in [alias] if alias else list(connections):
        connection = connections[name]
        quote = connection.ops.quote_name
        seeds = {}
        with connection.cursor() as cursor:
            for table, (rows, _) in _table_states(connection, {}).items():
                if not rows:
                    continue
                [key] = connection.introspection.get_primary_key_columns(cursor, table)
                cursor.execute(f"SELECT max({quote(key)}) FROM {quote(table)}")  # noqa: S608
                seeds[table] = _Seeded(key, cursor.fetchone()[0], "")
        states = _table_states(connection, seeds)
        _seeds[name] = {
            table: dataclasses.replace(seeded, fingerprint=states[table][1])
            for table, seeded in seeds.items()
        }


def _flush(alias: str) -> None:
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connections, transaction

    connection = connections[alias]
    seeds = _seeds[alias]
    states = _table_states(connection, seeds)
    reseed = any(states.get(t, (False, ""))[1] != seeded.fingerprint for t, seeded in seeds.items())
    quote = connection.ops.quote_name
    doomed = []
    for table, (rows, _) in states.items():
        seeded = seeds.get(table)
        if reseed and seeded:
            doomed.append(f"DELETE FROM {quote(table)}")  # noqa: S608
        elif rows and seeded:
            doomed.append(f"DELETE FROM {quote(table)} WHERE {quote(seeded.key)} > {seeded.last}")  # noqa: S608
        elif rows:
            doomed.append(f"DELETE FROM {quote(table)}")  # noqa: S608
    if doomed:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("; ".join(doomed))
    if reseed:
        emit_post_migrate_signal(verbosity=0, interactive=False, db=alias)
        _remember_seeds(alias)


def _fixture_teardown(self: TransactionTestCase) -> None:
    if self.available_apps is not None or self.serialized_rollback or not _seeds:
        _django_fixture_teardown(self)
        return
    for alias in self._databases_names(include_mirrors=False):
        _flush(alias)


_django_fixture_teardown = TransactionTestCase._fixture_teardown
TransactionTestCase._fixture_teardown = _fixture_teardown  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _default_language_and_zone():
    """Each test starts in the desk's default language and time zone: a request of an earlier
    test (the middleware applies the signed-in user's language and zone to the thread) or a
    test that switched them never decides what this one reads."""
    from django.utils import timezone, translation

    translation.deactivate()
    timezone.deactivate()


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
