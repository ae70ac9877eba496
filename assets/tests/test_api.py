"""The device API: ``/api/v1/assets/`` and ``/api/v1/assets/{asset_id}/``.

Engineers read, add and change every device; managers read them; a requester reads only
the devices she owns (another's is a 404) and changes nothing (403). Bad input is a 400
naming the field, never a 500.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assets.models import Asset, MaintenanceRecord
from assets.tests.factories import make_asset, make_site
from tickets.models import Ticket
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

LIST = "/api/v1/assets/"


def detail(asset: Asset) -> str:
    return f"/api/v1/assets/{asset.pk}/"


def test_engineer_lists_every_device_and_searches_by_tag_model_or_owner(api, alice, bob, carol):
    # given
    make_asset("SH-LT-0012", owner=alice)
    make_asset("BJ-PC-0031", owner=carol, kind="desktop", vendor="Dell", model="OptiPlex 7090")
    make_asset("SH-PRN-0001", kind="printer", vendor="HP", model="LaserJet Pro M404dn")

    # when / then
    tags = [row["tag"] for row in api(bob).get(LIST).json()["results"]]
    assert tags == ["BJ-PC-0031", "SH-LT-0012", "SH-PRN-0001"]
    assert [r["tag"] for r in api(bob).get(LIST, {"q": "prn"}).json()["results"]] == ["SH-PRN-0001"]
    assert [r["tag"] for r in api(bob).get(LIST, {"q": "optiplex"}).json()["results"]] == [
        "BJ-PC-0031"
    ]
    assert [r["tag"] for r in api(bob).get(LIST, {"q": "alice"}).json()["results"]] == [
        "SH-LT-0012"
    ]
    assert [r["tag"] for r in api(bob).get(LIST, {"kind": "printer"}).json()["results"]] == [
        "SH-PRN-0001"
    ]


def test_requester_lists_only_her_own_devices_and_cannot_open_anothers(api, alice, carol):
    # given
    mine = make_asset("SH-LT-0012", owner=alice)
    theirs = make_asset("BJ-PC-0031", owner=carol)

    # when / then
    assert [r["tag"] for r in api(alice).get(LIST).json()["results"]] == [mine.tag]
    assert api(alice).get(detail(mine)).status_code == 200
    assert api(alice).get(detail(theirs)).status_code == 404
    assert api(alice).get("/api/v1/assets/999999/").status_code == 404


def test_detail_has_the_devices_tickets_and_maintenance_history(api, alice, bob, dave):
    # given: two tickets about alice's laptop, one maintenance record for the first
    laptop = make_asset("SH-LT-0012", owner=alice, site=make_site())
    first = make_ticket(requester=alice, title="屏幕闪烁 Screen flickers", asset=laptop)
    second = make_ticket(requester=alice, title="键盘失灵 Keyboard dead", asset=laptop)
    MaintenanceRecord.objects.create(
        asset=laptop,
        date=dt.date(2026, 11, 20),
        ticket=first,
        work_done="Replaced the display cable",
        parts="display cable",
        created_at=timezone.now(),
    )

    # when
    body = api(bob).get(detail(laptop)).json()

    # then
    assert body["tag"] == "SH-LT-0012"
    assert body["site"] == "sh-hq"
    assert body["owner"] == "alice"
    assert [t["number"] for t in body["tickets"]] == [second.number, first.number]
    assert body["maintenance"] == [
        {
            "id": body["maintenance"][0]["id"],
            "date": "2026-11-20",
            "ticket": first.number,
            "work_done": "Replaced the display cable",
            "parts": "display cable",
            "created_at": body["maintenance"][0]["created_at"],
        }
    ]
    # the manager reads it too; the requester sees her own device with her tickets
    assert api(dave).get(detail(laptop)).status_code == 200
    assert len(api(alice).get(detail(laptop)).json()["tickets"]) == 2


def test_requester_sees_only_her_own_tickets_about_a_shared_device(api, alice, carol):
    # given: carol owns the device; an engineer put alice's ticket on it too
    device = make_asset("SH-PRN-0001", owner=carol, kind="printer")
    jam = make_ticket(requester=alice, title="Printer jam")
    Ticket.objects.filter(pk=jam.pk).update(asset=device)
    own = make_ticket(requester=carol, title="Toner low", asset=device)

    # when
    body = api(carol).get(detail(device)).json()

    # then: alice's ticket is not carol's to see
    assert [t["number"] for t in body["tickets"]] == [own.number]


def test_engineer_adds_a_device_with_site_code_and_owner_username(api, alice, bob):
    # given
    make_site("bj", "北京 Beijing")

    # when
    response = api(bob).post(
        LIST,
        {
            "tag": "BJ-LT-0040",
            "kind": "笔记本电脑",
            "vendor": "Dell",
            "model": "Latitude 7440",
            "os_version": "Windows 11",
            "site": "BJ",
            "owner": "Alice",
            "warranty_end": "2027-05-31",
        },
        format="json",
    )

    # then: a kind by its Chinese name, the site code and username in any case
    assert response.status_code == 201, response.json()
    created = Asset.objects.get(tag="BJ-LT-0040")
    assert (created.kind, created.site.code, created.owner, created.warranty_end) == (
        "laptop",
        "bj",
        alice,
        dt.date(2027, 5, 31),
    )
    assert response.json()["tickets"] == [] and response.json()["maintenance"] == []


def test_creating_a_device_names_every_bad_field(api, bob):
    # given
    make_asset("SH-LT-0012")

    # when
    missing = api(bob).post(LIST, {}, format="json")
    wrong = api(bob).post(
        LIST,
        {
            "tag": "SH-LT-0012",
            "kind": "toaster",
            "site": "nowhere",
            "owner": "nobody",
            "warranty_end": "31/05/2027",
        },
        format="json",
    )
    too_long = api(bob).post(LIST, {"tag": "X" * 33, "kind": "laptop"}, format="json")
    bad_types = api(bob).post(LIST, {"tag": ["a"], "kind": {"x": 1}}, format="json")

    # then
    assert missing.status_code == 400 and set(missing.json()) == {"tag", "kind"}
    assert wrong.status_code == 400
    assert set(wrong.json()) == {"kind", "site", "owner", "warranty_end"}
    duplicate = api(bob).post(LIST, {"tag": "SH-LT-0012", "kind": "laptop"}, format="json")
    assert duplicate.status_code == 400 and set(duplicate.json()) == {"tag"}
    assert too_long.status_code == 400 and "tag" in too_long.json()
    assert bad_types.status_code == 400 and set(bad_types.json()) == {"tag", "kind"}
    assert Asset.objects.count() == 1


def test_requesters_and_managers_may_not_add_or_change_devices(api, alice, dave):
    # given
    mine = make_asset("SH-LT-0012", owner=alice)
    body = {"tag": "NEW-1", "kind": "laptop"}

    # when / then
    assert api(alice).post(LIST, body, format="json").status_code == 403
    assert api(dave).post(LIST, body, format="json").status_code == 403
    assert api(alice).patch(detail(mine), {"model": "x"}, format="json").status_code == 403
    assert api(dave).patch(detail(mine), {"model": "x"}, format="json").status_code == 403
    assert api(None).get(LIST).status_code in (401, 403)
    assert Asset.objects.count() == 1


def test_patch_changes_only_the_fields_given(api, alice, bob, carol):
    # given
    laptop = make_asset("SH-LT-0012", owner=alice, warranty_end=dt.date(2027, 3, 31))

    # when
    response = api(bob).patch(
        detail(laptop), {"os_version": "Windows 11 24H2", "owner": "carol"}, format="json"
    )

    # then
    assert response.status_code == 200, response.json()
    laptop.refresh_from_db()
    assert (laptop.os_version, laptop.owner, laptop.model) == (
        "Windows 11 24H2",
        carol,
        "ThinkPad X1 Carbon Gen 11",
    )
    assert laptop.warranty_end == dt.date(2027, 3, 31)
    # a bad value is a 400 naming it; clearing the owner with null works
    assert set(api(bob).patch(detail(laptop), {"kind": "x"}, format="json").json()) == {"kind"}
    assert api(bob).patch(detail(laptop), {"owner": None}, format="json").status_code == 200
    laptop.refresh_from_db()
    assert laptop.owner is None


def test_patching_a_tag_to_anothers_is_a_field_error(api, bob):
    # given
    make_asset("A-1")
    other = make_asset("A-2")

    # when
    response = api(bob).patch(detail(other), {"tag": "A-1"}, format="json")

    # then
    assert response.status_code == 400 and set(response.json()) == {"tag"}


def test_list_and_detail_run_a_fixed_number_of_queries(api, alice, bob, django_assert_num_queries):
    # given: a few devices, then many; a device with one ticket and record, then many
    site = make_site()
    for n in range(3):
        make_asset(f"T-{n}", owner=alice, site=site)
    laptop = Asset.objects.get(tag="T-0")
    client = api(bob)

    def measure(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    ticket = make_ticket(requester=alice, asset=laptop)
    MaintenanceRecord.objects.create(
        asset=laptop,
        date=dt.date(2026, 1, 1),
        ticket=ticket,
        work_done="x",
        created_at=timezone.now(),
    )
    # what is read once per person (permissions, the sites they work for) is read now
    client.get(LIST)
    client.get(detail(laptop))
    few = (measure(LIST), measure(detail(laptop)))

    # when: thirty devices, ten tickets and ten records more
    for n in range(3, 33):
        make_asset(f"T-{n}", owner=alice, site=site)
    for n in range(10):
        ticket = make_ticket(requester=alice, asset=laptop, title=f"Fault {n}")
        MaintenanceRecord.objects.create(
            asset=laptop,
            date=dt.date(2026, 1, 2),
            ticket=ticket,
            work_done="y",
            created_at=timezone.now(),
        )

    # then
    assert (measure(LIST), measure(detail(laptop))) == few
    with django_assert_num_queries(2):  # a page of devices with their site and owner, the count
        client.get(LIST)
    with django_assert_num_queries(3):  # the device, its tickets, its history
        client.get(detail(laptop))
