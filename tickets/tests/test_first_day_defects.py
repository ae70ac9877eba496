"""Issue 10's first-day defects outside the queue: limits stated and enforced, rejected fixes
kept in view, words people understand, the admin as the desk's own."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from notifications import delivery
from notifications.choices import NotificationChannel
from notifications.models import Notification
from sla.display import duration_text
from tests.clock import SHANGHAI
from tickets import services
from tickets.choices import EventKind, TicketNotice, TicketState
from tickets.limits import TEXT_MAX
from tickets.models import Message, Ticket
from tickets.tests.factories import make_category, make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db

S = TicketState


@pytest.fixture
def printer(db):
    return make_category("hardware-printer")


def _form(printer, **overrides):
    return {
        "title": "Printer prints blank pages",
        "description": "Every page comes out blank since this morning",
        "impact": "single",
        "urgency": "abnormal",
        "category": str(printer.pk),
        **overrides,
    }


# --- limits stated where people type, and enforced on every path ---------------------------


def test_the_report_form_states_the_upload_and_length_limits(alice, web, printer):
    page = web(alice).get("/tickets/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "each at most 20 MB" in page
    assert "Programs and scripts" in page
    assert "At most 20,000 characters." in page
    assert f'maxlength="{TEXT_MAX}"' in page


def test_a_200000_character_description_is_refused_by_the_page_and_nothing_is_filed(
    alice, web, printer
):
    response = web(alice).post(
        "/tickets/new/",
        _form(printer, description="长" * 200_000),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "at most 20000 characters" in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_200000_character_description_is_refused_on_the_call_form(bob, alice, web, printer):
    response = web(bob).post(
        "/tickets/call/",
        _form(printer, requester=str(alice.pk), description="x" * 200_000),
    )

    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_a_300000_character_reply_is_refused_by_the_page_and_the_api(alice, web, api):
    ticket = make_ticket(requester=alice)

    page = web(alice).post(f"/tickets/{ticket.number}/reply/", {"body": "x" * 300_000})
    by_api = api(alice).post(
        f"/api/v1/tickets/{ticket.number}/messages/", {"body": "x" * 300_000}, format="json"
    )

    assert page.status_code == 400
    assert by_api.status_code == 400
    assert "body" in by_api.json()
    assert not Message.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00rest-of-a-program"),
        ("fix-printer.bat", b"@echo off\r\nnet stop spooler\r\n"),
        ("clean.ps1", b"Remove-Item C:\\Temp -Recurse"),
        ("harmless.txt", b"MZ\x90\x00a program renamed as text"),
    ],
    ids=["exe", "bat", "ps1", "renamed-program"],
)
def test_programs_are_refused_as_attachments_with_a_clear_message(
    alice, web, printer, name, content
):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")

    response = web(alice).post(
        "/tickets/new/", _form(printer, attachments=upload), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "is a program or script" in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_log_file_is_still_accepted(alice, web, printer):
    upload = SimpleUploadedFile("spooler.log", b"Error 0x0000011b", content_type="text/plain")

    response = web(alice).post("/tickets/new/", _form(printer, attachments=upload))

    assert response.status_code == 302
    assert Ticket.objects.get().attachments.count() == 1


# --- the auto-verify is told when a fix is proposed ---------------------------------------


@time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_the_requester_is_told_when_an_unanswered_fix_counts_as_confirmed(
    alice, bob, web, seeded_calendar, mailoutbox
):
    # given: a fix proposed on Thursday 26 November: 3 whole working days follow (Fri, Mon, Tue)
    alice.language = "en"
    alice.save(update_fields=["language"])
    ticket = make_ticket_in(S.RESOLVED, requester=alice, engineer=bob)

    # when
    page = web(alice).get(f"/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en")
    row = Notification.objects.get(
        recipient=alice, kind=TicketNotice.RESOLVED, channel=NotificationChannel.EMAIL
    )
    assert delivery.send_notification(row.pk) is True

    # then
    expected = "by the end of 2026-12-01, the fix counts as confirmed"
    assert expected in page.content.decode()
    assert expected in mailoutbox[-1].body


# --- rejected fixes stay in view -------------------------------------------------------------


def test_after_a_rejection_the_engineer_sees_a_banner_with_the_reason(alice, bob, web):
    ticket = make_ticket_in(S.RESOLVED, requester=alice, engineer=bob)
    services.reject_fix(ticket.pk, actor=alice, reason="Still prints blank pages on A3")

    as_engineer = web(bob).get(f"/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en")
    as_requester = web(alice).get(f"/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en")

    banner = 'id="fix-rejected"'
    assert banner in as_engineer.content.decode()
    assert "Still prints blank pages on A3" in as_engineer.content.decode()
    assert banner not in as_requester.content.decode()


def test_the_banner_goes_once_a_new_fix_is_proposed(alice, bob, web):
    ticket = make_ticket_in(S.RESOLVED, requester=alice, engineer=bob)
    services.reject_fix(ticket.pk, actor=alice, reason="Still blank")
    services.resolve_ticket(ticket.pk, actor=bob, solution="Replaced the drum too")

    page = web(bob).get(f"/tickets/{ticket.number}/").content.decode()

    assert 'id="fix-rejected"' not in page


def test_a_failed_first_solution_stays_in_the_timeline_and_the_service_report(alice, bob, web):
    # given: the first fix is rejected, a second one written
    ticket = make_ticket_in(S.RESOLVED, requester=alice, engineer=bob)
    services.reject_fix(ticket.pk, actor=alice, reason="Still blank")
    services.resolve_ticket(ticket.pk, actor=bob, solution="Replaced the drum as well")

    # when
    page = web(bob).get(f"/tickets/{ticket.number}/").content.decode()
    report = web(alice).get(f"/tickets/{ticket.number}/report/").content.decode()

    # then: both solutions and the diagnosis text are in the history
    for text in (page, report):
        assert "Replaced the fuser unit" in text
        assert "Replaced the drum as well" in text
        assert "Replace the fuser unit" in text  # the solution plan of the diagnosis
    resolved = Ticket.objects.get(pk=ticket.pk).events.filter(kind=EventKind.RESOLVED)
    assert [e.data["solution"] for e in resolved] == [
        "Replaced the fuser unit",
        "Replaced the drum as well",
    ]


# --- words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "zh", "en"),
    [(480, "8 小时", "8 h"), (90, "1 小时 30 分钟", "1 h 30 min"), (2880, "2 天", "2 d")],
)
def test_budgets_read_in_hours_not_hundreds_of_minutes(minutes, zh, en):
    with translation.override("zh-hans"):
        assert duration_text(minutes * 60) == zh
    with translation.override("en"):
        assert duration_text(minutes * 60) == en


def test_a_manager_reading_an_unaccepted_ticket_is_told_it_waits_in_the_queue(alice, dave, web):
    ticket = make_ticket(requester=alice)

    page = web(dave).get(f"/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    text = page.content.decode()
    assert "由 — 处理" not in text
    assert "尚未受理" in text


def test_the_call_form_does_not_label_the_summary_like_the_diagnosis(bob, web):
    page = web(bob).get("/tickets/call/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "What the caller reports" in page
    assert "Fault type" not in page


def test_the_report_form_lists_each_parent_category_before_its_children(alice, web):
    parent = make_category("zz-parent", sort_order=1)
    make_category("aa-child", parent=parent, sort_order=0)

    page = web(alice).get("/tickets/new/").content.decode()

    assert page.index(f'value="{parent.pk}"') < page.index("aa-child")


def test_the_admin_is_the_service_desks_in_chinese(admin, web):
    page = web(admin).get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "IT 服务台管理" in page
    assert "Django" not in page
    assert "账户" in page  # every app and model by its Chinese name
    assert "Ticket events" not in page
    assert "Access attempts" not in page
    assert "登录尝试" in page


# --- language ------------------------------------------------------------------------------


def test_a_user_who_never_chose_reads_the_browsers_language(alice, web):
    client = web(alice)

    english = client.get("/tickets/mine/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    chinese = client.get("/tickets/mine/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")

    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="zh-hans">' in chinese.content.decode()


def test_a_saved_choice_beats_the_browser_until_the_user_follows_the_browser_again(alice, web):
    client = web(alice)
    client.post("/accounts/language/", {"language": "en", "next": "/tickets/mine/"})
    alice.refresh_from_db()
    assert alice.language == "en"
    chosen = client.get("/tickets/mine/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<html lang="en">' in chosen.content.decode()

    client.post("/accounts/language/", {"language": "auto", "next": "/tickets/mine/"})

    alice.refresh_from_db()
    assert alice.language == ""
    again = client.get("/tickets/mine/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<html lang="zh-hans">' in again.content.decode()


# --- make run ------------------------------------------------------------------------------


def test_the_printed_demo_logins_name_each_role_in_chinese_and_english(db, seeded_calendar):
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    text = out.getvalue()
    assert "技术负责人 / Tech lead" in text
    assert "申报人 / Requester" in text


# --- a long timeline opens on its latest entries --------------------------------------------


def test_a_long_timeline_opens_on_its_latest_entries_and_shows_all_on_request(alice, bob, web):
    # given: a ticket with 60 replies after its filing
    from tickets.models import TicketEvent  # here: only this test writes events directly

    ticket = make_ticket_in(S.ACCEPTED, requester=alice, engineer=bob)
    now = ticket.submitted_at
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=ticket,
            kind=EventKind.DETAILS_EDITED,
            actor=bob,
            at=now + dt.timedelta(minutes=i + 1),
            data={"note": f"step {i:02d}"},
        )
        for i in range(60)
    )
    shown_total = sum(1 for e in ticket.events.all() if not e.kind.startswith("sla_"))

    # when
    latest = web(bob).get(f"/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en")
    everything = web(bob).get(f"/tickets/{ticket.number}/?all=1", HTTP_ACCEPT_LANGUAGE="en")

    # then
    page = latest.content.decode()
    assert page.count('<li class="timeline-event') == 50
    assert f"{shown_total - 50} earlier entries are not shown." in page
    assert "step 59" in page and "step 00" not in page
    full = everything.content.decode()
    assert full.count('<li class="timeline-event') == shown_total
    assert "step 00" in full
