"""Item analysis and the term's statistics: pure rules, against a table computed by hand."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.scores import ScoreItem, ScoreStatus
from quizzes import rules
from quizzes.rules import AttemptResponses, Response

# Six students, four one-point questions. Totals 4, 3, 2, 2, 1, 1: the upper third is s1 and
# s2, the lower third s5 and s6. Question 4 is answered by the weakest and not by the best.
TABLE = {
    1: (1, 1, 1, 1),
    2: (1, 1, 1, 0),
    3: (1, 1, 0, 0),
    4: (1, 0, 1, 0),
    5: (0, 0, 0, 1),
    6: (0, 0, 0, 1),
}
SLOTS: list[tuple[str, list[tuple[int, list[int]]]]] = [
    (f"s{j}", [(100 + j, [])]) for j in range(4)
]


def _attempts(table: Mapping[int, tuple[int, ...]]) -> list[AttemptResponses]:
    return [
        AttemptResponses(
            key,
            {f"s{j}": Response(100 + j, float(x), 1.0) for j, x in enumerate(row)},
        )
        for key, row in table.items()
    ]


def test_hand_computed_alpha() -> None:
    # Item variances p(1-p): 2/9 + 1/4 + 1/4 + 1/4 = 35/36. Totals 4,3,2,2,1,1: mean 13/6,
    # variance 35/6 - 169/36 = 41/36. alpha = 4/3 * (1 - 35/41) = 8/41.
    stats = rules.quiz_statistics(_attempts(TABLE), SLOTS)
    assert stats.alpha == pytest.approx(float(Fraction(8, 41)))
    assert stats.attempts == 6
    assert stats.mean == pytest.approx(100 * 13 / 24)
    assert stats.median == pytest.approx(50.0)


def test_hand_computed_facility_and_discrimination() -> None:
    stats = rules.quiz_statistics(_attempts(TABLE), SLOTS)
    facility = [s.facility for s in stats.slots]
    assert facility == pytest.approx([4 / 6, 3 / 6, 3 / 6, 3 / 6])
    # Upper third {1, 2}, lower third {5, 6}.
    discrimination = [s.discrimination for s in stats.slots]
    assert discrimination == pytest.approx([1.0, 1.0, 1.0, -0.5])
    assert [s.slot for s in stats.flagged] == ["s3"]
    assert stats.slots[3].variants[0].negative_discrimination


def test_histogram_bins_of_ten_points() -> None:
    stats = rules.quiz_statistics(_attempts(TABLE), SLOTS)
    # 100, 75, 50, 50, 25, 25
    assert stats.histogram == (0, 0, 2, 0, 0, 2, 0, 1, 0, 1)


def test_choice_distribution_says_who_picked_each_distractor() -> None:
    correct, wrong_a, wrong_b = 11, 12, 13
    picks = {1: correct, 2: correct, 3: correct, 4: wrong_a, 5: wrong_b, 6: wrong_b}
    attempts = [
        AttemptResponses(k, {"q": Response(7, 1.0 if c == correct else 0.0, 1.0, picked=(c,))})
        for k, c in picks.items()
    ]
    stats = rules.quiz_statistics(attempts, [("q", [(7, [correct, wrong_a, wrong_b])])])
    choices = {c.choice: c for c in stats.slots[0].variants[0].choices}
    assert (choices[correct].picked, choices[correct].upper, choices[correct].lower) == (3, 2, 0)
    assert (choices[wrong_b].picked, choices[wrong_b].upper, choices[wrong_b].lower) == (2, 0, 2)
    assert choices[wrong_a].picked == 1
    assert choices[wrong_b].mean_percent_of_pickers == 0.0


def test_per_variant_of_a_pool() -> None:
    # A pool of two questions (variants 7 and 8): each is analysed among those who drew it.
    attempts = [
        AttemptResponses(k, {"pool": Response(7 if k % 2 else 8, float(k > 3), 1.0)})
        for k in range(1, 7)
    ]
    stats = rules.quiz_statistics(attempts, [("pool", [(7, []), (8, [])])])
    v7, v8 = stats.slots[0].variants
    assert (v7.drawn, v8.drawn) == (3, 3)
    assert v7.facility == pytest.approx(1 / 3)  # 1, 3, 5: only 5 right
    assert v8.facility == pytest.approx(2 / 3)  # 2, 4, 6: 4 and 6 right
    assert stats.slots[0].facility == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("matrix", "expected"),
    [
        ([], None),
        ([[1, 0]], None),  # one attempt
        ([[1], [0]], None),  # one item
        ([[1, 1], [1, 1]], None),  # no variance of totals
        ([[1, 1], [0, 0]], 1.0),  # perfectly consistent
    ],
)
def test_alpha_edge_cases(matrix: list[list[float]], expected: float | None) -> None:
    assert rules.cronbach_alpha(matrix) == expected


def test_discrimination_needs_three_attempts() -> None:
    assert rules.discrimination_index([(1, 1.0), (2, 0.0)], [1, 2]) is None


@given(
    st.lists(
        st.lists(st.integers(0, 1), min_size=3, max_size=3),
        min_size=3,
        max_size=30,
    )
)
def test_discrimination_is_between_minus_one_and_one(rows: list[list[int]]) -> None:
    table = {i + 1: tuple(r) for i, r in enumerate(rows)}
    stats = rules.quiz_statistics(_attempts(table), SLOTS[:3])
    for s in stats.slots:
        assert s.discrimination is not None
        assert -1.0 <= s.discrimination <= 1.0
        assert s.facility is not None and 0.0 <= s.facility <= 1.0
    assert sum(stats.histogram) == len(rows)


@given(st.lists(st.lists(st.floats(0, 5), min_size=2, max_size=5), min_size=2, max_size=20))
def test_alpha_is_at_most_one(matrix: list[list[float]]) -> None:
    width = len(matrix[0])
    matrix = [row[:width] + [0.0] * (width - len(row)) for row in matrix]
    alpha = rules.cronbach_alpha(matrix)
    if alpha is not None:
        assert alpha <= 1.0 + 1e-9


@given(st.lists(st.integers(0, 1), min_size=2, max_size=40))
def test_alpha_of_identical_items_is_one(column: list[int]) -> None:
    # Every item the same: the items agree perfectly.
    alpha = rules.cronbach_alpha([[x, x, x] for x in column])
    if len(set(column)) > 1:
        assert alpha == pytest.approx(1.0)
    else:
        assert alpha is None


@given(st.lists(st.floats(0, 100), max_size=50))
def test_median_and_mean_lie_within_the_scores(values: list[float]) -> None:
    m, md = rules.mean(values), rules.median(values)
    if not values:
        assert m is None and md is None
    else:
        assert min(values) - 1e-9 <= m <= max(values) + 1e-9  # type: ignore[operator]
        assert min(values) <= md <= max(values)  # type: ignore[operator]


# --- the term -------------------------------------------------------------------------------


def _item(key: str, status: ScoreStatus, percent: int | None = None) -> ScoreItem:
    return ScoreItem(key, key, status, percent=None if percent is None else Decimal(percent))


def test_term_trajectory_cutoff_and_participation() -> None:
    keys = ["q1", "q2", "q3", "q4"]
    items = {
        1: [
            _item("q1", ScoreStatus.GRADED, 90),
            _item("q2", ScoreStatus.GRADED, 40),
            _item("q3", ScoreStatus.GRADED, 70),
            _item("q4", ScoreStatus.MISSING),
        ],
        2: [
            _item("q1", ScoreStatus.GRADED, 50),
            _item("q2", ScoreStatus.EXCUSED),
            _item("q3", ScoreStatus.MISSING),
            _item("q4", ScoreStatus.PENDING),
        ],
    }
    term = rules.term_statistics(keys, items, n=2)
    s1, s2 = term.students
    assert s1.percents == (90.0, 40.0, 70.0, None)
    assert s1.counted == {"q1", "q3"}  # the best 2
    assert s1.cutoff == 70.0  # a quiz must beat 70 to count
    assert s1.missed == 1
    assert s2.statuses == ("graded", "excused", "missing", "pending")
    q1, q2, q3, q4 = term.quizzes
    assert (q1.mean, q1.median, q1.graded) == (70.0, 70.0, 2)
    assert (q2.excused, q3.missed, q4.missed, q4.pending) == (1, 1, 1, 1)
    assert term.median_cutoff is not None


@given(
    st.lists(
        st.one_of(st.none(), st.integers(0, 100)),
        min_size=1,
        max_size=18,
    ),
    st.integers(1, 10),
)
def test_the_cutoff_is_the_lowest_counted_score(scores: list[int | None], n: int) -> None:
    keys = [f"q{i}" for i in range(len(scores))]
    items = [
        _item(k, ScoreStatus.MISSING) if s is None else _item(k, ScoreStatus.GRADED, s)
        for k, s in zip(keys, scores, strict=True)
    ]
    (student,) = rules.term_statistics(keys, {1: items}, n).students
    dropped = [s or 0 for k, s in zip(keys, scores, strict=True) if k not in student.counted]
    assert student.cutoff is not None
    assert all(d <= student.cutoff for d in dropped)
    assert len(student.counted) == min(n, len(scores))
