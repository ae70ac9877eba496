"""Drills: built from a resolved ticket, never showing its engineer the ticket's root cause,
solution, plan, internal notes or number before they are scored; only tech leads score;
the time limit runs from the start and a late answer is kept, marked late."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications.models import Notification
from tickets.choices import TicketState
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.models import Attachment
from tickets.tests.factories import make_ticket_in
from training.choices import AssessmentKind, DrillStatus
from training.errors import DrillNotFound
from training.models import Assessment
from training.services import drills as services
from training.tests.factories import (
    INTERNAL,
    PLAN,
    ROOT_CAUSE,
    SCOPE,
    SOLUTION,
    SYMPTOM,
    make_drill,
    resolved_ticket,
)

pytestmark = pytest.mark.django_db

ANSWER = {"diagnosis": "The fuser is worn", "plan": "Replace the fuser"}


def secrets(ticket) -> list[str]:
    return [ROOT_CAUSE, SOLUTION, PLAN, SCOPE, INTERNAL, ticket.number, "warranty.txt"]


def leaked(text: str, ticket) -> list[str]:
    return [s for s in secrets(ticket) if s in text]


@pytest.fixture
def ticket(alice, bob):
    return resolved_ticket(alice, bob)


@pytest.fixture
def drill(tom, erin, ticket):
    return make_drill(tom, erin, ticket)


# --- building a drill ----------------------------------------------------------------------


def test_a_drill_copies_the_symptom_and_the_requesters_files(drill, ticket, alice):
    # then
    assert (drill.title, drill.symptom, drill.status) == (ticket.title, SYMPTOM, "assigned")
    assert "HP LaserJet M404dn" in drill.scenario and "weekly report" in drill.scenario
    assert [a.original_name for a in drill.attachments.all()] == ["smear.png"]
    assert drill.started_at is None and drill.deadline_at is None


def test_only_a_resolved_ticket_with_a_solution_makes_a_drill(tom, erin, alice, bob):
    # given
    open_one = make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob)

    # when / then
    with pytest.raises(ValidationError) as refused:
        make_drill(tom, erin, open_one)
    assert "ticket" in refused.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        services.create_drill(actor=tom, ticket="IT-19990101-0001", engineer=erin)
    assert "ticket" in unknown.value.message_dict


def test_the_engineer_who_fixed_it_cannot_be_drilled_on_it(tom, bob, ticket):
    with pytest.raises(ValidationError) as refused:
        make_drill(tom, bob, ticket)
    assert "engineer" in refused.value.message_dict


def test_an_internal_file_cannot_be_shown(tom, erin, ticket):
    internal = Attachment.objects.get(ticket=ticket, is_internal=True)
    with pytest.raises(ValidationError) as refused:
        make_drill(tom, erin, ticket, attachments=[internal.pk])
    assert "attachments" in refused.value.message_dict


def test_engineers_and_managers_do_not_build_drills(bob, erin, dave, ticket):
    for who in (erin, dave):
        with pytest.raises(ActionForbidden):
            make_drill(who, bob, ticket)


def test_the_engineer_is_told_without_the_ticket_being_named(drill, erin, ticket):
    # then
    [note] = Notification.objects.filter(recipient=erin, channel="in_app", kind="drill_assigned")
    assert note.payload["number"] == drill.number
    assert note.link == f"/training/drills/{drill.pk}/"
    assert leaked(str(note.payload), ticket) == []
    assert ticket.title not in str(note.payload)  # the symptom shows when they start


# --- the clock --------------------------------------------------------------------------------


def test_starting_sets_the_deadline_from_now(drill, erin):
    # given
    moment = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=1)

    # when
    with time_machine.travel(moment, tick=False):
        started = services.start_drill(drill.pk, actor=erin)

    # then
    assert started.status == DrillStatus.STARTED
    assert started.started_at == moment
    assert started.deadline_at == moment + dt.timedelta(minutes=30)
    with pytest.raises(InvalidTransition):
        services.start_drill(drill.pk, actor=erin)


def test_an_answer_within_the_limit_is_on_time(drill, erin):
    # given
    start = timezone.now() + dt.timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        services.start_drill(drill.pk, actor=erin)

    # when: one second before the deadline
    with time_machine.travel(start + dt.timedelta(minutes=30, seconds=-1), tick=False):
        answered = services.answer_drill(drill.pk, actor=erin, **ANSWER)

    # then
    assert (answered.status, answered.is_late) == (DrillStatus.ANSWERED, False)


def test_an_answer_after_the_deadline_is_kept_and_marked_late(drill, erin):
    # given
    start = timezone.now() + dt.timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        services.start_drill(drill.pk, actor=erin)

    # when: one second after
    with time_machine.travel(start + dt.timedelta(minutes=30, seconds=1), tick=False):
        answered = services.answer_drill(drill.pk, actor=erin, **ANSWER)

    # then
    assert (answered.status, answered.is_late) == (DrillStatus.ANSWERED, True)
    assert answered.diagnosis == ANSWER["diagnosis"]


def test_no_answer_before_the_start_and_only_one_answer(drill, erin):
    with pytest.raises(InvalidTransition):
        services.answer_drill(drill.pk, actor=erin, **ANSWER)
    services.start_drill(drill.pk, actor=erin)
    services.answer_drill(drill.pk, actor=erin, **ANSWER)
    with pytest.raises(InvalidTransition):
        services.answer_drill(drill.pk, actor=erin, diagnosis="again", plan="again")


def test_only_its_engineer_starts_and_answers(drill, tom):
    with pytest.raises(ActionForbidden):
        services.start_drill(drill.pk, actor=tom)


def test_an_empty_answer_names_the_field(drill, erin):
    services.start_drill(drill.pk, actor=erin)
    with pytest.raises(ValidationError) as refused:
        services.answer_drill(drill.pk, actor=erin, diagnosis=" ", plan="x")
    assert list(refused.value.message_dict) == ["diagnosis"]


# --- scoring ----------------------------------------------------------------------------------


def answered(drill, engineer):
    services.start_drill(drill.pk, actor=engineer)
    return services.answer_drill(drill.pk, actor=engineer, **ANSWER)


def test_a_tech_lead_scores_an_answer_as_a_drill_assessment(drill, erin, tom):
    # given
    answered(drill, erin)

    # when
    scored = services.score_drill(drill.pk, actor=tom, score=85, notes="Close: check the fuser")

    # then
    assessment = Assessment.objects.get(drill=scored)
    assert (assessment.engineer, assessment.kind, assessment.score) == (erin, "drill", 85)
    assert assessment.passed and scored.status == DrillStatus.SCORED
    assert Notification.objects.filter(recipient=erin, kind="drill_scored").exists()
    with pytest.raises(InvalidTransition):
        services.score_drill(drill.pk, actor=tom, score=90)


def test_only_tech_leads_score_never_the_engineer_or_a_manager(drill, erin, dave):
    answered(drill, erin)
    for who in (erin, dave):
        with pytest.raises(ActionForbidden):
            services.score_drill(drill.pk, actor=who, score=100)
    assert not Assessment.objects.filter(kind=AssessmentKind.DRILL).exists()


def test_another_engineer_does_not_see_the_drill(drill, bob):
    with pytest.raises(DrillNotFound):
        services.start_drill(drill.pk, actor=bob)


def test_a_score_out_of_range_names_the_field(drill, erin, tom):
    answered(drill, erin)
    for bad in (101, -1, "ten"):
        with pytest.raises(ValidationError) as refused:
            services.score_drill(drill.pk, actor=tom, score=bad)
        assert list(refused.value.message_dict) == ["score"]


def test_a_drill_is_scored_only_once_answered(drill, erin, tom):
    with pytest.raises(InvalidTransition):
        services.score_drill(drill.pk, actor=tom, score=50)
