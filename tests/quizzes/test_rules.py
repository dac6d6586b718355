"""Pure rules: deadlines (extra time, window close, DST), scoring, best-N, access codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes import rules
from quizzes.rules import QuizScore, best_n_average

MTL = ZoneInfo("America/Montreal")
T0 = datetime(2021, 1, 14, 9, 0, tzinfo=MTL)
MIN = timedelta(minutes=1)


# --- deadlines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start_after", "extra", "expected_after"),
    [
        (0, 0, 10),  # start at opening: full duration
        (10, 0, 15),  # late start: cut at the window close (15)
        (3, 0, 13),
        (0, 5, 15),  # extra time added to the duration
        (10, 5, 20),  # late start with extra: window close + extra
        (15, 0, 15),  # started exactly at close: nothing left
    ],
)
def test_attempt_deadline(start_after: int, extra: int, expected_after: int) -> None:
    deadline = rules.attempt_deadline(
        started_at=T0 + start_after * MIN,
        duration=10 * MIN,
        window_closes_at=T0 + 15 * MIN,
        extra=extra * MIN,
    )
    assert deadline == T0 + expected_after * MIN


def test_deadline_on_dst_day_counts_real_minutes() -> None:
    # 2021-03-14 02:00 EST -> 03:00 EDT. A 10-minute quiz started at 01:55 local ends at 03:05 EDT.
    start = datetime(2021, 3, 14, 1, 55, tzinfo=MTL)
    deadline = rules.attempt_deadline(
        started_at=start, duration=10 * MIN, window_closes_at=start + 60 * MIN, extra=timedelta(0)
    )
    assert (deadline.astimezone(UTC) - start.astimezone(UTC)) == 10 * MIN
    assert deadline.astimezone(MTL).hour == 3 and deadline.astimezone(MTL).minute == 5
    assert rules.remaining_seconds(now=start, deadline=deadline) == 600


def test_grace_boundaries() -> None:
    deadline = T0 + 10 * MIN
    grace = timedelta(seconds=5)
    assert rules.accepts_answers(now=deadline + grace, deadline=deadline, grace=grace)
    one_late = deadline + grace + timedelta(microseconds=1)
    assert not rules.accepts_answers(now=one_late, deadline=deadline, grace=grace)
    assert rules.is_overdue(now=one_late, deadline=deadline, grace=grace)
    assert not rules.is_overdue(now=deadline, deadline=deadline, grace=grace)


def test_window_states_and_later_window() -> None:
    w = rules.student_window(
        opens_at=T0, closes_at=T0 + 15 * MIN, later_opens_at=None, later_closes_at=None
    )
    assert rules.window_state(now=T0 - MIN, window=w) == "upcoming"
    assert rules.window_state(now=T0, window=w) == "open"
    assert rules.window_state(now=T0 + 15 * MIN, window=w) == "open"
    assert rules.window_state(now=T0 + 16 * MIN, window=w) == "closed"
    later = rules.student_window(
        opens_at=T0,
        closes_at=T0 + 15 * MIN,
        later_opens_at=T0 + timedelta(days=1),
        later_closes_at=T0 + timedelta(days=1, minutes=15),
    )
    assert rules.window_state(now=T0 + MIN, window=later) == "upcoming"


def test_closed_for_everyone_takes_the_latest_accommodation() -> None:
    close = T0 + 15 * MIN
    grace = timedelta(seconds=5)
    assert rules.closed_for_everyone_at(closes_at=close, grace=grace) == close + grace
    got = rules.closed_for_everyone_at(
        closes_at=close,
        grace=grace,
        accommodations=[(None, 5 * MIN), (T0 + 60 * MIN, 2 * MIN)],
    )
    assert got == T0 + 62 * MIN + grace


def test_remaining_seconds_never_negative() -> None:
    assert rules.remaining_seconds(now=T0 + MIN, deadline=T0) == 0


@given(
    start=st.integers(0, 30),
    duration=st.integers(1, 20),
    extra=st.integers(0, 30),
    window=st.integers(0, 30),
)
def test_deadline_properties(start: int, duration: int, extra: int, window: int) -> None:
    started = T0 + start * MIN
    close = T0 + window * MIN
    d = rules.attempt_deadline(
        started_at=started, duration=duration * MIN, window_closes_at=close, extra=extra * MIN
    )
    assert d <= started + (duration + extra) * MIN
    assert d <= close + extra * MIN
    assert d in (started + (duration + extra) * MIN, close + extra * MIN)


# --- scoring -------------------------------------------------------------------------------


def test_single_choice() -> None:
    assert rules.score_single(picked=2, correct={2}) == 1
    assert rules.score_single(picked=3, correct={2}) == 0
    assert rules.score_single(picked=None, correct={2}) == 0


@pytest.mark.parametrize(
    ("picked", "correct", "expected"),
    [
        ({1, 2}, {1, 2}, Decimal(1)),
        ({1}, {1, 2}, Decimal("0.5")),
        ({1, 3}, {1, 2}, Decimal(0)),  # one right, one wrong
        ({1, 2, 3}, {1, 2}, Decimal("0.5")),
        ({1, 2, 3, 4}, {1, 2}, Decimal(0)),  # picking everything earns nothing
        ({3, 4}, {1, 2}, Decimal(0)),  # floored at 0
        (set(), {1, 2}, Decimal(0)),
        (set(), set(), Decimal(1)),
        ({1}, set(), Decimal(0)),
    ],
)
def test_multiple_choice_partial_credit(picked: set, correct: set, expected: Decimal) -> None:
    assert rules.score_multiple(picked=picked, correct=correct) == expected


@given(
    picked=st.sets(st.integers(0, 8)),
    correct=st.sets(st.integers(0, 8), min_size=1),
)
def test_multiple_choice_bounds(picked: set, correct: set) -> None:
    score = rules.score_multiple(picked=picked, correct=correct)
    assert 0 <= score <= 1
    assert (score == 1) == (picked == correct)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3.14", Decimal(1)),
        ("3,14", Decimal(1)),
        ("3.15", Decimal(1)),  # on the bound
        ("3.1500001", Decimal(0)),
        ("3.13", Decimal(1)),
        ("abc", Decimal(0)),
        ("nan", Decimal(0)),
        ("inf", Decimal(0)),
        ("", Decimal(0)),
    ],
)
def test_numeric_tolerance(typed: str, expected: Decimal) -> None:
    value = rules.parse_number(typed)
    assert (
        rules.score_numeric(value=value, answer=Decimal("3.14"), tolerance=Decimal("0.01"))
        == expected
    )


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-1000, max_value=1000)
)
def test_numeric_exact_answer_always_right(x: Decimal) -> None:
    assert (
        rules.score_numeric(value=rules.parse_number(str(x)), answer=x, tolerance=Decimal(0)) == 1
    )


def test_percent() -> None:
    assert rules.percent(Decimal("2.5"), Decimal(4)) == Decimal("62.50")
    assert rules.percent(Decimal(0), Decimal(0)) == 0


# --- best N ----------------------------------------------------------------------------------


def s(key: str, pct: int | None, excused: bool = False) -> QuizScore:
    return QuizScore(key, None if pct is None else Decimal(pct), excused)


def test_best_n_takes_the_best() -> None:
    scores = [s(f"q{i}", 10 * i) for i in range(1, 11)]  # 10..100
    result = best_n_average(scores, 8)
    assert result.average == Decimal("65.00")  # (30+...+100)/8
    assert set(result.counted) == {f"q{i}" for i in range(3, 11)}
    assert result.n == 8 and result.zeros_for_missing == 0


def test_missed_counts_zero() -> None:
    result = best_n_average([s("a", 100), s("b", None)], 2)
    assert result.average == Decimal("50.00")


def test_fewer_than_n_gets_zeros() -> None:
    result = best_n_average([s("a", 100), s("b", 80)], 4)
    assert result.average == Decimal("45.00")
    assert result.zeros_for_missing == 2 and result.n == 4


def test_excused_left_out_n_kept_when_enough_remain() -> None:
    scores = [s(f"q{i}", 100) for i in range(9)] + [s("x", 0, excused=True)]
    result = best_n_average(scores, 8)
    assert result.n == 8 and "x" not in result.counted and result.average == 100


def test_excused_shrinks_n_only_when_fewer_than_n_remain() -> None:
    scores = [s(f"q{i}", 90) for i in range(7)] + [s("x", None, excused=True)]
    result = best_n_average(scores, 8)
    assert result.n == 7 and result.average == Decimal("90.00") and result.zeros_for_missing == 0
    # Only 3 quizzes so far, 1 excused: N shrinks to 7, four zeros.
    few = best_n_average([s("a", 100), s("b", 100), s("c", 100, excused=True)], 8)
    assert few.n == 7 and few.zeros_for_missing == 5
    assert few.average == Decimal(200) / 7  # full precision: rounding is for display


def test_all_excused_gives_nothing() -> None:
    assert best_n_average([s("a", 50, excused=True)], 1).average is None


def test_only_excused_quizzes_leave_the_component_out_not_a_zero() -> None:
    """Three quizzes held, all excused, N = 8: excused, never "0.00% … count 0"."""
    result = best_n_average([s(f"q{i}", None, excused=True) for i in range(3)], 8)
    assert result.excused and result.average is None and result.zeros_for_missing == 0


def test_pending_quizzes_give_the_average_so_far() -> None:
    pending = QuizScore("q3", None, pending=True)
    result = best_n_average([s("q1", 80), s("q2", 60), pending], 8)
    assert result.average == 70 and result.n == 2 and not result.complete
    assert best_n_average([pending], 8).average is None


def test_dropped_are_the_settled_quizzes_not_counted() -> None:
    result = best_n_average([s("a", 90), s("b", 50), s("c", 70)], 2)
    assert result.counted == ("a", "c") and result.dropped == ("b",)


scores_strategy = st.lists(
    st.tuples(st.one_of(st.none(), st.integers(0, 100)), st.booleans()), max_size=20
).map(lambda xs: [s(f"q{i:02d}", p, e) for i, (p, e) in enumerate(xs)])


@given(scores=scores_strategy, n=st.integers(1, 10))
def test_best_n_properties(scores: list[QuizScore], n: int) -> None:
    result = best_n_average(scores, n)
    remaining = [x for x in scores if not x.excused]
    excused = len(scores) - len(remaining)
    if result.excused:  # every quiz excused: the component is left out
        assert scores and not remaining and result.n == 0 and result.average is None
        return
    assert result.n <= n
    assert result.n >= min(n, len(remaining))
    assert result.n >= n - excused
    assert len(result.counted) == min(result.n, len(remaining))
    assert not any(x.key in result.counted for x in scores if x.excused)
    if result.average is not None:
        assert 0 <= result.average <= 100
        # No un-counted quiz beats a counted one.
        counted = [x.percent or 0 for x in remaining if x.key in result.counted]
        left = [x.percent or 0 for x in remaining if x.key not in result.counted]
        if counted and left:
            assert min(counted) >= max(left)


@given(scores=scores_strategy, n=st.integers(1, 10), bump=st.integers(0, 19))
def test_best_n_monotone(scores: list[QuizScore], n: int, bump: int) -> None:
    """Raising one score never lowers the average."""
    if not scores:
        return
    i = bump % len(scores)
    better = list(scores)
    old = better[i]
    better[i] = QuizScore(old.key, Decimal(100), old.excused)
    before = best_n_average(scores, n).average
    after = best_n_average(better, n).average
    if before is not None:
        assert after is not None and after >= before


# --- access codes -----------------------------------------------------------------------------


def test_access_code_changes_every_minute_and_accepts_previous() -> None:
    at = datetime(2021, 1, 14, 14, 0, 10, tzinfo=UTC)
    code = rules.access_code("secret", at)
    assert len(code) == 6 and code.isdigit()
    assert rules.access_code_ok("secret", code, at + timedelta(seconds=30))
    assert rules.access_code_ok("secret", code, at + timedelta(seconds=70))  # previous minute
    assert not rules.access_code_ok("secret", code, at + timedelta(seconds=130))
    assert not rules.access_code_ok("other", code, at)
    assert not rules.access_code_ok("secret", "", at)
