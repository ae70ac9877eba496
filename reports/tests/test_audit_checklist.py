"""The audit's checklist as the data pre-fills it, and the auditor's word on it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from feedback.models import Survey
from fieldwork.models import CheckTemplate, FunctionalCheck
from reports.models import AuditCheck, ProcessAudit
from reports.review import audits
from reports.tests.factories_review import closed_at, consent, file_at, step, work
from tests.clock import sh
from tickets import services
from tickets.errors import InvalidTransition
from tickets.models import Ticket
from tickets.services.system import auto_verify_resolved
from tickets.tests.factories import DIAGNOSIS, make_category

pytestmark = pytest.mark.usefixtures("seeded_calendar")

SEPTEMBER = dt.date(2026, 9, 1)
AFTER = sh(2026, 10, 8, 9, 0)


def _draw(actor) -> ProcessAudit:
    return step(AFTER, audits.draw_audit, SEPTEMBER, actor=actor, size=50, seed=1)


def _results(audit: ProcessAudit, key: str) -> dict[int, str]:
    return dict(
        AuditCheck.objects.filter(item__audit=audit, key=key).values_list(
            "item__ticket_id", "data_result"
        )
    )


def test_remote_work_is_flagged_exactly_where_no_grant_covered_it(alice, bob, dave):
    # given: tickets closed on 15–22 September at 14:00, worked from 13:00
    def closed(day: int) -> Ticket:
        return closed_at(sh(2026, 9, day, 14, 0), alice, bob, title=f"远程 {day}")

    none_at_all = closed(15)  # no work log
    covered = closed(16)
    consent(covered, bob, sh(2026, 9, 16, 13, 20), minutes=30)
    work(covered, bob, sh(2026, 9, 16, 13, 35))
    expired = closed(17)  # granted 13:10 for 15 minutes: over at 13:25
    consent(expired, bob, sh(2026, 9, 17, 13, 10), minutes=15)
    work(expired, bob, sh(2026, 9, 17, 13, 35))
    revoked = closed(18)  # granted 13:20 for an hour, revoked 13:30
    consent(revoked, bob, sh(2026, 9, 18, 13, 20), minutes=60, revoked_at=sh(2026, 9, 18, 13, 30))
    work(revoked, bob, sh(2026, 9, 18, 13, 35))
    never_asked = closed(21)
    work(never_asked, bob, sh(2026, 9, 21, 13, 35))
    on_site_only = closed(22)
    work(on_site_only, bob, sh(2026, 9, 22, 13, 35), mode="onsite")
    one_of_two = closed(23)  # covered at 13:25, not at 13:50 (after the 20 minutes)
    consent(one_of_two, bob, sh(2026, 9, 23, 13, 15), minutes=20)
    work(one_of_two, bob, sh(2026, 9, 23, 13, 25))
    work(one_of_two, bob, sh(2026, 9, 23, 13, 50))

    # when
    audit = _draw(dave)

    # then
    found = _results(audit, "remote_consent")
    failing = {ticket_id for ticket_id, result in found.items() if result == "failed"}
    assert failing == {expired.pk, revoked.pk, never_asked.pk, one_of_two.pk}
    assert found[none_at_all.pk] == found[covered.pk] == found[on_site_only.pk] == "passed"
    detail = AuditCheck.objects.get(item__ticket=one_of_two, key="remote_consent").detail
    assert detail["remote"] == 2
    assert [dt.datetime.fromisoformat(at) for at in detail["unconsented"]] == [
        sh(2026, 9, 23, 13, 50)
    ]


def test_verified_by_the_requester_herself_only(alice, bob, dave):
    # given
    herself = closed_at(sh(2026, 9, 15, 14, 0), alice, bob, title="自己确认")
    for_her = closed_at(sh(2026, 9, 16, 14, 0), alice, bob, title="代为确认", verify_as=bob)
    automatic = file_at(sh(2026, 9, 7, 9, 0), alice, title="自动确认")
    step(sh(2026, 9, 7, 9, 10), services.accept_ticket, automatic.pk, actor=bob)
    step(sh(2026, 9, 7, 9, 30), services.diagnose_ticket, automatic.pk, actor=bob, **DIAGNOSIS)
    step(sh(2026, 9, 7, 10, 0), services.resolve_ticket, automatic.pk, actor=bob, solution="好了")
    step(sh(2026, 9, 11, 10, 0), auto_verify_resolved)  # three working days of silence
    step(sh(2026, 9, 11, 11, 0), services.close_ticket, automatic.pk, actor=bob)

    # when
    audit = _draw(dave)

    # then
    found = _results(audit, "verified")
    assert found == {herself.pk: "passed", for_her.pk: "failed", automatic.pk: "failed"}
    how = dict(
        AuditCheck.objects.filter(item__audit=audit, key="verified").values_list(
            "item__ticket_id", "detail__how"
        )
    )
    assert how == {herself.pk: "requester", for_her.pk: "on_behalf", automatic.pk: "auto"}


def test_response_diagnosis_checks_and_survey_as_the_data_says(alice, bob, dave):
    # given: accepted 10 minutes in (met) / 70 minutes in (30-minute budget: late)
    on_time = closed_at(sh(2026, 9, 15, 14, 0), alice, bob, title="及时")
    late = closed_at(
        sh(2026, 9, 16, 14, 0), alice, bob, title="迟到", accepted_after=dt.timedelta(minutes=70)
    )
    # a business system with a default check: one ticket recorded it, one never had it
    oa = make_category("software-oa-audit", name="OA", name_en="OA")
    CheckTemplate.objects.create(category=oa, label="测试账号登录", label_en="Test login")
    checked = closed_at(sh(2026, 9, 17, 14, 0), alice, bob, title="OA 已检查", category=oa)
    FunctionalCheck.objects.create(ticket=checked, label="测试账号登录", result="passed")
    unchecked = closed_at(sh(2026, 9, 18, 14, 0), alice, bob, title="OA 未检查", category=oa)
    # a ticket whose solution plan went missing (an old import), and one without a survey
    Ticket.objects.filter(pk=late.pk).update(solution_plan="")
    Survey.objects.filter(ticket=late).delete()

    # when
    audit = _draw(dave)

    # then
    assert _results(audit, "responded") == {
        on_time.pk: "passed",
        late.pk: "failed",
        checked.pk: "passed",
        unchecked.pk: "passed",
    }
    assert _results(audit, "diagnosis")[late.pk] == "failed"
    assert _results(audit, "diagnosis")[on_time.pk] == "passed"
    assert _results(audit, "functional_checks") == {
        on_time.pk: "na",
        late.pk: "na",
        checked.pk: "passed",
        unchecked.pk: "failed",
    }
    assert _results(audit, "survey")[late.pk] == "failed"
    assert _results(audit, "survey")[on_time.pk] == "passed"


def test_an_override_needs_a_note_and_closing_needs_every_ticket(alice, bob, dave, tom):
    # given
    first = closed_at(sh(2026, 9, 15, 14, 0), alice, bob, title="一")
    closed_at(sh(2026, 9, 16, 14, 0), alice, bob, title="二", verify_as=bob)
    audit = _draw(dave)
    items = {i.ticket_id: i for i in audit.items.all()}
    item = items[first.pk]
    as_data = {c.key: (c.data_result, "") for c in item.checks.all()}

    # when: tom says the survey fails, without a note
    with pytest.raises(ValidationError) as refused:
        step(
            AFTER,
            audits.confirm_ticket,
            audit.pk,
            item.pk,
            actor=tom,
            answers={**as_data, "survey": ("failed", "")},
        )

    # then: nothing saved
    assert "note_survey" in refused.value.message_dict
    item.refresh_from_db()
    assert item.confirmed_at is None
    assert AuditCheck.objects.get(item=item, key="survey").result == "passed"

    # when: with a note, and the audit closed too early
    step(
        AFTER,
        audits.confirm_ticket,
        audit.pk,
        item.pk,
        actor=tom,
        answers={**as_data, "survey": ("failed", "问卷发给了错误的人")},
    )
    with pytest.raises(InvalidTransition):
        step(AFTER, audits.close_audit, audit.pk, actor=dave)

    # then
    check = AuditCheck.objects.get(item=item, key="survey")
    assert (check.data_result, check.result, check.note) == (
        "passed",
        "failed",
        "问卷发给了错误的人",
    )
    assert check.is_overridden

    # when: the other ticket confirmed, then closed
    other = next(i for t, i in items.items() if t != first.pk)
    step(
        AFTER,
        audits.confirm_ticket,
        audit.pk,
        other.pk,
        actor=dave,
        answers={c.key: (c.data_result, "") for c in other.checks.all()},
    )
    step(AFTER, audits.close_audit, audit.pk, actor=dave)

    # then: read-only
    with pytest.raises(InvalidTransition):
        step(AFTER, audits.confirm_ticket, audit.pk, other.pk, actor=dave, answers={})
    with pytest.raises(InvalidTransition):
        step(AFTER, audits.write_actions, audit.pk, actor=dave, improvement_actions="x")
