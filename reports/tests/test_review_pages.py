"""The weekly review's pages: who reads and who writes, the tech lead's forms, actions that
carry over, and lists that run a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Site
from reports.models import ImprovementAction, ProblemReview
from reports.review import services as review_services
from reports.tests.factories_review import file_at, printer
from tests.clock import sh

pytestmark = pytest.mark.usefixtures("seeded_calendar")

WEEK = dt.date(2026, 6, 1)
NOW = sh(2026, 6, 10, 10, 0)  # Wednesday of the week after


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _review(week: dt.date = WEEK) -> ProblemReview:
    return review_services.generate_review(week, actor=None)


def _jams(alice) -> list:
    m404 = printer("PRN-0301")
    return [
        file_at(
            sh(2026, 6, 2, 9, 0), alice, title="三楼打印机卡纸", description="卡纸", asset=m404
        ),
        file_at(
            sh(2026, 6, 3, 9, 0), alice, title="打印机又卡纸了", description="卡纸", asset=m404
        ),
    ]


def _action(review: ProblemReview, owner, **extra) -> ImprovementAction:
    values = {"description": "硒鼓寿命预警", "owner": owner, "due_on": dt.date(2026, 6, 30)}
    values.update(extra)
    return ImprovementAction.objects.create(
        review=review, created_by=owner, created_at=NOW, updated_at=NOW, **values
    )


# --- who ----------------------------------------------------------------------------------


def test_the_desk_and_management_read_reviews_requesters_do_not(
    web, client, alice, bob, tom, dave, admin
):
    # given
    review = _review()
    urls = [reverse("reports:review_list"), reverse("reports:review_detail", args=[review.pk])]

    for url in urls:
        # then
        assert client.get(url).status_code == 302
        assert client.get(url)["Location"].startswith("/accounts/login/")
        assert web(alice).get(url).status_code == 403
        for reader in (bob, tom, dave, admin):
            assert web(reader).get(url).status_code == 200, (reader, url)


def test_only_tech_leads_and_admins_see_and_use_the_forms(web, alice, bob, tom, dave, admin):
    # given
    review = _review()
    detail = reverse("reports:review_detail", args=[review.pk])
    posts = {
        detail: {"root_causes": "硒鼓老化", "kb_updates": ""},
        reverse("reports:review_action_add", args=[review.pk]): {
            "description": "预警",
            "owner": bob.pk,
            "due_on": "2026-06-30",
        },
        reverse("reports:review_close", args=[review.pk]): {},
        reverse("reports:review_generate"): {"week": "previous"},
    }

    # then: read-only readers meet no form and get 403 when they post
    for reader in (bob, dave):
        page = web(reader).get(detail).content.decode()
        assert 'id="review-form"' not in page and 'id="action-add-form"' not in page
        for url, body in posts.items():
            assert web(reader).post(url, body).status_code == 403, (reader, url)
    assert web(alice).post(detail, posts[detail]).status_code == 403
    assert 'id="review-form"' in web(tom).get(detail).content.decode()
    assert 'id="review-form"' in web(admin).get(detail).content.decode()
    review.refresh_from_db()
    assert review.root_causes == "" and review.is_open and not review.actions.exists()


# --- the tech lead's forms ----------------------------------------------------------------


def test_generate_now_makes_last_weeks_review_and_shows_the_recurring_fault(web, alice, tom):
    # given
    jams = _jams(alice)

    # when
    response = web(tom).post(reverse("reports:review_generate"), {"week": "previous"})

    # then
    review = ProblemReview.objects.get()
    assert review.week_start == WEEK and review.generated_by == tom
    assert response["Location"] == reverse("reports:review_detail", args=[review.pk])
    page = web(tom).get(response["Location"]).content.decode()
    for ticket in jams:
        assert ticket.number in page
    assert "HP LaserJet M404dn" in page


def test_this_week_so_far_says_the_week_is_not_over(web, tom):
    response = web(tom).post(reverse("reports:review_generate"), {"week": "current"})
    review = ProblemReview.objects.get()
    assert review.week_start == dt.date(2026, 6, 8)
    page = web(tom).get(response["Location"]).content.decode()
    assert 'class="badge bg-yellow-lt"' in page


def test_writing_root_causes_adding_an_action_and_closing(web, tom, bob):
    # given
    review = _review()
    client = web(tom)

    # when
    client.post(
        reverse("reports:review_detail", args=[review.pk]),
        {"root_causes": "硒鼓老化导致卡纸", "kb_updates": "《打印机硒鼓更换指南》补充卡纸排查"},
    )
    client.post(
        reverse("reports:review_action_add", args=[review.pk]),
        {"description": "提前推送硒鼓寿命预警", "owner": bob.pk, "due_on": "2026-06-30"},
    )
    closed = client.post(reverse("reports:review_close", args=[review.pk]))

    # then
    review.refresh_from_db()
    assert review.root_causes == "硒鼓老化导致卡纸"
    assert review.kb_updates.startswith("《打印机硒鼓更换指南》")
    assert [(a.description, a.owner, a.status) for a in review.actions.all()] == [
        ("提前推送硒鼓寿命预警", bob, "open")
    ]
    assert closed.status_code == 302 and not review.is_open and review.closed_by == tom
    # a closed review is read-only: 409 with the reason, nothing changed
    again = client.post(
        reverse("reports:review_detail", args=[review.pk]), {"root_causes": "x", "kb_updates": ""}
    )
    assert again.status_code == 409
    review.refresh_from_db()
    assert review.root_causes == "硒鼓老化导致卡纸"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "", "due_on": "2026-06-30"}, "description"),
        ({"description": "x" * 501, "due_on": "2026-06-30"}, "description"),
        ({"description": "预警", "due_on": "2026-06-01"}, "due_on"),  # in the past
        ({"description": "预警", "due_on": "soon"}, "due_on"),
        ({"description": "预警", "due_on": "2026-06-30", "owner": "999999"}, "owner"),
    ],
)
def test_a_bad_action_is_a_form_error_beside_its_field(web, tom, bob, body, field):
    review = _review()
    data = {"owner": bob.pk, **body}
    response = web(tom).post(reverse("reports:review_action_add", args=[review.pk]), data)
    assert response.status_code == 400
    assert f'id="action_{field}"' in response.content.decode()
    assert "is-invalid" in response.content.decode()
    assert not ImprovementAction.objects.exists()


def test_root_causes_longer_than_allowed_are_refused_and_kept_in_the_form(web, tom):
    review = _review()
    text = "根因" * 10_001
    response = web(tom).post(
        reverse("reports:review_detail", args=[review.pk]), {"root_causes": text, "kb_updates": ""}
    )
    assert response.status_code == 400
    assert text in response.content.decode()
    review.refresh_from_db()
    assert review.root_causes == ""


# --- carried over -------------------------------------------------------------------------


def test_open_actions_carry_over_and_are_changed_in_one_place(web, tom, bob, erin):
    # given: week 1 decided two actions, one already done; week 2 is generated
    first = _review(WEEK)
    open_one = _action(first, bob, description="硒鼓寿命预警")
    _action(first, bob, description="更换三楼打印机", status="done")
    second = _review(dt.date(2026, 6, 8))

    # then: the open one shows on week 2, under "carried over"
    page = web(tom).get(reverse("reports:review_detail", args=[second.pk])).content.decode()
    carried = page[page.index('id="carried"') :]
    assert "硒鼓寿命预警" in carried and "更换三楼打印机" not in carried

    # when: tom hands it to erin from week 2's page, then marks it done there
    url = reverse("reports:review_action_edit", args=[second.pk, open_one.pk])
    body = {"description": "硒鼓寿命预警（全部打印机）", "owner": erin.pk, "due_on": "2026-06-30"}
    assert web(tom).post(url, {**body, "status": "open"}).status_code == 302
    assert web(tom).post(url, {**body, "status": "done"}).status_code == 302

    # then: the one row changed, it belongs to week 1, and it no longer carries over
    open_one.refresh_from_db()
    assert (open_one.review, open_one.owner, open_one.status) == (first, erin, "done")
    assert open_one.description == "硒鼓寿命预警（全部打印机）"
    later = web(tom).get(reverse("reports:review_detail", args=[second.pk])).content.decode()
    assert "硒鼓寿命预警" not in later[later.index('id="carried"') :]


def test_a_later_reviews_action_is_not_reachable_from_an_earlier_review(web, tom, bob):
    first = _review(WEEK)
    second = _review(dt.date(2026, 6, 8))
    later = _action(second, bob)
    url = reverse("reports:review_action_edit", args=[first.pk, later.pk])
    body = {"description": "x", "owner": bob.pk, "due_on": "2026-06-30", "status": "done"}
    assert web(tom).post(url, body).status_code == 404
    later.refresh_from_db()
    assert later.status == "open"


def test_a_closed_reviews_carried_action_can_still_be_marked_done(web, tom, bob):
    first = _review(WEEK)
    action = _action(first, bob)
    review_services.close_review(first.pk, actor=tom)
    url = reverse("reports:review_action_edit", args=[first.pk, action.pk])
    body = {"description": action.description, "owner": bob.pk, "due_on": "2026-06-30"}
    assert web(tom).post(url, {**body, "status": "dropped"}).status_code == 302
    action.refresh_from_db()
    assert action.status == "dropped"


# --- site limits, queries -----------------------------------------------------------------


def test_staff_limited_to_a_site_see_only_its_tickets(web, alice, carol, bob):
    # given: alice's jam at Beijing, carol's at Shanghai; bob works for Beijing only
    beijing = Site.objects.create(code="bj", name="北京办公室")
    shanghai = Site.objects.create(code="sh", name="上海办公室")
    alice.site, carol.site = beijing, shanghai
    alice.save(update_fields=["site"])
    carol.save(update_fields=["site"])
    m404 = printer("PRN-0301")
    here = file_at(sh(2026, 6, 2, 9, 0), alice, title="打印机卡纸", asset=m404)
    there = file_at(sh(2026, 6, 3, 9, 0), carol, title="打印机又卡纸", asset=m404)
    bob.limited_to_sites.add(beijing)
    review = _review()

    # when
    page = web(bob).get(reverse("reports:review_detail", args=[review.pk])).content.decode()

    # then
    assert here.number in page and there.number not in page
    assert "at a site you do not serve" in page or "不负责的站点" in page


def _queries(client, url: str) -> int:
    """Queries of a page load once per-process caches are warm (the staff banner's lookup
    is cached for two minutes)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_runs_the_same_queries_for_one_review_and_for_many(web, tom, bob):
    # given
    client = web(tom)
    first = _review(dt.date(2026, 4, 13))
    _action(first, bob)
    one = _queries(client, reverse("reports:review_list"))

    # when
    for weeks in range(1, 8):
        review = _review(dt.date(2026, 4, 13) + dt.timedelta(weeks=weeks))
        _action(review, bob)
    many = _queries(client, reverse("reports:review_list"))

    # then
    assert many == one
    assert ProblemReview.objects.count() == 8


def test_the_review_page_runs_the_same_queries_however_much_it_holds(web, alice, tom, bob):
    # given: an empty week, then one with groups, actions and carried-over actions
    client = web(tom)
    empty = _review(dt.date(2026, 5, 25))
    _action(empty, bob)
    quiet = _queries(client, reverse("reports:review_detail", args=[empty.pk]))
    _jams(alice)
    busy = _review(WEEK)
    for n in range(4):
        _action(busy, bob, description=f"行动 {n}")
        _action(empty, bob, description=f"遗留 {n}")

    # then
    assert _queries(client, reverse("reports:review_detail", args=[busy.pk])) == quiet
