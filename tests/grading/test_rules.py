"""Pure rules of the gradebook: no database."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.scores import ScoreItem, ScoreStatus
from grading import rules
from grading.rules import ComponentInput, ComponentSpec, LetterStep
from tests.present import present

G, P, M, E = ScoreStatus.GRADED, ScoreStatus.PENDING, ScoreStatus.MISSING, ScoreStatus.EXCUSED

SPECS = [
    ComponentSpec("participation", "Participation", D(5), "participation"),
    ComponentSpec("scribing", "Scribing", D(10), "scribing"),
    ComponentSpec("quizzes", "Daily quizzes", D(15), "quizzes"),
    ComponentSpec("early_exam", "Early in-class exam", D(5), "exam"),
    ComponentSpec("midterm", "Midterm", D(15), "exam"),
    ComponentSpec("presentations", "Paper presentations", D(15), "presentations"),
    ComponentSpec("project", "Research project", D(35), "project"),
]
UDEM = [
    LetterStep(letter, D(floor))
    for letter, floor in [
        ("A+", 90),
        ("A", 85),
        ("A-", 80),
        ("B+", 77),
        ("B", 73),
        ("B-", 70),
        ("C+", 65),
        ("C", 60),
        ("C-", 57),
        ("D+", 54),
        ("D", 50),
        ("E", 35),
        ("F", 0),
    ]
]


def item(key: str, percent: float | str | D | None, status: ScoreStatus = G, **kw) -> ScoreItem:
    return ScoreItem(
        key=key,
        label=key,
        status=status,
        percent=None if percent is None else D(str(percent)),
        **kw,
    )


def single(key: str, percent: float | str | D) -> tuple[ScoreItem, ...]:
    return (item(key, percent),)


def inputs(**by_key: tuple[ScoreItem, ...]) -> list[ComponentInput]:
    return [
        ComponentInput(
            spec=s, items=by_key.get(s.key, ()), best_n=8 if s.source == "quizzes" else None
        )
        for s in SPECS
    ]


# --- the worked example -----------------------------------------------------------------------

ADA_QUIZZES = [60, 75, 80, None, 90, 85, 70, 95, 100, 65, 88, 92, 78, 83, 97, 55, 89, 91]


def ada_inputs() -> list[ComponentInput]:
    quizzes = tuple(
        item(f"quiz-{i:02d}", s, G) if s is not None else item(f"quiz-{i:02d}", None, M)
        for i, s in enumerate(ADA_QUIZZES, start=1)
    )
    scribe = (
        ScoreItem(
            key="scribe-lecture-5",
            label="Notes of lecture 5",
            status=G,
            percent=D(85),
            raw_percent=D(90),
            penalty_percent=D(5),
            note="2 days late: 5% penalty",
        ),
    )
    presentation = (item("presentation", 87),)  # rubric: slides 42/50 + clarity 45/50
    project = (
        item("proposal", 80, weight=D(15)),
        item("progress", 90, weight=D(10)),
        item("poster", 85, weight=D(25)),
        ScoreItem(
            key="report",
            label="Final report",
            status=G,
            percent=D(73),
            raw_percent=D(78),
            penalty_percent=D(5),
            weight=D(50),
            note="1 day late: 5% penalty",
        ),
    )
    return inputs(
        participation=single("participation", 100),  # 5/5
        scribing=scribe,
        quizzes=quizzes,
        early_exam=single("early_exam", 70),  # 14/20
        midterm=single("midterm", 82),  # 41/50
        presentations=presentation,
        project=project,
    )


def test_worked_example_ada() -> None:
    # Quizzes, 18 given, quiz 4 missed (counts 0). Best 8:
    #   100 (q9) + 97 (q15) + 95 (q8) + 92 (q12) + 91 (q18) + 90 (q5) + 89 (q17) + 88 (q11)
    #   = 742, / 8 = 92.75
    # Scribing: 90 on the notes, 2 days late, flat 5% of the points possible -> 85
    # Presentation: rubric 42/50 (slides) + 45/50 (clarity) = 87
    # Project milestones (weights 15/10/25/50): proposal 80, progress 90, poster 85,
    #   report 78 - 5 (late) = 73:  (15x80 + 10x90 + 25x85 + 50x73) / 100
    #   = (1200 + 900 + 2125 + 3650) / 100 = 78.75
    # Early exam 14/20 = 70; midterm 41/50 = 82; participation 5/5 = 100.
    # Final = (5x100 + 10x85 + 15x92.75 + 5x70 + 15x82 + 15x87 + 35x78.75) / 100
    #       = (500 + 850 + 1391.25 + 350 + 1230 + 1305 + 2756.25) / 100 = 83.825
    #       -> ROUND_HALF_UP to 2 places: 83.83 (banker's rounding would say 83.82) -> A-
    grade = rules.student_grade(ada_inputs(), scale=UDEM, decimals=2)
    by_key = {c.key: c for c in grade.components}
    assert by_key["quizzes"].percent == D("92.75")
    assert set(by_key["quizzes"].counted) == {
        "quiz-09",
        "quiz-15",
        "quiz-08",
        "quiz-12",
        "quiz-18",
        "quiz-05",
        "quiz-17",
        "quiz-11",
    }
    assert "quiz-04" in by_key["quizzes"].dropped and len(by_key["quizzes"].dropped) == 10
    assert by_key["scribing"].percent == D(85)
    assert by_key["project"].percent == D("78.75")
    assert by_key["quizzes"].contribution == D("13.9125")
    assert by_key["project"].contribution == D("27.5625")
    assert grade.final_percent == D("83.83")
    assert grade.so_far_percent == D("83.83")
    assert grade.letter == "A-"
    assert grade.missing == ("quizzes",)


# --- units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        ("84.125", 2, "84.13"),
        ("84.124", 2, "84.12"),
        ("84.5", 0, "85"),
        ("83.825", 2, "83.83"),
        ("89.995", 2, "90.00"),
        ("0", 2, "0.00"),
    ],
)
def test_round_half_up(value: str, decimals: int, expected: str) -> None:
    assert rules.round_percent(D(value), decimals) == D(expected)


@pytest.mark.parametrize(
    ("percent", "letter"),
    [
        ("90", "A+"),
        ("89.99", "A"),
        ("85", "A"),
        ("80", "A-"),
        ("57", "C-"),
        ("34.99", "F"),
        ("0", "F"),
    ],
)
def test_letter_scale(percent: str, letter: str) -> None:
    assert rules.letter_for(D(percent), UDEM) == letter


def test_best_n_fewer_than_n_gives_zeros() -> None:
    res = rules.component_score(
        ComponentInput(spec=SPECS[2], items=(item("a", 80), item("b", 100)), best_n=4)
    )
    assert res.percent == D(45) and res.complete


def test_the_gradebook_has_no_best_n_rule_of_its_own() -> None:
    """One rule, written once in quizzes.rules: a second copy is how the two pages disagreed."""
    own = [
        name
        for name, value in vars(rules).items()
        if name.startswith("best_n") and getattr(value, "__module__", "") == rules.__name__
    ]
    assert own == []


def test_best_n_average_keeps_full_precision() -> None:
    """The component keeps full precision; only the final grade is rounded (once)."""
    items = tuple(item(f"q{i}", p) for i, p in enumerate((D("70.01"), D(80), D(90))))
    res = rules.component_score(ComponentInput(spec=SPECS[2], items=items, best_n=3))
    assert res.percent == (D("70.01") + D(80) + D(90)) / 3


def test_excused_component_rescales_the_rest() -> None:
    data = inputs(
        participation=single("p", 100),
        scribing=single("s", 50),
        quizzes=(item("q", 80),),
        early_exam=single("e", 60),
        midterm=single("m", 70),
        presentations=single("pr", 90),
        project=single("pj", 75),
    )
    data[3] = ComponentInput(spec=SPECS[3], excused=True, excuse_reason="medical note")
    grade = rules.student_grade(data, scale=UDEM)
    # quizzes: one quiz, best 8 with zeros = 10.
    # (5x100 + 10x50 + 15x10 + 15x70 + 15x90 + 35x75) / 95
    #   = (500 + 500 + 150 + 1050 + 1350 + 2625) / 95 = 6175 / 95 = 65
    assert grade.final_percent == D("65.00")
    eff = {c.key: c.effective_weight for c in grade.components}
    assert eff["early_exam"] == 0
    assert abs(sum(eff.values(), D(0)) - 100) < D("1e-20")


def test_pending_components_grade_so_far_and_what_if() -> None:
    data = inputs(participation=single("p", 100), midterm=single("m", 70))
    grade = rules.student_grade(data, scale=UDEM)
    assert grade.final_percent is None and grade.letter == ""
    # so far: (5x100 + 15x70) / 20 = 77.5
    assert grade.so_far_percent == D("77.50")
    assert grade.graded_weight == 20 and grade.pending_weight == 80
    wi = rules.what_if(data, D(60), scale=UDEM)
    # (5x100 + 15x70 + 80x60) / 100 = 63.5
    assert wi.final_percent == D("63.50") and wi.letter == "C"


def test_quizzes_so_far_averages_settled_only() -> None:
    quizzes = (item("q1", 80), item("q2", 90), item("q3", None, P))
    res = rules.component_score(ComponentInput(spec=SPECS[2], items=quizzes, best_n=8))
    assert res.percent == D(85) and not res.complete
    wi = rules.what_if([ComponentInput(spec=SPECS[2], items=quizzes, best_n=8)], D(100))
    # 80 + 90 + 100, best 8 with zeros -> 270 / 8
    assert wi.final_percent == D("33.75")


def test_excused_quizzes_shrink_n_only_below_n() -> None:
    quizzes = tuple(item(f"q{i}", 50 + i) for i in range(5)) + tuple(
        item(f"x{i}", None, E) for i in range(13)
    )
    res = rules.component_score(ComponentInput(spec=SPECS[2], items=quizzes, best_n=8))
    assert res.percent == D(52)  # plain average of 50..54


def test_unbuilt_component_is_pending() -> None:
    data = [
        ComponentInput(spec=s, built=s.source != "scribing", items=single(s.key, 100))
        for s in SPECS
    ]
    grade = rules.student_grade(data)
    scribing = next(c for c in grade.components if c.key == "scribing")
    assert scribing.status == P and grade.final_percent is None and grade.so_far_percent == 100


def test_overrides() -> None:
    data = ada_inputs()
    data[1] = ComponentInput(
        spec=SPECS[1], items=data[1].items, override=D(100), override_reason="regrade"
    )
    grade = rules.student_grade(data, scale=UDEM)
    # 83.825 + 10 x (100 - 85) / 100 = 85.325 -> 85.33
    assert grade.final_percent == D("85.33")
    final = rules.student_grade(ada_inputs(), scale=UDEM, final_override=D(90))
    assert final.final_percent == D("90.00") and final.letter == "A+" and final.final_overridden


# --- properties -------------------------------------------------------------------------------

percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
statuses = st.sampled_from([G, G, G, P, M, E])


@st.composite
def score_items(draw: st.DrawFn, prefix: str) -> tuple[ScoreItem, ...]:
    n = draw(st.integers(min_value=0, max_value=6))
    out = []
    for i in range(n):
        status = draw(statuses)
        out.append(
            item(
                f"{prefix}{i}",
                draw(percents) if status == G else None,
                status,
                weight=D(draw(st.integers(min_value=1, max_value=5))),
            )
        )
    return tuple(out)


@st.composite
def gradebook_inputs(draw: st.DrawFn) -> list[ComponentInput]:
    return [
        ComponentInput(
            spec=s,
            items=draw(score_items(s.key)),
            excused=draw(st.integers(0, 9)) == 0,
            best_n=draw(st.integers(1, 8)) if s.source == "quizzes" else None,
        )
        for s in SPECS
    ]


@settings(max_examples=150, deadline=None)
@given(gradebook_inputs(), percents)
def test_final_and_so_far_stay_in_0_100(data: list[ComponentInput], assumed: D) -> None:
    for grade in (rules.student_grade(data, scale=UDEM), rules.what_if(data, assumed, scale=UDEM)):
        for value in (grade.final_percent, grade.so_far_percent):
            assert value is None or 0 <= value <= 100


@settings(max_examples=150, deadline=None)
@given(gradebook_inputs(), st.data())
def test_raising_a_score_never_lowers_the_grade(
    data: list[ComponentInput], pick: st.DataObject
) -> None:
    graded = [
        (ci, ii) for ci, c in enumerate(data) for ii, it in enumerate(c.items) if it.status == G
    ]
    if not graded:
        return
    ci, ii = pick.draw(st.sampled_from(graded))
    old = data[ci].items[ii]
    old_percent = present(old.percent)
    new_percent = pick.draw(percents.filter(lambda p: p >= old_percent))
    items = list(data[ci].items)
    items[ii] = ScoreItem(
        key=old.key, label=old.label, status=G, percent=new_percent, weight=old.weight
    )
    raised = list(data)
    raised[ci] = ComponentInput(
        spec=data[ci].spec, items=tuple(items), excused=data[ci].excused, best_n=data[ci].best_n
    )
    before, after = rules.student_grade(data), rules.student_grade(raised)
    if before.final_percent is not None:
        assert after.final_percent is not None and after.final_percent >= before.final_percent
    if before.so_far_percent is not None:
        assert after.so_far_percent is not None and after.so_far_percent >= before.so_far_percent


@settings(max_examples=150, deadline=None)
@given(st.lists(percents, min_size=0, max_size=18), st.integers(1, 10), st.randoms())
def test_best_n_does_not_depend_on_order(scores: list[D], n: int, rnd) -> None:
    items = [item(f"k{i}", s) for i, s in enumerate(scores)]
    shuffled = list(items)
    rnd.shuffle(shuffled)
    a = rules.component_score(ComponentInput(spec=SPECS[2], items=tuple(items), best_n=n))
    b = rules.component_score(ComponentInput(spec=SPECS[2], items=tuple(shuffled), best_n=n))
    assert a.percent == b.percent and set(a.counted) == set(b.counted)


@settings(max_examples=150, deadline=None)
@given(st.lists(percents, min_size=1, max_size=8), st.integers(0, 12))
def test_excusing_all_but_n_quizzes_gives_their_plain_average(kept: list[D], extra: int) -> None:
    n = len(kept)
    items = tuple(item(f"k{i}", s) for i, s in enumerate(kept)) + tuple(
        item(f"x{i}", 50, E) for i in range(extra)
    )
    res = rules.component_score(ComponentInput(spec=SPECS[2], items=items, best_n=n))
    assert res.percent == sum(kept, D(0)) / n


# --- shown contributions add up to the shown total ------------------------------------------


def test_shown_contributions_add_up_to_the_final_grade() -> None:
    """Rounded one by one, these contributions show 69.45 under a final of 69.43."""
    percents = ["79.94", "57.98", "52.93", "61.13", "90.54", "67.77", "71.13"]
    data = [
        ComponentInput(spec=spec, items=single(spec.key, p))
        for spec, p in zip(SPECS, percents, strict=True)
    ]
    grade = rules.student_grade(data, scale=UDEM)
    shown = [present(c.shown_contribution) for c in grade.components]
    assert grade.final_percent == D("69.43")
    assert sum(shown, D(0)) == D("69.43") == grade.contributions_total
    for c in grade.components:  # each within one cent of its exact value, shown with 2 places
        assert abs(present(c.shown_contribution) - present(c.contribution)) < D("0.01")
        assert len(str(c.shown_contribution).split(".")[1]) == 2


@settings(max_examples=200, deadline=None)
@given(
    st.lists(percents, min_size=7, max_size=7),
    st.lists(st.booleans(), min_size=7, max_size=7),
    st.integers(0, 3),
)
def test_shown_contributions_always_add_up(
    values: list[D], pending: list[bool], decimals: int
) -> None:
    data = [
        ComponentInput(spec=spec, items=(item(spec.key, None, P),) if p else single(spec.key, v))
        for spec, v, p in zip(SPECS, values, pending, strict=True)
    ]
    grade = rules.student_grade(data, scale=UDEM, decimals=decimals)
    shown = [c.shown_contribution for c in grade.components if c.shown_contribution is not None]
    if not shown:
        assert grade.contributions_total is None
        return
    assert sum(shown, D(0)) == grade.contributions_total
    if grade.final_percent is not None:
        assert grade.contributions_total == grade.final_percent
    unit = D(1).scaleb(-decimals)
    for c in grade.components:
        if c.contribution is not None:
            assert abs(present(c.shown_contribution) - c.contribution) < unit
