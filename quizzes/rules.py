"""Pure rules of the daily quizzes: deadlines, scoring, the best-N average, access codes.

Plain values in, plain values out: no ORM, no clock (every `now` is an argument), no settings.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from course.scores import ScoreItem, ScoreStatus

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
