"""The monthly audit's pages: auditors only, the draw form, confirming and overriding a
checklist, closing, the printable page, and fixed query counts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import AuditCheck, ProcessAudit
from reports.review import audits
from reports.tests.factories_review import closed_at
from tests.clock import sh

pytestmark = pytest.mark.usefixtures("seeded_calendar")

SEPTEMBER = dt.date(2026, 9, 1)
NOW = sh(2026, 10, 9, 10, 0)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _closed(alice, bob, n: int, **extra) -> list:
    return [
        closed_at(
            sh(2026, 9, 14, 10, 0) + dt.timedelta(days=i), alice, bob, title=f"故障 {i}", **extra
        )
        for i in range(n)
    ]


def _audit(actor, size: int = 20) -> ProcessAudit:
    return audits.draw_audit(SEPTEMBER, actor=actor, size=size, seed=99)


def _form(audit: ProcessAudit, item_id: int, **changes: tuple[str, str]) -> dict[str, str]:
    body = {}
    for check in AuditCheck.objects.filter(item_id=item_id):
        result, note = changes.get(check.key, (check.data_result, ""))
        body[f"result_{check.key}"] = result
        body[f"note_{check.key}"] = note
    return body


def test_auditors_only(web, client, alice, bob, tom, dave, admin):
    # given
    _closed(alice, bob, 1)
    audit = _audit(dave)
    item = audit.items.get()
    gets = [
        reverse("reports:audit_list"),
        reverse("reports:audit_detail", args=[audit.pk]),
        reverse("reports:audit_print", args=[audit.pk]),
    ]
    posts = {
        reverse("reports:audit_draw"): {"month": "2026-09", "size": "5"},
        reverse("reports:audit_detail", args=[audit.pk]): {"improvement_actions": "x"},
        reverse("reports:audit_confirm", args=[audit.pk, item.pk]): _form(audit, item.pk),
        reverse("reports:audit_close", args=[audit.pk]): {},
    }

    # then
    for url in gets:
        assert client.get(url)["Location"].startswith("/accounts/login/")
        for outsider in (alice, bob):
            assert web(outsider).get(url).status_code == 403, (outsider, url)
        for auditor in (tom, dave, admin):
            assert web(auditor).get(url).status_code == 200, (auditor, url)
    for url, body in posts.items():
        assert client.post(url, body)["Location"].startswith("/accounts/login/")
        for outsider in (alice, bob):
            assert web(outsider).post(url, body).status_code == 403, (outsider, url)
    audit.refresh_from_db()
    assert audit.is_open and audit.improvement_actions == "" and audit.seed == 99
    assert not audit.items.filter(confirmed_at__isnull=False).exists()


def test_drawing_from_the_list_page(web, alice, bob, dave):
    # given
    tickets = _closed(alice, bob, 3)

    # when
    response = web(dave).post(
        reverse("reports:audit_draw"), {"month": "2026-09", "size": "2", "seed": "12345"}
    )

    # then
    audit = ProcessAudit.objects.get()
    assert response["Location"] == reverse("reports:audit_detail", args=[audit.pk])
    assert (audit.month, audit.sample_size, audit.seed, audit.drawn_by) == (
        SEPTEMBER,
        2,
        12345,
        dave,
    )
    page = web(dave).get(response["Location"]).content.decode()
    assert sum(t.number in page for t in tickets) == 2
    assert "data-seed>12345<" in page


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"month": "2026-13", "size": "5"}, "month"),
        ({"month": "2026-10", "size": "5"}, "month"),  # not over
        ({"month": "2026-09", "size": "0"}, "size"),
        ({"month": "2026-09", "size": "abc"}, "size"),
        ({"month": "2026-09", "size": "5", "seed": "-3"}, "seed"),
    ],
)
def test_a_bad_draw_is_a_form_error_beside_its_field(web, dave, body, field):
    response = web(dave).post(reverse("reports:audit_draw"), body)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="draw_{field}"' in page and 'aria-invalid="true"' in page
    assert not ProcessAudit.objects.exists()


def test_confirming_overriding_and_closing(web, alice, bob, tom, dave):
    # given: two tickets; the second was verified by bob for alice
    first, second = _closed(alice, bob, 1)[0], _closed(alice, bob, 1, verify_as=bob)[0]
    audit = _audit(dave)
    items = {i.ticket_id: i for i in audit.items.all()}
    confirm = {t: reverse("reports:audit_confirm", args=[audit.pk, items[t].pk]) for t in items}
    client = web(tom)

    # when: tom passes the second's verification without a note
    refused = client.post(
        confirm[second.pk], _form(audit, items[second.pk].pk, verified=("passed", ""))
    )

    # then: 400, the note marked, what he chose kept in the form
    assert refused.status_code == 400
    page = refused.content.decode()
    assert f'id="n{items[second.pk].pk}_verified"' in page
    assert "Say why you decide otherwise than the data." in page or "说明" in page
    assert AuditCheck.objects.get(item=items[second.pk], key="verified").result == "failed"

    # when: with a note; the first as the data says; then closed
    client.post(
        confirm[second.pk],
        _form(audit, items[second.pk].pk, verified=("passed", "电话录音可查，视同本人确认")),
    )
    early = client.post(reverse("reports:audit_close", args=[audit.pk]))
    client.post(confirm[first.pk], _form(audit, items[first.pk].pk))
    client.post(
        reverse("reports:audit_detail", args=[audit.pk]),
        {"improvement_actions": "电话代确认须附录音编号"},
    )
    closed = client.post(reverse("reports:audit_close", args=[audit.pk]))

    # then
    assert early.status_code == 409
    assert closed.status_code == 302
    audit.refresh_from_db()
    assert not audit.is_open and audit.closed_by == tom
    assert audit.improvement_actions == "电话代确认须附录音编号"
    check = AuditCheck.objects.get(item=items[second.pk], key="verified")
    assert (check.data_result, check.result, check.note) == (
        "failed",
        "passed",
        "电话录音可查，视同本人确认",
    )
    page = web(dave).get(reverse("reports:audit_detail", args=[audit.pk])).content.decode()
    assert "电话录音可查，视同本人确认" in page and "<form" not in page.split('id="score"')[1]


def test_the_score_counts_passing_items_over_decided_ones(web, alice, bob, dave):
    # given: one ticket, all six items as the data says: five pass, functional checks n/a
    _closed(alice, bob, 1)
    audit = _audit(dave)

    # then: 5 of 5 decided pass
    page = web(dave).get(reverse("reports:audit_detail", args=[audit.pk])).content.decode()
    assert "data-score>100.0 %<" in page

    # when: the survey fails on the auditor's word
    item = audit.items.get()
    web(dave).post(
        reverse("reports:audit_confirm", args=[audit.pk, item.pk]),
        _form(audit, item.pk, survey=("failed", "问卷未送达")),
    )

    # then: 4 of 5 = 80.0 %, on the page, the list and the printable page
    assert (
        "data-score>80.0 %<"
        in web(dave).get(reverse("reports:audit_detail", args=[audit.pk])).content.decode()
    )
    assert "80.0" in web(dave).get(reverse("reports:audit_list")).content.decode()
    printed = web(dave).get(reverse("reports:audit_print", args=[audit.pk])).content.decode()
    assert "data-score>80.0 %" in printed and "css/report.css" in printed
    assert "问卷未送达" in printed


def _queries(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (the staff banner's lookup)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_pages_run_the_same_queries_for_one_ticket_and_for_many(web, alice, bob, dave):
    # given: an August audit of one ticket
    client = web(dave)
    closed_at(sh(2026, 8, 20, 10, 0), alice, bob, title="八月")
    august = audits.draw_audit(dt.date(2026, 8, 1), actor=dave, size=20, seed=1)
    counts = {
        name: _queries(client, reverse(name, args=args))
        for name, args in (
            ("reports:audit_list", []),
            ("reports:audit_detail", [august.pk]),
            ("reports:audit_print", [august.pk]),
        )
    }

    # when: September's audit of six, some confirmed, and more audits in the list
    _closed(alice, bob, 6)
    september = _audit(dave)
    for item in september.items.all()[:3]:
        audits.confirm_ticket(
            september.pk,
            item.pk,
            actor=dave,
            answers={c.key: (c.data_result, "") for c in item.checks.all()},
        )

    # then
    assert _queries(client, reverse("reports:audit_list")) == counts["reports:audit_list"]
    for name in ("reports:audit_detail", "reports:audit_print"):
        assert _queries(client, reverse(name, args=[september.pk])) == counts[name], name
