"""Automatic assignment of new tickets: who is eligible, who is chosen, and why."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import override_settings
from django.utils import translation

from accounts.models import Site
from accounts.roles import Role
from accounts.tests.factories import make_user
from notifications.models import Notification
from people.choices import AssignEntry, AssignMode, SkillLevel, UnassignedNote
from people.models import EngineerProfile, SiteAssignment
from people.tests.factories import give_skills, set_profile
from sla.models import BusinessCalendar
from tickets import services
from tickets.choices import EventKind, Impact, Priority, TicketNotice, Urgency
from tickets.models import Ticket, TicketEvent
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

LEAST = override_settings(TICKETS_AUTO_ASSIGN=AssignMode.LEAST_LOADED)
ROUND = override_settings(TICKETS_AUTO_ASSIGN=AssignMode.ROUND_ROBIN)


def _file(requester, category, n=1, **fields):
    return [make_ticket(requester=requester, category=category, **fields) for _ in range(n)]


def _assignees(tickets):
    return [Ticket.objects.get(pk=t.pk).assignee.username for t in tickets]


def _night_calendar():
    """Working hours that never include a weekday morning: 20:00–23:00."""
    return BusinessCalendar.objects.create(
        name="Night shift", weekly_hours=[["20:00-23:00"]] * 7, time_zone="Asia/Shanghai"
    )


@LEAST
def test_least_loaded_splits_twelve_printer_tickets_six_six_and_none_to_the_unskilled(
    working_hours, printers, network, alice, ann, ben, cid
):
    # given: ann and ben handle printers on their own; cid only Wi-Fi (and learns printers)
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))
    give_skills(ben, (printers, SkillLevel.INDEPENDENT))
    give_skills(cid, (network, SkillLevel.EXPERT), (printers, SkillLevel.LEARNING))

    # when
    tickets = _file(alice, printers, 12)

    # then
    assert Counter(_assignees(tickets)) == {"ann": 6, "ben": 6}


@LEAST
def test_an_engineer_off_shift_by_his_calendar_gets_none(
    working_hours, printers, alice, ann, ben, cid
):
    # given: ben works nights
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))
    give_skills(ben, (printers, SkillLevel.INDEPENDENT))
    set_profile(ben, calendar=_night_calendar())

    # when
    tickets = _file(alice, printers, 12)

    # then
    assert Counter(_assignees(tickets)) == {"ann": 12}


@LEAST
def test_a_high_priority_ticket_goes_to_the_expert_first(
    working_hours, printers, alice, ann, ben, cid
):
    # given: the expert cid already carries three tickets; ben, level 2, has one
    give_skills(cid, (printers, SkillLevel.EXPERT))
    busy = _file(alice, printers, 3)
    give_skills(ben, (printers, SkillLevel.INDEPENDENT))
    medium = _file(alice, printers, 1)

    # when: a whole floor cannot print (filed in English: the timeline's reason is too)
    with translation.override("en"):
        high = make_ticket(
            requester=alice,
            category=printers,
            impact=Impact.MULTIPLE,
            urgency=Urgency.INTERRUPTED,
        )
    after = _file(alice, printers, 1)

    # then: the medium ones go by load, the high one to the expert
    assert high.priority == Priority.HIGH
    assert _assignees(busy) == ["cid"] * 3
    assert _assignees(medium) == ["ben"]
    assert _assignees([high]) == ["cid"]
    assert _assignees(after) == ["ben"]
    reason = TicketEvent.objects.get(ticket=high, kind=EventKind.ASSIGNED).data["reason"]
    assert "High priority: offered to experts first." in reason


@LEAST
def test_ties_go_to_the_higher_level_then_to_who_waited_longest(
    working_hours, printers, alice, ann, ben, cid
):
    # given: equal loads; cid is the expert
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))
    give_skills(ben, (printers, SkillLevel.INDEPENDENT))
    give_skills(cid, (printers, SkillLevel.EXPERT))

    # when
    tickets = _file(alice, printers, 3, impact=Impact.SINGLE, urgency=Urgency.EXPERIENCE)

    # then: cid (level 3), then ann and ben (never assigned, by username)
    assert _assignees(tickets) == ["cid", "ann", "ben"]


@ROUND
def test_round_robin_takes_strict_turns(working_hours, printers, alice, ann, ben, cid):
    # given: unequal levels and loads do not matter to turns
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))
    give_skills(ben, (printers, SkillLevel.EXPERT))
    give_skills(cid, (printers, SkillLevel.INDEPENDENT))

    # when: seven tickets at the same frozen instant
    tickets = _file(alice, printers, 7)

    # then
    assert _assignees(tickets) == ["ann", "ben", "cid", "ann", "ben", "cid", "ann"]


@ROUND
def test_round_robin_skips_who_is_not_eligible_and_keeps_the_order(
    working_hours, printers, alice, ann, ben, cid
):
    for person in (ann, ben, cid):
        give_skills(person, (printers, SkillLevel.INDEPENDENT))
    first = _file(alice, printers, 2)  # ann, ben
    set_profile(cid, auto_assign=False)  # cid goes on leave before his turn

    # when
    later = _file(alice, printers, 3)

    # then
    assert _assignees(first) == ["ann", "ben"]
    assert _assignees(later) == ["ann", "ben", "ann"]


@override_settings(TICKETS_AUTO_ASSIGN=AssignMode.OFF)
def test_off_assigns_nobody(working_hours, printers, alice, ann):
    # given
    give_skills(ann, (printers, SkillLevel.EXPERT))

    # when
    ticket = make_ticket(requester=alice, category=printers)

    # then: no assignee, no note, no entry
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert ticket.assign_note == ""
    assert not TicketEvent.objects.filter(
        ticket=ticket, kind__in=[EventKind.ASSIGNED, AssignEntry.NOT_ASSIGNED]
    ).exists()


@pytest.fixture
def branch(alice):
    site = Site.objects.create(code="bj", name="Beijing branch")
    alice.site = site
    alice.save(update_fields=["site"])
    return site


@override_settings(TICKETS_AUTO_ASSIGN=AssignMode.OFF)
def test_a_sites_own_mode_wins_over_the_setting_when_on(
    working_hours, printers, branch, alice, carol, ann
):
    # given: the desk is off, Beijing assigns
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))
    SiteAssignment.objects.create(site=branch, mode=AssignMode.LEAST_LOADED)

    # when
    in_beijing = make_ticket(requester=alice, category=printers)
    elsewhere = make_ticket(requester=carol, category=printers)

    # then
    assert Ticket.objects.get(pk=in_beijing.pk).assignee == ann
    assert Ticket.objects.get(pk=elsewhere.pk).assignee is None


@LEAST
def test_a_sites_own_mode_wins_over_the_setting_when_off(
    working_hours, printers, branch, alice, carol, ann
):
    # given: the desk assigns, Beijing does not
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))
    SiteAssignment.objects.create(site=branch, mode=AssignMode.OFF)

    # when
    in_beijing = make_ticket(requester=alice, category=printers)
    elsewhere = make_ticket(requester=carol, category=printers)

    # then
    assert Ticket.objects.get(pk=in_beijing.pk).assignee is None
    assert Ticket.objects.get(pk=elsewhere.pk).assignee == ann


@LEAST
def test_a_skill_in_the_parent_category_counts(working_hours, printers, alice, ann):
    # given: ann is skilled in hardware as a whole
    give_skills(ann, (printers.parent, SkillLevel.INDEPENDENT))

    # when
    ticket = make_ticket(requester=alice, category=printers)

    # then
    assert Ticket.objects.get(pk=ticket.pk).assignee == ann


@LEAST
def test_only_engineers_who_cover_and_may_see_the_site_are_eligible(
    working_hours, printers, branch, alice, carol, ann, ben, cid
):
    # given: ann covers Beijing only; ben may see only Beijing's tickets; cid covers all
    shanghai = Site.objects.create(code="sh", name="Shanghai")
    for person in (ann, ben):
        give_skills(person, (printers, SkillLevel.INDEPENDENT))
    set_profile(ann, sites=[branch])
    ben.limited_to_sites.set([branch])
    carol.site = shanghai
    carol.save(update_fields=["site"])

    # when: carol files in Shanghai, noor (a requester without a site) files too
    in_shanghai = make_ticket(requester=carol, category=printers)
    nobody = make_user("noor", Role.REQUESTER)
    no_site = make_ticket(requester=nobody, category=printers)
    in_beijing = _file(alice, printers, 2)

    # then: nobody covers Shanghai; ann covers a ticket without a site, ben may not see it
    assert Ticket.objects.get(pk=in_shanghai.pk).assign_note == UnassignedNote.NO_SITE
    assert _assignees([no_site]) == ["ann"]
    assert sorted(_assignees(in_beijing)) == ["ann", "ben"]


@LEAST
def test_inactive_people_requesters_and_those_on_leave_are_never_chosen(
    working_hours, printers, alice, ann, ben, cid
):
    # given
    rita = make_user("rita", Role.REQUESTER)
    for person in (ann, ben, cid, rita):
        give_skills(person, (printers, SkillLevel.EXPERT))
    ann.is_active = False
    ann.save(update_fields=["is_active"])
    set_profile(ben, auto_assign=False)

    # when
    tickets = _file(alice, printers, 3)

    # then
    assert _assignees(tickets) == ["cid"] * 3


@LEAST
def test_the_engineer_is_told_and_the_timeline_says_why(working_hours, printers, alice, ann):
    # given
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))

    # when: filed in English (the reason is written in the filing person's language)
    with translation.override("en"):
        ticket = make_ticket(requester=alice, category=printers)

    # then
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ASSIGNED)
    assert event.actor is None
    assert event.data["to"] == "Ann"
    assert event.data["reason"].startswith("Automatic assignment")
    assert "Printer / peripherals" in event.data["reason"]
    told = Notification.objects.filter(kind=TicketNotice.ASSIGNED, payload__number=ticket.number)
    assert set(told.values_list("recipient__username", flat=True)) == {"ann"}
    assert EngineerProfile.objects.get(user=ann).last_assigned_at == working_hours


@LEAST
def test_a_tech_lead_overrides_the_choice(working_hours, printers, alice, ann, ben, tom):
    # given
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))
    ticket = make_ticket(requester=alice, category=printers)

    # when
    services.assign_ticket(ticket.pk, actor=tom, assignee=ben, reason="Ann is at the branch")

    # then
    ticket.refresh_from_db()
    assert ticket.assignee == ben
    entries = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED).order_by("pk")
    assert [(e.actor_id, e.data["to"]) for e in entries] == [(None, "Ann"), (tom.pk, "Ben")]


@pytest.mark.parametrize(
    ("setup", "note"),
    [
        ("nobody", UnassignedNote.NO_SKILL),
        ("learning", UnassignedNote.NO_SKILL),
        ("on_leave", UnassignedNote.UNAVAILABLE),
        ("other_site", UnassignedNote.NO_SITE),
        ("night", UnassignedNote.OFF_SHIFT),
    ],
)
@LEAST
def test_nobody_eligible_leaves_the_ticket_unassigned_with_the_reason(
    working_hours, printers, branch, alice, ann, setup, note
):
    # given
    if setup != "nobody":
        level = SkillLevel.LEARNING if setup == "learning" else SkillLevel.INDEPENDENT
        give_skills(ann, (printers, level))
    if setup == "on_leave":
        set_profile(ann, auto_assign=False)
    if setup == "other_site":
        set_profile(ann, sites=[Site.objects.create(code="gz", name="Guangzhou")])
    if setup == "night":
        set_profile(ann, calendar=_night_calendar())

    # when
    ticket = make_ticket(requester=alice, category=printers)

    # then
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert ticket.assign_note == note
    entry = TicketEvent.objects.get(ticket=ticket, kind=AssignEntry.NOT_ASSIGNED)
    assert entry.is_internal
    assert entry.data["reason"] == str(note.label) % {"category": printers.label}


@LEAST
def test_nobody_eligible_then_the_sites_local_contact_routing_applies(
    working_hours, printers, branch, alice, bob, settings
):
    # given: Beijing routes to its local contact bob; no printer skills anywhere
    settings.TICKETS_ROUTE_TO_LOCAL_CONTACT = True
    branch.local_contacts.set([bob])

    # when
    ticket = make_ticket(requester=alice, category=printers)

    # then
    ticket.refresh_from_db()
    assert ticket.assignee == bob
    assert ticket.assign_note == ""


@LEAST
def test_automatic_assignment_comes_before_the_local_contact_routing(
    working_hours, printers, branch, alice, ann, bob, settings
):
    settings.TICKETS_ROUTE_TO_LOCAL_CONTACT = True
    branch.local_contacts.set([bob])
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))

    ticket = make_ticket(requester=alice, category=printers)

    assert Ticket.objects.get(pk=ticket.pk).assignee == ann
