"""Each person chooses which channels they hear about each kind of news on; one event writes
one row per person per channel they get; the defaults follow the role.

The IM channels used here are Slack and Feishu, set up with test credentials (the
``channels`` app registers their transports; nothing is sent in these tests).
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.tests.factories import make_user
from notifications import outbox, preferences
from notifications.choices import NotificationChannel
from notifications.models import Notification, Preference
from servicedesk.lib import sql
from tickets.choices import TicketNotice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _im_set_up(settings):
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    settings.FEISHU_APP_ID = "cli_test"
    settings.FEISHU_APP_SECRET = "secret"
    settings.WECOM_AGENT_SECRET = ""  # WeCom and DingTalk not set up
    settings.DINGTALK_APP_KEY = ""


@pytest.fixture
def alice_on_slack(alice: User) -> User:
    alice.slack_id = "U0ALICE"
    alice.save(update_fields=["slack_id"])
    return alice


@pytest.fixture
def bob_on_slack(bob: User) -> User:
    bob.slack_id = "U0BOB"
    bob.save(update_fields=["slack_id"])
    return bob


def tell(people: list[User], kind: str, cause: str = "event:1") -> None:
    outbox.save_and_dispatch(
        outbox.build(
            recipients=people,
            kind=kind,
            cause=cause,
            now=timezone.now(),
            link="/tickets/IT-1/",
            payload={"number": "IT-1", "title": "Printer"},
        )
    )


def channels_of(user: User, kind: str) -> set[str]:
    return set(
        Notification.objects.filter(recipient=user, kind=kind).values_list("channel", flat=True)
    )


# --- defaults per role ---------------------------------------------------------------------


def test_a_requester_hears_of_their_ticket_in_the_app_by_email_and_on_their_im(alice_on_slack):
    tell([alice_on_slack], TicketNotice.ACCEPTED)

    assert channels_of(alice_on_slack, TicketNotice.ACCEPTED) == {"in_app", "email", "slack"}


def test_an_engineer_gets_assignments_and_sla_warnings_on_the_im_but_not_every_update(
    bob_on_slack,
):
    tell([bob_on_slack], TicketNotice.ASSIGNED, cause="event:1")
    tell([bob_on_slack], TicketNotice.RESPONSE_WARNING, cause="sla:1")
    tell([bob_on_slack], TicketNotice.FOLLOWED_UPDATE, cause="event:2")

    assert channels_of(bob_on_slack, TicketNotice.ASSIGNED) == {"in_app", "email", "slack"}
    assert "slack" in channels_of(bob_on_slack, TicketNotice.RESPONSE_WARNING)
    assert channels_of(bob_on_slack, TicketNotice.FOLLOWED_UPDATE) == {"in_app", "email"}


def test_the_defaults_per_role_as_the_page_shows_them(alice, bob):
    assert preferences.default_enabled(staff=False, kind="reply", channel="slack") is True
    assert preferences.default_enabled(staff=True, kind="reply", channel="slack") is False
    assert preferences.default_enabled(staff=True, kind="ticket_assigned", channel="slack")
    assert preferences.default_enabled(staff=True, kind="reply", channel="email") is True
    assert (preferences.is_staff_role(alice), preferences.is_staff_role(bob)) == (False, True)


def test_no_im_row_without_an_id_there_or_for_a_provider_not_set_up(alice_on_slack):
    # given: alice has a WeCom ID too, but WeCom is not set up; she has no Feishu ID
    User.objects.filter(pk=alice_on_slack.pk).update(wecom_id="ZhangLi")

    tell([alice_on_slack], TicketNotice.ACCEPTED)

    assert channels_of(alice_on_slack, TicketNotice.ACCEPTED) == {"in_app", "email", "slack"}


def test_a_feature_that_keeps_only_the_app_row_gets_no_im_row(alice_on_slack):
    rows = outbox.build(
        recipients=[alice_on_slack], kind=TicketNotice.REPLY, cause="e:1", now=timezone.now()
    )

    outbox.save_and_dispatch([r for r in rows if r.channel == NotificationChannel.IN_APP])

    assert channels_of(alice_on_slack, TicketNotice.REPLY) == {"in_app"}


# --- a person's own choices ------------------------------------------------------------------


def test_switching_a_channel_off_means_no_row_for_it(alice_on_slack):
    # given
    preferences.set_choice(alice_on_slack, TicketNotice.ACCEPTED, "email", enabled=False)
    preferences.set_choice(alice_on_slack, TicketNotice.ACCEPTED, "slack", enabled=False)

    # when
    tell([alice_on_slack], TicketNotice.ACCEPTED, cause="event:1")
    tell([alice_on_slack], TicketNotice.REPLY, cause="event:2")

    # then: only that kind lost those channels
    assert channels_of(alice_on_slack, TicketNotice.ACCEPTED) == {"in_app"}
    assert channels_of(alice_on_slack, TicketNotice.REPLY) == {"in_app", "email", "slack"}


def test_even_the_app_can_be_switched_off(alice):
    preferences.set_choice(alice, TicketNotice.REPLY, "in_app", enabled=False)

    tell([alice], TicketNotice.REPLY)

    assert channels_of(alice, TicketNotice.REPLY) == {"email"}


def test_an_engineer_can_switch_an_im_on_for_a_kind_off_by_default(bob_on_slack):
    preferences.set_choice(bob_on_slack, TicketNotice.FOLLOWED_UPDATE, "slack", enabled=True)

    tell([bob_on_slack], TicketNotice.FOLLOWED_UPDATE)

    assert "slack" in channels_of(bob_on_slack, TicketNotice.FOLLOWED_UPDATE)


def test_a_choice_equal_to_the_default_is_not_stored(alice):
    preferences.set_choice(alice, TicketNotice.REPLY, "email", enabled=False)
    preferences.set_choice(alice, TicketNotice.REPLY, "email", enabled=True)

    assert not Preference.objects.exists()


def test_one_event_writes_one_row_per_person_per_channel(alice_on_slack, bob_on_slack):
    # when: the same cause written twice, each person listed twice
    people = [alice_on_slack, bob_on_slack, alice_on_slack]
    tell(people, TicketNotice.ASSIGNED, cause="event:9")
    tell(people, TicketNotice.ASSIGNED, cause="event:9")

    # then
    for person in (alice_on_slack, bob_on_slack):
        rows = Notification.objects.filter(recipient=person, kind=TicketNotice.ASSIGNED)
        assert sorted(rows.values_list("channel", flat=True)) == ["email", "in_app", "slack"]


def test_preferences_are_read_in_the_insert_itself_however_many_people(
    monkeypatch, django_assert_num_queries
):
    # given: 40 people, half with Slack, a third of them with choices of their own
    people = [
        make_user(f"p{i}", Role.REQUESTER, slack_id=f"U{i}" if i % 2 else "") for i in range(40)
    ]
    for person in people[::3]:
        preferences.set_choice(person, TicketNotice.REPLY, "email", enabled=False)
    statements: list[str] = []
    real = sql.execute_arrays

    def counting(statement, params):
        statements.append(statement)
        return real(statement, params)

    monkeypatch.setattr(sql, "execute_arrays", counting)
    rows = outbox.build(recipients=people, kind=TicketNotice.REPLY, cause="c", now=timezone.now())

    # when: no query through Django's connection, one statement for the rows
    with django_assert_num_queries(0):
        outbox.save_and_dispatch(rows)

    # then
    assert len(statements) == 1
    emails = Notification.objects.filter(kind=TicketNotice.REPLY, channel="email").count()
    slacks = Notification.objects.filter(kind=TicketNotice.REPLY, channel="slack").count()
    assert (emails, slacks) == (40 - len(people[::3]), 20)


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_kinds_by_channels_with_unlinked_ims_disabled(alice_on_slack, web):
    User.objects.filter(pk=alice_on_slack.pk).update(language="en")

    page = web(alice_on_slack).get("/notifications/preferences/").content.decode()

    assert "Notification settings" in page
    assert 'value="ticket_accepted:slack" checked' in page
    assert 'value="ticket_accepted:email" checked' in page
    # Feishu is set up but alice has no Feishu ID: shown, disabled, with the way to fix it
    assert 'value="ticket_accepted:feishu" disabled' in page
    assert "link your ID on your profile" in page
    assert 'href="/accounts/profile/"' in page
    # WeCom and DingTalk are not set up on this desk: not offered
    assert ":wecom" not in page and ":dingtalk" not in page


def test_saving_the_page_stores_only_what_differs_from_the_defaults(alice_on_slack, web):
    # given: everything on as by default, but e-mail off for replies
    cells = [
        cell.name
        for group in preferences.table_for(alice_on_slack)
        for row in group.rows
        for cell in row.cells
        if cell.enabled and cell.name != "reply:email"
    ]

    # when
    response = web(alice_on_slack).post("/notifications/preferences/", {"on": cells})

    # then
    assert response.status_code == 302
    assert list(Preference.objects.values_list("kind", "channel", "enabled")) == [
        ("reply", "email", False)
    ]
    page = web(alice_on_slack).get("/notifications/preferences/").content.decode()
    assert 'value="reply:email" aria-label' in page  # shown unticked
    assert 'value="reply:slack" checked' in page


def test_saving_keeps_choices_for_channels_the_person_cannot_get_now(alice, web):
    # given: a Slack choice stored while alice had an ID, which she has removed since
    Preference.objects.create(user=alice, kind="reply", channel="slack", enabled=False)

    # when: she saves the page (Slack disabled there: nothing posted for it)
    web(alice).post("/notifications/preferences/", {"on": ["reply:in_app"]})

    # then
    assert Preference.objects.filter(user=alice, channel="slack").exists()
    assert not Preference.objects.filter(user=alice, kind="reply", channel="in_app").exists()
    assert Preference.objects.filter(user=alice, kind="reply", channel="email", enabled=False)


def test_unknown_cells_in_the_form_are_ignored(alice, web):
    response = web(alice).post(
        "/notifications/preferences/", {"on": ["made_up:slack", "reply:carrier_pigeon", "x"]}
    )

    assert response.status_code == 302
    assert not Preference.objects.filter(kind="made_up").exists()


# The session, the user, the bell's unread count, the person's role groups and their stored
# choices, and the two of the layout; issue 17: + their quiet hours.
PAGE_QUERIES = 8


def test_the_page_costs_the_same_queries_whatever_is_stored(
    alice_on_slack, web, django_assert_num_queries
):
    client = web(alice_on_slack)
    with django_assert_num_queries(PAGE_QUERIES):
        client.get("/notifications/preferences/")
    for kind in ("reply", "ticket_accepted", "ticket_resolved"):
        preferences.set_choice(alice_on_slack, kind, "email", enabled=False)
    with django_assert_num_queries(PAGE_QUERIES):
        client.get("/notifications/preferences/")


def test_the_page_reads_in_chinese(alice, web):
    alice.language = "zh-hans"
    alice.save(update_fields=["language"])

    page = web(alice).get("/notifications/preferences/").content.decode()

    assert "通知设置" in page
    assert "在个人资料中绑定账号" in page
    assert "Notification settings" not in page
