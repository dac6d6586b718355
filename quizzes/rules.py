"""Pure rules of the daily quizzes: deadlines, scoring, the best-N average, access codes.

Plain values in, plain values out: no ORM, no clock (every `now` is an argument), no settings.
"""

from __future__ import annotations

import ast
import hashlib
import hmac
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, gettext_noop
from simpleeval import InvalidExpression, SimpleEval

from course.scores import ScoreItem, ScoreStatus
from course.texts import Text

HUNDRED = Decimal(100)


def _utc(moment: datetime) -> datetime:
    """Absolute time: Python adds timedeltas to aware datetimes on the wall clock of their zone
    (and compares same-zone datetimes by wall clock), which is wrong across a DST change."""
    return moment.astimezone(UTC)


# --- windows and deadlines -----------------------------------------------------------------


def attempt_deadline(
    *, started_at: datetime, duration: timedelta, window_closes_at: datetime, extra: timedelta
) -> datetime:
    """Deadline = earlier of (start + duration + extra) and (window close + extra).

    Aware datetimes: the arithmetic is in absolute time, so a DST change during the quiz
    neither adds nor removes a minute.
    """
    return min(_utc(started_at) + duration + extra, _utc(window_closes_at) + extra)


def answer_cutoff(*, deadline: datetime, grace: timedelta) -> datetime:
    """The last instant an attempt takes an answer: its deadline plus the grace period. The
    answer-save statement compares the database's clock with this same instant."""
    return _utc(deadline) + grace


def accepts_answers(*, now: datetime, deadline: datetime, grace: timedelta) -> bool:
    """Answers are taken up to the cutoff (deadline + grace), included; nothing later."""
    return _utc(now) <= answer_cutoff(deadline=deadline, grace=grace)


def is_overdue(*, now: datetime, deadline: datetime, grace: timedelta) -> bool:
    """An open attempt past its cutoff (deadline + grace) is submitted (at its deadline)."""
    return not accepts_answers(now=now, deadline=deadline, grace=grace)


@dataclass(frozen=True)
class Window:
    opens_at: datetime
    closes_at: datetime  # last moment an attempt may be started


def student_window(
    *,
    opens_at: datetime,
    closes_at: datetime,
    later_opens_at: datetime | None,
    later_closes_at: datetime | None,
) -> Window:
    """The quiz's window, or the student's later window when an accommodation gives one."""
    return Window(later_opens_at or opens_at, later_closes_at or closes_at)


def window_state(*, now: datetime, window: Window) -> str:
    """'upcoming', 'open' (an attempt may start) or 'closed'."""
    if _utc(now) < _utc(window.opens_at):
        return "upcoming"
    if _utc(now) <= _utc(window.closes_at):
        return "open"
    return "closed"


def closed_for_student_at(*, window: Window, extra: timedelta, grace: timedelta) -> datetime:
    """No attempt of this student can accept an answer after this moment."""
    return _utc(window.closes_at) + extra + grace


def closed_for_everyone_at(
    *,
    closes_at: datetime,
    grace: timedelta,
    accommodations: Iterable[tuple[datetime | None, timedelta]] = (),
) -> datetime:
    """The latest moment any attempt can still accept an answer.

    `accommodations` are (later window close or None, extra time) per accommodated student.
    Results and correct answers are shown only after this moment.
    """
    latest = _utc(closes_at)
    for later_close, extra in accommodations:
        latest = max(latest, _utc(later_close or closes_at) + extra)
    return latest + grace


def remaining_seconds(*, now: datetime, deadline: datetime) -> int:
    """Whole seconds left, rounded up, never negative: what the server tells the countdown.

    Rounded up so the page reaches zero at or just after the deadline (within the grace).
    """
    return max(0, math.ceil((_utc(deadline) - _utc(now)).total_seconds()))


# --- scoring ---------------------------------------------------------------------------------


def score_single(*, picked: int | None, correct: set[int]) -> Decimal:
    """Single choice: 1 if the picked choice is a correct one, else 0."""
    return Decimal(1) if picked is not None and picked in correct else Decimal(0)


def score_multiple(*, picked: set[int], correct: set[int]) -> Decimal:
    """Multiple choice, partial credit.

    Fraction = (correct choices picked − wrong choices picked) / number of correct choices,
    floored at 0 (so picking every choice earns nothing). A question with no correct choice
    earns 1 when nothing is picked, else 0.
    """
    if not correct:
        return Decimal(1) if not picked else Decimal(0)
    right = len(picked & correct)
    wrong = len(picked - correct)
    return max(Decimal(0), Decimal(right - wrong) / Decimal(len(correct)))


def parse_number(text: str | int | float | Decimal) -> Decimal | None:
    """A finite decimal from what the student typed ('3,5' accepted as 3.5), else None."""
    if isinstance(text, bool):
        return None
    raw = str(text).strip().replace(",", ".").replace(" ", "")
    if not raw or len(raw) > 40:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def score_numeric(*, value: Decimal | None, answer: Decimal, tolerance: Decimal) -> Decimal:
    """Numeric: 1 if |value − answer| ≤ tolerance (absolute, bounds included), else 0."""
    if value is None:
        return Decimal(0)
    return Decimal(1) if abs(value - answer) <= abs(tolerance) else Decimal(0)


def points_for(fraction: Decimal, points: Decimal) -> Decimal:
    return (fraction * points).quantize(Decimal("0.01"))


def percent(points: Decimal, possible: Decimal) -> Decimal:
    if possible <= 0:
        return Decimal(0)
    return (points * HUNDRED / possible).quantize(Decimal("0.01"))


# --- the quiz component: best N --------------------------------------------------------------


@dataclass(frozen=True)
class QuizScore:
    """One quiz of one student, as the best-N rule sees it.

    percent None means missed (counts 0). `excused` leaves the quiz out. `pending` means not
    settled yet (still open for the student, or being graded): left out of the average "so far".
    """

    key: str
    percent: Decimal | None
    excused: bool = False
    pending: bool = False


@dataclass(frozen=True)
class BestN:
    average: Decimal | None  # full precision; None when nothing counts yet (or all excused)
    counted: tuple[str, ...]  # the keys that counted, best first
    n: int  # N for this student, after excusals (and capped by the settled ones while pending)
    zeros_for_missing: int  # quizzes short of N, counted as 0
    dropped: tuple[str, ...] = ()  # settled keys not among the best N
    complete: bool = True  # no quiz pending
    excused: bool = False  # every quiz of the student is excused: the component is left out


def best_n_average(scores: Sequence[QuizScore], n: int) -> BestN:
    """Average of the N best quizzes: the one rule the quiz list and the gradebook both use.

    - A missed quiz counts 0 (it may still be among the best N if there are few quizzes).
    - A student with fewer than N (non-excused) quizzes gets 0 for each missing one.
    - An excused quiz is left out; N shrinks by one per excused quiz only when fewer than
      N quizzes remain: N' = min(N, max(remaining, N − excused)).
    - Every quiz excused: nothing counts and the component is excused (``excused``).
    - While a quiz is pending, the average is "so far": over the settled quizzes only
      (N' capped by their number), so a quiz still open is not a zero.
    The average keeps full precision: rounding is for display, or once in the final grade.
    The self-assessment quiz is never passed in (the caller leaves it out).
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    remaining = [s for s in scores if not s.excused]
    if scores and not remaining:
        return BestN(None, (), 0, 0, excused=True)
    excused = len(scores) - len(remaining)
    n_eff = min(n, max(len(remaining), n - excused))
    settled = [s for s in remaining if not s.pending]
    complete = len(settled) == len(remaining)
    if not complete:
        n_eff = min(n_eff, len(settled))
    if n_eff == 0:
        return BestN(None, (), 0, 0, complete=complete)
    ranked = sorted(settled, key=lambda s: (-(s.percent or Decimal(0)), s.key))
    chosen = ranked[:n_eff]
    zeros = n_eff - len(chosen)
    total = sum((s.percent or Decimal(0) for s in chosen), Decimal(0))
    return BestN(
        total / Decimal(n_eff),
        tuple(s.key for s in chosen),
        n_eff,
        zeros,
        dropped=tuple(s.key for s in ranked[n_eff:]),
        complete=complete,
    )


def best_n_of_items(items: Sequence[ScoreItem], n: int) -> BestN:
    """`best_n_average` over a student's gradebook items (course.scores), as the quiz list
    and the gradebook both read them: graded, missed (0), excused, pending."""
    return best_n_average(
        [
            QuizScore(
                i.key,
                None
                if i.status != ScoreStatus.GRADED or i.percent is None
                else min(HUNDRED, max(Decimal(0), i.percent)),
                excused=i.status == ScoreStatus.EXCUSED,
                pending=i.status == ScoreStatus.PENDING,
            )
            for i in items
        ],
        n,
    )


# --- access code on the projector -------------------------------------------------------------


def access_code(secret: str, at: datetime, *, period_seconds: int = 60, digits: int = 6) -> str:
    """The code shown on the projector; changes every `period_seconds` (TOTP-like)."""
    counter = int(at.timestamp()) // period_seconds
    mac = hmac.new(secret.encode(), str(counter).encode(), hashlib.sha256).hexdigest()
    return str(int(mac[:12], 16) % (10**digits)).zfill(digits)


def access_code_ok(secret: str, given: str, now: datetime, *, period_seconds: int = 60) -> bool:
    """The current or the previous code (a student may type it as it changes)."""
    given = (given or "").strip()
    if not given:
        return False
    for back in (0, 1):
        expected = access_code(
            secret, now - timedelta(seconds=back * period_seconds), period_seconds=period_seconds
        )
        if hmac.compare_digest(expected, given):
            return True
    return False


# --- variants: pools, shuffles, parameters ---------------------------------------------------
#
# A variant is what one student gets of a quiz: one question drawn from each pool, the question
# and choice order, and the values of the parameters. It is derived from a seed that depends on
# the quiz and the student only, so drawing twice gives the same variant; each choice uses its
# own hash of (seed, what is drawn), so adding a question leaves the other draws as they were.


class VariantError(ValueError):
    """A parameter range or an answer formula the instructor wrote is unusable: `field` names
    what (e.g. "parameters.a.max", "answer_formula"), `where` the key the message starts with
    and `problem` what is wrong (translated when read: `message`, in the active language)."""

    def __init__(self, where: str, problem: Text, *, field: str):
        super().__init__(where, problem)
        self.where = where
        self.problem = problem
        self.field = field

    @property
    def message(self) -> str:
        return self.message_at(self.where)

    def message_at(self, where: str) -> str:
        """The message with the key as another form names it (the syllabus says `formula`)."""
        return gettext("%(where)s: %(problem)s") % {"where": where, "problem": str(self.problem)}

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ParamRange:
    """Values min, min + step, ... up to max (included): the instructor's range of a parameter."""

    min: Decimal
    max: Decimal
    step: Decimal

    @property
    def count(self) -> int:
        return int((self.max - self.min) // self.step) + 1


MAX_PARAMETERS = 10
MAX_PARAMETER_VALUES = 10**9


def _param_number(raw: Any, field: str) -> Decimal:
    value = parse_number(raw) if isinstance(raw, int | float | str | Decimal) else None
    if value is None or abs(value) > Decimal(10) ** 12:
        raise VariantError(
            field,
            Text(gettext_noop("a number is expected, got %(value)s"), value=repr(raw)),
            field=field,
        )
    return value


def parse_parameters(raw: Any) -> dict[str, ParamRange]:
    """The parameters of a question from what the instructor wrote:
    {"a": {"min": 1, "max": 9, "step": 1}} (step 1 by default). Names are identifiers."""
    if raw in (None, "", {}):
        return {}
    if not isinstance(raw, dict):
        raise VariantError(
            "parameters",
            Text(gettext_noop('write them as {"a": {"min": 1, "max": 9, "step": 1}}')),
            field="parameters",
        )
    if len(raw) > MAX_PARAMETERS:
        raise VariantError(
            "parameters",
            Text(gettext_noop("at most %(n)s parameters per question"), n=MAX_PARAMETERS),
            field="parameters",
        )
    out: dict[str, ParamRange] = {}
    for name, spec in raw.items():
        field = f"parameters.{name}"
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise VariantError(
                field, Text(gettext_noop("a parameter name is a word such as a or n1")), field=field
            )
        if name in FORMULA_CONSTANTS or name in FORMULA_FUNCTIONS:
            raise VariantError(
                field,
                Text(gettext_noop("%(name)s is already a constant or function"), name=name),
                field=field,
            )
        if (
            not isinstance(spec, dict)
            or not {"min", "max"} <= set(spec)
            or set(spec)
            - {
                "min",
                "max",
                "step",
            }
        ):
            raise VariantError(
                field,
                Text(
                    gettext_noop(
                        'write min, max and (optionally) step, e.g. {"min": 1, "max": 9, "step": 1}'
                    )
                ),
                field=field,
            )
        low = _param_number(spec["min"], f"{field}.min")
        high = _param_number(spec["max"], f"{field}.max")
        step = _param_number(spec.get("step", 1), f"{field}.step")
        if high < low:
            raise VariantError(
                f"{field}.max", Text(gettext_noop("max is below min")), field=f"{field}.max"
            )
        if step <= 0:
            raise VariantError(
                f"{field}.step", Text(gettext_noop("step must be positive")), field=f"{field}.step"
            )
        rng = ParamRange(low, high, step)
        if rng.count > MAX_PARAMETER_VALUES:
            raise VariantError(
                f"{field}.step",
                Text(gettext_noop("too many values; use a larger step")),
                field=field,
            )
        out[name] = rng
    return out


def parameters_as_json(params: dict[str, ParamRange]) -> dict[str, dict[str, Any]]:
    def num(d: Decimal) -> int | str:
        return int(d) if d == d.to_integral_value() else str(d.normalize())

    return {
        name: {"min": num(r.min), "max": num(r.max), "step": num(r.step)}
        for name, r in params.items()
    }


def variant_seed(secret: str, student_id: int) -> str:
    """The seed of one student's variant of one quiz (the quiz's secret makes it unguessable)."""
    return hmac.new(secret.encode(), f"variant:{student_id}".encode(), hashlib.sha256).hexdigest()


def _hashed(seed: str, key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}|{key}".encode()).digest()[:8], "big")


def pick_index(seed: str, key: str, n: int) -> int:
    """One of 0..n-1, uniform (64 hashed bits: the modulo bias is below 1e-9 for n < 1e9)."""
    if n <= 0:
        raise ValueError("nothing to pick from")
    return _hashed(seed, key) % n


def shuffled(seed: str, key: str, items: Sequence[int]) -> list[int]:
    """The items in an order drawn from (seed, key): uniform over permutations (Fisher-Yates)."""
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = _hashed(seed, f"{key}:{i}") % (i + 1)
        out[i], out[j] = out[j], out[i]
    return out


def draw_value(seed: str, key: str, rng: ParamRange) -> Decimal:
    return rng.min + rng.step * pick_index(seed, key, rng.count)


@dataclass(frozen=True)
class SlotQuestion:
    """A question as the draw sees it, in the quiz's (order, pk) order."""

    id: int
    pool: str = ""
    choice_ids: tuple[int, ...] = ()
    parameters: dict[str, ParamRange] | None = None


def slots_of(questions: Sequence[SlotQuestion]) -> list[list[SlotQuestion]]:
    """Questions grouped into slots: a pool's members together, at the place of the first one."""
    slots: list[list[SlotQuestion]] = []
    by_pool: dict[str, list[SlotQuestion]] = {}
    for q in questions:
        if not q.pool:
            slots.append([q])
        elif q.pool in by_pool:
            by_pool[q.pool].append(q)
        else:
            by_pool[q.pool] = [q]
            slots.append(by_pool[q.pool])
    return slots


def varies(
    questions: Sequence[SlotQuestion], *, shuffle_questions: bool, shuffle_choices: bool
) -> bool:
    """Whether students get different versions of the quiz (else no variant is stored)."""
    if shuffle_questions and len(questions) > 1:
        return True
    if shuffle_choices and any(len(q.choice_ids) > 1 for q in questions):
        return True
    return any(q.parameters for q in questions) or any(len(s) > 1 for s in slots_of(questions))


def _picked(seed: str, slot: list[SlotQuestion]) -> SlotQuestion:
    if len(slot) == 1:
        return slot[0]
    return slot[pick_index(seed, f"pool:{slot[0].pool}", len(slot))]


def _number_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def draw_variant(
    *,
    seed: str,
    questions: Sequence[SlotQuestion],
    shuffle_questions: bool,
    shuffle_choices: bool,
) -> dict[str, Any] | None:
    """What one student gets, as stored on the attempt (JSON), or None when nothing varies:
    {"questions": [drawn ids, in the order shown], "not_drawn": [the pools' other ids],
     "choices": {"<id>": [choice ids in the order shown]}, "params": {"<id>": {"a": "3"}}}."""
    if not varies(questions, shuffle_questions=shuffle_questions, shuffle_choices=shuffle_choices):
        return None
    slots = slots_of(questions)
    drawn = [_picked(seed, slot) for slot in slots]
    ids = [q.id for q in drawn]
    if shuffle_questions:
        ids = shuffled(seed, "questions", ids)
    drawn_set = set(ids)
    variant: dict[str, Any] = {
        "questions": ids,
        "not_drawn": [q.id for slot in slots for q in slot if q.id not in drawn_set],
        "choices": {},
        "params": {},
    }
    for q in drawn:
        if shuffle_choices and len(q.choice_ids) > 1:
            variant["choices"][str(q.id)] = shuffled(seed, f"choices:{q.id}", q.choice_ids)
        if q.parameters:
            variant["params"][str(q.id)] = {
                name: _number_text(draw_value(seed, f"param:{q.id}:{name}", rng))
                for name, rng in q.parameters.items()
            }
    return variant


@dataclass(frozen=True)
class Presented:
    """One question as one student sees it: its choices in their order, its parameters."""

    id: int
    choice_ids: tuple[int, ...]
    params: dict[str, str]


def presented(
    *, seed: str, questions: Sequence[SlotQuestion], variant: dict[str, Any] | None
) -> list[Presented]:
    """The student's questions in their order, from the stored variant. A question added to the
    quiz after the attempt started is drawn as it would have been and shown after the others;
    a stored id that no longer exists is left out."""
    if not variant:
        return [Presented(q.id, q.choice_ids, {}) for q in questions]
    by_id = {q.id: q for q in questions}
    stored = [i for i in variant.get("questions", []) if i in by_id]
    covered = set(stored) | set(variant.get("not_drawn", []))
    for slot in slots_of(questions):
        if not any(q.id in covered for q in slot):
            stored.append(_picked(seed, slot).id)
    out = []
    for qid in stored:
        q = by_id[qid]
        order = variant.get("choices", {}).get(str(qid))
        if order is not None:
            known = [c for c in order if c in q.choice_ids]
            choice_ids = tuple(known + [c for c in q.choice_ids if c not in known])
        else:
            choice_ids = q.choice_ids
        params = variant.get("params", {}).get(str(qid))
        if params is None and q.parameters:
            params = {
                name: _number_text(draw_value(seed, f"param:{qid}:{name}", rng))
                for name, rng in q.parameters.items()
            }
        out.append(Presented(qid, choice_ids, dict(params or {})))
    return out


def not_drawn(variant: dict[str, Any] | None) -> set[int]:
    """The pool questions the student did not draw (their answers are refused)."""
    return set(variant.get("not_drawn", [])) if variant else set()


# --- answer formulas ---------------------------------------------------------------------------

FORMULA_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
FORMULA_FUNCTIONS: dict[str, Any] = {
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "ln": math.log,
    "log10": math.log10,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
    "floor": math.floor,
    "ceil": math.ceil,
}
MAX_FORMULA_LENGTH = 300


def _power(base: Any, exponent: Any) -> float:
    # In floating point: a huge power overflows (refused) instead of filling the memory.
    return float(base) ** float(exponent)


def _formula_evaluator(values: dict[str, float]) -> SimpleEval:
    evaluator = SimpleEval(
        operators={
            ast.Add: lambda a, b: a + b,
            ast.Sub: lambda a, b: a - b,
            ast.Mult: lambda a, b: a * b,
            ast.Div: lambda a, b: a / b,
            ast.FloorDiv: lambda a, b: a // b,
            ast.Mod: lambda a, b: a % b,
            ast.Pow: _power,
            ast.USub: lambda a: -a,
            ast.UAdd: lambda a: +a,
        },
        functions=dict(FORMULA_FUNCTIONS),
        names={**FORMULA_CONSTANTS, **values},
    )
    return evaluator


def _formula_error(problem: Text) -> VariantError:
    return VariantError("answer_formula", problem, field="answer_formula")


def evaluate_formula(formula: str, values: dict[str, str | Decimal | int | float]) -> Decimal:
    """The answer the formula gives for the student's values, safely: arithmetic, the functions
    of FORMULA_FUNCTIONS, pi and e, the parameters; anything else (attributes, strings,
    comprehensions, unknown names, a division by zero, an overflow) is a VariantError."""
    text = (formula or "").strip()
    if not text:
        raise _formula_error(Text(gettext_noop("the formula is empty")))
    if len(text) > MAX_FORMULA_LENGTH:
        raise _formula_error(Text(gettext_noop("at most %(n)s characters"), n=MAX_FORMULA_LENGTH))
    floats: dict[str, float] = {}
    for name, raw in values.items():
        number = parse_number(raw) if not isinstance(raw, float) else Decimal(repr(raw))
        if number is None:
            raise VariantError(
                f"parameters.{name}",
                Text(gettext_noop("not a number")),
                field=f"parameters.{name}",
            )
        floats[name] = float(number)
    try:
        result = _formula_evaluator(floats).eval(text)
    except InvalidExpression as exc:
        raise _formula_error(
            Text(
                gettext_noop(
                    "%(error)s (use numbers, the parameters, + - * / ** %%, and %(functions)s)"
                ),
                error=str(exc),
                functions=", ".join(sorted(FORMULA_FUNCTIONS)),
            )
        ) from exc
    except ZeroDivisionError as exc:
        raise _formula_error(Text(gettext_noop("division by zero for these values"))) from exc
    except (OverflowError, ValueError, TypeError, SyntaxError, RecursionError, MemoryError) as exc:
        raise _formula_error(
            Text(
                gettext_noop("cannot be computed (%(error)s)"),
                error=f"{exc.__class__.__name__}: {exc}",
            )
        ) from exc
    except Exception as exc:  # simpleeval raises plain exceptions for some nodes
        raise _formula_error(
            Text(gettext_noop("not an arithmetic formula (%(error)s)"), error=str(exc))
        ) from exc
    if isinstance(result, bool) or not isinstance(result, int | float | Decimal):
        raise _formula_error(Text(gettext_noop("the formula must give a number")))
    if isinstance(result, float) and not math.isfinite(result):
        raise _formula_error(Text(gettext_noop("the formula gives no finite number")))
    return Decimal(repr(result)) if isinstance(result, float) else Decimal(result)


def check_formula(formula: str, params: dict[str, ParamRange]) -> None:
    """An authoring check: the formula computes at the lowest and highest values of the ranges
    (raises VariantError naming the field otherwise)."""
    for pick in (lambda r: r.min, lambda r: r.min + r.step * (r.count - 1)):
        evaluate_formula(formula, {name: pick(r) for name, r in params.items()})


_MATH = re.compile(r"\$([^$]*)\$")


def render_prompt(prompt: str, params: dict[str, str]) -> str:
    """The prompt with each parameter name written between $...$ replaced by the student's value
    (a whole name only: with a = 3, "$a + ab$" becomes "$3 + ab$"; LaTeX commands untouched)."""
    if not params:
        return prompt
    names = sorted(params, key=len, reverse=True)
    word = re.compile(
        r"(?<![A-Za-z0-9_\\])(" + "|".join(map(re.escape, names)) + r")(?![A-Za-z0-9_])"
    )

    def in_math(match: re.Match[str]) -> str:
        return "$" + word.sub(lambda m: params[m.group(1)], match.group(1)) + "$"

    return _MATH.sub(in_math, prompt)


# --- results and regrade requests ------------------------------------------------------------


def results_released_at(
    *, policy: str, released_at: datetime | None, closed_for_everyone_at: datetime
) -> datetime | None:
    """When students see score, correct answers and feedback: the close for everyone (policy
    "auto"), or the by-hand release once the quiz has also closed for everyone ("manual")."""
    if policy == "manual":
        if released_at is None:
            return None
        return max(_utc(released_at), _utc(closed_for_everyone_at))
    return _utc(closed_for_everyone_at)


def results_released(
    *, policy: str, released_at: datetime | None, closed_for_everyone_at: datetime, now: datetime
) -> bool:
    moment = results_released_at(
        policy=policy, released_at=released_at, closed_for_everyone_at=closed_for_everyone_at
    )
    if moment is None:
        return False
    return _utc(now) >= moment if policy == "manual" else _utc(now) > moment


def regrade_deadline(*, released_at: datetime | None, window_days: int, tz: str) -> datetime | None:
    """The last moment a regrade may be asked for: the same time of day as the release, that
    many days later on the course's clock (a DST change between does not move it by an hour);
    None when the quiz takes none (yet)."""
    if released_at is None or window_days <= 0:
        return None
    local = released_at.astimezone(ZoneInfo(tz))
    return _utc(local + timedelta(days=window_days))


def regrade_open(*, released: bool, deadline: datetime | None, now: datetime) -> bool:
    return released and deadline is not None and _utc(now) <= _utc(deadline)


# --- statistics of a quiz (item analysis) ---------------------------------------------------
#
# An item is a slot of the quiz (a question, or a pool whose members each student draws one
# of); a variant is the question actually drawn. Scores are points earned; a question a student
# drew and left blank earns 0.


@dataclass(frozen=True)
class Response:
    """One attempt's response to one slot: the variant drawn and what it earned."""

    variant: int  # the question drawn
    earned: float
    possible: float
    picked: tuple[int, ...] = ()  # choice ids (single/multiple choice)
    answered: bool = True

    @property
    def fraction(self) -> float:
        return self.earned / self.possible if self.possible > 0 else 0.0


@dataclass(frozen=True)
class AttemptResponses:
    """A submitted attempt as the statistics see it: slot key -> response."""

    key: int
    responses: dict[str, Response]

    @property
    def percent(self) -> float:
        possible = sum(r.possible for r in self.responses.values())
        earned = sum(r.earned for r in self.responses.values())
        return 100 * earned / possible if possible > 0 else 0.0


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _variance(values: Sequence[float]) -> float:
    m = sum(values) / len(values)
    return sum((v - m) ** 2 for v in values) / len(values)


def cronbach_alpha(matrix: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's alpha of a table of item scores (one row per attempt, one column per item):
    k/(k−1) · (1 − Σ var(item) / var(total)). None with fewer than 2 items or 2 rows, or when
    every total is the same (the ratio is undefined)."""
    if len(matrix) < 2:
        return None
    k = len(matrix[0])
    if k < 2 or any(len(row) != k for row in matrix):
        return None
    totals = [sum(row) for row in matrix]
    total_variance = _variance(totals)
    if total_variance == 0:
        return None
    item_variance = sum(_variance([row[j] for row in matrix]) for j in range(k))
    return k / (k - 1) * (1 - item_variance / total_variance)


def thirds(ranked_keys: Sequence[int]) -> tuple[frozenset[int], frozenset[int]]:
    """The upper and lower thirds (n // 3 each) of keys ranked best first; empty under 3."""
    g = len(ranked_keys) // 3
    if g == 0:
        return frozenset(), frozenset()
    return frozenset(ranked_keys[:g]), frozenset(ranked_keys[-g:])


def rank(attempts: Sequence[AttemptResponses]) -> list[int]:
    """Attempt keys from the highest total to the lowest (ties by key: deterministic)."""
    return [a.key for a in sorted(attempts, key=lambda a: (-a.percent, a.key))]


def discrimination_index(pairs: Sequence[tuple[int, float]], ranked: Sequence[int]) -> float | None:
    """Mean score fraction of the upper third minus that of the lower third.

    `pairs` are (attempt key, fraction of the item's points earned) for the attempts that met
    the item; `ranked` is every attempt key by total, best first. The thirds are taken among
    the attempts that met the item. From −1 to 1; negative means the weaker students did better
    on it, most often a wrong key. None with fewer than 3 attempts."""
    met = dict(pairs)
    upper, lower = thirds([k for k in ranked if k in met])
    if not upper:
        return None
    return sum(met[k] for k in upper) / len(upper) - sum(met[k] for k in lower) / len(lower)


@dataclass(frozen=True)
class ChoiceCount:
    """How often a choice was picked, and by whom: all, the upper and the lower third."""

    choice: int
    picked: int
    upper: int
    lower: int
    mean_percent_of_pickers: float | None


@dataclass(frozen=True)
class VariantStatistics:
    variant: int
    drawn: int  # attempts that met this question
    answered: int
    facility: float | None  # mean fraction of the points earned, 0..1
    discrimination: float | None
    choices: tuple[ChoiceCount, ...]

    @property
    def negative_discrimination(self) -> bool:
        return self.discrimination is not None and self.discrimination < 0


@dataclass(frozen=True)
class SlotStatistics:
    slot: str
    variants: tuple[VariantStatistics, ...]
    facility: float | None
    discrimination: float | None

    @property
    def flagged(self) -> bool:
        return any(v.negative_discrimination for v in self.variants) or (
            self.discrimination is not None and self.discrimination < 0
        )


@dataclass(frozen=True)
class QuizStatistics:
    attempts: int
    mean: float | None  # percent
    median: float | None
    alpha: float | None
    histogram: tuple[int, ...]  # counts in bins of 10 points, 0-10 … 90-100
    slots: tuple[SlotStatistics, ...]

    @property
    def flagged(self) -> tuple[SlotStatistics, ...]:
        return tuple(s for s in self.slots if s.flagged)


HISTOGRAM_BINS = 10


def histogram_of_percents(percents: Sequence[float]) -> tuple[int, ...]:
    """Counts of scores in bins of 10 points (0 ≤ p < 10, …, 90 ≤ p ≤ 100)."""
    counts = [0] * HISTOGRAM_BINS
    for p in percents:
        counts[min(max(int(p // 10), 0), HISTOGRAM_BINS - 1)] += 1
    return tuple(counts)


def quiz_statistics(
    attempts: Sequence[AttemptResponses],
    slots: Sequence[tuple[str, Sequence[tuple[int, Sequence[int]]]]],
) -> QuizStatistics:
    """Item analysis of a quiz's submitted attempts.

    `slots` lists, in the quiz's order, each slot key with its variants (question id, choice
    ids in display order; no choices for numeric and text questions).
    """
    ranked = rank(attempts)
    percents = [a.percent for a in attempts]
    by_key = {a.key: a for a in attempts}
    upper_all, lower_all = thirds(ranked)
    slot_stats = []
    for slot, variants in slots:
        variant_stats = []
        slot_pairs = [(a.key, a.responses[slot].fraction) for a in attempts if slot in a.responses]
        for variant, choice_ids in variants:
            met = [
                (a.key, a.responses[slot])
                for a in attempts
                if slot in a.responses and a.responses[slot].variant == variant
            ]
            pairs = [(key, r.fraction) for key, r in met]
            pickers: dict[int, list[int]] = {c: [] for c in choice_ids}
            for key, r in met:
                for c in r.picked:
                    if c in pickers:
                        pickers[c].append(key)
            choices = tuple(
                ChoiceCount(
                    c,
                    len(keys),
                    sum(1 for k in keys if k in upper_all),
                    sum(1 for k in keys if k in lower_all),
                    mean([by_key[k].percent for k in keys]),
                )
                for c, keys in pickers.items()
            )
            variant_stats.append(
                VariantStatistics(
                    variant=variant,
                    drawn=len(met),
                    answered=sum(1 for _k, r in met if r.answered),
                    facility=mean([f for _k, f in pairs]),
                    discrimination=discrimination_index(pairs, ranked),
                    choices=choices,
                )
            )
        slot_stats.append(
            SlotStatistics(
                slot,
                tuple(variant_stats),
                mean([f for _k, f in slot_pairs]),
                discrimination_index(slot_pairs, ranked),
            )
        )
    # Alpha over the slots every attempt has a score for (a text answer not graded yet leaves
    # its slot out rather than counting as 0).
    slot_keys = [s for s, _v in slots if all(s in a.responses for a in attempts)]
    matrix = [[a.responses[s].earned for s in slot_keys] for a in attempts]
    return QuizStatistics(
        attempts=len(attempts),
        mean=mean(percents),
        median=median(percents),
        alpha=cronbach_alpha(matrix),
        histogram=histogram_of_percents(percents),
        slots=tuple(slot_stats),
    )


# --- the term: trajectories, the best-N cutoff, participation --------------------------------


@dataclass(frozen=True)
class QuizColumn:
    """One graded quiz over the class: what the class scored and who took part."""

    key: str
    mean: float | None  # over the graded attempts
    median: float | None
    graded: int
    missed: int
    excused: int
    pending: int


@dataclass(frozen=True)
class StudentTrajectory:
    student: int
    percents: tuple[float | None, ...]  # per quiz in term order; None when not graded
    statuses: tuple[str, ...]
    counted: frozenset[str]
    cutoff: float | None  # lowest score among the best N that counted
    average: float | None  # the best-N average so far
    missed: int


@dataclass(frozen=True)
class TermStatistics:
    quizzes: tuple[QuizColumn, ...]
    students: tuple[StudentTrajectory, ...]
    median_cutoff: float | None


def term_statistics(
    quiz_keys: Sequence[str], items_by_student: Mapping[int, Sequence[ScoreItem]], n: int
) -> TermStatistics:
    """The term's quizzes over the class, from the gradebook's items (course.scores) and the
    one best-N rule (`best_n_of_items`)."""
    trajectories = []
    for student, items in items_by_student.items():
        by_key = {i.key: i for i in items}
        percents: list[float | None] = []
        statuses: list[str] = []
        for key in quiz_keys:
            item = by_key.get(key)
            status = str(item.status) if item is not None else str(ScoreStatus.PENDING)
            statuses.append(status)
            graded = (
                item.percent if item is not None and item.status == ScoreStatus.GRADED else None
            )
            percents.append(None if graded is None else float(graded))
        best = best_n_of_items(items, n)
        counted_values = [
            float(by_key[k].percent or 0) if by_key[k].status == ScoreStatus.GRADED else 0.0
            for k in best.counted
        ]
        trajectories.append(
            StudentTrajectory(
                student=student,
                percents=tuple(percents),
                statuses=tuple(statuses),
                counted=frozenset(best.counted),
                cutoff=min(counted_values) if counted_values else None,
                average=float(best.average) if best.average is not None else None,
                missed=statuses.count(str(ScoreStatus.MISSING)),
            )
        )
    columns = []
    for j, key in enumerate(quiz_keys):
        values = [p for t in trajectories if (p := t.percents[j]) is not None]
        statuses = [t.statuses[j] for t in trajectories]
        columns.append(
            QuizColumn(
                key=key,
                mean=mean(values),
                median=median(values),
                graded=statuses.count(str(ScoreStatus.GRADED)),
                missed=statuses.count(str(ScoreStatus.MISSING)),
                excused=statuses.count(str(ScoreStatus.EXCUSED)),
                pending=statuses.count(str(ScoreStatus.PENDING)),
            )
        )
    cutoffs = [t.cutoff for t in trajectories if t.cutoff is not None]
    return TermStatistics(tuple(columns), tuple(trajectories), median(cutoffs))
