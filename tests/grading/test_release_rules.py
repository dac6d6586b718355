"""Released grades for the LMS gradebook (grading.rules.released_scores): no database."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from grading import rules

COMPONENTS = [("quizzes", "Daily quizzes"), ("midterm", "Midterm"), ("final", "Final exam")]


def comp(percent: str | None, *, complete: bool = True, status: str = "graded") -> dict[str, Any]:
    return {"percent": percent, "complete": complete, "status": status, "overridden": False}


def row(user_id: int, final_grade: str | None, **components: dict[str, Any]) -> dict[str, Any]:
    return {"user_id": user_id, "final": final_grade, "components": components}


ROWS = [
    row(1, "84.13", quizzes=comp("90.00"), midterm=comp("70.00"), final=comp("88.00")),
    row(2, None, quizzes=comp("75.00", complete=False), midterm=comp(None, status="pending")),
    row(3, None, quizzes=comp(None, status="excused"), midterm=comp("60.00")),
]


def keys(scores: list[rules.ReleasedScore]) -> list[tuple[int, str, D]]:
    return [(s.user_id, s.lms_key, s.percent) for s in scores]


def test_nothing_released_sends_nothing() -> None:
    assert rules.released_scores(ROWS, COMPONENTS, set(), final_label="Final grade") == []


def test_the_final_grade_goes_only_once_it_is_final() -> None:
    scores = rules.released_scores(ROWS, COMPONENTS, {""}, final_label="Final grade")
    assert keys(scores) == [(1, "final", D("84.13"))]
    assert scores[0].label == "Final grade"


def test_a_component_goes_when_complete_and_not_excused() -> None:
    scores = rules.released_scores(ROWS, COMPONENTS, {"quizzes", "midterm"}, final_label="F")
    assert keys(scores) == [
        (1, "component:quizzes", D("90.00")),
        (1, "component:midterm", D("70.00")),
        (3, "component:midterm", D("60.00")),
    ]
    assert {s.label for s in scores} == {"Daily quizzes", "Midterm"}


def test_a_component_called_final_is_not_the_final_grade() -> None:
    scores = rules.released_scores(ROWS, COMPONENTS, {"final"}, final_label="Final grade")
    assert keys(scores) == [(1, "component:final", D("88.00"))]
    assert rules.lms_key("") == "final" != rules.lms_key("final")


percents = st.one_of(st.none(), st.decimals(0, 100, places=2).map(str))
statuses = st.sampled_from(["graded", "pending", "missing", "excused"])
components = st.fixed_dictionaries(
    {
        key: st.builds(
            lambda p, c, s: comp(p, complete=c, status=s), percents, st.booleans(), statuses
        )
        for key, _label in COMPONENTS
    }
)
rows = st.lists(
    st.builds(lambda f, c: {"final": f, "components": c}, percents, components), max_size=8
).map(lambda rs: [dict(r, user_id=i) for i, r in enumerate(rs, start=1)])
released = st.sets(st.sampled_from(["", *[key for key, _label in COMPONENTS]]))


@given(rows, released)
def test_only_released_settled_grades_are_sent_each_once(
    rows: list[dict[str, Any]], released: set[str]
) -> None:
    scores = rules.released_scores(rows, COMPONENTS, released, final_label="Final grade")
    sent = [(s.user_id, s.lms_key) for s in scores]
    assert len(sent) == len(set(sent))  # one score per student and column
    by_user = {r["user_id"]: r for r in rows}
    for s in scores:
        r = by_user[s.user_id]
        if s.lms_key == "final":
            assert "" in released and D(r["final"]) == s.percent
        else:
            key = s.lms_key.removeprefix("component:")
            c = r["components"][key]
            assert key in released and c["complete"] and c["status"] != "excused"
            assert D(c["percent"]) == s.percent
    # Releasing more never sends less.
    more = rules.released_scores(
        rows, COMPONENTS, released | {"", "midterm"}, final_label="Final grade"
    )
    assert set(sent) <= {(s.user_id, s.lms_key) for s in more}
