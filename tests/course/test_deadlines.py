"""Pure deadline rules: late penalties, grace, cut-off, per-started-day across DST, extensions."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.deadlines.rules import (
    DueChange,
    apply_penalty,
    assess_lateness,
    effective_due,
    is_late,
    late_penalty,
    penalty_percent,
    target_key,
)
from course.syllabus.schema import LatePenalty

MTL = ZoneInfo("America/Montreal")
UTC = ZoneInfo("UTC")
DUE = datetime(2021, 1, 20, 23, 59, tzinfo=MTL)
FLAT5 = LatePenalty(kind="flat", percent=Decimal(5))
PER_DAY10 = LatePenalty(kind="per_day", percent=Decimal(10), max_percent=Decimal(30))


def s(**kw: float) -> timedelta:
    return timedelta(**kw)


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (s(seconds=-1), 0),
        (s(seconds=0), 0),  # due exactly now is on time
        (s(seconds=1), 5),  # one second late
        (s(days=2), 5),
        (s(days=30), 5),
    ],
)
def test_flat(offset: timedelta, expected: int) -> None:
    assert penalty_percent(DUE + offset, DUE, FLAT5) == expected


def test_none_kind_never_penalises() -> None:
    pol = LatePenalty(kind="none")
    lat = assess_lateness(DUE + s(days=3), DUE, pol)
    assert lat.is_late and lat.penalty_percent == 0 and lat.accepted


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (s(seconds=1), 10),
        (s(hours=24), 10),  # exactly one day: one started day
        (s(hours=24, seconds=1), 20),
        (s(hours=48), 20),
        (s(hours=48, seconds=1), 30),
        (s(days=10), 30),  # capped
    ],
)
def test_per_started_day(offset: timedelta, expected: int) -> None:
    assert penalty_percent(DUE + offset, DUE, PER_DAY10) == expected


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(s(seconds=1), 1), (s(hours=1), 1), (s(hours=1, seconds=1), 2), (s(hours=50), 50)],
)
def test_per_started_hour(offset: timedelta, expected: int) -> None:
    pol = LatePenalty(kind="per_hour", percent=Decimal(1), max_percent=Decimal(50))
    assert penalty_percent(DUE + offset, DUE, pol) == expected


def test_grace_period() -> None:
    pol = LatePenalty(kind="per_day", percent=Decimal(10), grace_minutes=15)
    assert penalty_percent(DUE + s(minutes=15), DUE, pol) == 0
    lat = assess_lateness(DUE + s(minutes=10), DUE, pol)
    assert not lat.is_late and "grace" in lat.note
    # After the grace the delay is counted from the due date itself.
    lat = assess_lateness(DUE + s(minutes=15, seconds=1), DUE, pol)
    assert lat.is_late and lat.units_late == 1 and lat.penalty_percent == 10


def test_cutoff() -> None:
    pol = LatePenalty(kind="flat", percent=Decimal(5), cutoff_days=3)
    assert assess_lateness(DUE + s(days=3), DUE, pol).accepted
    lat = assess_lateness(DUE + s(days=3, seconds=1), DUE, pol)
    assert not lat.accepted and lat.penalty_percent == 100 and "cut-off" in lat.note


def test_percent_of_points_possible_and_never_below_zero() -> None:
    assert late_penalty(20, DUE + s(days=1), DUE, FLAT5) == Decimal(1)
    assert late_penalty(Decimal(100), DUE + s(days=1), DUE, FLAT5) == Decimal(5)
    assert apply_penalty(Decimal(80), 100, Decimal(5)) == Decimal(75)
    assert apply_penalty(Decimal(3), 100, Decimal(5)) == Decimal(0)
    assert apply_penalty(Decimal(18), 20, Decimal(5)) == Decimal(17)


# The DST weekend: clocks spring forward on Sunday 14 March 2021 at 02:00 in Montreal.
DST_DUE = datetime(2021, 3, 13, 23, 59, tzinfo=MTL)


def test_dst_day_counts_wall_clock_days() -> None:
    sunday_same_time = datetime(2021, 3, 14, 23, 59, tzinfo=MTL)
    assert sunday_same_time.astimezone(UTC) - DST_DUE.astimezone(UTC) == s(
        hours=23
    )  # a 23-hour day
    assert assess_lateness(sunday_same_time, DST_DUE, PER_DAY10).units_late == 1
    after = sunday_same_time + s(seconds=1)
    assert assess_lateness(after, DST_DUE, PER_DAY10).units_late == 2


def test_dst_with_utc_inputs_and_course_zone() -> None:
    due_utc = DST_DUE.astimezone(UTC)
    sub = datetime(2021, 3, 14, 23, 59, 30, tzinfo=MTL).astimezone(UTC)
    # In UTC this is 23.5 h after: one day. On Montreal wall clock it is past Sunday 23:59.
    assert assess_lateness(sub, due_utc, PER_DAY10, tz="America/Montreal").units_late == 2
    assert assess_lateness(sub, due_utc, PER_DAY10, tz=UTC).units_late == 1


def test_fall_back_day_has_25_hours() -> None:
    due = datetime(2021, 11, 6, 23, 59, tzinfo=MTL)
    sub = datetime(2021, 11, 7, 23, 59, tzinfo=MTL)
    assert sub.astimezone(UTC) - due.astimezone(UTC) == s(hours=25)
    assert assess_lateness(sub, due, PER_DAY10).units_late == 1


def test_naive_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        assess_lateness(datetime(2021, 1, 1), DUE, FLAT5)


def test_extensions() -> None:
    later = DUE + s(days=3)
    exts = [DueChange(due_at=later, student_id=7), DueChange(due_at=DUE + s(days=1))]
    assert effective_due(DUE, exts, student_id=7) == later
    assert effective_due(DUE, exts, student_id=8) == DUE + s(days=1)
    assert effective_due(DUE, [], student_id=8) == DUE
    # An extension never makes a deadline earlier.
    assert effective_due(DUE, [DueChange(due_at=DUE - s(days=1))]) == DUE
    due = effective_due(DUE, exts, student_id=7)
    assert penalty_percent(DUE + s(days=2), due, FLAT5) == 0
    assert penalty_percent(DUE + s(days=4), due, FLAT5) == 5


def test_target_key() -> None:
    assert target_key("scribing", "lecture", 42) == "scribing:lecture:42"


# --- properties -------------------------------------------------------------------------------

offsets = st.integers(min_value=-10 * 86400, max_value=60 * 86400).map(lambda x: s(seconds=x))
policies = st.builds(
    LatePenalty,
    kind=st.sampled_from(["none", "flat", "per_day", "per_hour"]),
    percent=st.integers(0, 100).map(Decimal),
    max_percent=st.integers(0, 100).map(Decimal),
    grace_minutes=st.integers(0, 120),
    cutoff_days=st.none() | st.integers(0, 30),
)
dues = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2023, 1, 1),
    timezones=st.just(MTL),
)


@given(offsets, policies, dues)
def test_penalty_bounded(offset: timedelta, pol: LatePenalty, due: datetime) -> None:
    lat = assess_lateness(due + offset, due, pol)
    assert 0 <= lat.penalty_percent <= 100
    if lat.accepted:
        assert lat.penalty_percent <= pol.max_percent
    if due + offset <= due:
        assert not lat.is_late and lat.penalty_percent == 0


@given(offsets, offsets, policies, dues)
def test_penalty_monotone(a: timedelta, b: timedelta, pol: LatePenalty, due: datetime) -> None:
    first, second = sorted([a, b])
    assert penalty_percent(due + first, due, pol) <= penalty_percent(due + second, due, pol)


@given(
    st.integers(0, 200).map(Decimal),
    st.integers(1, 200).map(Decimal),
    st.integers(0, 100).map(Decimal),
)
def test_final_never_below_zero_nor_above_raw(
    raw: Decimal, possible: Decimal, pct: Decimal
) -> None:
    final = apply_penalty(raw, possible, pct)
    assert Decimal(0) <= final <= raw


@given(st.lists(st.tuples(offsets, st.none() | st.integers(1, 3)), max_size=5), st.integers(1, 3))
def test_extension_never_earlier(changes: list, student: int) -> None:
    exts = [DueChange(due_at=DUE + o, student_id=sid) for o, sid in changes]
    result = effective_due(DUE, exts, student_id=student)
    assert result >= DUE
    assert result in {DUE} | {e.due_at for e in exts if e.student_id in (None, student)}


# --- a hand-in already made, under a changed policy or a later extension ----------------------


def test_a_harsher_policy_never_re_prices_a_hand_in() -> None:
    """Flat 5% when handed in two days late; the policy becomes 10% a day: still 5%."""
    from course.deadlines.rules import penalty_that_counts

    handed_in = DUE + s(days=1, hours=10)
    counts = penalty_that_counts(Decimal(5), handed_in, DUE, PER_DAY10, tz=MTL)
    assert counts.penalty_percent == 5 and counts.is_late
    assert "as when handed in" in counts.note


def test_a_later_extension_or_a_lighter_policy_lowers_it() -> None:
    from course.deadlines.rules import penalty_that_counts

    handed_in = DUE + s(days=1, hours=10)
    extended = penalty_that_counts(Decimal(5), handed_in, DUE + s(days=3), FLAT5, tz=MTL)
    assert extended.penalty_percent == 0 and not extended.is_late
    lighter = penalty_that_counts(Decimal(5), handed_in, DUE, LatePenalty(kind="none"), tz=MTL)
    assert lighter.penalty_percent == 0


@given(
    recorded=st.decimals(min_value=0, max_value=100, places=2),
    late_minutes=st.integers(-600, 60 * 24 * 20),
    extension_days=st.integers(0, 10),
)
def test_the_penalty_that_counts_never_exceeds_the_recorded_one(
    recorded: Decimal, late_minutes: int, extension_days: int
) -> None:
    from course.deadlines.rules import penalty_that_counts

    handed_in = DUE + s(minutes=late_minutes)
    due_now = DUE + s(days=extension_days)
    counts = penalty_that_counts(recorded, handed_in, due_now, PER_DAY10, tz=MTL)
    assert counts.penalty_percent <= recorded
    assert counts.penalty_percent <= assess_lateness(handed_in, due_now, PER_DAY10).penalty_percent


# --- the one meaning of late -----------------------------------------------------------------


def test_is_late_boundaries() -> None:
    assert not is_late(DUE, DUE)  # due exactly now is on time
    assert is_late(DUE + timedelta(microseconds=1), DUE)
    grace = timedelta(minutes=15)
    assert not is_late(DUE + grace, DUE, grace=grace)
    assert is_late(DUE + grace + timedelta(microseconds=1), DUE, grace=grace)
    # Real time across the spring-forward night: 23:30 to 03:30 is three hours, not four.
    due = datetime(2021, 3, 13, 23, 30, tzinfo=MTL)
    assert not is_late(datetime(2021, 3, 14, 3, 30, tzinfo=MTL), due, grace=timedelta(hours=3))


@given(offsets, policies, dues)
def test_assess_lateness_is_late_by_the_one_rule(
    offset: timedelta, pol: LatePenalty, due: datetime
) -> None:
    grace = timedelta(minutes=pol.grace_minutes)
    assert assess_lateness(due + offset, due, pol).is_late is is_late(
        due + offset, due, grace=grace
    )
