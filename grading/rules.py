"""The gradebook's rules: plain values in, plain values out (no ORM, no clock, no settings).

How a final grade is made (this docstring is the statement the syllabus refers to):

* Each component of the syllabus (``grading.components``) has a weight; the weights sum to 100.
* A component's score (0-100) comes from its items (``course.scores.ScoreItem``):
  - quizzes: the average of the N best, by the quizzes app's one rule
    (``quizzes.rules.best_n_average``, which the quiz list shows too): a missed quiz counts 0,
    an excused quiz is left out (N shrinks only if fewer than N quizzes remain:
    N' = min(N, max(remaining, N - excused))), every quiz excused leaves the component out;
    while a quiz is pending the average is over the settled ones only ("so far"); once none
    is pending, fewer than N quizzes gives zeros for the missing ones;
  - every other source: the mean of its items weighted by ``ScoreItem.weight`` (project
    milestones 15/10/25/50, ...), after late penalties; missing work counts 0; excused items
    are left out.
* An item is *settled* when graded or missing. A component with no settled item is pending.
  A component with settled and pending items is graded "so far" (``complete`` is False).
* Excusal: a component excused for a student (or whose items are all excused) is left out
  and the remaining weights are rescaled to sum to 100 for that student.
* An override replaces a component's score, or the final percentage, for one student.
* Final percentage = sum(weight_c x score_c) / sum(weight_c) over the components not excused;
  it is final only when no component is pending. The *grade so far* is the same sum over
  the components that have a score (graded weight only). The *what-if* fills every pending
  item and pending component with one typed score.
* Rounding: the final percentage (and grade so far) is rounded half up (``ROUND_HALF_UP``)
  to ``rounding_decimals`` places (2 in the demo: 84.125 -> 84.13) once, at the end; the
  components keep full precision. The letter is the first letter of the scale (highest first)
  whose floor is at most the rounded percentage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_noop

from course.scores import ScoreItem, ScoreStatus
from course.texts import Text
from quizzes.rules import best_n_of_items

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class ComponentSpec:
    key: str
    label: str
    weight: Decimal
    source: str


@dataclass(frozen=True)
class LetterStep:
    letter: str
    min_percent: Decimal


@dataclass(frozen=True)
class ComponentInput:
    """What the loader hands over for one student and one component."""

    spec: ComponentSpec
    items: tuple[ScoreItem, ...] = ()
    built: bool = True  # False: no provider for its source (a test leaves it out) -> pending
    excused: bool = False
    excuse_reason: str = ""
    override: Decimal | None = None
    override_reason: str = ""
    best_n: int | None = None  # set for quizzes


@dataclass(frozen=True)
class ComponentResult:
    key: str
    label: str
    weight: Decimal  # syllabus weight
    effective_weight: Decimal  # after rescaling for excusals (0 when excused)
    status: ScoreStatus  # GRADED (possibly so far), PENDING, EXCUSED
    percent: Decimal | None  # None when pending or excused
    complete: bool  # no pending item left
    items: tuple[ScoreItem, ...] = ()
    counted: tuple[str, ...] = ()  # item keys that count (best N)
    dropped: tuple[str, ...] = ()  # item keys dropped (not among the best N)
    note: str = ""
    overridden: bool = False
    built: bool = True
    # The contribution as the pages show it: rounded so that the shown parts add up to the
    # shown total (see ``shown_contributions``); None when pending or excused.
    shown_contribution: Decimal | None = None

    @property
    def contribution(self) -> Decimal | None:
        """Points of the final grade this component gives (effective weight x score)."""
        if self.percent is None:
            return None
        return self.effective_weight * self.percent / HUNDRED


@dataclass(frozen=True)
class StudentGrade:
    components: tuple[ComponentResult, ...]
    final_percent: Decimal | None  # rounded; None while any component is pending
    so_far_percent: Decimal | None  # rounded; over the graded weight only
    graded_weight: Decimal  # syllabus weight of the components with a score
    pending_weight: Decimal
    letter: str
    so_far_letter: str
    final_overridden: bool = False
    final_override_reason: str = ""
    missing: tuple[str, ...] = field(default=())  # keys of components with missing work
    # The sum of the shown contributions: the final percentage once it is computed (and not
    # set by the instructor); before that, the points of the final grade earned so far.
    contributions_total: Decimal | None = None

    @property
    def is_complete(self) -> bool:
        return self.final_percent is not None


def round_percent(value: Decimal, decimals: int) -> Decimal:
    """ROUND_HALF_UP to `decimals` places: 84.125 -> 84.13, 84.124 -> 84.12."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def shown_contributions(
    values: Sequence[Decimal | None], total: Decimal, decimals: int
) -> list[Decimal | None]:
    """Round the contributions to `decimals` places so that they add up to `total`.

    Rounding each one alone shows 13.28 + ... = 85.61 under a final of 85.60. Instead each
    is rounded down, and the units still missing to reach `total` (the rounded sum) go to the
    largest remainders, ties to the first (the largest remainder method). `total` must be the
    sum of the values rounded to `decimals` places.
    """
    unit = Decimal(1).scaleb(-decimals)
    floors = [None if v is None else (v / unit).to_integral_value(ROUND_FLOOR) for v in values]
    missing = int(total / unit) - sum((f for f in floors if f is not None), ZERO)
    order = sorted(
        (i for i, v in enumerate(values) if v is not None),
        key=lambda i: (-(values[i] / unit - floors[i]), i),  # type: ignore[operator]  # floors[i] is set wherever values[i] is
    )
    bumped = set(order[: max(0, int(missing))])
    return [
        None if f is None else (((f + 1) if i in bumped else f) * unit).quantize(unit)
        for i, f in enumerate(floors)
    ]


def letter_for(percent: Decimal | None, scale: Sequence[LetterStep]) -> str:
    if percent is None:
        return ""
    for step in scale:  # highest first (the syllabus schema checks the order)
        if percent >= step.min_percent:
            return step.letter
    return scale[-1].letter if scale else ""


def _settled(items: Sequence[ScoreItem]) -> list[tuple[ScoreItem, Decimal]]:
    out = []
    for item in items:
        if item.status == ScoreStatus.GRADED:
            out.append((item, item.percent if item.percent is not None else ZERO))
        elif item.status == ScoreStatus.MISSING:
            out.append((item, ZERO))
    return out


def _clamp(value: Decimal) -> Decimal:
    return min(HUNDRED, max(ZERO, value))


def _result(
    comp: ComponentInput, status: ScoreStatus = ScoreStatus.PENDING, **kw: Any
) -> ComponentResult:
    spec = comp.spec
    return ComponentResult(
        key=spec.key,
        label=spec.label,
        weight=spec.weight,
        effective_weight=spec.weight,
        status=status,
        percent=kw.pop("percent", None),
        complete=kw.pop("complete", False),
        items=comp.items,
        built=comp.built,
        **kw,
    )


def component_score(comp: ComponentInput) -> ComponentResult:
    """One component of one student, before rescaling (effective_weight = weight)."""
    if comp.excused:
        return _result(comp, ScoreStatus.EXCUSED, complete=True, note=comp.excuse_reason)
    if comp.override is not None:
        return _result(
            comp,
            ScoreStatus.GRADED,
            percent=_clamp(comp.override),
            complete=True,
            overridden=True,
            note=comp.override_reason,
        )
    if not comp.built:
        return _result(comp)
    items = comp.items
    if items and all(i.status == ScoreStatus.EXCUSED for i in items):
        return _result(comp, ScoreStatus.EXCUSED, complete=True)
    settled = _settled(items)
    pending = any(i.status == ScoreStatus.PENDING for i in items)
    if not settled:
        return _result(comp)
    if comp.best_n is not None:
        # The quizzes app's rule, the one its quiz list shows: written once.
        best = best_n_of_items(items, comp.best_n)
        if best.excused:
            return _result(comp, ScoreStatus.EXCUSED, complete=True)
        if best.average is None:
            return _result(comp)
        return _result(
            comp,
            ScoreStatus.GRADED,
            percent=_clamp(best.average),
            complete=best.complete,
            counted=best.counted,
            dropped=best.dropped,
        )
    total_weight = sum((i.weight for i, _ in settled), ZERO)
    if total_weight <= 0:
        percent = sum((_clamp(v) for _, v in settled), ZERO) / Decimal(len(settled))
    else:
        percent = sum((i.weight * _clamp(v) for i, v in settled), ZERO) / total_weight
    return _result(
        comp,
        ScoreStatus.GRADED,
        percent=_clamp(percent),
        complete=not pending,
        counted=tuple(i.key for i, _ in settled),
    )


def _reweighted(r: ComponentResult, eff: Decimal) -> ComponentResult:
    return ComponentResult(
        r.key,
        r.label,
        r.weight,
        eff,
        r.status,
        r.percent,
        r.complete,
        r.items,
        r.counted,
        r.dropped,
        r.note,
        r.overridden,
        r.built,
    )


def combine(
    results: Sequence[ComponentResult],
    *,
    scale: Sequence[LetterStep] = (),
    decimals: int = 2,
    final_override: Decimal | None = None,
    final_override_reason: str = "",
) -> StudentGrade:
    """Weighted final grade, grade so far, rescaling for excused components, letter."""
    active = [r for r in results if r.status != ScoreStatus.EXCUSED]
    active_weight = sum((r.weight for r in active), ZERO)
    rescaled = []
    for r in results:
        if r.status == ScoreStatus.EXCUSED or active_weight <= 0:
            eff = ZERO
        else:
            eff = r.weight * HUNDRED / active_weight
        rescaled.append(_reweighted(r, eff))
    graded = [r for r in rescaled if r.status == ScoreStatus.GRADED and r.percent is not None]
    graded_weight = sum((r.weight for r in graded), ZERO)
    pending_weight = sum(
        (r.weight for r in rescaled if r.status != ScoreStatus.EXCUSED and not r.complete), ZERO
    )
    so_far = None
    if graded_weight > 0:
        raw = sum((r.weight * (r.percent or ZERO) for r in graded), ZERO) / graded_weight
        so_far = round_percent(_clamp(raw), decimals)
    final = None
    if active and all(r.complete and r.status == ScoreStatus.GRADED for r in active):
        raw = sum((r.weight * (r.percent or ZERO) for r in active), ZERO) / active_weight
        final = round_percent(_clamp(raw), decimals)
    if not active and results:
        final = None
    if final_override is not None:
        final = round_percent(_clamp(final_override), decimals)
    missing = tuple(
        r.key for r in rescaled if any(i.status == ScoreStatus.MISSING for i in r.items)
    )
    raw_parts = [r.contribution for r in rescaled]
    present = [p for p in raw_parts if p is not None]
    total = None
    if present:
        computed_final = final if final is not None and final_override is None else None
        total = computed_final or round_percent(sum(present, ZERO), decimals)
        shown = shown_contributions(raw_parts, total, decimals)
        rescaled = [replace(r, shown_contribution=c) for r, c in zip(rescaled, shown, strict=True)]
    return StudentGrade(
        components=tuple(rescaled),
        final_percent=final,
        so_far_percent=so_far,
        graded_weight=graded_weight,
        pending_weight=pending_weight,
        letter=letter_for(final, scale),
        so_far_letter=letter_for(so_far, scale),
        final_overridden=final_override is not None,
        final_override_reason=final_override_reason,
        missing=missing,
        contributions_total=total,
    )


def student_grade(
    inputs: Sequence[ComponentInput],
    *,
    scale: Sequence[LetterStep] = (),
    decimals: int = 2,
    final_override: Decimal | None = None,
    final_override_reason: str = "",
) -> StudentGrade:
    return combine(
        [component_score(c) for c in inputs],
        scale=scale,
        decimals=decimals,
        final_override=final_override,
        final_override_reason=final_override_reason,
    )


def what_if(
    inputs: Sequence[ComponentInput],
    assumed: Decimal,
    *,
    scale: Sequence[LetterStep] = (),
    decimals: int = 2,
) -> StudentGrade:
    """The grade if every pending item, and every pending component, scored `assumed`."""
    assumed = _clamp(assumed)
    filled = []
    for comp in inputs:
        if comp.excused or comp.override is not None:
            filled.append(comp)
            continue
        items = tuple(
            replace(
                i, status=ScoreStatus.GRADED, percent=assumed, note=Text(gettext_noop("what-if"))
            )
            if i.status == ScoreStatus.PENDING
            else i
            for i in comp.items
        )
        if not comp.built or not items:
            filled.append(replace(comp, override=assumed, override_reason="what-if"))
            continue
        filled.append(replace(comp, items=items))
    return student_grade(filled, scale=scale, decimals=decimals)


LMS_FINAL_KEY = "final"


def lms_key(component_key: str) -> str:
    """The LMS gradebook column of a grade: `final`, or `component:<key>` (a component may be
    called "final" too: a final exam)."""
    return LMS_FINAL_KEY if not component_key else f"component:{component_key}"


@dataclass(frozen=True)
class ReleasedScore:
    """A score the LMS may receive: a percentage in the column `lms_key` labelled `label`."""

    user_id: int
    lms_key: str
    label: str
    percent: Decimal


def released_scores(
    rows: Sequence[dict[str, Any]],
    components: Sequence[tuple[str, str]],
    released: set[str],
    *,
    final_label: str,
) -> list[ReleasedScore]:
    """What the LMS gradebook receives from the stored gradebook `rows`: for each released grade
    (`released` holds component keys, "" for the final grade), the students' scores that are
    settled: a final grade once it is final, a component once it is complete and not excused.
    A grade not released, or still pending for a student, is not sent."""
    out: list[ReleasedScore] = []
    columns = [(key, label) for key, label in components if key and key in released]
    for row in rows:
        user_id = int(row["user_id"])
        if "" in released and row.get("final") is not None:
            out.append(ReleasedScore(user_id, LMS_FINAL_KEY, final_label, Decimal(row["final"])))
        for key, label in columns:
            comp = row.get("components", {}).get(key) or {}
            if (
                comp.get("percent") is None
                or not comp.get("complete")
                or comp.get("status") == ScoreStatus.EXCUSED
            ):
                continue
            out.append(ReleasedScore(user_id, lms_key(key), label, Decimal(comp["percent"])))
    return out
