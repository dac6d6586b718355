"""Calendar and seating rules: pure functions, no database."""

from datetime import UTC, date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course import rules

MTL = "America/Montreal"
WED_THU = [
    rules.WeeklyMeeting(2, time(9, 30), time(11, 10)),
    rules.WeeklyMeeting(3, time(9, 0), time(10, 40)),
]


def winter_2021(**kw):
    return rules.generate_sessions(
        term_start=date(2021, 1, 11), term_end=date(2021, 4, 16), meetings=WED_THU, tz=MTL, **kw
    )


def test_two_meetings_a_week_for_fourteen_weeks():
    sessions = winter_2021()
    assert len(sessions) == 28
    assert sessions[0].date == date(2021, 1, 13)  # first Wednesday
    assert [s.number for s in sessions] == list(range(1, 29))


def test_breaks_and_days_off_are_skipped():
    sessions = winter_2021(
        breaks=[rules.DateRange(date(2021, 3, 1), date(2021, 3, 5))],
        extra_days_off=[date(2021, 4, 1)],
    )
    days = {s.date for s in sessions}
    assert date(2021, 3, 3) not in days and date(2021, 3, 4) not in days
    assert date(2021, 4, 1) not in days
    assert len(sessions) == 25


def test_a_session_after_the_march_dst_change_still_starts_at_930_local():
    before, after = (
        next(s for s in winter_2021() if s.date == d)
        for d in (date(2021, 3, 10), date(2021, 3, 17))
    )
    assert before.starts_at.hour == after.starts_at.hour == 9
    assert before.starts_at.minute == after.starts_at.minute == 30
    # The UTC instant moves by one hour: EST (UTC-5) before 14 March, EDT (UTC-4) after.
    assert before.starts_at.utcoffset() == timedelta(hours=-5)
    assert after.starts_at.utcoffset() == timedelta(hours=-4)
    assert after.starts_at.astimezone(UTC) - before.starts_at.astimezone(UTC) == timedelta(
        days=7, hours=-1
    )


def test_a_session_on_the_last_day_of_term_is_included():
    sessions = rules.generate_sessions(
        term_start=date(2021, 1, 11), term_end=date(2021, 4, 15), meetings=WED_THU, tz=MTL
    )
    assert sessions[-1].date == date(2021, 4, 15)
    assert sessions[-1].ends_at.time() == time(10, 40)


def test_term_ending_before_it_starts_is_an_error():
    with pytest.raises(ValueError, match="term_end is before term_start"):
        rules.generate_sessions(
            term_start=date(2021, 4, 1), term_end=date(2021, 1, 1), meetings=WED_THU, tz=MTL
        )


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (date(2021, 1, 11), 1),
        (date(2021, 1, 17), 1),
        (date(2021, 1, 18), 2),
        (date(2021, 2, 10), 5),
    ],
)
def test_term_week(day, week):
    assert rules.term_week(date(2021, 1, 11), day) == week


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(1, 15))
def test_shifting_puts_today_in_the_target_week_and_keeps_weekdays(today, target):
    start = date(2021, 1, 11)
    weeks = rules.weeks_to_shift(start, today, target_week=target)
    moved = start + timedelta(weeks=weeks)
    assert moved.weekday() == start.weekday()
    assert rules.term_week(moved, today) == target


def test_next_session_is_the_first_not_yet_ended():
    sessions = winter_2021()
    ends = [s.ends_at for s in sessions]
    during_second = sessions[1].starts_at + timedelta(minutes=10)
    assert rules.next_session_index(ends, during_second) == 1
    assert rules.next_session_index(ends, sessions[-1].ends_at) is None


@given(
    capacity=st.integers(0, 60),
    registered=st.integers(0, 80),
    auditors=st.lists(st.integers(1, 10_000), unique=True, max_size=30),
)
def test_seats_registered_first_then_auditors_in_order(capacity, registered, auditors):
    plan = rules.allocate_auditor_seats(
        capacity=capacity, registered_students=registered, auditors_by_request=auditors
    )
    assert list(plan.admitted) + list(plan.waitlisted) == auditors
    assert registered + len(plan.admitted) <= max(capacity, registered)
    if plan.waitlisted:
        assert registered + len(plan.admitted) >= capacity
