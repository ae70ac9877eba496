"""A resolved ticket about a device, whose visits or work log record parts replaced (or
that had an on-site visit), writes one maintenance record on the device, once per
resolution; without a device, or with neither parts nor a visit, nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from assets.models import MaintenanceRecord
from assets.tests.factories import make_asset
from fieldwork.choices import VisitState, WorkMode
from fieldwork.models import SiteVisit, WorkLog
from fieldwork.services import visits
from tests.clock import sh
from tickets import services
from tickets.choices import TicketState
from tickets.models import Ticket, TicketEvent
from tickets.tests.factories import make_ticket_in

pytestmark = pytest.mark.django_db

MONDAY_9 = sh(2026, 11, 23, 9, 0)


@pytest.fixture
def laptop(alice):
    return make_asset("SH-LT-0012", owner=alice)


def diagnosed(alice, bob, **extra) -> Ticket:
    with time_machine.travel(MONDAY_9, tick=False):
        return make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob, **extra)


def log_parts(ticket: Ticket, author, parts: str, at: dt.datetime | None = None) -> WorkLog:
    at = at or timezone.now()
    return WorkLog.objects.create(
        ticket=ticket,
        author=author,
        body="Swapped the part",
        minutes=20,
        mode=WorkMode.ONSITE,
        performed_at=at,
        created_at=at,
        parts_used=parts,
    )


def resolve(ticket: Ticket, bob, solution: str = "Replaced the battery") -> None:
    services.resolve_ticket(ticket.pk, actor=bob, solution=solution)


def test_parts_in_the_work_log_write_one_record_with_the_fix(alice, bob, laptop):
    # given
    ticket = diagnosed(alice, bob, asset=laptop)
    log_parts(ticket, bob, "battery L19M4PD2")
    log_parts(ticket, bob, "battery L19M4PD2; screws")

    # when
    resolve(ticket, bob)

    # then: one record, each part once, a timeline entry naming the device
    record = MaintenanceRecord.objects.get()
    assert (record.asset, record.ticket_id, record.parts) == (
        laptop,
        ticket.pk,
        "battery L19M4PD2; screws",
    )
    assert record.work_done == "Replaced the battery"
    entry = TicketEvent.objects.get(ticket=ticket, kind="maintenance_recorded")
    assert entry.data["tag"] == "SH-LT-0012" and not entry.is_internal


def test_no_device_or_no_parts_writes_nothing(alice, bob, laptop):
    # given: parts but no device; a device but no parts and no visit
    without_device = diagnosed(alice, bob)
    log_parts(without_device, bob, "battery")
    without_parts = diagnosed(alice, bob, asset=laptop)
    log_parts(without_parts, bob, "")

    # when
    resolve(without_device, bob)
    resolve(without_parts, bob)

    # then
    assert MaintenanceRecord.objects.count() == 0
    assert not TicketEvent.objects.filter(kind="maintenance_recorded").exists()


def test_a_completed_visit_without_parts_is_still_maintenance(alice, bob, laptop):
    # given: bob went on site and cleaned the fan, no part replaced
    ticket = diagnosed(alice, bob, asset=laptop)
    with time_machine.travel(MONDAY_9, tick=False):
        visit = visits.schedule_visit(
            ticket.pk, actor=bob, scheduled_at=MONDAY_9 + dt.timedelta(hours=2)
        )
    visits.complete_visit(
        ticket.pk, visit.pk, actor=bob, work_done="Cleaned the fan", site_cleaned=True
    )

    # when
    resolve(ticket, bob, solution="Fan cleaned; no more overheating")

    # then
    record = MaintenanceRecord.objects.get()
    assert record.parts == ""
    assert record.work_done == "Fan cleaned; no more overheating\n\nCleaned the fan"


def test_a_cancelled_or_unfinished_visit_is_not_maintenance(alice, bob, laptop):
    ticket = diagnosed(alice, bob, asset=laptop)
    with time_machine.travel(MONDAY_9, tick=False):
        visits.schedule_visit(ticket.pk, actor=bob, scheduled_at=MONDAY_9 + dt.timedelta(hours=2))
    resolve(ticket, bob)
    assert SiteVisit.objects.get().state == VisitState.SCHEDULED
    assert MaintenanceRecord.objects.count() == 0


def test_a_second_resolution_records_only_what_came_after_the_first(alice, bob, laptop):
    # given: resolved once with a battery, the fix rejected
    ticket = diagnosed(alice, bob, asset=laptop)
    log_parts(ticket, bob, "battery")
    resolve(ticket, bob)
    services.reject_fix(ticket.pk, actor=alice, reason="Still dies after an hour")

    # when: resolved again with nothing new, then (after another rejection) with a charger
    resolve(ticket, bob, solution="Recalibrated the battery")
    assert MaintenanceRecord.objects.count() == 1
    services.reject_fix(ticket.pk, actor=alice, reason="Still dies")
    log_parts(ticket, bob, "charger 65W")
    resolve(ticket, bob, solution="Replaced the charger")

    # then
    assert list(MaintenanceRecord.objects.order_by("pk").values_list("parts", flat=True)) == [
        "battery",
        "charger 65W",
    ]


def test_the_record_is_dated_in_the_desks_zone(alice, bob, laptop):
    # given: resolved at 23:30 UTC, already the next morning in Shanghai
    ticket = diagnosed(alice, bob, asset=laptop)
    log_parts(ticket, bob, "keyboard")

    # when
    with time_machine.travel(dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC), tick=False):
        resolve(ticket, bob)

    # then
    assert MaintenanceRecord.objects.get().date == dt.date(2026, 11, 25)


def test_a_long_parts_list_is_cut_to_the_field_not_refused(alice, bob, laptop):
    # given: two entries whose parts together pass the record's 500 characters
    ticket = diagnosed(alice, bob, asset=laptop)
    log_parts(ticket, bob, "a" * 400)
    log_parts(ticket, bob, "b" * 400)

    # when
    resolve(ticket, bob)

    # then
    parts = MaintenanceRecord.objects.get().parts
    assert len(parts) == 500 and parts.endswith("…")


def test_resolving_via_the_api_writes_the_record_too(api, alice, bob, laptop):
    ticket = diagnosed(alice, bob, asset=laptop)
    log_parts(ticket, bob, "SSD 512GB")
    response = api(bob).post(
        f"/api/v1/tickets/{ticket.number}/resolve/", {"solution": "Swapped the SSD"}, format="json"
    )
    assert response.status_code == 200
    assert MaintenanceRecord.objects.get().parts == "SSD 512GB"
