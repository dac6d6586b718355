"""Reads of the gradebook: one loader for every input of a course, then the pure computation.

The loader runs a fixed number of SQL queries whatever the class size: the students, the
gradebook's own tables (exam and participation scores, excusals, overrides) and one call per
other app's grade source (`PROVIDERS`, bounded by the contract in course/scores.py; quizzes'
is `quizzes.scores.gradebook_items`, which first submits the attempts left open past their
deadline).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from course import texts
from course.models import Course, Enrolment
from course.permissions import is_registered_student
from course.scores import ScoreItem, ScoresByStudent, ScoreStatus
from course.selectors import active_students, course_policy
from lti.rules import LmsGrade
from projects.selectors import presentation_gradebook_items, project_gradebook_items
from quizzes.policy import QuizPolicy
from quizzes.scores import gradebook_items as quiz_gradebook_items
from quizzes.scores import overdue_attempts_submit
from scribing.selectors import gradebook_items as scribing_gradebook_items

from . import rules
from .models import (
    FINAL,
    ComponentExcusal,
    ExamScore,
    GradebookSnapshot,
    GradeOverride,
    GradeRelease,
    OverrideAuditLog,
    ParticipationScore,
    StudentGradeInputs,
)
from .policy import GradeSource, GradingPolicy

ItemProvider = Callable[[Course], ScoresByStudent]

# source -> the function of the app that scores it
PROVIDERS: dict[str, ItemProvider] = {
    "quizzes": quiz_gradebook_items,  # finalises overdue attempts, then reads
    "scribing": scribing_gradebook_items,
    "presentations": presentation_gradebook_items,
    "project": project_gradebook_items,
}
OWN_SOURCES = ("exam", "participation")
# source -> function(course, now) -> int that settles, before grades are read, what the app
# would otherwise settle only when its worker runs (attempts left open past deadline)
SETTLERS: dict[str, Callable[[Course, datetime], int]] = {
    "quizzes": overdue_attempts_submit,
}
if set(PROVIDERS) | set(OWN_SOURCES) != set(typing.get_args(GradeSource)):
    raise ImproperlyConfigured("every grade source of the grading policy needs its provider")


def item_provider(source: str) -> ItemProvider | None:
    """The other app's function for `source` (None for the gradebook's own sources)."""
    return PROVIDERS.get(source)


def settler(source: str) -> Callable[[Course, datetime], int] | None:
    """The other app's function that settles `source` before a read, or None."""
    return SETTLERS.get(source)


@dataclass(frozen=True)
class StudentRef:
    user_id: int
    username: str
    first_name: str
    last_name: str
    email: str
    student_id: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.username


@dataclass
class GradebookInputs:
    course_id: int
    specs: list[rules.ComponentSpec]
    scale: list[rules.LetterStep]
    decimals: int
    best_n: int
    students: list[StudentRef]
    items: dict[str, ScoresByStudent | None]  # component key -> items (None: no provider)
    excusals: dict[tuple[int, str], str] = field(default_factory=dict)
    overrides: dict[tuple[int, str], tuple[Decimal, str]] = field(default_factory=dict)
    closed: bool = False

    def component_inputs(self, user_id: int) -> list[rules.ComponentInput]:
        out = []
        missing_note = _("Nothing handed in by the end of term.") if self.closed else ""
        for spec in self.specs:
            by_student = self.items.get(spec.key)
            items = tuple(by_student.get(user_id, ())) if by_student is not None else ()
            if by_student is not None and not items and self.closed:
                items = (
                    ScoreItem(
                        key=spec.key,
                        label=spec.label,
                        status=ScoreStatus.MISSING,
                        note=missing_note,
                    ),
                )
            override = self.overrides.get((user_id, spec.key))
            out.append(
                rules.ComponentInput(
                    spec=spec,
                    items=items,
                    built=by_student is not None,
                    excused=(user_id, spec.key) in self.excusals,
                    excuse_reason=self.excusals.get((user_id, spec.key), ""),
                    override=override[0] if override else None,
                    override_reason=override[1] if override else "",
                    best_n=self.best_n if spec.source == "quizzes" else None,
                )
            )
        return out

    def fingerprint(self, student_digests: Sequence[str]) -> str:
        """The course's inputs: the policy and each student's inputs digest (in roster order)."""
        payload = {
            "specs": [[s.key, str(s.weight), s.source] for s in self.specs],
            "scale": [[s.letter, str(s.min_percent)] for s in self.scale],
            "decimals": self.decimals,
            "best_n": self.best_n,
            "closed": self.closed,
            "students": [
                [s.user_id, s.username, s.first_name, s.last_name, s.email, s.student_id, d]
                for s, d in zip(self.students, student_digests, strict=True)
            ],
        }
        raw = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()


def _own_items(
    course: Course, specs: Sequence[rules.ComponentSpec], closed: bool, student_ids: Sequence[int]
) -> dict[str, ScoresByStudent]:
    """Exam and participation items, one per student (pending or missing when no score)."""
    absent = ScoreStatus.MISSING if closed else ScoreStatus.PENDING
    out: dict[str, ScoresByStudent] = {}
    exam_keys = [s.key for s in specs if s.source == "exam"]
    part_keys = [s.key for s in specs if s.source == "participation"]
    labels = {s.key: s.label for s in specs}
    for key in exam_keys + part_keys:
        out[key] = {}
    if exam_keys:
        for row in ExamScore.objects.filter(course=course, component_key__in=exam_keys).values_list(
            "component_key", "student_id", "score", "out_of", "note"
        ):
            key, uid, score, out_of, note = row
            pct = Decimal(score) * 100 / Decimal(out_of)
            out[key][uid] = [
                ScoreItem(
                    key=key,
                    label=f"{labels[key]} ({score}/{out_of})",
                    status=ScoreStatus.GRADED,
                    percent=pct,
                    raw_percent=pct,
                    note=note,
                )
            ]
    if part_keys:
        for key, uid, pct, note in ParticipationScore.objects.filter(
            course=course, component_key__in=part_keys
        ).values_list("component_key", "student_id", "percent", "note"):
            out[key][uid] = [
                ScoreItem(
                    key=key,
                    label=labels[key],
                    status=ScoreStatus.GRADED,
                    percent=Decimal(pct),
                    raw_percent=Decimal(pct),
                    note=note,
                )
            ]
    for key in exam_keys + part_keys:
        for uid in student_ids:
            out[key].setdefault(uid, [ScoreItem(key=key, label=labels[key], status=absent)])
    return out


def _call(provider: ItemProvider, course: Course, now: datetime) -> ScoresByStudent:
    """Pass our `now` to the providers that take one, so every component sees the same instant."""
    try:
        takes_now = "now" in inspect.signature(provider).parameters
    except (TypeError, ValueError):
        takes_now = False
    if takes_now:
        return provider(course, now=now)  # type: ignore[call-arg]  # the signature was just checked for `now`
    return provider(course)


def is_graded_student(course: Course, user_id: int) -> bool:
    """Whether scores may be entered for this person: an enrolment as a student of the course,
    whatever its status (a student who dropped keeps the scores entered)."""
    return Enrolment.objects.filter(
        course=course, user_id=user_id, role=Enrolment.Role.STUDENT
    ).exists()


def load_specs(course: Course) -> list[rules.ComponentSpec]:
    return [
        rules.ComponentSpec(c.key, c.label, c.weight, c.source)
        for c in course_policy(course, GradingPolicy).components
    ]


def load_scale(course: Course) -> list[rules.LetterStep]:
    return [
        rules.LetterStep(s.letter, s.min_percent)
        for s in course_policy(course, GradingPolicy).letter_scale
    ]


def load_gradebook_inputs(
    course: Course,
    now: datetime,
    *,
    providers: dict[str, ItemProvider | None] | None = None,
) -> GradebookInputs:
    """Everything the computation needs, in a fixed number of queries.

    `providers` (source -> function or None) replaces the other apps' functions in tests.
    """
    grading = course_policy(course, GradingPolicy)
    specs = load_specs(course)
    scale = load_scale(course)
    students = [
        StudentRef(*row)
        for row in active_students(course).values_list(
            "user_id",
            "user__username",
            "user__first_name",
            "user__last_name",
            "user__email",
            "student_id",
        )
    ]
    closed = now.date() > course.term_end
    items: dict[str, ScoresByStudent | None] = {}
    own = _own_items(course, specs, closed, [s.user_id for s in students])
    fetched: dict[str, ScoresByStudent | None] = {}
    for spec in specs:
        if spec.source in OWN_SOURCES:
            items[spec.key] = own[spec.key]
            continue
        if spec.source not in fetched:
            if providers is not None:
                provider = providers.get(spec.source)
            else:
                provider = item_provider(spec.source)
            fetched[spec.source] = _call(provider, course, now) if provider is not None else None
        items[spec.key] = fetched[spec.source]
    excusals = {
        (uid, key): reason
        for uid, key, reason in ComponentExcusal.objects.filter(course=course).values_list(
            "student_id", "component_key", "reason"
        )
    }
    overrides = {
        (uid, key): (Decimal(value), reason)
        for uid, key, value, reason in GradeOverride.objects.filter(course=course).values_list(
            "student_id", "component_key", "value", "reason"
        )
    }
    return GradebookInputs(
        course_id=course.pk,
        specs=specs,
        scale=scale,
        decimals=grading.rounding_decimals,
        best_n=course_policy(course, QuizPolicy).best_n,
        students=students,
        items=items,
        excusals=excusals,
        overrides=overrides,
        closed=closed,
    )


def student_grade(inputs: GradebookInputs, user_id: int) -> rules.StudentGrade:
    final = inputs.overrides.get((user_id, FINAL))
    return rules.student_grade(
        inputs.component_inputs(user_id),
        scale=inputs.scale,
        decimals=inputs.decimals,
        final_override=final[0] if final else None,
        final_override_reason=final[1] if final else "",
    )


def student_what_if(inputs: GradebookInputs, user_id: int, assumed: Decimal) -> rules.StudentGrade:
    return rules.what_if(
        inputs.component_inputs(user_id),
        assumed,
        scale=inputs.scale,
        decimals=inputs.decimals,
    )


def _dec(value: Decimal | None, places: int = 2) -> str | None:
    return None if value is None else str(rules.round_percent(value, places))


def grade_row(student: StudentRef, grade: rules.StudentGrade) -> dict[str, Any]:
    """One JSON row of the stored gradebook."""
    return {
        "user_id": student.user_id,
        "username": student.username,
        "first_name": student.first_name,
        "last_name": student.last_name,
        "email": student.email,
        "student_id": student.student_id,
        "final": None if grade.final_percent is None else str(grade.final_percent),
        "so_far": None if grade.so_far_percent is None else str(grade.so_far_percent),
        "letter": grade.letter,
        "so_far_letter": grade.so_far_letter,
        "final_overridden": grade.final_overridden,
        "missing": list(grade.missing),
        # What the staff must act on, e.g. "Scribing: no slot yet".
        "flags": [
            texts.to_json(
                texts.Text(gettext_noop("%(component)s: %(flag)s"), component=c.label, flag=i.flag)
            )
            for c in grade.components
            for i in c.items
            if i.flag
        ],
        "pending_weight": str(grade.pending_weight),
        "components": {
            c.key: {
                "percent": _dec(c.percent),
                "status": str(c.status),
                "complete": c.complete,
                "overridden": c.overridden,
            }
            for c in grade.components
        },
    }


def compute_rows(inputs: GradebookInputs) -> list[dict[str, Any]]:
    return [grade_row(s, student_grade(inputs, s.user_id)) for s in inputs.students]


def snapshot_of(course: Course) -> GradebookSnapshot | None:
    return GradebookSnapshot.objects.filter(course=course).first()


def released_keys(course: Course) -> set[str]:
    """The course's released grades: component keys, "" for the final grade."""
    return set(GradeRelease.objects.filter(course=course).values_list("component_key", flat=True))


def released_lms_grades(course: Course) -> list[LmsGrade]:
    """The released grades of the stored gradebook, for the LMS (registered with lti/): two
    queries whatever the class size."""
    released = released_keys(course)
    if not released:
        return []
    rows = (
        GradebookSnapshot.objects.filter(course=course).values_list("rows", flat=True).first() or []
    )
    scores = rules.released_scores(
        rows,
        [(s.key, s.label) for s in load_specs(course)],
        released,
        final_label=_("Final grade"),
    )
    return [LmsGrade(s.user_id, s.lms_key, s.label, s.percent, rules.HUNDRED) for s in scores]


def snapshot_rows(snapshot: GradebookSnapshot | None) -> list[dict[str, Any]]:
    """The stored rows with their flags in the reader's language (they are stored as data)."""
    if snapshot is None:
        return []
    return [
        {**row, "flags": [str(texts.from_json(f)) for f in row.get("flags", [])]}
        for row in snapshot.rows
    ]


def audit_log(course: Course, student_id: int | None = None) -> Any:
    qs = OverrideAuditLog.objects.filter(course=course).select_related("actor", "student")
    if student_id is not None:
        qs = qs.filter(student_id=student_id)
    return qs.order_by("-at", "-pk")


# --- the stored gradebook, as the admin page and the exports read it ------------------------------

SORT_KEYS = ("name", "student_id", "final", "so_far", "letter")


def _sort_value(row: dict[str, Any], key: str) -> Any:
    if key == "name":
        return (row["last_name"].lower(), row["first_name"].lower(), row["username"])
    if key in ("final", "so_far"):
        return Decimal(row[key]) if row[key] is not None else Decimal(-1)
    if key == "letter":
        return row["letter"] or row["so_far_letter"] or ""
    if key.startswith("c:"):
        comp = row["components"].get(key[2:], {})
        return Decimal(comp["percent"]) if comp.get("percent") is not None else Decimal(-1)
    return row.get(key) or ""


def filter_sort_rows(
    rows: list[dict[str, Any]],
    *,
    q: str = "",
    letter: str = "",
    missing: str = "",
    order: str = "name",
) -> list[dict[str, Any]]:
    """Search (name, username, e-mail, student id), filter by letter or missing work, sort."""
    q = q.strip().lower()
    out = rows
    if q:
        out = [
            r
            for r in out
            if q
            in f"{r['first_name']} {r['last_name']} {r['username']} {r['email']} {r['student_id']}".lower()
        ]
    if letter:
        out = [r for r in out if (r["letter"] or r["so_far_letter"]) == letter]
    if missing == "yes":
        out = [r for r in out if r["missing"]]
    elif missing == "no":
        out = [r for r in out if not r["missing"]]
    desc = order.startswith("-")
    key = order.lstrip("-") or "name"
    return sorted(out, key=lambda r: _sort_value(r, key), reverse=desc)


@dataclass(frozen=True)
class StudentReport:
    student: StudentRef
    grade: rules.StudentGrade
    what_if: rules.StudentGrade | None
    assumed: Decimal | None


def student_report(
    course: Course, user_id: int, now: datetime, *, assume: Decimal | None = None
) -> StudentReport | None:
    """One student's grades computed now from the live inputs (None: not a registered student)."""
    inputs = load_gradebook_inputs(course, now)
    student = next((s for s in inputs.students if s.user_id == user_id), None)
    if student is None:
        return None
    grade = student_grade(inputs, user_id)
    wi = None
    if assume is not None and not grade.is_complete:
        wi = student_what_if(inputs, user_id, assume)
    return StudentReport(student, grade, wi, assume)


# --- one student's stored inputs (written by the recompute, read by the student's page) -------


def _num(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _dnum(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def student_inputs_json(inputs: GradebookInputs, user_id: int) -> dict[str, Any]:
    return _inputs_json(
        inputs, inputs.component_inputs(user_id), inputs.overrides.get((user_id, FINAL))
    )


def _inputs_json(
    inputs: GradebookInputs,
    comps: Sequence[rules.ComponentInput],
    final: tuple[Decimal, str] | None,
) -> dict[str, Any]:
    return {
        "decimals": inputs.decimals,
        "scale": [[s.letter, str(s.min_percent)] for s in inputs.scale],
        "final_override": [str(final[0]), final[1]] if final else None,
        "components": [
            {
                "key": c.spec.key,
                "label": c.spec.label,
                "weight": str(c.spec.weight),
                "source": c.spec.source,
                "built": c.built,
                "excused": c.excused,
                "excuse_reason": c.excuse_reason,
                "override": _num(c.override),
                "override_reason": c.override_reason,
                "best_n": c.best_n,
                "items": [
                    [
                        i.key,
                        texts.to_json(i.label),
                        str(i.status),
                        _num(i.percent),
                        _num(i.raw_percent),
                        str(i.penalty_percent),
                        str(i.weight),
                        texts.to_json(i.note),
                        texts.to_json(i.flag),
                    ]
                    for i in c.items
                ],
            }
            for c in comps
        ],
    }


@dataclass(frozen=True)
class ComputedStudent:
    student: StudentRef
    row: dict[str, Any]  # the gradebook table's row
    data: dict[str, Any]  # the student's inputs, for their page
    digest: str


def compute_all(inputs: GradebookInputs) -> list[ComputedStudent]:
    """Every student's row and stored inputs, in one pass over the inputs."""
    out = []
    for s in inputs.students:
        comps = inputs.component_inputs(s.user_id)
        final = inputs.overrides.get((s.user_id, FINAL))
        grade = rules.student_grade(
            comps,
            scale=inputs.scale,
            decimals=inputs.decimals,
            final_override=final[0] if final else None,
            final_override_reason=final[1] if final else "",
        )
        data = _inputs_json(inputs, comps, final)
        # The dict is built in a fixed order of plain values: its repr is a stable digest input.
        digest = hashlib.sha256(repr(data).encode()).hexdigest()
        out.append(ComputedStudent(s, grade_row(s, grade), data, digest))
    return out


@dataclass(frozen=True)
class StoredInputs:
    components: list[rules.ComponentInput]
    scale: list[rules.LetterStep]
    decimals: int
    final_override: tuple[Decimal, str] | None


def student_inputs_from_json(data: dict[str, Any]) -> StoredInputs:
    comps = []
    for c in data["components"]:
        comps.append(
            rules.ComponentInput(
                spec=rules.ComponentSpec(c["key"], c["label"], Decimal(c["weight"]), c["source"]),
                items=tuple(
                    ScoreItem(
                        key=k,
                        label=texts.from_json(label),
                        status=ScoreStatus(status),
                        percent=_dnum(pct),
                        raw_percent=_dnum(raw),
                        penalty_percent=Decimal(pen),
                        weight=Decimal(w),
                        note=texts.from_json(note),
                        flag=texts.from_json(flag[0]) if flag else "",
                    )
                    for k, label, status, pct, raw, pen, w, note, *flag in c["items"]
                ),
                built=c["built"],
                excused=c["excused"],
                excuse_reason=c["excuse_reason"],
                override=_dnum(c["override"]),
                override_reason=c["override_reason"],
                best_n=c["best_n"],
            )
        )
    final = data.get("final_override")
    return StoredInputs(
        components=comps,
        scale=[rules.LetterStep(letter, Decimal(p)) for letter, p in data["scale"]],
        decimals=int(data["decimals"]),
        final_override=(Decimal(final[0]), final[1]) if final else None,
    )


def stored_student_report(
    course: Course, user: Any, *, assume: Decimal | None = None
) -> tuple[StudentReport | None, datetime | None]:
    """The student's grades from the last recompute (one query); (None, None) if none yet."""
    row = StudentGradeInputs.objects.filter(course=course, student=user).first()
    if row is None:
        return None, None
    stored = student_inputs_from_json(row.data)
    grade = rules.student_grade(
        stored.components,
        scale=stored.scale,
        decimals=stored.decimals,
        final_override=stored.final_override[0] if stored.final_override else None,
        final_override_reason=stored.final_override[1] if stored.final_override else "",
    )
    wi = None
    if assume is not None and not grade.is_complete:
        wi = rules.what_if(
            stored.components,
            assume,
            scale=stored.scale,
            decimals=stored.decimals,
        )
    ref = StudentRef(user.pk, user.username, user.first_name, user.last_name, user.email, "")
    return StudentReport(ref, grade, wi, assume), row.computed_at


def my_grades(
    course: Course, user: Any, now: datetime, *, assume: Decimal | None = None
) -> tuple[StudentReport | None, datetime | None]:
    """A student's grades as of the last recompute; computed live when none is stored yet.

    (None, None) for anyone who is not an active registered student.
    """
    if not is_registered_student(user, course):
        return None, None
    report, computed_at = stored_student_report(course, user, assume=assume)
    if report is None:
        report = student_report(course, user.pk, now, assume=assume)
        computed_at = now
    return report, computed_at
