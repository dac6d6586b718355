"""Pure rules of scribing: the fair schedule proposal and the sign-up cut-off.

Plain values in, plain values out: no ORM, no clock, no settings.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

S = TypeVar("S", bound=Hashable)  # a student id
K = TypeVar("K", bound=Hashable)  # a slot id


@dataclass(frozen=True)
class SlotSeats(Generic[K]):
    """A slot offered to the plan: its id, the lecture date and the seats still free in it."""

    slot: K
    date: date
    free: int


@dataclass(frozen=True)
class SchedulePlan(Generic[S, K]):
    assignments: tuple[tuple[S, K], ...]  # (student, slot), ordered by slot date then student
    unplaced: tuple[S, ...]  # students left without a slot
    missing_seats: int  # seats lacking for everyone to scribe (0 when capacity suffices)
    by_slot: Mapping[K, tuple[S, ...]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.unplaced


def propose_scribe_schedule(
    students: Iterable[S],
    slots: Sequence[SlotSeats[K]],
    unavailable: Mapping[S, Collection[date]] | None = None,
    seed: int = 0,
) -> SchedulePlan[S, K]:
    """Give each student one slot: nobody twice, no slot over its free seats.

    - Everyone is placed whenever the seats and the unavailable dates allow it (a maximum
      bipartite matching, found by augmenting paths after a greedy pass).
    - Spread evenly: the greedy pass fills the least-filled slots first, and among equally
      filled ones the slot nearest to an even spacing over the term.
    - Deterministic for a given seed (and independent of the input order of students/slots).
    - `missing_seats`: how many more seats it would take for everyone to have one.
    """
    unavailable = unavailable or {}
    ordered_slots = sorted((s for s in slots if s.free > 0), key=lambda s: (s.date, repr(s.slot)))
    people = sorted(set(students), key=repr)
    rng = random.Random(seed)  # noqa: S311 - a plan repeatable from its seed, no secret
    rng.shuffle(people)

    allowed: dict[S, list[int]] = {}
    for person in people:
        off = unavailable.get(person, ())
        allowed[person] = [i for i, s in enumerate(ordered_slots) if s.date not in off]
    # The most constrained go first; the seeded shuffle breaks ties.
    people.sort(key=lambda p: len(allowed[p]))

    n_slots = len(ordered_slots)
    n_people = len(people)
    load = [0] * n_slots
    holders: list[list[S]] = [[] for _ in range(n_slots)]
    where: dict[S, int] = {}

    for k, person in enumerate(people):
        options = [i for i in allowed[person] if load[i] < ordered_slots[i].free]
        if not options:
            continue
        ideal = (k + 0.5) * n_slots / max(n_people, 1) - 0.5 if n_slots else 0.0
        best = min(
            options,
            key=lambda i: (load[i] / ordered_slots[i].free, load[i], abs(i - ideal), i),
        )
        load[best] += 1
        holders[best].append(person)
        where[person] = best

    def unset(person: S) -> None:
        i = where.pop(person, None)
        if i is not None:
            load[i] -= 1
            holders[i].remove(person)

    def place(person: S, seen: set[int]) -> bool:
        """Kuhn's augmenting path: take a free seat, or move a holder elsewhere to free one."""
        for i in allowed[person]:
            if i in seen or where.get(person) == i:
                continue
            seen.add(i)
            if load[i] < ordered_slots[i].free or any(
                place(other, seen) for other in list(holders[i])
            ):
                unset(person)
                load[i] += 1
                holders[i].append(person)
                where[person] = i
                return True
        return False

    for person in people:
        if person not in where:
            place(person, set())

    capacity = sum(s.free for s in ordered_slots)
    unplaced = tuple(sorted((p for p in people if p not in where), key=repr))
    assignments = tuple(
        sorted(
            ((p, ordered_slots[i].slot) for p, i in where.items()),
            key=lambda pair: (where[pair[0]], repr(pair[0])),
        )
    )
    by_slot = {s.slot: tuple(sorted(holders[i], key=repr)) for i, s in enumerate(ordered_slots)}
    return SchedulePlan(
        assignments=assignments,
        unplaced=unplaced,
        missing_seats=max(0, n_people - capacity),
        by_slot=by_slot,
    )


def slots_missing(missing_seats: int, seats_per_slot: int) -> int:
    """How many more lectures with scribe slots it would take to seat `missing_seats` students."""
    if missing_seats <= 0:
        return 0
    return -(-missing_seats // max(seats_per_slot, 1))


def notes_due_at(lecture_day: date, *, due_after_days: int, due_time: time, tz: str) -> datetime:
    """Due `due_after_days` after the lecture at `due_time`, wall clock of the course's zone."""
    return datetime.combine(
        lecture_day + timedelta(days=due_after_days), due_time, tzinfo=ZoneInfo(tz)
    )


def change_deadline(lecture_starts_at: datetime, *, change_cutoff_days: int) -> datetime:
    """Students may sign up, drop or swap until this instant; after it only the instructor."""
    return lecture_starts_at - timedelta(days=change_cutoff_days)


def may_change(lecture_starts_at: datetime, now: datetime, *, change_cutoff_days: int) -> bool:
    return now < change_deadline(lecture_starts_at, change_cutoff_days=change_cutoff_days)
