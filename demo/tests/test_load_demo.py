"""``manage.py load_demo``: every app's contribution is loaded once, through the services."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import textwrap

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import Department, Site, User
from accounts.roles import Role
from accounts.tests.factories import make_user
from assets import demo as assets_demo
from assets.models import Asset, MaintenanceRecord
from demo import registry
from fieldwork import demo as fieldwork_demo
from fieldwork.choices import CheckResult, ConsentStatus, PlanApproach, VisitState, WorkMode
from fieldwork.models import (
    CheckTemplate,
    FunctionalCheck,
    RemoteConsent,
    SiteVisit,
    WorkLog,
    WorkPlan,
)
from incidents import demo as incidents_demo
from incidents.choices import IncidentStatus
from incidents.clocks import REPORT_EVERY, TASK_FORCE_WITHIN
from incidents.models import IncidentReport, MajorIncident
from notifications.models import Notification
from tests.clock import sh
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
    assert [part.app_label for part in parts] == [
        "accounts",
        "assets",
        "tickets",
        "fieldwork",
        "vendors",
        "incidents",
        "people",
        "knowledge",
        "feedback",
        "training",
    ]


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
    # and the tickets, in every state the demo walks them to (the field work's own ticket and
    # the reports of the major incident's outage besides the tickets part's)
    assert Ticket.objects.count() == len(tickets_demo.TICKETS) + 1 + len(incidents_demo.REPORTS)
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
        "Loaded demo data: 3 sites, 5 departments, 8 users, 8 assets, 22 tickets, "
        "2 remote-session consents, 5 work-log entries, 2 on-site visits, 1 solution plan, "
        "4 functional checks, 1 maintenance record, 3 vendors, 1 vendor case, "
        "1 major incident (2 reports, 1 reviewed)" in output
    )
    assert "Tickets by state:" in output
    assert "Open http://127.0.0.1:8000 and sign in" in output


@pytest.mark.django_db
def test_load_demo_twice_says_already_loaded_and_adds_nothing():
    # given
    load_demo()
    counts = _counts()

    # when
    output = load_demo()

    # then
    assert output.startswith("demo data already loaded\n")
    assert "Demo logins" in output
    assert _counts() == counts


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (User, Asset, Ticket, RemoteConsent, WorkLog, SiteVisit, MajorIncident)
    )


@pytest.mark.django_db
def test_the_demo_shows_alice_the_remote_session_and_the_plan_bob_is_working_on(client):
    # given
    load_demo()
    now = timezone.now()

    # then bob diagnosed alice's display ticket and works on it remotely
    ticket = Ticket.objects.get(title=fieldwork_demo.REMOTE_TICKET)
    assert (ticket.state, ticket.assignee.username) == (TicketState.DIAGNOSED, "bob")
    expired, running = RemoteConsent.objects.filter(ticket=ticket).order_by("requested_at")
    for consent in (expired, running):
        assert (consent.requested_by.username, consent.answered_by.username) == ("bob", "alice")
    assert (expired.status, running.status) == (ConsentStatus.EXPIRED, ConsentStatus.GRANTED)
    assert running.covers(now)
    # each remote entry was covered by a grant; one entry is the desk's own
    logs = list(WorkLog.objects.filter(ticket=ticket).select_related("consent"))
    remote = [log for log in logs if log.mode == WorkMode.REMOTE]
    assert len(remote) == 3
    assert all(log.consent.covers(log.performed_at) for log in remote)
    assert [log.is_public for log in logs] == [False, True, False, True]
    # the plan: a rollback with its risk, in a window alice confirmed, running now
    plan = WorkPlan.objects.get(ticket=ticket)
    assert (plan.approach, plan.confirmed_by.username) == (PlanApproach.ROLLBACK, "alice")
    assert plan.risk and plan.log_references
    assert plan.window_start <= now < plan.window_end

    # when alice opens her ticket
    client.force_login(User.objects.get(username="alice"))
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()

    # then she may stop the running session, and reads the progress but not the internal notes
    assert reverse("fieldwork:consent_revoke", args=[ticket.number, running.pk]) in page
    assert "正在回滚显卡驱动，屏幕会黑约 30 秒" in page
    assert "Resetting the graphics driver" in page
    assert "error code 43" not in page


@pytest.mark.django_db
def test_the_demo_has_visits_checks_and_a_maintenance_record(client):
    # given
    load_demo()

    # then carol's blue screen has bob's visit to come, with the parts to bring
    visit = SiteVisit.objects.get(ticket__title=fieldwork_demo.VISIT_TICKET)
    assert (visit.state, visit.engineer.username) == (VisitState.CONFIRMED, "bob")
    assert "内存条" in visit.bring
    assert visit.scheduled_at > timezone.now()
    # and the finance system's USB key: a visit done with a part, every default check
    # recorded (passed, or not applicable with a reason), resolved
    ticket = Ticket.objects.get(title=fieldwork_demo.USB_KEY_TITLE)
    assert (ticket.state, ticket.requester.username) == (TicketState.RESOLVED, "alice")
    done = SiteVisit.objects.get(ticket=ticket)
    assert done.state == VisitState.COMPLETED
    checks = list(FunctionalCheck.objects.filter(ticket=ticket))
    defaults = CheckTemplate.objects.filter(category__slug="software-business")
    assert [c.label for c in checks] == list(defaults.values_list("label", flat=True))
    assert {c.result for c in checks} == {CheckResult.PASSED, CheckResult.NOT_APPLICABLE}
    assert all(c.note for c in checks if c.result == CheckResult.NOT_APPLICABLE)
    # and resolving it wrote the laptop's maintenance record, with the part
    record = MaintenanceRecord.objects.get(ticket=ticket)
    assert (record.asset.tag, record.parts) == ("SH-LT-0012", done.parts_used)

    # when bob opens the laptop's page
    client.force_login(User.objects.get(username="bob"))
    page = client.get(reverse("assets:detail", args=[record.asset_id])).content.decode()

    # then the record is in its history
    assert done.parts_used in page


@pytest.mark.django_db
def test_the_demo_major_incident_is_over_and_reviewed(client):
    # given
    load_demo()

    # then tom declared it on the mail delay, the task force was formed in time
    incident = MajorIncident.objects.select_related("source_ticket").get()
    assert incident.source_ticket.title == incidents_demo.SOURCE_TICKET
    assert (incident.declared_by.username, incident.commander.username) == ("tom", "tom")
    assert incident.task_force_formed_at - incident.declared_at <= TASK_FORCE_WITHIN
    # the tickets about the same outage are linked, and resolved with it
    linked = incident.tickets.all()
    assert {t.title for t in linked} == {
        incidents_demo.SOURCE_TICKET,
        *(report.title for report in incidents_demo.REPORTS),
    }
    assert {t.state for t in linked} == {TicketState.RESOLVED}
    # two 30-minute reports went out on time, each with news
    reports = list(IncidentReport.objects.filter(incident=incident))
    assert [r.slot - incident.declared_at for r in reports] == [REPORT_EVERY, 2 * REPORT_EVERY]
    assert not any(r.is_late or r.no_new_status for r in reports)
    # restored, resolved, reviewed: no clock left to run
    assert incident.restored_at < incident.resolved_at < incident.reviewed_at
    assert (incident.status, incident.next_check_at) == (IncidentStatus.REVIEWED, None)
    actions = list(incident.review.actions.all())
    assert len(actions) == 3
    assert [a.done_at is not None for a in actions].count(True) == 1

    # when tom opens the review
    client.force_login(User.objects.get(username="tom"))
    page = client.get(reverse("incidents:review", args=[incident.number])).content.decode()

    # then he reads the root cause
    assert incident.review.root_cause.splitlines()[0] in page


# A Wednesday afternoon: the desk's working hours, tickets of the night and the morning open.
SWEPT_AT = sh(2026, 11, 25, 15, 30)


@pytest.mark.django_db
def test_the_first_sweeps_after_load_demo_send_no_flood():
    # given the demo loaded a minute ago
    with time_machine.travel(SWEPT_AT - dt.timedelta(minutes=1), tick=False):
        load_demo()
    last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()

    # when the sweeps run for the first time
    out = io.StringIO()
    with time_machine.travel(SWEPT_AT, tick=False):
        call_command("run_sweeps", stdout=out)

    # then the incident is not reported nor its commander reminded; the tickets' own clocks
    # tell a few people
    assert "incidents.clocks: 0 due, 0 recorded" in out.getvalue()
    sent = Notification.objects.filter(pk__gt=last)
    assert not sent.filter(kind__startswith="incident").exists()
    assert sent.count() <= FEW_NOTIFICATIONS


# At SWEPT_AT the tickets' own clocks and the vendor case's cadence send 20 (breaches and
# warnings of the tickets filed over the night); an incident left open would add a report
# and a reminder every 30 minutes from then on, the field work nothing.
FEW_NOTIFICATIONS = 30


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
    assert (
        result.stdout.strip()
        == "accounts,assets,tickets,fieldwork,vendors,incidents,people,knowledge,feedback,training"
    )
