"""Declaring, the task force, status notes and the restoration: who may, in which status,
with what input (the API and the pages call exactly these)."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import services
from incidents.choices import IncidentNotice, IncidentStatus, MemberRole
from incidents.models import IncidentMember, MajorIncident
from incidents.tests.factories import in_app
from tests.clock import sh
from tickets.choices import TicketState
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.tests.factories import make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db


def declare(actor, **overrides):  # type: ignore[no-untyped-def]
    fields = {"title": "ERP is down", "impact": "Nobody can post orders.", **overrides}
    return services.declare(actor=actor, **fields)


def crew(incident: MajorIncident) -> dict[str, str]:
    return dict(
        IncidentMember.objects.filter(incident=incident).values_list("user__username", "role")
    )


# --- numbers ---------------------------------------------------------------------------------


def test_numbers_count_per_day_in_the_desks_zone(tom):
    # given: 23:30 in Shanghai is 15:30 UTC; 00:10 the next day is still 16:10 UTC
    with time_machine.travel(sh(2026, 3, 2, 23, 30), tick=False):
        first, second = declare(tom), declare(tom)
    with time_machine.travel(sh(2026, 3, 3, 0, 10), tick=False):
        third = declare(tom)

    # then
    assert [first.number, second.number, third.number] == [
        "MI-20260302-01",
        "MI-20260302-02",
        "MI-20260303-01",
    ]


# --- declaring -------------------------------------------------------------------------------


def test_a_tech_lead_declaring_commands_it_and_the_10_minute_deadline_starts(tom, bob, dave):
    # when
    with time_machine.travel(sh(2026, 3, 2, 10, 0), tick=False):
        incident = declare(tom)

    # then
    assert incident.commander == tom
    assert incident.status == IncidentStatus.INVESTIGATING
    assert incident.task_force_due_at == sh(2026, 3, 2, 10, 10)
    assert incident.task_force_formed_at is None
    assert incident.next_check_at == sh(2026, 3, 2, 10, 10)
    assert crew(incident) == {"tom": MemberRole.COMMANDER}
    # the desk and management hear of it, with the number and the live page
    told = {n.recipient.username for n in in_app(IncidentNotice.DECLARED)}
    assert told == {"bob", "dave"}
    assert in_app(IncidentNotice.DECLARED)[0].link == f"/incidents/{incident.number}/"


def test_an_engineer_declaring_must_name_a_tech_lead_and_joins_as_an_engineer(bob, tom):
    # when: without a commander
    with pytest.raises(ValidationError) as refused:
        declare(bob)

    # then
    assert "commander" in refused.value.message_dict

    # when: naming tom
    incident = declare(bob, commander=tom)

    # then: tom commands, bob is on the task force, which is formed at once
    assert incident.commander == tom
    assert crew(incident) == {"tom": MemberRole.COMMANDER, "bob": MemberRole.ENGINEER}
    assert incident.task_force_formed_at == incident.declared_at
    # tom hears that he commands it
    [row] = in_app(IncidentNotice.DECLARED, recipient=tom)
    assert row.payload["you_command"] is True


def test_the_commander_must_be_a_tech_lead(tom, erin):
    with pytest.raises(ValidationError) as refused:
        declare(tom, commander=erin)
    assert "commander" in refused.value.message_dict


def test_requesters_and_managers_may_not_declare(alice, dave):
    with pytest.raises(PermissionDenied):
        declare(alice)
    with pytest.raises(ActionForbidden):
        declare(dave)
    assert MajorIncident.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "two\nlines"),
        ("title", "x" * 201),
        ("impact", "   "),
        ("affected_services", "y" * 501),
        ("sites", [999_999]),
    ],
)
def test_bad_input_names_the_field(tom, field, value):
    with pytest.raises(ValidationError) as refused:
        declare(tom, **{field: value})
    assert field in refused.value.message_dict
    assert MajorIncident.objects.count() == 0


def test_declaring_from_a_ticket_links_it_and_tells_its_requester(tom, alice):
    # given
    ticket = make_ticket(requester=alice, title="ERP login fails")

    # when
    incident = declare(tom, ticket=ticket)

    # then
    assert incident.source_ticket == ticket
    assert list(incident.tickets.all()) == [ticket]
    [told] = in_app(IncidentNotice.TICKET_LINKED, recipient=alice)
    assert told.link == f"/tickets/{ticket.number}/"


def test_declaring_from_a_finished_ticket_keeps_it_as_source_without_linking(tom, alice, bob):
    ticket = make_ticket_in(TicketState.VERIFIED, requester=alice, engineer=bob)
    incident = declare(tom, ticket=ticket)
    assert incident.source_ticket == ticket
    assert incident.tickets.count() == 0


# --- the task force --------------------------------------------------------------------------


def test_an_engineer_joins_himself_and_that_forms_the_task_force(tom, bob):
    # given
    with time_machine.travel(sh(2026, 3, 2, 10, 0), tick=False):
        incident = declare(tom)

    # when
    with time_machine.travel(sh(2026, 3, 2, 10, 4), tick=False):
        services.add_member(incident.pk, actor=bob, user=bob, role=MemberRole.ENGINEER)

    # then: formed at 10:04; the sweep's next look is the first report
    incident.refresh_from_db()
    assert incident.task_force_formed_at == sh(2026, 3, 2, 10, 4)
    assert incident.next_check_at == sh(2026, 3, 2, 10, 30)
    assert in_app(IncidentNotice.MEMBER_ADDED) == []  # he added himself


def test_an_engineer_may_not_add_someone_else(tom, bob, erin):
    incident = declare(tom)
    with pytest.raises(ActionForbidden):
        services.add_member(incident.pk, actor=bob, user=erin, role=MemberRole.ENGINEER)


def test_the_commander_adds_an_engineer_who_is_told(tom, bob):
    incident = declare(tom)
    member = services.add_member(incident.pk, actor=tom, user=bob, role=MemberRole.ENGINEER)
    assert member.role == MemberRole.ENGINEER
    [row] = in_app(IncidentNotice.MEMBER_ADDED, recipient=bob)
    assert row.payload["number"] == incident.number


def test_handing_command_to_another_tech_lead_keeps_the_first_on_the_task_force(tom):
    from accounts.roles import Role
    from accounts.tests.factories import make_user

    lena = make_user("lena", Role.TECH_LEAD)
    incident = declare(tom)

    services.add_member(incident.pk, actor=tom, user=lena, role=MemberRole.COMMANDER)

    incident.refresh_from_db()
    assert incident.commander == lena
    assert crew(incident) == {"tom": MemberRole.ENGINEER, "lena": MemberRole.COMMANDER}
    assert incident.task_force_formed_at is not None


def test_adding_someone_twice_or_a_requester_names_the_user_field(tom, bob, alice):
    incident = declare(tom)
    services.add_member(incident.pk, actor=tom, user=bob, role=MemberRole.ENGINEER)
    for user, role in [(bob, MemberRole.ENGINEER), (alice, MemberRole.ENGINEER), (bob, "boss")]:
        with pytest.raises(ValidationError) as refused:
            services.add_member(incident.pk, actor=tom, user=user, role=role)
        assert set(refused.value.message_dict) <= {"user", "role"}


# --- status ----------------------------------------------------------------------------------


def test_the_current_status_with_a_new_note_is_an_update(tom):
    incident = declare(tom)
    note = services.post_status(
        incident.pk, actor=tom, status=IncidentStatus.INVESTIGATING, note="Checking the DB."
    )
    incident.refresh_from_db()
    assert (note.status, incident.status) == (IncidentStatus.INVESTIGATING,) * 2
    assert incident.last_note_at == note.created_at


def test_the_status_moves_forward_only(tom):
    incident = declare(tom)
    services.post_status(incident.pk, actor=tom, status=IncidentStatus.IDENTIFIED, note="Disk")
    with pytest.raises(InvalidTransition):
        services.post_status(
            incident.pk, actor=tom, status=IncidentStatus.INVESTIGATING, note="Back?"
        )


def test_reviewed_is_the_reviews_and_a_resolved_incident_takes_no_more_notes(tom):
    incident = declare(tom)
    with pytest.raises(ValidationError) as refused:
        services.post_status(incident.pk, actor=tom, status=IncidentStatus.REVIEWED, note="x")
    assert "status" in refused.value.message_dict
    services.post_status(incident.pk, actor=tom, status=IncidentStatus.RESOLVED, note="Done")
    with pytest.raises(InvalidTransition):
        services.post_status(incident.pk, actor=tom, status=IncidentStatus.RESOLVED, note="x")

    # the review marks it reviewed, once
    reviewed = services.mark_reviewed(incident.pk, tom)
    assert reviewed.status == IncidentStatus.REVIEWED
    with pytest.raises(InvalidTransition):
        services.mark_reviewed(incident.pk, tom)


def test_an_engineer_off_the_task_force_may_not_write_status_notes_but_a_member_may(tom, bob, erin):
    incident = declare(tom)
    services.add_member(incident.pk, actor=tom, user=bob, role=MemberRole.ENGINEER)
    with pytest.raises(ActionForbidden):
        services.post_status(incident.pk, actor=erin, status="investigating", note="Hi")
    services.post_status(incident.pk, actor=bob, status="investigating", note="DB is fine")


def test_restoration_is_kept_with_its_time_and_both_durations_follow(tom):
    with time_machine.travel(sh(2026, 3, 2, 10, 0), tick=False):
        incident = declare(tom)
    with time_machine.travel(sh(2026, 3, 2, 11, 40), tick=False):
        services.record_restoration(
            incident.pk, actor=tom, restoration="Switched to the standby server."
        )
    with pytest.raises(InvalidTransition):
        services.record_restoration(incident.pk, actor=tom, restoration="Again")
    with time_machine.travel(sh(2026, 3, 2, 15, 0), tick=False):
        services.post_status(
            incident.pk, actor=tom, status=IncidentStatus.RESOLVED, note="Array replaced."
        )

    incident.refresh_from_db()
    assert incident.restoration == "Switched to the standby server."
    assert incident.restored_at == sh(2026, 3, 2, 11, 40)
    assert incident.resolved_at == sh(2026, 3, 2, 15, 0)
    assert incident.notes.filter(status=IncidentStatus.RESTORED).get().body == (
        "Switched to the standby server."
    )


# --- linking ---------------------------------------------------------------------------------


def test_linking_refuses_unknown_and_finished_tickets_naming_them(tom, bob, alice):
    incident = declare(tom)
    done = make_ticket_in(TicketState.VERIFIED, requester=alice, engineer=bob)
    open_one = make_ticket(requester=alice)
    for numbers, named in [
        (["IT-19990101-0001"], "IT-19990101-0001"),
        ([open_one.number, done.number], done.number),
        ([], ""),
        ([f"IT-{i}" for i in range(1001)], "1000"),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.link_tickets(incident.pk, actor=bob, numbers=numbers)
        assert named in refused.value.message_dict["tickets"][0]
    assert incident.links.count() == 0


def test_nobody_links_to_a_resolved_incident(tom, bob, alice):
    incident = declare(tom)
    services.post_status(incident.pk, actor=tom, status=IncidentStatus.RESOLVED, note="Done")
    with pytest.raises(InvalidTransition):
        services.link_tickets(incident.pk, actor=bob, numbers=[make_ticket(requester=alice).number])
