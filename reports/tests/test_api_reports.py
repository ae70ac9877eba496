"""``/api/v1/reports/…``: who may read them, bad parameters, the JSON and the exports."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from reports.tests.factories_engine import NOW, at, october

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

REPORTS = ["sla", "volume", "backlog", "satisfaction", "engineers"]
ISSUE_ROW_FIELDS = {
    "key",
    "label",
    "tickets",
    "response_met",
    "response_breached",
    "response_pending",
    "response_met_pct",
    "resolution_met",
    "resolution_breached",
    "resolution_pending",
    "resolution_met_pct",
    "response_minutes_median",
    "response_minutes_p90",
    "resolution_minutes_median",
    "resolution_minutes_p90",
}


@pytest.fixture
def desk(alice, bob, erin, tom, dave):
    return october(alice, bob, erin, tom)


def get(client, path, **extra):
    return at(NOW, client.get, path, **extra)


@pytest.mark.parametrize("report", REPORTS)
def test_only_managers_and_tech_leads_read_reports(api, report, alice, bob, tom, dave, admin):
    # given
    path = f"/api/v1/reports/{report}/"

    # then
    assert get(api(None), path).status_code in (401, 403)
    for refused in (alice, bob):
        response = get(api(refused), path)
        assert response.status_code == 403, refused
    for reader in (tom, dave, admin):
        assert get(api(reader), path).status_code == 200, reader
    assert get(api(bob), path + "?format=csv").status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("from=yesterday", "from"),
        ("from=1900-01-01", "from"),
        ("from=2026-10-31&to=2026-10-01", "to"),
        ("from=2024-01-01&to=2026-12-31", "to"),
        ("site=nowhere", "site"),
        ("category=nothing", "category"),
        ("priority=urgent", "priority"),
        ("channel=fax", "channel"),
        ("engineer=nobody", "engineer"),
        ("group_by=colour", "group_by"),
        ("format=pdf", "format"),
        ("from=2026-10-01&from=2026-10-02", "from"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api, dave, query, field):
    # when
    response = get(api(dave), f"/api/v1/reports/sla/?{query}")

    # then
    assert response.status_code == 400
    assert field in response.json()


def test_the_sla_report_as_json(api, desk, dave):
    # when
    response = get(api(dave), "/api/v1/reports/sla/?from=2026-10-01&to=2026-10-31")

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["report"], body["group_by"]) == ("sla", "priority")
    assert body["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert [row["key"] for row in body["rows"]] == ["high", "medium", "low"]
    for row in [*body["rows"], body["total"]]:
        assert set(row) >= ISSUE_ROW_FIELDS
    assert (body["total"]["tickets"], body["total"]["response_met_pct"]) == (9, 71.4)
    assert body["breaches_found"] == 3
    assert body["breaches"][0]["url"] == f"/tickets/{desk.tickets['T2'].number}/"
    assert response["Cache-Control"] == "private, no-store"


def test_filters_repeat_or_comma_separate(api, desk, dave):
    # when
    repeated = get(api(dave), "/api/v1/reports/volume/?from=2026-10-01&channel=im&channel=phone")
    separated = get(api(dave), "/api/v1/reports/volume/?from=2026-10-01&channel=im,phone")

    # then: "from" alone means its whole month
    assert repeated.json() == separated.json()
    assert repeated.json()["total"]["tickets"] == 2
    assert repeated.json()["period"] == {"start": "2026-10-01", "end": "2026-10-31"}


def test_without_a_period_the_current_month(api, desk, dave):
    # when: read on 2 November
    body = get(api(dave), "/api/v1/reports/volume/").json()

    # then
    assert body["period"] == {"start": "2026-11-01", "end": "2026-11-30"}
    assert body["total"]["tickets"] == 1  # T8


def test_a_site_limited_tech_lead_sees_only_their_site(api, desk, tom):
    # given: tom works for Beijing only
    tom.limited_to_sites.set([desk.sites["bj"]])
    tom = type(tom).objects.get(pk=tom.pk)

    # when
    volume = get(api(tom), "/api/v1/reports/volume/?from=2026-10-01&group_by=site").json()
    other = get(api(tom), "/api/v1/reports/volume/?from=2026-10-01&site=sh")

    # then
    assert [(row["key"], row["tickets"]) for row in volume["rows"]] == [("bj", 3)]
    assert volume["total"]["tickets"] == 3
    assert other.status_code == 400
    assert "site" in other.json()


VOLUME_CSV = (
    "\ufeffCategory,Code,Tickets,Share %,Still open,Cancelled or merged\r\n"
    "Hardware,hardware,3,33.3,1,1\r\n"
    "Software,software,2,22.2,1,0\r\n"
    "Network,network,3,33.3,1,0\r\n"
    "Accounts and permissions,permission,1,11.1,1,0\r\n"
    "Total,total,9,100.0,4,1\r\n"
)


def test_csv_export_is_the_same_bytes_for_the_same_period(api, desk, dave):
    # given
    path = "/api/v1/reports/volume/?from=2026-10-01&to=2026-10-31&format=csv"

    # when
    first = get(api(dave), path, HTTP_ACCEPT_LANGUAGE="en")
    again = get(api(dave), path, HTTP_ACCEPT_LANGUAGE="en")

    # then
    assert first.status_code == 200
    assert first["Content-Type"] == "text/csv; charset=utf-8"
    assert first["Content-Disposition"] == (
        'attachment; filename="volume-category_2026-10-01_2026-10-31.csv"'
    )
    assert first.content == again.content
    assert first.content.decode("utf-8") == VOLUME_CSV


def test_accept_text_csv_gives_the_export(api, desk, dave):
    # when
    response = get(api(dave), "/api/v1/reports/backlog/?from=2026-10-01", HTTP_ACCEPT="text/csv")

    # then: the header, 31 days and the total
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('filename="backlog_2026-10-01_2026-10-31.csv"')
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 31 + 1
    assert lines[-2].endswith(",5,1,0")  # 31 October: 5 open, T7 submitted


def test_csv_headers_in_the_readers_language(api, desk, dave):
    # when
    chinese = get(
        api(dave), "/api/v1/reports/sla/?from=2026-10-01&format=csv", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    # then: Excel reads the byte-order mark and shows Chinese
    assert chinese.content.startswith(b"\xef\xbb\xbf")
    header = chinese.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == ["优先级", "代码", "工单"]
    assert (
        chinese.content.decode("utf-8-sig").splitlines()[-1].startswith("合计,total,9,1,5,2,1,71.4")
    )


def test_xlsx_export_holds_the_same_numbers(api, desk, dave):
    # given
    base = "/api/v1/reports/sla/?from=2026-10-01&to=2026-10-31"
    json_body = get(api(dave), base, HTTP_ACCEPT_LANGUAGE="en").json()

    # when
    response = get(api(dave), base + "&format=xlsx", HTTP_ACCEPT_LANGUAGE="en")

    # then
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="sla-priority_2026-10-01_2026-10-31.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    assert header[:3] == ("Priority", "Code", "Tickets")
    keys = [c["key"] for c in json_body["columns"]]
    for line, row in zip(values[1:], [*json_body["rows"], json_body["total"]], strict=True):
        assert (line[0], line[1]) == (row["label"], row["key"])
        assert list(line[2:]) == [row[key] for key in keys]
    assert isinstance(values[-1][2], int)  # numbers are numeric cells
    assert isinstance(values[-1][7], float)
    breaches = list(book.worksheets[1].iter_rows(values_only=True))
    assert [line[0] for line in breaches[1:]] == [b["number"] for b in json_body["breaches"]]


def test_every_report_exports_in_both_formats(api, desk, dave):
    for report in REPORTS:
        for kind in ("csv", "xlsx"):
            # when
            response = get(api(dave), f"/api/v1/reports/{report}/?from=2026-10-01&format={kind}")

            # then
            assert response.status_code == 200, (report, kind)
            assert response["Content-Disposition"].startswith("attachment; filename=")
            if kind == "xlsx":
                assert load_workbook(io.BytesIO(response.content)).worksheets


@pytest.mark.parametrize("report", REPORTS)
def test_a_report_runs_the_same_queries_for_one_ticket_or_many(
    api, alice, bob, erin, tom, dave, report
):
    # given: a short period with one ticket, then the whole month with its ten
    client = api(dave)
    path = f"/api/v1/reports/{report}/?from=2026-10-05&to=2026-10-05"
    october(alice, bob, erin, tom)
    get(client, path)  # per-process caches (sites, language) warm

    # when
    with CaptureQueriesContext(connection) as one:
        one_row = get(client, path)
    with CaptureQueriesContext(connection) as many:
        many_rows = get(client, f"/api/v1/reports/{report}/?from=2026-10-01&to=2026-10-31")

    # then
    assert one_row.status_code == many_rows.status_code == 200
    assert len(one) == len(many)


def test_the_schema_states_the_definitions(api, dave):
    # when
    schema = api(dave).get("/api/schema/", HTTP_ACCEPT="application/json").json()

    # then
    operation = schema["paths"]["/api/v1/reports/sla/"]["get"]
    assert "Cancelled and merged" in operation["description"]
    assert "met ÷ (met + breached) × 100" in operation["description"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"from", "to", "site", "category", "priority", "channel", "engineer"} <= names
    assert {"group_by", "format"} <= names
    row = schema["components"]["schemas"]["SlaReportRow"]["properties"]
    assert set(row) >= ISSUE_ROW_FIELDS
