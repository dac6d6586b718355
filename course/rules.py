"""Pure rules of the course calendar and seating: plain values in, plain values out.

No ORM, no clock, no settings: callers pass `today`/`now` and the time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class WeeklyMeeting:
    weekday: int  # Monday = 0
    start: time
    end: time


@dataclass(frozen=True)
class DateRange:
    first: date
    last: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


@dataclass(frozen=True)
class GeneratedSession:
    number: int
    date: date
    starts_at: datetime
    ends_at: datetime


def local_datetime(day: date, at: time, tz: str) -> datetime:
    """The aware instant of a wall-clock time in the course's zone.

    Across a daylight-saving change the wall clock is kept (9:30 stays 9:30 local), which is
    what a class schedule means; zoneinfo resolves the offset for that date.
    """
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz))


def generate_sessions(
    *,
    term_start: date,
    term_end: date,
    meetings: Iterable[WeeklyMeeting],
    breaks: Iterable[DateRange] = (),
    extra_days_off: Iterable[date] = (),
    tz: str,
) -> list[GeneratedSession]:
    """Every class meeting from term_start to term_end inclusive, skipping breaks and days off."""
    if term_end < term_start:
        raise ValueError("term_end is before term_start")
    meetings = sorted(meetings, key=lambda m: (m.weekday, m.start))
    breaks = list(breaks)
    days_off = set(extra_days_off)
    result: list[GeneratedSession] = []
    day = term_start
    while day <= term_end:
        if day not in days_off and not any(day in b for b in breaks):
            for meeting in meetings:
                if meeting.weekday == day.weekday():
                    result.append(
                        GeneratedSession(
                            number=len(result) + 1,
                            date=day,
                            starts_at=local_datetime(day, meeting.start, tz),
                            ends_at=local_datetime(day, meeting.end, tz),
                        )
                    )
        day += timedelta(days=1)
    return result


def term_week(term_start: date, day: date) -> int:
    """Week of the term containing `day`, from 1; weeks start on the Monday of term_start's week."""
    monday = term_start - timedelta(days=term_start.weekday())
    return (day - monday).days // 7 + 1


def week_allows_talks(term_start: date, day: date, first_allowed_week: int) -> bool:
    """Paper presentations happen only from `first_allowed_week` on (after week 4: week 5+)."""
    return term_week(term_start, day) >= first_allowed_week


def weeks_to_shift(term_start: date, today: date, *, target_week: int) -> int:
    """Whole weeks to move a term so that `today` falls in its `target_week` (weekdays kept)."""
    return term_week(term_start, today) - target_week


def next_session_index(ends: Sequence[datetime], now: datetime) -> int | None:
    """Index of the session happening now or next: the first one that has not ended."""
    for i, end in enumerate(ends):
        if end > now:
            return i
    return None


@dataclass(frozen=True)
class SeatPlan:
    admitted: tuple[int, ...]
    waitlisted: tuple[int, ...]


def allocate_auditor_seats(
    *, capacity: int, registered_students: int, auditors_by_request: Sequence[int]
) -> SeatPlan:
    """Registered students always have a seat; auditors fill what is left, first come first served.

    `auditors_by_request` are ids in the order they asked. When a registered student joins a
    full room the latest admitted auditor goes back to the wait list; when a seat frees, the
    first wait-listed auditor is promoted.
    """
    free = max(0, capacity - registered_students)
    return SeatPlan(
        admitted=tuple(auditors_by_request[:free]),
        waitlisted=tuple(auditors_by_request[free:]),
    )
