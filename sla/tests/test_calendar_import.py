"""``manage.py import_calendar``: a year of holidays from CSV or ICS; the admin's coverage flag."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from servicedesk.lib.business_hours import add_working_minutes
from sla.admin import coverage_warning
from sla.calendars import default_calendar
from sla.choices import CalendarDayKind
from sla.models import BusinessCalendar, CalendarDay
from tests.clock import sh
from tickets.choices import Impact, Urgency
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


CSV_2027 = """date,kind,name
2027-01-01,holiday,元旦 New Year's Day
2027-09-30,holiday,国庆节 National Day
2027-10-01,holiday,国庆节 National Day
2027-10-04,holiday,国庆节 National Day
2027-10-05,holiday,国庆节 National Day
2027-10-06,holiday,国庆节 National Day
2027-10-07,holiday,国庆节 National Day
2027-10-09,workday,国庆节 调休 National Day (worked)
"""

ICS_2027 = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//example//holidays//CN\r
BEGIN:VEVENT\r
UID:2027-national-day\r
DTSTART;VALUE=DATE:20271001\r
DTEND;VALUE=DATE:20271008\r
SUMMARY:国庆节\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:2027-national-day-work\r
DTSTART;VALUE=DATE:20271009\r
DTEND;VALUE=DATE:20271010\r
SUMMARY:国庆节 补班\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture(autouse=True)
def calendar(seeded_calendar):
    """The seeded calendar (holidays known through 2026), re-seeded after a transactional flush."""
    return BusinessCalendar.objects.get(is_default=True)


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_calendar", *args, stdout=out)
    return out.getvalue()


def test_csv_year_loads_into_the_default_calendar(tmp_path, calendar):
    # given
    path = write(tmp_path, "cn-2027.csv", CSV_2027)

    # when
    output = run(str(path))

    # then
    days = CalendarDay.objects.filter(calendar=calendar, date__year=2027)
    assert days.filter(kind=CalendarDayKind.HOLIDAY).count() == 7
    assert days.get(date=dt.date(2027, 10, 9)).kind == CalendarDayKind.WORKDAY
    assert days.get(date=dt.date(2027, 1, 1)).name == "元旦 New Year's Day"
    calendar.refresh_from_db()
    assert calendar.covered_through == 2027
    assert "8 days" in output
    assert "7 holidays, 1 adjusted working days" in output
    assert "through 2027" in output


def test_imported_days_change_deadlines_at_once(tmp_path):
    # given: the cache already holds the calendar without 2027
    start = sh(2027, 9, 29, 17, 50)
    assert add_working_minutes(start, 30, default_calendar()) == sh(2027, 9, 30, 9, 20)

    # when
    run(str(write(tmp_path, "cn-2027.csv", CSV_2027)))

    # then: 09-30 to 10-07 are off (10-02/03 a weekend); Saturday 10-09 is worked
    calendar = default_calendar()
    assert add_working_minutes(start, 30, calendar) == sh(2027, 10, 8, 9, 20)
    assert add_working_minutes(sh(2027, 10, 9, 10, 0), 30, calendar) == sh(2027, 10, 9, 10, 30)


def test_ics_year_loads_every_day_of_a_multi_day_event(tmp_path, calendar):
    # given
    path = write(tmp_path, "cn-2027.ics", ICS_2027)

    # when
    output = run(str(path))

    # then: DTEND is exclusive
    days = dict(
        CalendarDay.objects.filter(calendar=calendar, date__year=2027).values_list("date", "kind")
    )
    assert days == {
        **{dt.date(2027, 10, d): CalendarDayKind.HOLIDAY for d in range(1, 8)},
        dt.date(2027, 10, 9): CalendarDayKind.WORKDAY,
    }
    calendar.refresh_from_db()
    assert calendar.covered_through == 2027
    assert "7 holidays, 1 adjusted working days" in output


def test_importing_the_same_file_again_updates_instead_of_duplicating(tmp_path, calendar):
    # given
    path = write(tmp_path, "cn-2027.csv", CSV_2027)
    run(str(path))
    changed = CSV_2027.replace("元旦 New Year's Day", "New Year")

    # when
    output = run(str(write(tmp_path, "cn-2027-v2.csv", changed)))

    # then
    assert CalendarDay.objects.filter(calendar=calendar, date__year=2027).count() == 8
    assert CalendarDay.objects.get(calendar=calendar, date="2027-01-01").name == "New Year"
    assert "0 new, 8 updated" in output


def test_a_named_calendar_is_loaded_instead_of_the_default(tmp_path, calendar):
    # given
    other = BusinessCalendar.objects.create(name="Hong Kong office", time_zone="Asia/Hong_Kong")

    # when
    run(str(write(tmp_path, "hk.csv", "2027-07-01,holiday,HKSAR Day\n")), "--calendar", other.name)

    # then
    assert list(other.days.values_list("date", flat=True)) == [dt.date(2027, 7, 1)]
    assert not calendar.days.filter(date="2027-07-01").exists()
    other.refresh_from_db()
    assert other.covered_through == 2027


def test_covered_through_never_goes_back(tmp_path, calendar):
    # given: holidays are known through 2026
    assert calendar.covered_through == 2026

    # when: a correction for an old year
    run(str(write(tmp_path, "fix.csv", "2020-01-02,holiday,Correction\n")))

    # then
    calendar.refresh_from_db()
    assert calendar.covered_through == 2026


def test_a_date_beyond_the_imported_years_follows_the_weekly_pattern(tmp_path, alice):
    # given: 2027 is loaded; nothing is known about 2028
    run(str(write(tmp_path, "cn-2027.csv", CSV_2027)))

    # when: filed on Monday 2028-10-02, a National Day holiday in reality
    with time_machine.travel(sh(2028, 10, 2, 10, 0), tick=False):
        ticket = make_ticket(requester=alice, impact=Impact.SINGLE, urgency=Urgency.INTERRUPTED)

    # then: no exception, an ordinary Monday
    assert ticket.response_due_at == sh(2028, 10, 2, 10, 30)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.csv", "date,kind,name\n2027-01-01,holiday,ok\n2027-13-01,holiday,x\n", "line 3"),
        ("bad.csv", "2027-01-01,holiday,ok\n2027-01-02,vacation,x\n", "line 2"),
        ("bad.csv", "2027-01-01\n", "line 1"),
        ("bad.ics", ICS_2027.replace("DTSTART;VALUE=DATE:20271009", "DTSTART:20271340"), "line 12"),
        ("bad.ics", ICS_2027.replace("DTSTART;VALUE=DATE:20271001\r\n", ""), "line 4"),
        ("both.csv", "2027-10-09,holiday,a\n2027-10-09,workday,b\n", "2027-10-09"),
        ("empty.csv", "date,kind,name\n", "no calendar days"),
    ],
)
def test_a_bad_file_is_refused_with_the_line_named_and_nothing_changes(
    tmp_path, calendar, name, text, message
):
    # given
    path = write(tmp_path, name, text)
    before = CalendarDay.objects.count()

    # when
    with pytest.raises(CommandError) as error:
        run(str(path))

    # then
    assert message in str(error.value)
    assert name in str(error.value)
    assert CalendarDay.objects.count() == before
    calendar.refresh_from_db()
    assert calendar.covered_through == 2026


def test_a_missing_file_or_calendar_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="There is no calendar named 'Mars'"):
        run(str(write(tmp_path, "ok.csv", CSV_2027)), "--calendar", "Mars")


# --- admin -----------------------------------------------------------------------------------


def test_coverage_is_flagged_when_next_years_holidays_are_unknown(calendar):
    # given: holidays known through 2026
    calendar.covered_through = 2026

    # then: in both languages
    with translation.override("en"):
        assert coverage_warning(calendar, dt.date(2026, 11, 24)) == "Holidays unknown after 2026."
        assert coverage_warning(calendar, dt.date(2025, 6, 1)) is None
        calendar.covered_through = None
        assert "Holidays unknown" in coverage_warning(calendar, dt.date(2025, 6, 1))
    calendar.covered_through = 2026
    with translation.override("zh-hans"):
        assert coverage_warning(calendar, dt.date(2026, 11, 24)) == "2026 年以后的节假日数据未知。"


def test_admin_lists_calendars_with_the_coverage_flag(admin, web, calendar, tmp_path):
    # given
    client = web(admin)

    # when: in November 2026, before and after loading 2027
    with time_machine.travel(sh(2026, 11, 24, 10, 0), tick=False):
        before = client.get("/admin/sla/businesscalendar/").content.decode()
        run(str(write(tmp_path, "cn-2027.csv", CSV_2027)))
        after = client.get("/admin/sla/businesscalendar/").content.decode()

    # then
    assert "sla-coverage" in before and "2026" in before
    assert "sla-coverage" not in after


def test_admin_calendar_page_shows_days_sites_and_the_warning(admin, web, calendar):
    # when
    with time_machine.travel(sh(2026, 11, 24, 10, 0), tick=False):
        response = web(admin).get(f"/admin/sla/businesscalendar/{calendar.pk}/change/")

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "2026-10-10" in page  # this year's adjusted working Saturday, inline
    assert "import_calendar" in page  # the warning says how to fix it
    assert 'name="sites-TOTAL_FORMS"' in page  # the sites using it, inline


def test_admin_lists_policies_and_calendar_days(admin, web, calendar):
    # when
    policies = web(admin).get("/admin/sla/slapolicy/")
    days = web(admin).get("/admin/sla/calendarday/?kind=workday&date__year=2026")

    # then
    assert policies.status_code == 200
    assert days.status_code == 200
    assert "National Day" in days.content.decode()


def _calendar_form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Chengdu lab",
        "time_zone": "Asia/Shanghai",
        "weekly_hours": '[["09:00-12:00", "13:00-18:00"], ["09:00-12:00", "13:00-18:00"], '
        '["09:00-12:00", "13:00-18:00"], ["09:00-12:00", "13:00-18:00"], '
        '["09:00-12:00", "13:00-18:00"], [], []]',
        "covered_through": "2027",
        "days-TOTAL_FORMS": "1",
        "days-INITIAL_FORMS": "0",
        "days-0-date": "2027-10-09",
        "days-0-kind": "workday",
        "days-0-name": "调休",
        "days-0-hours": "[]",
        "sites-TOTAL_FORMS": "0",
        "sites-INITIAL_FORMS": "0",
    }
    return {**data, **overrides}


def test_admin_adds_a_calendar_with_a_lunch_break_and_a_worked_saturday(admin, web):
    # when
    response = web(admin).post("/admin/sla/businesscalendar/add/", _calendar_form())

    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    added = BusinessCalendar.objects.get(name="Chengdu lab")
    assert added.weekly_hours[0] == ["09:00-12:00", "13:00-18:00"]
    assert list(added.days.values_list("date", "kind")) == [
        (dt.date(2027, 10, 9), CalendarDayKind.WORKDAY)
    ]


def test_admin_refuses_malformed_working_hours(admin, web):
    # when
    response = web(admin).post(
        "/admin/sla/businesscalendar/add/",
        _calendar_form(weekly_hours='[["09:00-12:00", "11:00-18:00"], [], [], [], [], [], []]'),
    )

    # then: the form comes back with the error, nothing saved
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert not BusinessCalendar.objects.filter(name="Chengdu lab").exists()


def test_admin_imports_a_year_from_an_uploaded_file_like_the_command(admin, web, calendar):
    # given: the calendar page offers the import
    client = web(admin)
    page = client.get(f"/admin/sla/businesscalendar/{calendar.pk}/change/").content.decode()
    assert f"/admin/sla/businesscalendar/{calendar.pk}/import/" in page

    # when
    upload = SimpleUploadedFile("cn-2027.ics", ICS_2027.encode(), content_type="text/calendar")
    response = client.post(f"/admin/sla/businesscalendar/{calendar.pk}/import/", {"file": upload})

    # then: the same days as the command loads, and the flag moves on
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.covered_through == 2027
    days = CalendarDay.objects.filter(calendar=calendar, date__year=2027)
    assert days.filter(kind=CalendarDayKind.HOLIDAY).count() == 7
    assert days.get(date=dt.date(2027, 10, 9)).kind == CalendarDayKind.WORKDAY
    shown = client.get(response["Location"]).content.decode()
    assert "8" in shown and "2027" in shown


def test_admin_import_names_the_bad_line_and_changes_nothing(admin, web, calendar):
    # given
    bad = CSV_2027 + "2027-13-40,holiday,Nowhere\n"
    before = CalendarDay.objects.count()

    # when
    response = web(admin).post(
        f"/admin/sla/businesscalendar/{calendar.pk}/import/",
        {"file": SimpleUploadedFile("bad.csv", bad.encode(), content_type="text/csv")},
    )

    # then
    assert response.status_code == 400
    assert "bad.csv" in response.content.decode()
    assert CalendarDay.objects.count() == before
    calendar.refresh_from_db()
    assert calendar.covered_through == 2026


def test_admin_import_needs_the_right_to_change_calendars(bob, web, calendar):
    # when: an engineer (no admin rights) tries the page
    response = web(bob).get(f"/admin/sla/businesscalendar/{calendar.pk}/import/")

    # then: the admin sends them to its login
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
