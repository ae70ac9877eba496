"""A database at the old head (f60f838) with data in it migrates to the new head intact.

The SLA models and the notification outbox left ``tickets`` for ``sla`` and
``notifications`` (``tickets.0011``, ``sla.0001``, ``notifications.0001``) and
``view_reports`` left ``Ticket.Meta`` for ``reports`` (``reports.0001``). The
test migrates this worker's test database back to the old head, writes rows
through the historical models, migrates forward, and checks every row, the
moved content types and permission grants, and the SLA sweep on the migrated
rows; then down and up once more. It always leaves the database at the head.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from accounts.roles import ensure_role_groups
from notifications import tasks as notification_tasks
from notifications.models import Notification
from sla.calendars import calendar_for_site, clear_calendar_cache, policy_for
from sla.models import BusinessCalendar, CalendarDay, SiteCalendar, SlaPolicy
from tests.clock import sh
from tickets.choices import EventKind, Priority
from tickets.models import SlaEvent, SlaEventKind, Ticket, TicketEvent
from tickets.obligations import sweep_sla

pytestmark = pytest.mark.django_db(transaction=True)

# The migration heads of f60f838, the commit before the apps were split.
OLD_HEAD = [
    ("accounts", "0001_initial"),
    ("assets", "0001_initial"),
    ("tickets", "0010_ticket_autovacuum"),
]
NEW_APPS_GONE = [("sla", None), ("notifications", None), ("reports", None)]
SLA_MODELS = ["businesscalendar", "calendarday", "sitecalendar", "slapolicy"]
MOVED = {**dict.fromkeys(SLA_MODELS, "sla"), "notification": "notifications"}

FILED = sh(2026, 11, 23, 9, 0)  # a Monday, business hours
HOLIDAY = dt.date(2026, 12, 25)
NOTE_FIELDS = [
    "recipient_id", "channel", "kind", "payload", "dedupe_key",
    "created_at", "sent_at", "read_at", "attempts", "last_error",
]  # fmt: skip


def migrate(targets: list[tuple[str, str | None]] | None = None) -> MigrationExecutor:
    """Migrate to ``targets`` (the leaf nodes when ``None``); an executor with a fresh graph."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()
    return executor


@pytest.fixture
def handed(monkeypatch) -> list[list[int]]:
    """Ids the outbox hands over for delivery after commit (no broker in this test)."""
    ids: list[list[int]] = []
    monkeypatch.setattr(notification_tasks, "enqueue", ids.append)
    return ids


@pytest.fixture
def old_apps(handed) -> Iterator[Any]:
    """The database at the old head, and its historical models; back at the head afterwards."""
    ensure_role_groups()  # the role groups exist even if an earlier test flushed them
    clear_calendar_cache()
    ContentType.objects.clear_cache()
    try:
        executor = migrate(OLD_HEAD + NEW_APPS_GONE)
        yield executor.loader.project_state(OLD_HEAD).apps
    finally:
        migrate()
        clear_calendar_cache()
        ContentType.objects.clear_cache()


def populate(apps: Any) -> dict[str, Any]:
    """Calendars, policies, people, tickets, SLA events, timeline and notifications, old style."""
    from sla.seed import seed  # the seed migration 0004 ran (a flushed database lost its rows)

    seed(apps, app_label="tickets")
    site_model = apps.get_model("accounts", "Site")
    user_model = apps.get_model("accounts", "User")
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    calendar_model = apps.get_model("tickets", "BusinessCalendar")
    ticket_model = apps.get_model("tickets", "Ticket")
    slaevent_model = apps.get_model("tickets", "SlaEvent")
    event_model = apps.get_model("tickets", "TicketEvent")
    notification_model = apps.get_model("tickets", "Notification")

    site = site_model.objects.create(code="sz", name="Shenzhen plant")
    calendar = calendar_model.objects.create(
        name="Shenzhen plant calendar",
        time_zone="Asia/Shanghai",
        weekly_hours=[["08:00-12:00", "13:00-17:00"]] * 5 + [[], []],
    )
    apps.get_model("tickets", "CalendarDay").objects.create(
        calendar=calendar, date=HOLIDAY, kind="holiday", name="Plant holiday"
    )
    apps.get_model("tickets", "SiteCalendar").objects.create(site=site, calendar=calendar)

    def person(username: str, **extra: Any) -> Any:
        return user_model.objects.create(
            username=username, email=f"{username}@example.com", password="!", **extra
        )

    alice = person("alice", site=site)
    bob = person("bob")
    bob.groups.add(group_model.objects.get(name="engineer"))
    dave = person("dave")
    readers = group_model.objects.create(name="report readers")
    readers.permissions.add(
        permission_model.objects.get(content_type__app_label="tickets", codename="view_reports")
    )
    dave.groups.add(readers)
    carol = person("carol")
    carol.user_permissions.add(
        permission_model.objects.get(
            content_type__app_label="tickets", codename="change_businesscalendar"
        )
    )
    category = apps.get_model("tickets", "Category").objects.create(
        slug="migration-test", name="迁移测试", name_en="Migration test"
    )

    def ticket(number: str, **extra: Any) -> Any:
        return ticket_model.objects.create(
            number=number,
            title=f"Ticket {number}",
            description="Printer on fire",
            channel="web",
            requester=alice,
            category=category,
            site=site,
            impact="network",
            urgency="interrupted",
            priority="high",
            submitted_at=FILED,
            last_activity_at=FILED,
            response_warn_at=FILED + dt.timedelta(minutes=24),
            response_due_at=FILED + dt.timedelta(minutes=30),
            resolution_warn_at=FILED + dt.timedelta(hours=3, minutes=12),
            resolution_due_at=FILED + dt.timedelta(hours=4),
            **extra,
        )

    # waiting: nobody accepted it yet; its next check is the response warning
    waiting = ticket("IT-20261123-0001", sla_next_check_at=FILED + dt.timedelta(minutes=24))
    # late: accepted by bob after the response breach, which was recorded and announced
    late = ticket(
        "IT-20261123-0002",
        state="accepted",
        assignee=bob,
        accepted_at=FILED + dt.timedelta(minutes=40),
        response_breached_at=FILED + dt.timedelta(minutes=30),
        sla_next_check_at=FILED + dt.timedelta(hours=3, minutes=12),
    )
    for kind, minutes in (("response_warning", 24), ("response_breach", 30)):
        slaevent_model.objects.create(
            ticket=late,
            kind=kind,
            due_at=FILED + dt.timedelta(minutes=30),
            created_at=FILED + dt.timedelta(minutes=minutes),
        )
    for one in (waiting, late):
        event_model.objects.create(ticket=one, kind="submitted", at=FILED, to_state="submitted")
    event_model.objects.create(
        ticket=late,
        kind="sla_breached",
        at=FILED + dt.timedelta(minutes=30),
        data={"clock": "response_breach", "due_at": late.response_due_at.isoformat()},
    )
    event_model.objects.create(
        ticket=late,
        kind="accepted",
        actor=bob,
        at=FILED + dt.timedelta(minutes=40),
        from_state="submitted",
        to_state="accepted",
    )

    def notification(key: str, **values: Any) -> Any:
        return notification_model.objects.create(
            dedupe_key=key, created_at=FILED + dt.timedelta(minutes=30), **values
        )

    breach = {"number": late.number, "title": late.title, "due_at": "2026-11-23T09:30:00+08:00"}
    read_at = FILED + dt.timedelta(hours=1)
    notes = [
        notification(
            "sla:late:in_app", recipient=bob, ticket=late, channel="in_app",
            kind="response_breach", payload=breach, sent_at=FILED, read_at=read_at,
        ),
        notification(
            "sla:late:email", recipient=bob, ticket=late, channel="email",
            kind="response_breach", payload=breach, sent_at=FILED, attempts=1,
        ),
        notification(
            "submitted:in_app", recipient=bob, ticket=waiting, channel="in_app",
            kind="ticket_submitted", payload={"number": waiting.number, "title": waiting.title},
            sent_at=FILED,
        ),
        notification(
            "submitted:email", recipient=bob, ticket=waiting, channel="email",
            kind="ticket_submitted", payload={"number": waiting.number, "title": waiting.title},
            attempts=2, last_error="SMTP 421",
        ),
        notification(
            "orphan:in_app", recipient=alice, ticket=None, channel="in_app",
            kind="reply", payload={"note": "no ticket"}, sent_at=FILED, read_at=read_at,
        ),
    ]  # fmt: skip
    return {
        "site": site,
        "calendar": calendar,
        "waiting": waiting,
        "late": late,
        "notes": {
            n.pk: {
                "link": f"/tickets/{n.ticket.number}/" if n.ticket_id else "",
                **{f: getattr(n, f) for f in NOTE_FIELDS},
            }
            for n in notes
        },
        "bob": bob,
        "carol": carol,
        "dave": dave,
    }


def counts(get_model: Any) -> dict[str, int]:
    """Rows per table, through whichever models (historical or current) ``get_model`` returns."""
    names = {
        "BusinessCalendar": "sla",
        "CalendarDay": "sla",
        "SiteCalendar": "sla",
        "SlaPolicy": "sla",
        "Notification": "notifications",
        "Ticket": "tickets",
        "SlaEvent": "tickets",
        "TicketEvent": "tickets",
        "Category": "tickets",
        "User": "accounts",
        "Site": "accounts",
        "Group": "auth",
        "Permission": "auth",
        "ContentType": "contenttypes",
    }
    found = {name: get_model(app, name).objects.count() for name, app in names.items()}
    user = get_model("accounts", "User")
    found["group grants"] = get_model("auth", "Group").permissions.through.objects.count()
    found["memberships"] = user.groups.through.objects.count()
    found["user grants"] = user.user_permissions.through.objects.count()
    return found


def old_counts(apps: Any) -> dict[str, int]:
    old_label = {"sla": "tickets", "notifications": "tickets"}
    return counts(lambda app, name: apps.get_model(old_label.get(app, app), name))


def new_counts() -> dict[str, int]:
    from django.apps import apps

    return counts(apps.get_model)


def moved_content_types() -> dict[int, tuple[str, str]]:
    return {
        ct.pk: (ct.app_label, ct.model)
        for ct in ContentType.objects.filter(
            model__in=MOVED, app_label__in=["tickets", *MOVED.values()]
        )
    }


def test_old_head_with_data_migrates_to_the_new_apps_and_back_without_losing_a_row(
    old_apps, handed
):
    # given: a database at the old head with data in it
    rows = populate(old_apps)
    before = old_counts(old_apps)
    old_types = moved_content_types()
    assert sorted(old_types.values()) == sorted(("tickets", model) for model in MOVED)

    # when
    migrate()

    # then: every row is still there
    assert new_counts() == before
    # the notifications lost their ticket key for a link to the ticket, and nothing else
    for pk, old in rows["notes"].items():
        note = Notification.objects.get(pk=pk)
        assert {"link": note.link, **{f: getattr(note, f) for f in NOTE_FIELDS}} == old
    # the moved models' content types changed app and kept their ids (and so every grant)
    assert moved_content_types() == {
        pk: (MOVED[model], model) for pk, (_app, model) in old_types.items()
    }
    assert ContentType.objects.get_for_model(BusinessCalendar).pk in old_types
    carol = User.objects.get(pk=rows["carol"].pk)
    assert carol.has_perm("sla.change_businesscalendar")
    dave = User.objects.get(pk=rows["dave"].pk)
    assert dave.has_perm("reports.view_reports")
    assert not Permission.objects.filter(
        content_type__app_label="tickets", codename="view_reports"
    ).exists()
    assert (
        Group.objects.get(name="report readers")
        .permissions.filter(content_type__app_label="reports", codename="view_reports")
        .exists()
    )

    # and the SLA engine works on the migrated rows: the site's calendar, the seeded policies
    site_calendar = calendar_for_site(rows["site"].pk)
    assert site_calendar.time_zone == "Asia/Shanghai"
    assert site_calendar.weekly[0] == ((480, 720), (780, 1020))  # the plant's, not the default
    assert site_calendar.overrides[HOLIDAY] == ()
    assert SiteCalendar.objects.get(site=rows["site"].pk).calendar_id == rows["calendar"].pk
    assert CalendarDay.objects.filter(calendar=rows["calendar"].pk, date=HOLIDAY).exists()
    high = SlaPolicy.objects.get(priority=Priority.HIGH)
    assert policy_for(Priority.HIGH).respond_minutes == high.respond_minutes

    # when the sweep runs after the waiting ticket's response deadline
    recorded = sweep_sla(now=FILED + dt.timedelta(minutes=31))

    # then: one breach, on the waiting ticket only, with its timeline entry and notifications
    assert recorded == 1
    waiting = Ticket.objects.get(pk=rows["waiting"].pk)
    event = SlaEvent.objects.get(ticket=waiting)
    assert (event.kind, event.due_at) == (SlaEventKind.RESPONSE_BREACH, waiting.response_due_at)
    assert waiting.response_breached_at == waiting.response_due_at
    assert waiting.sla_next_check_at == waiting.resolution_warn_at
    assert TicketEvent.objects.filter(ticket=waiting, kind=EventKind.SLA_BREACHED).count() == 1
    told = Notification.objects.filter(
        kind=SlaEventKind.RESPONSE_BREACH, link=f"/tickets/{waiting.number}/"
    )
    assert sorted(told.values_list("recipient_id", "channel")) == [
        (rows["bob"].pk, "email"),
        (rows["bob"].pk, "in_app"),
    ]
    assert handed == [list(told.filter(channel="email").values_list("pk", flat=True))]
    assert SlaEvent.objects.filter(ticket=rows["late"].pk).count() == 2  # untouched
    assert new_counts()["Notification"] == before["Notification"] + 2

    # given: the migrated data, plus what the sweep wrote at the new head
    at_head = new_counts()
    links = dict(Notification.objects.values_list("pk", "link"))

    # when: down to the old head
    executor = migrate(OLD_HEAD + NEW_APPS_GONE)

    # then: the notifications have their ticket keys back and the grants are tickets' again
    apps = executor.loader.project_state(OLD_HEAD).apps
    old_notification = apps.get_model("tickets", "Notification")
    numbers = {
        pk: number or ""
        for pk, number in old_notification.objects.values_list("pk", "ticket__number")
    }
    assert {pk: f"/tickets/{n}/" if n else "" for pk, n in numbers.items()} == links
    assert sorted(app for app, _model in moved_content_types().values()) == ["tickets"] * 5
    permission = apps.get_model("auth", "Permission")
    assert permission.objects.filter(
        content_type__app_label="tickets", codename="view_reports"
    ).exists()
    assert old_counts(apps) == at_head

    # when: up again
    migrate()

    # then
    assert new_counts() == at_head
    assert dict(Notification.objects.values_list("pk", "link")) == links
    assert User.objects.get(pk=rows["carol"].pk).has_perm("sla.change_businesscalendar")
    assert User.objects.get(pk=rows["dave"].pk).has_perm("reports.view_reports")
