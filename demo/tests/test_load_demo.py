"""``manage.py load_demo``: every app's contribution is loaded once, through the services."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts import demo as accounts_demo
from accounts.models import Department, Site, User
from accounts.roles import Role
from accounts.tests.factories import make_user
from assets import demo as assets_demo
from assets.models import Asset
from demo import registry
from tickets import demo as tickets_demo
from tickets.choices import ClosedAs, TicketState
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.usefixtures("seeded_calendar")


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_parts_are_found_lower_apps_first():
    # given the installed apps with a demo.py

    # when
    parts = registry.parts()

    # then
    assert [part.app_label for part in parts] == ["accounts", "assets", "tickets", "vendors"]


@pytest.mark.django_db
def test_load_demo_loads_every_contribution():
    # given an empty database

    # when
    output = load_demo()

    # then the offices, departments, people with their roles and devices are there
    assert set(Site.objects.values_list("code", flat=True)) == {"sh-hq", "bj", "sz"}
    assert Department.objects.count() == len(accounts_demo.DEPARTMENTS)
    for spec in accounts_demo.USERS:
        user = User.objects.get(username=spec.username)
        assert list(user.groups.values_list("name", flat=True)) == [spec.role]
        assert user.check_password(accounts_demo.DEMO_PASSWORD)
        assert user.site.code == spec.site
    assert User.objects.get(username="admin").is_superuser
    assert set(Asset.objects.values_list("tag", flat=True)) == {
        spec.tag for spec in assets_demo.ASSETS
    }
    # and the tickets, in every state the demo walks them to
    assert Ticket.objects.count() == len(tickets_demo.TICKETS)
    assert set(Ticket.objects.values_list("state", "closed_as")) == {
        (TicketState.SUBMITTED, ClosedAs.NONE),
        (TicketState.ACCEPTED, ClosedAs.NONE),
        (TicketState.DIAGNOSED, ClosedAs.NONE),
        (TicketState.RESOLVED, ClosedAs.NONE),
        (TicketState.VERIFIED, ClosedAs.NONE),
        (TicketState.CLOSED, ClosedAs.COMPLETED),
        (TicketState.CLOSED, ClosedAs.CANCELLED),
    }
    assert Ticket.objects.get(title="财务系统无法开票").reopen_count == 1
    # and the history was written by the services, not by hand
    assert TicketEvent.objects.filter(ticket__title="财务系统无法开票").count() > 1
    assert (
        "Loaded demo data: 3 sites, 5 departments, 8 users, 8 assets, 19 tickets, "
        "3 vendors, 1 vendor case." in output
    )
    assert "Tickets by state:" in output
    assert "Open http://127.0.0.1:8000 and sign in" in output


@pytest.mark.django_db
def test_load_demo_twice_says_already_loaded_and_adds_nothing():
    # given
    load_demo()
    counts = (User.objects.count(), Asset.objects.count(), Ticket.objects.count())

    # when
    output = load_demo()

    # then
    assert output.startswith("demo data already loaded\n")
    assert "Demo logins" in output
    assert (User.objects.count(), Asset.objects.count(), Ticket.objects.count()) == counts


@pytest.mark.django_db
def test_load_demo_if_empty_on_a_database_with_a_user_loads_nothing():
    # given a user who is not one of the demo's
    make_user("someone", Role.REQUESTER)

    # when
    output = load_demo("--if-empty")

    # then
    assert "demo data not loaded" in output
    assert "Demo logins" not in output
    assert not Site.objects.filter(code=accounts_demo.MARKER_SITE).exists()
    assert list(User.objects.values_list("username", flat=True)) == ["someone"]
    assert not Asset.objects.exists()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_load_demo_refuses_a_database_with_a_demo_username_or_asset_tag():
    # given someone else's account and device under demo names
    make_user("alice", Role.REQUESTER)
    Asset.objects.create(tag="SH-PRN-0001", kind="printer")

    # when
    with pytest.raises(CommandError) as raised:
        load_demo()

    # then
    assert str(raised.value) == (
        "Cannot load the demo data: users already exist: alice; "
        "asset tags already exist: SH-PRN-0001. Use an empty database."
    )
    assert not Site.objects.exists()
    assert User.objects.count() == 1
    assert not Ticket.objects.exists()


def test_load_demo_code_never_imports_time_machine():
    # given a fresh interpreter with the project's settings
    script = textwrap.dedent(
        """
        import sys

        import django

        django.setup()

        from demo import registry
        from demo.management.commands import load_demo

        parts = registry.parts()
        load_demo.Command().create_parser("manage.py", "load_demo")
        print(",".join(part.app_label for part in parts))
        assert "time_machine" not in sys.modules, "time_machine was imported"
        """
    )

    # when
    result = subprocess.run(  # noqa: S603 (a fixed script run by this interpreter)
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "servicedesk.settings_test"},
        check=False,
    )

    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "accounts,assets,tickets,vendors"
