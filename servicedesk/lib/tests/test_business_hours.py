"""Working-time arithmetic: properties (hypothesis) and the edges people notice.

The calendar under test is the one the desk runs on: Asia/Shanghai, Monday to
Friday 09:00–12:00 and 13:00–18:00 (a lunch break), with the holidays and
adjusted working weekends of the ``chinesecalendar`` package. Starts come both
in Asia/Shanghai and in UTC: the answer is an instant, whatever zone asked.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicedesk.lib.business_hours import (
    CalendarData,
    CalendarError,
    add_working_minutes,
    add_working_seconds,
    always_open,
    format_hours,
    parse_hours,
    standard_calendar,
    working_minutes_between,
    working_seconds_between,
)
from tests.clock import SHANGHAI, sh

UTC = dt.UTC
LUNCH_HOURS = parse_hours(["09:00-12:00", "13:00-18:00"])


def _chinese_overrides(hours):
    overrides = dict.fromkeys(chinese_calendar.holidays, ())
    overrides.update(dict.fromkeys(chinese_calendar.workdays, hours))
    return overrides


CHINA_LUNCH = standard_calendar("Asia/Shanghai", LUNCH_HOURS, _chinese_overrides(LUNCH_HOURS))
CHINA = standard_calendar("Asia/Shanghai", overrides=_chinese_overrides(((540, 1080),)))


def naive(*args: int) -> dt.datetime:
    """Bounds for hypothesis, which wants them naive and applies ``timezones`` itself."""
    return dt.datetime(*args)  # noqa: DTZ001


# --- properties ---------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)

starts = st.datetimes(
    min_value=naive(2025, 1, 1),
    max_value=naive(2026, 12, 31),
    timezones=st.sampled_from([SHANGHAI, UTC]),
)
# Up to about two working weeks, in whole seconds (the arithmetic counts seconds).
amounts = st.integers(min_value=0, max_value=80 * 3600)


@PROPERTY_SETTINGS
@given(start=starts, a=amounts, b=amounts)
def test_adding_in_two_steps_equals_adding_at_once(start, a, b):
    # when
    stepwise = add_working_seconds(add_working_seconds(start, a, CHINA_LUNCH), b, CHINA_LUNCH)
    at_once = add_working_seconds(start, a + b, CHINA_LUNCH)

    # then
    assert stepwise == at_once


@PROPERTY_SETTINGS
@given(start=starts, seconds=amounts)
def test_between_is_the_inverse_of_add(start, seconds):
    # when
    end = add_working_seconds(start, seconds, CHINA_LUNCH)

    # then
    assert working_seconds_between(start, end, CHINA_LUNCH) == seconds


@PROPERTY_SETTINGS
@given(start=starts, minutes=st.integers(min_value=0, max_value=80 * 60))
def test_minutes_between_is_the_inverse_of_add_minutes(start, minutes):
    # when
    end = add_working_minutes(start, minutes, CHINA_LUNCH)

    # then
    assert working_minutes_between(start, end, CHINA_LUNCH) == minutes


@PROPERTY_SETTINGS
@given(start=starts, other=starts, a=amounts, b=amounts)
def test_add_is_monotone_in_start_and_amount(start, other, a, b):
    # given
    early, late = sorted([start, other])
    small, large = sorted([a, b])

    # then
    assert add_working_seconds(early, small, CHINA_LUNCH) <= add_working_seconds(
        late, small, CHINA_LUNCH
    )
    assert add_working_seconds(early, small, CHINA_LUNCH) <= add_working_seconds(
        early, large, CHINA_LUNCH
    )


@PROPERTY_SETTINGS
@given(start=starts, end=starts, later=starts)
def test_between_is_monotone_and_never_exceeds_wall_time(start, end, later):
    # given
    end, later = sorted([end, later])

    # when
    counted = working_seconds_between(start, end, CHINA_LUNCH)

    # then
    assert 0 <= counted <= max(0, (end - start).total_seconds())
    assert counted <= working_seconds_between(start, later, CHINA_LUNCH)


@PROPERTY_SETTINGS
@given(start=starts, end=starts)
def test_adding_the_working_time_between_never_overshoots(start, end):
    # when
    counted = working_seconds_between(start, end, CHINA_LUNCH)

    # then
    assert add_working_seconds(start, counted, CHINA_LUNCH) <= max(start, end)


@PROPERTY_SETTINGS
@given(start=starts, seconds=amounts)
def test_the_zone_of_the_start_does_not_change_the_answer(start, seconds):
    # when
    in_shanghai = add_working_seconds(start.astimezone(SHANGHAI), seconds, CHINA_LUNCH)
    in_utc = add_working_seconds(start.astimezone(UTC), seconds, CHINA_LUNCH)

    # then
    assert in_shanghai == in_utc
    assert in_utc.utcoffset() == dt.timedelta(0)


@PROPERTY_SETTINGS
@given(start=starts, seconds=amounts)
def test_a_24x7_clock_is_wall_clock_time(start, seconds):
    # when
    end = add_working_seconds(start, seconds, always_open("Asia/Shanghai"))

    # then
    assert end == start + dt.timedelta(seconds=seconds)


@PROPERTY_SETTINGS
@given(
    start=st.datetimes(
        min_value=naive(2026, 3, 1),
        max_value=naive(2026, 11, 30),
        timezones=st.sampled_from([ZoneInfo("America/New_York"), UTC]),
    ),
    a=amounts,
    b=amounts,
)
def test_properties_hold_across_daylight_saving_changes(start, a, b):
    # given: a calendar in a zone with DST (the clocks change in March and November)
    new_york = standard_calendar("America/New_York", LUNCH_HOURS)

    # when
    end = add_working_seconds(start, a, new_york)

    # then
    assert working_seconds_between(start, end, new_york) == a
    assert add_working_seconds(end, b, new_york) == add_working_seconds(start, a + b, new_york)


def _hours_near_the_dst_gap():
    """Up to three intervals between 01:30 and 03:40, where Berlin's clocks jump 02:00 -> 03:00."""
    return st.lists(st.integers(90, 220), max_size=6, unique=True).map(
        lambda xs: tuple(zip(sorted(xs)[::2], sorted(xs)[1::2], strict=False))
    )


@settings(max_examples=300, deadline=None)
@given(
    weekly=st.tuples(*[_hours_near_the_dst_gap() for _ in range(7)]).filter(any),
    start=st.datetimes(
        min_value=naive(2026, 3, 27), max_value=naive(2026, 3, 31), timezones=st.just(UTC)
    ),
    a=st.integers(0, 10 * 3600),
    b=st.integers(0, 10 * 3600),
)
def test_working_hours_inside_the_skipped_dst_hour_never_count_negative(weekly, start, a, b):
    # given: any intervals around the hour that does not exist on 2026-03-29 in Berlin
    calendar = CalendarData("Europe/Berlin", weekly)

    # when
    end = add_working_seconds(start, a, calendar)

    # then
    assert end >= start
    assert working_seconds_between(start, end, calendar) == a
    assert add_working_seconds(end, b, calendar) == add_working_seconds(start, a + b, calendar)


def test_an_interval_starting_in_the_skipped_hour_counts_only_real_time():
    # given: 02:30-03:20 on 2026-03-29 in Berlin; 02:00-03:00 does not exist that day
    berlin = ZoneInfo("Europe/Berlin")
    calendar = CalendarData("Europe/Berlin", tuple(((150, 200), (600, 660)) for _ in range(7)))
    midnight = dt.datetime(2026, 3, 29, tzinfo=berlin)

    # when
    due = add_working_seconds(midnight, 600, calendar)

    # then: ten minutes are never more than ten minutes of the next real window
    assert due == dt.datetime(2026, 3, 29, 10, 10, tzinfo=berlin)
    assert working_seconds_between(midnight, due, calendar) == 600


# --- edges -------------------------------------------------------------------------------


def test_a_minute_before_closing_leaves_one_minute_today():
    # given: Friday 2026-11-20, 17:59
    start = sh(2026, 11, 20, 17, 59)

    # then
    assert add_working_minutes(start, 1, CHINA) == sh(2026, 11, 20, 18, 0)
    assert add_working_minutes(start, 2, CHINA) == sh(2026, 11, 23, 9, 1)
    assert working_minutes_between(start, sh(2026, 11, 20, 18, 0), CHINA) == 1


def test_at_closing_time_counting_starts_next_working_morning():
    # given: Friday 18:00 sharp is already outside working time
    start = sh(2026, 11, 20, 18, 0)

    # then
    assert add_working_minutes(start, 1, CHINA) == sh(2026, 11, 23, 9, 1)
    assert add_working_minutes(start, 0, CHINA) == start
    assert working_minutes_between(start, sh(2026, 11, 23, 9, 0), CHINA) == 0


def test_weekends_do_not_count():
    # given: Saturday 2026-11-21 10:00
    start = sh(2026, 11, 21, 10, 0)

    # then
    assert add_working_minutes(start, 30, CHINA) == sh(2026, 11, 23, 9, 30)
    assert working_minutes_between(sh(2026, 11, 20, 17, 0), sh(2026, 11, 23, 10, 0), CHINA) == 120


def test_national_day_holidays_do_not_count():
    # given: 2026-09-30 17:50; 10-01 to 10-07 are holidays
    start = sh(2026, 9, 30, 17, 50)

    # then
    assert add_working_minutes(start, 30, CHINA) == sh(2026, 10, 8, 9, 20)
    assert not CHINA.is_working_day(dt.date(2026, 10, 5))  # a Monday off


@pytest.mark.parametrize(
    "day", ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
)
def test_adjusted_weekend_working_days_count_like_weekdays(day):
    # given: a Saturday or Sunday worked in exchange for a holiday
    date = dt.date.fromisoformat(day)
    start = dt.datetime.combine(date, dt.time(10, 0), tzinfo=SHANGHAI)
    assert date.weekday() >= 5

    # then
    assert add_working_minutes(start, 30, CHINA) == start + dt.timedelta(minutes=30)


def test_lunch_break_is_skipped():
    # given: 12:00 on a Tuesday, with a 12:00–13:00 break
    start = sh(2026, 11, 24, 12, 0)

    # then
    assert add_working_minutes(start, 30, CHINA_LUNCH) == sh(2026, 11, 24, 13, 30)
    assert add_working_minutes(sh(2026, 11, 24, 11, 50), 30, CHINA_LUNCH) == sh(
        2026, 11, 24, 13, 20
    )
    morning_and_afternoon = (sh(2026, 11, 24, 11, 0), sh(2026, 11, 24, 14, 0))
    assert working_minutes_between(*morning_and_afternoon, CHINA_LUNCH) == 120


def test_utc_start_gives_the_same_instant_as_shanghai_start():
    # given: 09:50 UTC is 17:50 in Shanghai, Friday
    start = dt.datetime(2026, 11, 20, 9, 50, tzinfo=UTC)

    # when
    due = add_working_minutes(start, 30, CHINA)

    # then
    assert due == dt.datetime(2026, 11, 23, 1, 20, tzinfo=UTC)
    assert due == sh(2026, 11, 23, 9, 20)


def test_seconds_are_counted_exactly():
    # given
    start = sh(2026, 11, 20, 17, 59, 30)

    # then
    assert add_working_seconds(start, 45, CHINA) == sh(2026, 11, 23, 9, 0, 15)
    assert working_seconds_between(start, sh(2026, 11, 23, 9, 0, 15), CHINA) == 45
    assert working_minutes_between(start, sh(2026, 11, 23, 9, 0, 15), CHINA) == 0


def test_naive_datetimes_are_rejected():
    # given
    naive = dt.datetime(2026, 11, 20, 10, 0)  # noqa: DTZ001 - the point of the test

    # then
    with pytest.raises(CalendarError, match="timezone-aware"):
        add_working_minutes(naive, 30, CHINA)
    with pytest.raises(CalendarError, match="timezone-aware"):
        working_minutes_between(naive, sh(2026, 11, 20, 11, 0), CHINA)
    with pytest.raises(CalendarError, match="timezone-aware"):
        working_minutes_between(sh(2026, 11, 20, 9, 0), naive, CHINA)


def test_negative_amounts_are_rejected():
    with pytest.raises(CalendarError):
        add_working_minutes(sh(2026, 11, 20, 10, 0), -1, CHINA)


def test_between_is_zero_when_the_end_is_not_after_the_start():
    start = sh(2026, 11, 20, 10, 0)
    assert working_seconds_between(start, start, CHINA) == 0
    assert working_seconds_between(start, start - dt.timedelta(hours=1), CHINA) == 0


def test_a_calendar_without_working_time_fails_instead_of_looping():
    # given
    never = CalendarData("UTC", tuple(() for _ in range(7)))

    # then
    with pytest.raises(CalendarError, match="no working time"):
        add_working_minutes(dt.datetime(2026, 1, 1, tzinfo=UTC), 1, never)


def test_a_date_beyond_the_known_years_follows_the_weekly_pattern():
    # given: 2031-10-01 is a Wednesday; nobody has published that year's holidays yet
    start = sh(2031, 10, 1, 10, 0)

    # then
    assert add_working_minutes(start, 30, CHINA) == sh(2031, 10, 1, 10, 30)


def test_parse_hours_sorts_and_validates():
    assert parse_hours(["13:00-18:00", "09:00-12:00"]) == ((540, 720), (780, 1080))
    assert parse_hours(["00:00-24:00"]) == ((0, 1440),)
    assert format_hours(((540, 720), (780, 1080))) == ["09:00-12:00", "13:00-18:00"]
    for bad in (["09:00-08:00"], ["9-18"], ["09:00-12:00", "11:00-13:00"], ["09:60-10:00"]):
        with pytest.raises(CalendarError):
            parse_hours(bad)


def test_calendar_needs_seven_days():
    with pytest.raises(CalendarError):
        CalendarData("UTC", ((),) * 6)
