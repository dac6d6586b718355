"""Pure scribing rules: the fair schedule proposal (properties) and the deadlines."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from itertools import permutations
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from scribing.rules import (
    SlotSeats,
    may_change,
    notes_due_at,
    propose_scribe_schedule,
    slots_missing,
)

D0 = date(2021, 1, 13)


def make_slots(caps: list[int]) -> list[SlotSeats[int]]:
    return [
        SlotSeats(slot=100 + i, date=D0 + timedelta(days=3 * i), free=c) for i, c in enumerate(caps)
    ]


def test_everyone_once_when_enough() -> None:
    plan = propose_scribe_schedule(range(10), make_slots([2] * 6), {}, seed=1)
    assert plan.complete and plan.missing_seats == 0
    assert sorted(s for s, _ in plan.assignments) == list(range(10))
    assert max(Counter(k for _, k in plan.assignments).values()) <= 2


def test_spread_evenly_fills_each_slot_once_before_twice() -> None:
    plan = propose_scribe_schedule(range(6), make_slots([2] * 6), {}, seed=3)
    assert sorted(Counter(k for _, k in plan.assignments).values()) == [1] * 6


def test_spread_over_the_term_when_few_students() -> None:
    plan = propose_scribe_schedule(range(3), make_slots([2] * 9), {}, seed=0)
    used = sorted(k - 100 for _, k in plan.assignments)
    assert used[0] <= 2 and used[-1] >= 6  # not all bunched at the start


def test_too_few_slots_says_how_many_missing() -> None:
    plan = propose_scribe_schedule(range(7), make_slots([2, 2]), {}, seed=0)
    assert len(plan.assignments) == 4 and len(plan.unplaced) == 3
    assert plan.missing_seats == 3
    assert slots_missing(plan.missing_seats, 2) == 2
    assert slots_missing(0, 2) == 0


def test_unavailability_respected_and_matching_found() -> None:
    slots = make_slots([1, 1])
    # Student 0 can only take the first slot; student 1 either. A bad greedy would block 0.
    unavailable = {0: {slots[1].date}}
    for seed in range(20):
        plan = propose_scribe_schedule([0, 1], slots, unavailable, seed=seed)
        assert plan.complete
        assert dict(plan.assignments)[0] == slots[0].slot


def test_deterministic_and_order_independent() -> None:
    slots = make_slots([2, 1, 2, 2])
    a = propose_scribe_schedule([5, 3, 1, 2, 4], slots, {3: {slots[0].date}}, seed=42)
    b = propose_scribe_schedule(
        [1, 2, 3, 4, 5], list(reversed(slots)), {3: {slots[0].date}}, seed=42
    )
    assert a == b


def test_notes_due_at_keeps_wall_clock_over_dst() -> None:
    due = notes_due_at(
        date(2021, 3, 10), due_after_days=7, due_time=time(23, 59), tz="America/Montreal"
    )
    assert due == datetime(2021, 3, 17, 23, 59, tzinfo=ZoneInfo("America/Montreal"))
    assert due.utcoffset() == timedelta(hours=-4)


def test_change_cutoff() -> None:
    start = datetime(2021, 2, 10, 9, 30, tzinfo=ZoneInfo("America/Montreal"))
    assert may_change(start, start - timedelta(days=2, seconds=1), change_cutoff_days=2)
    assert not may_change(start, start - timedelta(days=2), change_cutoff_days=2)


# --- properties -------------------------------------------------------------------------------


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[int], list[SlotSeats[int]], dict[int, set[date]], int]:
    students = draw(st.lists(st.integers(0, 60), max_size=25, unique=True))
    caps = draw(st.lists(st.integers(0, 3), max_size=15))
    slots = make_slots(caps)
    dates = [s.date for s in slots]
    unavailable: dict[int, set[date]] = {}
    if dates:
        for s in students:
            unavailable[s] = set(draw(st.lists(st.sampled_from(dates), max_size=3)))
    return students, slots, unavailable, draw(st.integers(0, 10**6))


def max_matching(students: list[int], slots: list[SlotSeats[int]], unavailable: dict) -> int:
    seats = [s for s in slots for _ in range(s.free)]
    match: dict[int, int] = {}

    def try_(st_: int, seen: set[int]) -> bool:
        for j, seat in enumerate(seats):
            if j in seen or seat.date in unavailable.get(st_, ()):
                continue
            seen.add(j)
            if j not in match or try_(match[j], seen):
                match[j] = st_
                return True
        return False

    return sum(try_(s, set()) for s in students)


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_plan_properties(scenario: tuple) -> None:
    students, slots, unavailable, seed = scenario
    plan = propose_scribe_schedule(students, slots, unavailable, seed=seed)
    placed = [s for s, _ in plan.assignments]
    assert len(placed) == len(set(placed))  # nobody twice
    assert set(placed) | set(plan.unplaced) == set(students)
    free = {s.slot: s.free for s in slots}
    dates = {s.slot: s.date for s in slots}
    for slot, n in Counter(k for _, k in plan.assignments).items():
        assert n <= free[slot]  # no slot over capacity
    for s, k in plan.assignments:
        assert dates[k] not in unavailable.get(s, set())
    # Everyone placed whenever possible: the plan is a maximum matching.
    assert len(placed) == max_matching(students, slots, unavailable)
    if not any(unavailable.values()) and sum(free.values()) >= len(students):
        assert plan.complete
    assert plan.missing_seats == max(0, len(students) - sum(free.values()))
    assert propose_scribe_schedule(students, slots, unavailable, seed=seed) == plan


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 12), st.integers(1, 8), st.integers(0, 1000))
def test_even_spread_property(n_students: int, n_slots: int, seed: int) -> None:
    """Without unavailability, slot loads differ by at most one seat (relative to the fill)."""
    slots = make_slots([2] * n_slots)
    plan = propose_scribe_schedule(range(n_students), slots, {}, seed=seed)
    counts = Counter(k for _, k in plan.assignments)
    loads = [counts.get(s.slot, 0) for s in slots]
    assert max(loads) - min(loads) <= 1


def test_small_permutations_same_plan() -> None:
    slots = make_slots([1, 2])
    plans = [propose_scribe_schedule(list(p), slots, {}, seed=9) for p in permutations([1, 2, 3])]
    assert all(plan == plans[0] for plan in plans)
