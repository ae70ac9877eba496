"""Drawing the monthly audit: last month's tickets closed as completed, a sample that the
seed reproduces, every priority in it, the size kept; beat draws it once, on the month's
first working day."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.core.exceptions import ValidationError

from reports.models import AuditedTicket, ProcessAudit
from reports.review import audits
from reports.review.tasks import draw_monthly_audit
from reports.tests.factories_review import closed_at, file_at, step
from tests.clock import sh
from tickets import services
from tickets.errors import InvalidTransition

pytestmark = pytest.mark.usefixtures("seeded_calendar")

SEPTEMBER = dt.date(2026, 9, 1)
AFTER = sh(2026, 10, 8, 9, 0)  # the first working day after National Day


@pytest.fixture
def september(alice, bob):
    """Closed in September 2026 (Shanghai): 1 high, 3 medium, 2 low. Around them: one
    closed 31 August 23:59, one closed 1 October 00:00, one cancelled in September and one
    still open."""
    made = {"high": [], "medium": [], "low": []}
    day = 0
    for priority, n in (("high", 1), ("medium", 3), ("low", 2)):
        for _ in range(n):
            day += 1
            at = sh(2026, 9, 1, 11, 0) + dt.timedelta(days=day)
            made[priority].append(
                closed_at(at, alice, bob, title=f"{priority} {day}", priority=priority)
            )
    closed_at(sh(2026, 8, 31, 23, 59), alice, bob, title="August's last")
    closed_at(sh(2026, 10, 1, 0, 0), alice, bob, title="October's first")
    cancelled = file_at(sh(2026, 9, 10, 9, 0), alice, title="Cancelled")
    step(sh(2026, 9, 10, 9, 5), services.cancel_ticket, cancelled.pk, actor=alice, reason="ok")
    file_at(sh(2026, 9, 11, 9, 0), alice, title="Still open")
    return made


def _sample(audit: ProcessAudit) -> list[tuple[str, int]]:
    return list(
        AuditedTicket.objects.filter(audit=audit)
        .order_by("position")
        .values_list("priority", "ticket_id")
    )


def test_the_sample_covers_every_priority_and_keeps_the_size(september, dave):
    # when
    audit = step(AFTER, audits.draw_audit, SEPTEMBER, actor=dave, size=4, seed=424242)

    # then: quotas 4×1/6 = 0.67, 4×3/6 = 2, 4×2/6 = 1.33: high lifted to one, medium 2, low 1
    sample = _sample(audit)
    assert Counter(p for p, _id in sample) == {"high": 1, "medium": 2, "low": 1}
    closed = {t.pk for tickets in september.values() for t in tickets}
    assert {ticket_id for _p, ticket_id in sample} <= closed
    assert audit.population == {"high": 1, "medium": 3, "low": 2}


def test_the_same_seed_draws_the_same_sample_again(september, dave):
    # given
    first = _sample(step(AFTER, audits.draw_audit, SEPTEMBER, actor=dave, size=4, seed=7))

    # when: drawn again with other seeds, then with the first one
    others = [
        _sample(step(AFTER, audits.draw_audit, SEPTEMBER, actor=dave, size=4, seed=seed))
        for seed in (8, 9, 10)
    ]
    again = _sample(step(AFTER, audits.draw_audit, SEPTEMBER, actor=dave, size=4, seed=7))

    # then
    assert again == first
    assert any(other != first for other in others)
    assert ProcessAudit.objects.count() == 1


def test_a_month_smaller_than_the_size_is_taken_whole(september, dave, settings):
    settings.REPORTS_AUDIT_SAMPLE_SIZE = 50
    audit = step(AFTER, audits.draw_audit, SEPTEMBER, actor=dave)
    assert len(_sample(audit)) == 6
    assert audit.sample_size == 50


def test_a_sample_with_a_confirmed_ticket_is_not_drawn_again(september, dave):
    # given
    audit = step(AFTER, audits.draw_audit, SEPTEMBER, actor=dave, size=3, seed=1)
    item = audit.items.first()
    answers = {c.key: (c.result, "") for c in item.checks.all()}
    step(AFTER, audits.confirm_ticket, audit.pk, item.pk, actor=dave, answers=answers)

    # when / then
    with pytest.raises(InvalidTransition):
        step(AFTER, audits.draw_audit, SEPTEMBER, actor=dave, size=3, seed=2)
    assert _sample(ProcessAudit.objects.get())[0][1] == item.ticket_id


@pytest.mark.parametrize(
    ("month", "size", "seed", "field"),
    [
        (dt.date(2026, 10, 1), 5, 1, "month"),  # not over yet
        (SEPTEMBER, 0, 1, "size"),
        (SEPTEMBER, 201, 1, "size"),
        (SEPTEMBER, 5, -1, "seed"),
        (SEPTEMBER, 5, "abc", "seed"),
    ],
)
def test_bad_draws_name_their_field(dave, month, size, seed, field):
    with pytest.raises(ValidationError) as refused:
        step(AFTER, audits.draw_audit, month, actor=dave, size=size, seed=seed)
    assert field in refused.value.message_dict
    assert not ProcessAudit.objects.exists()


def test_beat_draws_septembers_audit_on_8_october_after_national_day_and_only_once(september):
    # given: 1–7 October 2026 are National Day holidays on the desk's calendar
    for day in range(1, 8):
        with time_machine.travel(sh(2026, 10, day, 7, 0), tick=False):
            assert draw_monthly_audit() is None
    assert not ProcessAudit.objects.exists()

    # when: the first working day
    with time_machine.travel(sh(2026, 10, 8, 7, 0), tick=False):
        drawn = draw_monthly_audit()

    # then: September, by beat, once
    audit = ProcessAudit.objects.get()
    assert drawn == audit.pk
    assert audit.month == SEPTEMBER
    assert audit.drawn_by is None
    assert audit.drawn_at == sh(2026, 10, 8, 7, 0)
    sample = _sample(audit)
    for day in (8, 9, 12):
        with time_machine.travel(sh(2026, 10, day, 7, 0), tick=False):
            assert draw_monthly_audit() is None
    assert ProcessAudit.objects.get().seed == audit.seed
    assert _sample(audit) == sample


def test_beat_draws_on_the_first_when_it_is_a_working_day(september):
    # 1 September 2026 is a Tuesday: August's audit that morning
    with time_machine.travel(sh(2026, 9, 1, 7, 0), tick=False):
        draw_monthly_audit()
    assert ProcessAudit.objects.get().month == dt.date(2026, 8, 1)
