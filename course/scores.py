"""The contract between the apps that produce scores and the gradebook, which combines them.

Each app exposes a function `gradebook_items(course) -> ScoresByStudent` that runs a fixed
number of SQL queries whatever the class size, in its selectors (or, when reading must first
settle something, such as submitting quiz attempts left open past their deadline, in a module
of its own). The gradebook, on the top floor, imports those functions (the arrow points down)
and applies the weights, best-N and excusal rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .texts import Text


class ScoreStatus(StrEnum):
    GRADED = "graded"  # counts with `percent`
    PENDING = "pending"  # deadline or grading not over: left out of "grade so far"
    MISSING = "missing"  # deadline and grading over, nothing handed in: counts as 0
    EXCUSED = "excused"  # left out for this student


@dataclass(frozen=True)
class ScoreItem:
    """One graded piece of work of one student, on a 0-100 scale."""

    key: str  # stable id inside the component, e.g. "quiz-12", "milestone-proposal"
    label: str | Text  # a Text is translated when shown (see course/texts.py)
    status: ScoreStatus
    percent: Decimal | None = None  # final, after penalty; None unless GRADED
    raw_percent: Decimal | None = None  # before penalty
    penalty_percent: Decimal = Decimal(0)  # points deducted (percent of points possible)
    weight: Decimal = Decimal(1)  # relative weight inside the component
    note: str | Text = ""  # why: "2 days late: 5% penalty", "excused by the instructor"
    flag: str | Text = ""  # what the staff must act on, shown in the gradebook: "no slot yet"


ScoresByStudent = dict[int, list[ScoreItem]]  # user id -> items
