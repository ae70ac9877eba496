"""``manage.py ingest_email``: one message on standard input, as Postfix pipes it; the exit
status tells the MTA to forget it (0) or keep it and retry (75, EX_TEMPFAIL)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection

from accounts.roles import Role
from accounts.tests.factories import make_user
from channels.choices import InboundOutcome
from channels.management.commands.ingest_email import EX_TEMPFAIL
from tests.processes import free_port
from tickets.choices import Channel
from tickets.models import Ticket

from .mail import DESK, FOLDER, desk, eml

REPO = Path(__file__).resolve().parents[2]


def ingest_email(raw: bytes) -> str:
    out = io.StringIO()
    call_command("ingest_email", stdin=io.BytesIO(raw), stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded_calendar")
def test_the_command_files_the_message_it_reads(alice, settings, monkeypatch):
    # given
    desk(settings, monkeypatch)

    # when
    printed = ingest_email(eml("new_ticket.eml"))

    # then
    ticket = Ticket.objects.get()
    assert printed == f"{InboundOutcome.FILED} {ticket.number}"
    assert (ticket.requester, ticket.channel) == (alice, Channel.EMAIL)


@pytest.mark.django_db
def test_the_command_drops_what_is_no_message_without_an_error(alice):
    assert ingest_email(eml("malformed_binary.eml")) == "malformed"
    assert ingest_email(b"") == "malformed"
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_a_database_failure_asks_the_mta_to_retry(alice, monkeypatch):
    # given: the database goes away under the command
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("channels.intake.core._claim", refuse)

    # when
    with pytest.raises(CommandError) as refused:
        ingest_email(eml("new_ticket.eml"))

    # then
    assert refused.value.returncode == EX_TEMPFAIL


# --- as the MTA runs it: a process of its own ---------------------------------------------------


def _database_url(name: str, port: str | int) -> str:
    conf = connection.settings_dict
    auth = quote(conf["USER"] or "", safe="")
    if conf["PASSWORD"]:
        auth += ":" + quote(conf["PASSWORD"], safe="")
    host = conf["HOST"] or "127.0.0.1"
    return f"postgres://{auth}@{host}:{port}/{quote(name, safe='')}"


def pipe(fixture: str, database_url: str) -> subprocess.CompletedProcess[bytes]:
    """``manage.py ingest_email < fixture``, with no broker to hand answers to (a port
    nobody listens on: the answer is lost and logged, the intake stands)."""
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings_test",
        "DATABASE_URL": database_url,
        "REDIS_URL": nobody,
        "CELERY_BROKER_URL": nobody,
        "DEFAULT_FROM_EMAIL": DESK,
    }
    with (FOLDER / fixture).open("rb") as message:
        return subprocess.run(  # noqa: S603 - fixed arguments
            [sys.executable, "manage.py", "ingest_email"],
            stdin=message,
            capture_output=True,
            cwd=REPO,
            env=env,
            timeout=60,
            check=False,
        )


@pytest.mark.django_db(transaction=True)
def test_a_piped_message_is_filed_in_the_database_and_exits_0():
    # given: alice, committed for the other process to see
    alice = make_user("alice", Role.REQUESTER)
    url = _database_url(connection.settings_dict["NAME"], connection.settings_dict["PORT"] or 5432)

    # when
    done = pipe("new_ticket.eml", url)

    # then
    assert done.returncode == 0, done.stderr.decode()
    ticket = Ticket.objects.get()
    assert done.stdout.decode().strip() == f"filed {ticket.number}"
    assert (ticket.requester, ticket.channel) == (alice, Channel.EMAIL)
    assert b"Traceback" not in done.stderr


@pytest.mark.django_db(transaction=True)
def test_a_piped_malformed_message_exits_0_without_a_traceback():
    url = _database_url(connection.settings_dict["NAME"], connection.settings_dict["PORT"] or 5432)

    done = pipe("malformed_binary.eml", url)

    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip() == "malformed"
    assert b"Traceback" not in done.stderr


def test_a_piped_message_without_its_database_exits_75_for_the_mta_to_retry():
    # given: a PostgreSQL port nobody listens on
    url = _database_url("servicedesk", free_port())

    # when
    done = pipe("new_ticket.eml", url)

    # then
    assert done.returncode == EX_TEMPFAIL, done.stderr.decode()
    assert b"database unavailable" in done.stderr
    assert b"Traceback" not in done.stderr
