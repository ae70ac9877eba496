"""The device pages: the register with its search, one device with its tickets and its
maintenance history, adding and editing. Requesters see their own devices read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from assets.models import Asset, MaintenanceRecord
from assets.tests.factories import make_asset, make_site
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def tags_on(response) -> list[str]:
    return [a.tag for a in response.context["page"].object_list]


def test_register_lists_and_searches_every_device_for_staff(web, alice, carol, bob, dave):
    # given
    make_asset("SH-LT-0012", owner=alice)
    make_asset("BJ-PC-0031", owner=carol, kind="desktop", model="OptiPlex 7090")

    # when / then
    assert tags_on(web(bob).get("/assets/")) == ["BJ-PC-0031", "SH-LT-0012"]
    assert tags_on(web(dave).get("/assets/", {"q": "optiplex"})) == ["BJ-PC-0031"]
    assert tags_on(web(bob).get("/assets/", {"q": "Alice"})) == ["SH-LT-0012"]
    empty = web(bob).get("/assets/", {"q": "nothing-like-this"})
    assert tags_on(empty) == [] and 'id="asset-empty"' in empty.content.decode()


def test_requester_sees_her_own_devices_read_only(web, alice, carol):
    # given
    mine = make_asset("SH-LT-0012", owner=alice)
    theirs = make_asset("BJ-PC-0031", owner=carol)
    client = web(alice)

    # when
    listed = client.get("/assets/")
    page = client.get(f"/assets/{mine.pk}/")

    # then
    assert tags_on(listed) == ["SH-LT-0012"]
    assert page.status_code == 200 and f"/assets/{mine.pk}/edit/" not in page.content.decode()
    assert client.get(f"/assets/{theirs.pk}/").status_code == 404
    assert client.get(f"/assets/{mine.pk}/edit/").status_code == 403
    assert client.get(f"/assets/{theirs.pk}/edit/").status_code == 404
    assert client.get("/assets/new/").status_code == 403


def test_device_page_lists_its_tickets_and_maintenance_with_the_ticket(web, alice, bob):
    # given
    laptop = make_asset("SH-LT-0012", owner=alice, site=make_site())
    ticket = make_ticket(requester=alice, title="屏幕闪烁 Screen flickers", asset=laptop)
    MaintenanceRecord.objects.create(
        asset=laptop,
        date=dt.date(2026, 11, 20),
        ticket=ticket,
        work_done="Replaced the display cable",
        parts="display cable",
        created_at=timezone.now(),
    )

    # when
    html = web(bob).get(f"/assets/{laptop.pk}/").content.decode()

    # then
    assert f'data-number="{ticket.number}"' in html and "屏幕闪烁 Screen flickers" in html
    assert f'data-ticket="{ticket.number}"' in html
    assert f'href="/tickets/{ticket.number}/"' in html
    assert "Replaced the display cable" in html and "display cable" in html


def test_engineer_adds_and_edits_a_device_with_errors_next_to_the_fields(web, bob, alice):
    # given
    make_site("bj", "北京")
    User.objects.filter(pk=bob.pk).update(language="en")
    client = web(bob)

    # when: a bad form, then a good one
    empty = client.post("/assets/new/", {"tag": "", "kind": "laptop"})
    bad = client.post("/assets/new/", {"tag": "X-1", "kind": "laptop", "owner": "nobody"})
    good = client.post(
        "/assets/new/",
        {"tag": "BJ-LT-0040", "kind": "laptop", "site": "bj", "owner": "alice"},
    )

    # then
    assert empty.status_code == 400 and set(empty.context["form"].errors) == {"tag"}
    assert bad.status_code == 400 and set(bad.context["form"].errors) == {"owner"}
    assert "Nobody active has the username" in bad.content.decode()
    assert good.status_code == 302
    created = Asset.objects.get(tag="BJ-LT-0040")
    assert (created.site.code, created.owner) == ("bj", alice)

    # when: edited
    edit_url = f"/assets/{created.pk}/edit/"
    form = client.get(edit_url)
    assert form.status_code == 200 and 'value="BJ-LT-0040"' in form.content.decode()
    saved = client.post(edit_url, {"tag": "BJ-LT-0040", "kind": "desktop", "owner": ""})

    # then
    assert saved.status_code == 302
    created.refresh_from_db()
    assert (created.kind, created.owner, created.site) == ("desktop", None, None)


def test_managers_read_but_do_not_change(web, dave):
    # given
    device = make_asset("SH-LT-0012")

    # when / then
    assert web(dave).get(f"/assets/{device.pk}/").status_code == 200
    assert web(dave).get(f"/assets/{device.pk}/edit/").status_code == 403
    assert web(dave).post("/assets/new/", {"tag": "X", "kind": "laptop"}).status_code == 403


def test_register_and_device_page_run_a_fixed_number_of_queries(web, alice, bob):
    # given
    site = make_site()
    laptop = make_asset("T-000", owner=alice, site=site)
    client = web(bob)
    client.get("/assets/")  # the session and permissions are read on every page alike

    def measure(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = (measure("/assets/"), measure(f"/assets/{laptop.pk}/"))

    # when: forty devices more, eight tickets and records on the laptop
    for n in range(1, 41):
        make_asset(f"T-{n:03d}", owner=alice, site=site)
    for n in range(8):
        ticket = make_ticket(requester=alice, asset=laptop, title=f"Fault {n}")
        MaintenanceRecord.objects.create(
            asset=laptop,
            date=dt.date(2026, 1, 1),
            ticket=ticket,
            work_done="x",
            created_at=timezone.now(),
        )

    # then
    assert (measure("/assets/"), measure(f"/assets/{laptop.pk}/")) == few
