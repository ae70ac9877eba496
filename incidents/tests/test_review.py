"""The post-incident review's services: the generated timeline, the review, its actions,
who may do what, and what the weekly problem review reads."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from incidents import review, services
from incidents.choices import IncidentStatus, MemberRole
from incidents.errors import IncidentsForbidden
from incidents.models import MajorIncident
from incidents.review import Step
from incidents.tests.factories_ui import declare, resolve, resolved
from sla.obligations import sweep
from tests.clock import sh
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def _incident(number: str) -> MajorIncident:
    return MajorIncident.objects.select_related("declared_by").get(number=number)


def test_timeline_merges_the_incidents_events_in_time_order(alice, carol, bob, erin, tom, dave):
    # given: declared 10:00 by tom; bob joins 10:04; a note 10:20; the 10:30 report;
    # 3 tickets linked at 10:35 and one at 10:50; restored 11:40; resolved 12:10
    with time_machine.travel(sh(2026, 3, 2, 10, 0), tick=False):
        incident = declare(by=tom, title="ERP down")
    with time_machine.travel(sh(2026, 3, 2, 10, 4), tick=False):
        services.add_member(incident.pk, actor=tom, user=bob, role=MemberRole.ENGINEER)
    with time_machine.travel(sh(2026, 3, 2, 10, 20), tick=False):
        services.post_status(
            incident.pk,
            actor=tom,
            status=IncidentStatus.IDENTIFIED,
            note="Database disk full",
            next_steps="Free space",
        )
    sweep("incidents.clocks", now=sh(2026, 3, 2, 10, 30))
    tickets = [
        make_ticket(requester=p, title=f"ERP? {i}") for i, p in enumerate([alice, carol, alice])
    ]
    with time_machine.travel(sh(2026, 3, 2, 10, 35), tick=False):
        services.link_tickets(incident.pk, actor=bob, numbers=[t.number for t in tickets])
    late_one = make_ticket(requester=carol, title="ERP again")
    with time_machine.travel(sh(2026, 3, 2, 10, 50), tick=False):
        services.link_tickets(incident.pk, actor=erin, numbers=[late_one.number])
    with time_machine.travel(sh(2026, 3, 2, 11, 40), tick=False):
        services.record_restoration(incident.pk, actor=tom, restoration="Switched to the standby")
    with time_machine.travel(sh(2026, 3, 2, 12, 10), tick=False):
        resolve(incident, by=tom)

    # when
    entries = review.timeline(_incident(incident.number))

    # then
    kinds = [(e.at, e.kind) for e in entries]
    at = lambda h, m: sh(2026, 3, 2, h, m)  # noqa: E731
    assert (at(10, 0), Step.DECLARED) == kinds[0]
    assert kinds == sorted(kinds, key=lambda pair: pair[0])
    assert (at(10, 4), Step.MEMBER_JOINED) in kinds
    assert (at(10, 4), Step.TASK_FORCE_FORMED) in kinds
    assert (at(10, 20), Step.STATUS_NOTE) in kinds
    assert (at(10, 30), Step.REPORT) in kinds
    assert kinds[-2:] == [(at(12, 10), Step.STATUS_NOTE), (at(12, 10), Step.RESOLVED)]
    links = [e for e in entries if e.kind == Step.TICKETS_LINKED]
    assert [(e.at, e.count, e.actor) for e in links] == [
        (at(10, 35), 3, bob.name),
        (at(10, 50), 1, erin.name),
    ]
    restored = [e for e in entries if e.kind == Step.RESTORED]
    assert [(e.at, e.text, e.actor) for e in restored] == [
        (at(11, 40), "Switched to the standby", tom.name)
    ]
    assert (at(11, 40), Step.STATUS_NOTE) not in kinds  # the restoration is told once
    note = next(e for e in entries if e.kind == Step.STATUS_NOTE)
    assert (note.text, note.next_steps, note.status_label) == (
        "Database disk full",
        "Free space",
        IncidentStatus.IDENTIFIED.label,
    )
    # the member joining comes before the task force it formed, at the same moment
    joined = kinds.index((at(10, 4), Step.MEMBER_JOINED))
    assert kinds[joined + 1] == (at(10, 4), Step.TASK_FORCE_FORMED)


def test_timeline_shows_the_task_force_late(tom):
    with time_machine.travel(sh(2026, 3, 2, 10, 0), tick=False):
        incident = declare(by=tom)
    sweep("incidents.clocks", now=sh(2026, 3, 2, 10, 10))

    entries = review.timeline(_incident(incident.number))

    assert [(e.at, e.kind) for e in entries] == [
        (sh(2026, 3, 2, 10, 0), Step.DECLARED),
        (sh(2026, 3, 2, 10, 0), Step.MEMBER_JOINED),  # the commander
        (sh(2026, 3, 2, 10, 10), Step.TASK_FORCE_LATE),
    ]


def test_timeline_runs_the_same_queries_for_a_long_incident(
    tom, bob, alice, django_assert_num_queries
):
    # given: an incident with many notes and linkings
    incident = declare(by=tom)
    services.add_member(incident.pk, actor=tom, user=bob, role=MemberRole.ENGINEER)
    for i in range(6):
        services.post_status(incident.pk, actor=tom, status="investigating", note=f"Update {i}")
        ticket = make_ticket(requester=alice, title=f"ERP {i}")
        services.link_tickets(incident.pk, actor=bob, numbers=[ticket.number])
    fresh = _incident(incident.number)

    # then: members, late task force, notes, linkings, reports
    with django_assert_num_queries(5):
        entries = review.timeline(fresh)
    assert len([e for e in entries if e.kind == Step.STATUS_NOTE]) == 6


def test_review_waits_for_the_incident_to_be_resolved(tom):
    incident = declare(by=tom)

    with pytest.raises(InvalidTransition):
        review.write_review(incident.pk, actor=tom, root_cause="Disk full")


def test_writing_the_review_marks_the_incident_reviewed(tom):
    incident = resolved(by=tom)

    written = review.write_review(
        incident.pk, actor=tom, root_cause="  Disk full  ", summary="Alert on 80 %"
    )

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.REVIEWED
    assert incident.reviewed_at is not None
    assert (written.root_cause, written.summary, written.written_by) == (
        "Disk full",
        "Alert on 80 %",
        tom,
    )


def test_rewriting_the_review_keeps_one_review(tom):
    incident = resolved(by=tom)
    review.write_review(incident.pk, actor=tom, root_cause="Disk full")

    review.write_review(incident.pk, actor=tom, root_cause="Log rotation was off")

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.REVIEWED
    assert incident.review.root_cause == "Log rotation was off"


def test_an_engineer_or_manager_may_not_write_the_review(tom, bob, dave):
    incident = resolved(by=tom)

    for person in (bob, dave):
        with pytest.raises(ActionForbidden):
            review.write_review(incident.pk, actor=person, root_cause="Disk full")


def test_a_requester_is_refused(tom, alice):
    incident = resolved(by=tom)

    with pytest.raises(IncidentsForbidden):
        review.write_review(incident.pk, actor=alice, root_cause="Disk full")


def test_the_root_cause_is_required_and_named(tom):
    incident = resolved(by=tom)

    with pytest.raises(ValidationError) as error:
        review.write_review(incident.pk, actor=tom, root_cause="   ")

    assert set(error.value.message_dict) == {"root_cause"}


def test_actions_come_with_an_owner_and_a_due_date(tom, bob):
    incident = resolved(by=tom)
    review.write_review(incident.pk, actor=tom, root_cause="Disk full")

    with time_machine.travel(sh(2026, 3, 2, 12, 0), tick=False):
        action = review.add_action(
            incident.pk,
            actor=tom,
            description="Alert when the disk is 80 % full",
            owner=bob.username,
            due_on=dt.date(2026, 3, 9),
        )

    assert (action.owner, action.due_on, action.done_at) == (bob, dt.date(2026, 3, 9), None)


def test_actions_follow_the_root_cause(tom, bob):
    incident = resolved(by=tom)

    with pytest.raises(InvalidTransition):
        review.add_action(
            incident.pk, actor=tom, description="x", owner=bob, due_on=dt.date(2099, 1, 1)
        )


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("owner", {"owner": "alice"}),  # a requester owns no action
        ("owner", {"owner": "nobody"}),
        ("due_on", {"due_on": dt.date(2026, 3, 1)}),  # already past
        ("description", {"description": " "}),
        ("description", {"description": "two\nlines"}),
        ("description", {"description": "x" * 501}),
    ],
)
def test_bad_action_input_names_the_field(tom, bob, alice, field, values):
    incident = resolved(by=tom)
    review.write_review(incident.pk, actor=tom, root_cause="Disk full")
    given = {"description": "Alert on 80 %", "owner": bob.username, "due_on": dt.date(2026, 3, 9)}

    with (
        time_machine.travel(sh(2026, 3, 2, 12, 0), tick=False),
        pytest.raises(ValidationError) as error,
    ):
        review.add_action(incident.pk, actor=tom, **{**given, **values})

    assert set(error.value.message_dict) == {field}


def test_the_owner_marks_their_action_done_and_others_may_not(tom, bob, erin):
    incident = resolved(by=tom)
    review.write_review(incident.pk, actor=tom, root_cause="Disk full")
    action = review.add_action(
        incident.pk, actor=tom, description="Alert", owner=bob, due_on=dt.date(2099, 1, 1)
    )

    with pytest.raises(ActionForbidden):
        review.update_action(incident.pk, action.pk, actor=erin, changes={"done": True})
    with pytest.raises(ActionForbidden):
        review.update_action(incident.pk, action.pk, actor=bob, changes={"description": "Mine"})
    done = review.update_action(incident.pk, action.pk, actor=bob, changes={"done": True})
    assert done.done_at is not None
    undone = review.update_action(incident.pk, action.pk, actor=tom, changes={"done": False})
    assert undone.done_at is None


def test_editing_an_action_keeps_a_past_due_date_as_it_was(tom, bob, erin):
    incident = resolved(by=tom)
    review.write_review(incident.pk, actor=tom, root_cause="Disk full")
    with time_machine.travel(sh(2026, 3, 2, 12, 0), tick=False):
        action = review.add_action(
            incident.pk, actor=tom, description="Alert", owner=bob, due_on=dt.date(2026, 3, 3)
        )

    with time_machine.travel(sh(2026, 3, 10, 12, 0), tick=False):
        changed = review.update_action(
            incident.pk,
            action.pk,
            actor=tom,
            changes={"description": "Alert at 80 %", "owner": erin, "due_on": dt.date(2026, 3, 3)},
        )

    assert (changed.description, changed.owner, changed.due_on) == (
        "Alert at 80 %",
        erin,
        dt.date(2026, 3, 3),
    )


def test_reviews_between_feeds_the_weekly_problem_review(tom, bob, django_assert_num_queries):
    first = resolved(by=tom, title="ERP down")
    second = resolved(by=tom, title="Network down")
    with time_machine.travel(sh(2026, 3, 2, 9, 0), tick=False):
        review.write_review(first.pk, actor=tom, root_cause="Disk full")
        review.add_action(
            first.pk, actor=tom, description="Alert", owner=bob, due_on=dt.date(2026, 3, 9)
        )
    with time_machine.travel(sh(2026, 3, 9, 9, 0), tick=False):
        review.write_review(second.pk, actor=tom, root_cause="Core switch")

    with django_assert_num_queries(2):
        week = list(review.reviews_between(sh(2026, 3, 2, 0, 0), sh(2026, 3, 9, 0, 0)))
        shown = [(r.incident.number, [a.description for a in r.actions.all()]) for r in week]

    assert shown == [(first.number, ["Alert"])]
