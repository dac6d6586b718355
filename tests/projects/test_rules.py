from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course import rules as course_rules
from projects import rules
from projects.selectors import slides_late

TZ = ZoneInfo("America/Montreal")


def at(h: int, m: int = 0, day: date = date(2021, 3, 17)) -> datetime:
    return datetime(day.year, day.month, day.day, h, m, tzinfo=TZ)


@pytest.mark.parametrize(
    ("start", "end", "talk", "change", "count"),
    [
        (at(9, 30), at(11, 10), 20, 5, 4),  # 100 min: 4*20 + 3*5 = 95
        (at(9, 0), at(10, 40), 20, 5, 4),
        (at(9, 0), at(9, 20), 20, 5, 1),  # exactly one talk, no change-over needed after it
        (at(9, 0), at(9, 19), 20, 5, 0),
        (at(9, 0), at(9, 45), 20, 5, 2),  # 20 + 5 + 20 = 45
        (at(9, 0), at(9, 44), 20, 5, 1),
        (at(9, 0), at(10, 40), 5, 0, 20),
    ],
)
def test_talk_slot_times_counts(start, end, talk, change, count) -> None:
    slots = rules.talk_slot_times(start, end, talk_minutes=talk, changeover_minutes=change)
    assert len(slots) == count
    if slots:
        assert slots[0].starts_at == start
        assert slots[-1].ends_at <= end


def test_talk_slot_times_on_dst_day_keeps_wall_clock() -> None:
    # 2021-03-14 is the spring-forward Sunday in Montreal; a session on the next day is unaffected.
    day = date(2021, 3, 15)
    slots = rules.talk_slot_times(
        at(9, 0, day), at(10, 40, day), talk_minutes=20, changeover_minutes=5
    )
    assert [s.starts_at.strftime("%H:%M") for s in slots] == ["09:00", "09:25", "09:50", "10:15"]


@given(
    length=st.integers(min_value=0, max_value=300),
    talk=st.integers(min_value=1, max_value=60),
    change=st.integers(min_value=0, max_value=20),
)
def test_talk_slots_fit_and_do_not_overlap(length: int, talk: int, change: int) -> None:
    start = at(9)
    end = start + timedelta(minutes=length)
    slots = rules.talk_slot_times(start, end, talk_minutes=talk, changeover_minutes=change)
    for a, b in itertools.pairwise(slots):
        assert b.starts_at - a.ends_at == timedelta(minutes=change)
    assert all(s.ends_at - s.starts_at == timedelta(minutes=talk) for s in slots)
    assert all(start <= s.starts_at and s.ends_at <= end for s in slots)
    # Maximal: one more talk would not fit.
    used = len(slots) * talk + max(0, len(slots) - 1) * change
    assert used + change + talk > length if slots else talk > length


@pytest.mark.parametrize(
    ("day", "allowed"),
    [
        (date(2021, 2, 5), False),  # Friday of week 4
        (date(2021, 2, 7), False),  # Sunday of week 4
        (date(2021, 2, 8), True),  # Monday of week 5
        (date(2021, 3, 17), True),
        (date(2021, 1, 11), False),
    ],
)
def test_week_check(day: date, allowed: bool) -> None:
    # The talks' week is the course's term week: one rule, in course.rules.
    assert course_rules.week_allows_talks(date(2021, 1, 11), day, 5) is allowed


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://arxiv.org/abs/1611.03530", "http://www.arxiv.org/pdf/1611.03530v2.pdf"),
        ("https://arxiv.org/abs/1611.03530v3", "arxiv.org/abs/1611.03530/"),
        ("https://Distill.pub/2017/momentum/", "https://distill.pub/2017/momentum#intro"),
        (
            "https://openreview.net/forum?id=ry_WPG-A-&utm_source=x",
            "https://openreview.net/forum?id=ry_WPG-A-",
        ),
    ],
)
def test_same_paper_same_key(a: str, b: str) -> None:
    assert rules.normalize_paper_url(a) == rules.normalize_paper_url(b)


def test_different_papers_differ() -> None:
    assert rules.normalize_paper_url(
        "https://arxiv.org/abs/1611.03530"
    ) != rules.normalize_paper_url("https://arxiv.org/abs/1609.04836")
    assert rules.normalize_paper_url(
        "https://openreview.net/forum?id=a"
    ) != rules.normalize_paper_url("https://openreview.net/forum?id=b")


def test_paper_key_prefers_link_then_entry() -> None:
    assert (
        rules.paper_key(url="", bib_entry_id=3, bib_entry_url="https://arxiv.org/abs/1")
        == "url:arxiv.org/abs/1"
    )
    assert (
        rules.paper_key(url="https://arxiv.org/abs/1", bib_entry_id=None) == "url:arxiv.org/abs/1"
    )
    assert rules.paper_key(url="", bib_entry_id=3) == "bib:3"
    with pytest.raises(ValueError, match="a link or a bibliography entry"):
        rules.paper_key(url="", bib_entry_id=None)


@pytest.mark.parametrize(
    ("n", "size", "sizes"),
    [
        (0, 2, []),
        (1, 2, [1]),
        (2, 2, [2]),
        (5, 2, [2, 3]),
        (12, 2, [2] * 6),
        (13, 2, [2] * 5 + [3]),
        (7, 3, [3, 4]),
        (8, 3, [4, 4]),
    ],
)
def test_pair_unpaired_sizes(n: int, size: int, sizes: list[int]) -> None:
    groups = rules.pair_unpaired(list(range(n)), size, seed=1)
    assert sorted(len(g) for g in groups) == sorted(sizes)


@given(
    n=st.integers(min_value=0, max_value=60),
    size=st.integers(min_value=1, max_value=4),
    seed=st.integers(),
)
def test_pair_unpaired_properties(n: int, size: int, seed: int) -> None:
    students = [f"s{i}" for i in range(n)]
    groups = rules.pair_unpaired(students, size, seed)
    flat = [s for g in groups for s in g]
    assert sorted(flat) == sorted(students)  # everyone exactly once
    if n >= size:
        assert all(size <= len(g) < 2 * size for g in groups)
        assert sum(1 for g in groups if len(g) != size) <= max(0, size - 1)
    assert groups == rules.pair_unpaired(students, size, seed)  # deterministic


def test_rubric_percent() -> None:
    assert rules.rubric_percent([Decimal(40), Decimal(45)], [Decimal(50), Decimal(50)]) == Decimal(
        "85.00"
    )
    with pytest.raises(ValueError, match="no points"):
        rules.rubric_percent([], [])


def test_weighted_project_score() -> None:
    S = rules.MilestoneScore
    assert rules.weighted_project_score([]) is None
    assert rules.weighted_project_score([S(Decimal(15), None)]) is None
    assert rules.weighted_project_score(
        [S(Decimal(15), Decimal(80)), S(Decimal(10), Decimal(100)), S(Decimal(75), None)]
    ) == Decimal("88.00")
    full = [
        S(Decimal(15), Decimal(100)),
        S(Decimal(10), Decimal(50)),
        S(Decimal(25), Decimal(0)),
        S(Decimal(50), Decimal(90)),
    ]
    assert rules.weighted_project_score(full) == Decimal("65.00")


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=1, max_size=6))
def test_weighted_score_is_between_min_and_max(pairs: list[tuple[int, int]]) -> None:
    scores = [rules.MilestoneScore(Decimal(w), Decimal(p)) for w, p in pairs]
    result = rules.weighted_project_score(scores)
    graded = [Decimal(p) for w, p in pairs if w > 0]
    if not graded:
        assert result is None
    else:
        assert result is not None
        assert min(graded) - Decimal("0.01") <= result <= max(graded) + Decimal("0.01")


def test_slides_due() -> None:
    assert rules.slides_due_at(at(10), 1) == at(9)


def test_slides_late_is_the_course_deadline_rule() -> None:
    # Slides carry no late policy: the course's one meaning of late, with no grace.
    due = at(9)
    assert not slides_late(due, due)
    assert slides_late(due, due + timedelta(microseconds=1))
    assert not slides_late(None, due + timedelta(days=3))


@pytest.mark.parametrize(("members", "full"), [(0, False), (1, False), (2, True), (3, True)])
def test_group_is_full(members: int, full: bool) -> None:
    assert rules.group_is_full(members, 2) is full


def test_rubric_complete_counts_only_the_rubric() -> None:
    assert rules.rubric_complete({"slides", "clarity"}, ["slides", "clarity"])
    assert not rules.rubric_complete({"slides"}, ["slides", "clarity"])
    # A score kept for a criterion no longer in the rubric does not stand for a missing one.
    assert not rules.rubric_complete({"slides", "old"}, ["slides", "clarity"])


# --- leaving a group -------------------------------------------------------------------------

BINDING_FIELDS = (
    "paper_approved",
    "paper_proposed",
    "talk_slot",
    "slides",
    "submissions",
    "graded",
)


def test_a_member_of_an_unbound_group_may_leave() -> None:
    assert rules.leave_refusal(is_member=True, bindings=rules.GroupBindings()) is None


def test_a_non_member_may_not_leave() -> None:
    assert (
        rules.leave_refusal(is_member=False, bindings=rules.GroupBindings())
        == rules.LeaveRefusal.NOT_MEMBER
    )


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("paper_approved", rules.LeaveRefusal.PAPER_APPROVED),
        ("paper_proposed", rules.LeaveRefusal.PAPER_PROPOSED),
        ("talk_slot", rules.LeaveRefusal.TALK_SLOT),
        ("slides", rules.LeaveRefusal.SLIDES),
        ("submissions", rules.LeaveRefusal.SUBMISSIONS),
        ("graded", rules.LeaveRefusal.GRADED),
    ],
)
def test_each_binding_refuses_with_its_reason(field: str, reason: rules.LeaveRefusal) -> None:
    bindings = rules.GroupBindings(**{field: True})
    assert rules.leave_refusal(is_member=True, bindings=bindings) == reason


def test_the_most_committing_reason_is_named() -> None:
    bindings = rules.GroupBindings(paper_approved=True, talk_slot=True, graded=True)
    assert rules.leave_refusal(is_member=True, bindings=bindings) == rules.LeaveRefusal.GRADED


@given(st.booleans(), st.fixed_dictionaries({f: st.booleans() for f in BINDING_FIELDS}))
def test_leave_allowed_exactly_when_member_and_nothing_binds(
    is_member: bool, flags: dict[str, bool]
) -> None:
    reason = rules.leave_refusal(is_member=is_member, bindings=rules.GroupBindings(**flags))
    assert (reason is None) == (is_member and not any(flags.values()))
    if reason is not None and is_member:
        assert getattr(rules.GroupBindings(**flags), reason.value) is True


@pytest.mark.parametrize(("remaining", "dissolved"), [(0, True), (1, True), (2, False), (3, False)])
def test_a_group_of_fewer_than_two_is_dissolved(remaining: int, dissolved: bool) -> None:
    assert rules.dissolves_group(remaining) is dissolved
