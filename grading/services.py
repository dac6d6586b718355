"""Writes of the gradebook: scores, excusals, overrides (with their audit log), the recompute.

Every write of an input schedules a recompute through `gradebook_schedule_recompute`, which
coalesces bursts: it queues a run (with a countdown) only when none is queued for the course.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from course.models import Course, Enrolment
from course.queueing import queue_on_commit
from course.selectors import active_students, course_policy
from lti import services as lti_services

from . import selectors
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
from .policy import GradingPolicy

COALESCE_SECONDS = 10  # a queued run waits this long, so the changes of a burst ride together


def stale_queue() -> timedelta:
    """A queued run older than this is presumed lost with its worker, and so is queued again:
    the broker's visibility timeout, after which it hands the lost run to another worker."""
    return timedelta(seconds=getattr(settings, "COURSEKIT_BROKER_VISIBILITY_TIMEOUT", 110))


class GradingError(ValueError):
    """Bad input, with the field it concerns (for 4xx answers and admin forms)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- recompute ---------------------------------------------------------------------------------


def _snapshot_row(course: Course) -> None:
    if not GradebookSnapshot.objects.filter(course=course).exists():
        try:
            with transaction.atomic():
                GradebookSnapshot.objects.create(course=course)
        except IntegrityError:
            pass  # created by a concurrent request


def gradebook_schedule_recompute(course: Course, *, now: datetime | None = None) -> bool:
    """Mark the course's gradebook dirty and queue one recompute unless one is queued already.

    Returns True when this call queued a run. 300 calls in a minute queue a handful of runs:
    the first queues (countdown COALESCE_SECONDS) and the others only mark the row dirty; the
    run clears `queued_at` when it starts, so changes made during a run queue the next one.
    """
    from .tasks import recompute_gradebook

    now = now or timezone.now()
    _snapshot_row(course)
    won = (
        GradebookSnapshot.objects.filter(course=course)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - stale_queue()))
        .update(queued_at=now, dirty_since=Coalesce("dirty_since", now))
    )
    if not won:
        GradebookSnapshot.objects.filter(course=course, dirty_since__isnull=True).update(
            dirty_since=now
        )
        return False
    # Not queued (broker down): the row stays dirty and marked queued; refresh_gradebooks (beat)
    # recomputes it, and the mark lapses after stale_queue() so a later change queues again.
    queue_on_commit(recompute_gradebook, course.pk, countdown=COALESCE_SECONDS)
    return True


@dataclass(frozen=True)
class RecomputeResult:
    computed_at: datetime
    fingerprint: str
    students: int
    changed: bool
    duration_ms: int


def gradebook_recompute(
    *, course: Course, now: datetime | None = None, force: bool = True
) -> RecomputeResult:
    """Load, compute and upsert the course's snapshot (idempotent: one row per course)."""
    now = now or timezone.now()
    started = time.perf_counter()
    _snapshot_row(course)
    # The run has started: later changes must queue another run.
    GradebookSnapshot.objects.filter(course=course).update(queued_at=None, dirty_since=None)
    inputs = selectors.load_gradebook_inputs(course, now)
    computed = selectors.compute_all(inputs)
    fingerprint = inputs.fingerprint([c.digest for c in computed])
    current = (
        GradebookSnapshot.objects.filter(course=course)
        .values_list("fingerprint", flat=True)
        .first()
    )
    if not force and current == fingerprint:
        return RecomputeResult(now, fingerprint, len(inputs.students), False, 0)
    rows = [c.row for c in computed]
    with transaction.atomic():
        stored = dict(
            StudentGradeInputs.objects.filter(course=course).values_list("student_id", "digest")
        )
        changed = [c for c in computed if stored.get(c.student.user_id) != c.digest]
        if changed:  # only the students whose inputs changed are rewritten
            StudentGradeInputs.objects.bulk_create(
                [
                    StudentGradeInputs(
                        course=course,
                        student_id=c.student.user_id,
                        computed_at=now,
                        data=c.data,
                        digest=c.digest,
                    )
                    for c in changed
                ],
                update_conflicts=True,
                unique_fields=["course", "student"],
                update_fields=["computed_at", "data", "digest"],
            )
        StudentGradeInputs.objects.filter(course=course).update(computed_at=now)
        StudentGradeInputs.objects.filter(course=course).exclude(
            student_id__in=active_students(course).values("user_id")
        ).delete()
        duration = int((time.perf_counter() - started) * 1000)
        GradebookSnapshot.objects.filter(course=course).update(
            computed_at=now,
            fingerprint=fingerprint,
            rows=rows,
            duration_ms=duration,
            runs=F("runs") + 1,
        )
    if current != fingerprint:
        lti_services.grades_post_schedule(course=course, now=now)
    return RecomputeResult(now, fingerprint, len(rows), current != fingerprint, duration)


def grade_release_set(
    *, course: Course, component_key: str, released: bool, actor: Any, now: datetime
) -> bool:
    """Release (or withdraw) the final grade (key "") or a component of the course: released
    grades go to the LMS gradebook, now and after every recompute. Withdrawing stops the posts;
    the LMS keeps what it received. Returns whether anything changed."""
    if component_key != FINAL:
        _component(course, component_key)
    with transaction.atomic():
        if released:
            _row, changed = GradeRelease.objects.get_or_create(
                course=course,
                component_key=component_key,
                defaults={"released_by": actor, "released_at": now},
            )
        else:
            deleted, _kinds = GradeRelease.objects.filter(
                course=course, component_key=component_key
            ).delete()
            changed = bool(deleted)
        if changed and released:
            lti_services.grades_post_schedule(course=course, now=now)
    return changed


def grades_settle(*, course: Course, now: datetime) -> int:
    """Before grades are read (a student's page and API, the staff API, the admin gradebook):
    submit what the other apps would otherwise settle only when their worker runs, such as the
    course's quiz attempts left open past their deadline, as the quiz pages do. One query per
    settled source when nothing is overdue. When something was settled, the gradebook is
    recomputed at once, so what is read next shows those attempts submitted and graded, worker
    or no worker. Returns how many items were settled."""
    sources = {spec.source for spec in selectors.load_specs(course)}
    settled = 0
    for source in sorted(sources & set(selectors.SETTLERS)):
        settle = selectors.settler(source)
        if settle is not None:
            settled += settle(course, now)
    if settled:
        gradebook_recompute(course=course, now=now)
    return settled


# --- inputs ------------------------------------------------------------------------------------


def _component(course: Course, key: str, sources: tuple[str, ...] | None = None) -> Any:
    for comp in course_policy(course, GradingPolicy).components:
        if comp.key == key and (sources is None or comp.source in sources):
            return comp
    raise GradingError("component", _("No such component in this course: %(key)s") % {"key": key})


def _student(course: Course, user_id: int) -> None:
    if not selectors.is_graded_student(course, user_id):
        raise GradingError("student", _("This person is not a registered student of the course."))


def _decimal(field: str, raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise GradingError(field, _("Not a number: %(value)s") % {"value": raw}) from None
    if not value.is_finite():
        raise GradingError(field, _("Not a number: %(value)s") % {"value": raw})
    return value


NOTE_MAX_LENGTH = ExamScore._meta.get_field("note").max_length or 300


def _exam_decimal(field: str, raw: Any) -> Decimal:
    """A number that ExamScore's column holds (7 digits, 2 decimals): "1e5" or "12.345" is
    refused naming the field instead of failing in the database."""
    value = _decimal(field, raw)
    try:
        column = ExamScore._meta.get_field(field)
        if not isinstance(column, models.DecimalField):
            raise TypeError(f"ExamScore.{field} is not a decimal column")
        column.run_validators(value)
    except ValidationError as exc:
        raise GradingError(field, " ".join(exc.messages)) from None
    return value


def check_exam_score(score: Decimal, out_of: Decimal) -> None:
    if out_of <= 0:
        raise GradingError("out_of", _("The maximum must be above 0."))
    if score < 0 or score > out_of:
        raise GradingError("score", _("The score must be between 0 and %(max)s.") % {"max": out_of})


@transaction.atomic
def exam_score_set(
    *,
    course: Course,
    student_id: int,
    component_key: str,
    score: Decimal,
    out_of: Decimal = Decimal(100),
    note: str = "",
) -> ExamScore:
    _component(course, component_key, ("exam",))
    _student(course, student_id)
    check_exam_score(score, out_of)
    obj, _created = ExamScore.objects.update_or_create(
        course=course,
        component_key=component_key,
        student_id=student_id,
        defaults={"score": score, "out_of": out_of, "note": note},
    )
    gradebook_schedule_recompute(course)
    return obj


@dataclass(frozen=True)
class ImportRowError:
    line: int
    field: str
    message: str


@dataclass(frozen=True)
class ImportReport:
    applied: int
    errors: list[ImportRowError]


def exam_scores_import_csv(*, course: Course, text: str, component_key: str = "") -> ImportReport:
    """Import exam scores; columns: student (e-mail, student id or username), score, and
    optionally out_of (default 100), component (else `component_key`), note.

    Every row is checked first; if any row is wrong nothing is applied and the report lists
    each error by line.
    """
    exam_keys = {
        c.key for c in course_policy(course, GradingPolicy).components if c.source == "exam"
    }
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "student" not in headers or "score" not in headers:
        return ImportReport(
            0,
            [ImportRowError(1, "header", _("The header must name the columns student and score."))],
        )
    enrolments = Enrolment.objects.filter(
        course=course, role=Enrolment.Role.STUDENT
    ).select_related("user")
    lookup: dict[str, int] = {}
    for e in enrolments:
        for k in (e.user.username, e.user.email, e.student_id):
            if k:
                lookup[k.strip().lower()] = e.user_id
    errors: list[ImportRowError] = []
    planned: dict[tuple[str, int], tuple[Decimal, Decimal, str]] = {}
    try:
        raws = list(enumerate(reader, start=2))
    except csv.Error as exc:  # a field over csv's size limit, say
        return ImportReport(
            0,
            [
                ImportRowError(
                    reader.line_num,
                    "file",
                    _("This line cannot be read as CSV: %(why)s") % {"why": exc},
                )
            ],
        )
    for line, raw in raws:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        with_nul = next((k for k, v in row.items() if "\x00" in k or "\x00" in v), None)
        if with_nul is not None:
            errors.append(
                ImportRowError(
                    line, with_nul.replace("\x00", ""), _("This cell contains a NUL character.")
                )
            )
            continue
        key = row.get("component") or component_key
        if key not in exam_keys:
            errors.append(
                ImportRowError(
                    line, "component", _("Unknown exam component: %(key)s") % {"key": key or "-"}
                )
            )
            continue
        uid = lookup.get(row.get("student", "").lower())
        if uid is None:
            errors.append(
                ImportRowError(
                    line,
                    "student",
                    _("No registered student %(who)s") % {"who": row.get("student", "")},
                )
            )
            continue
        try:
            score = _exam_decimal("score", row.get("score", ""))
            out_of = _exam_decimal("out_of", row.get("out_of") or "100")
            check_exam_score(score, out_of)
        except GradingError as exc:
            errors.append(ImportRowError(line, exc.field, exc.message))
            continue
        if (key, uid) in planned:
            errors.append(
                ImportRowError(line, "student", _("This student appears twice for this exam."))
            )
            continue
        note = row.get("note", "")
        if len(note) > NOTE_MAX_LENGTH:
            errors.append(
                ImportRowError(
                    line,
                    "note",
                    _("The note is %(n)d characters long; at most %(max)d are kept.")
                    % {"n": len(note), "max": NOTE_MAX_LENGTH},
                )
            )
            continue
        planned[(key, uid)] = (score, out_of, note)
    if errors:
        return ImportReport(0, errors)
    with transaction.atomic():
        ExamScore.objects.bulk_create(
            [
                ExamScore(course=course, component_key=k, student_id=uid, score=s, out_of=o, note=n)
                for (k, uid), (s, o, n) in planned.items()
            ],
            update_conflicts=True,
            unique_fields=["course", "component_key", "student"],
            update_fields=["score", "out_of", "note", "updated_at"],
        )
        if planned:
            gradebook_schedule_recompute(course)
    return ImportReport(len(planned), [])


@transaction.atomic
def participation_set(
    *,
    course: Course,
    student_id: int,
    percent: Decimal,
    note: str = "",
    component_key: str = "participation",
) -> ParticipationScore:
    _component(course, component_key, ("participation",))
    _student(course, student_id)
    if percent < 0 or percent > 100:
        raise GradingError("percent", _("The percentage must be between 0 and 100."))
    obj, _created = ParticipationScore.objects.update_or_create(
        course=course,
        component_key=component_key,
        student_id=student_id,
        defaults={"percent": percent, "note": note},
    )
    gradebook_schedule_recompute(course)
    return obj


@transaction.atomic
def excusal_set(
    *, course: Course, student_id: int, component_key: str, reason: str, actor: Any
) -> ComponentExcusal:
    _component(course, component_key)
    _student(course, student_id)
    if not reason.strip():
        raise GradingError("reason", _("A reason is required."))
    obj, _created = ComponentExcusal.objects.update_or_create(
        course=course,
        component_key=component_key,
        student_id=student_id,
        defaults={"reason": reason.strip(), "created_by": actor},
    )
    gradebook_schedule_recompute(course)
    return obj


@transaction.atomic
def excusal_remove(*, course: Course, student_id: int, component_key: str) -> None:
    ComponentExcusal.objects.filter(
        course=course, student_id=student_id, component_key=component_key
    ).delete()
    gradebook_schedule_recompute(course)


@transaction.atomic
def grade_inputs_remove(
    *, rows: Iterable[ExamScore | ParticipationScore | ComponentExcusal]
) -> int:
    """Remove scores or excusals the staff entered; each course touched is recomputed once.
    Returns how many rows were removed."""
    removed = 0
    courses: dict[int, Course] = {}
    for row in rows:
        removed += type(row).objects.filter(pk=row.pk).delete()[0]
        courses[row.course_id] = row.course
    for course in courses.values():
        gradebook_schedule_recompute(course)
    return removed


@transaction.atomic
def override_set(
    *,
    course: Course,
    student_id: int,
    component_key: str,
    value: Decimal | None,
    reason: str,
    actor: Any,
) -> GradeOverride | None:
    """Set (value) or remove (None) the override of a component or of the final grade (key "").

    A reason is required either way; the audit log gets one row (old and new values).
    """
    if component_key != FINAL:
        _component(course, component_key)
    _student(course, student_id)
    # Serialise the overrides of one student (the row to update may not exist yet).
    list(Enrolment.objects.select_for_update().filter(course=course, user_id=student_id))
    reason = (reason or "").strip()
    if not reason:
        raise GradingError("reason", _("A reason is required."))
    if value is not None and (value < 0 or value > 100):
        raise GradingError("value", _("The value must be between 0 and 100."))
    current = (
        GradeOverride.objects.select_for_update()
        .filter(course=course, student_id=student_id, component_key=component_key)
        .first()
    )
    old = current.value if current else None
    result: GradeOverride | None = None
    if value is None:
        if current is not None:
            current.delete()
    elif current is not None:
        current.value, current.reason, current.updated_by = value, reason, actor
        current.save()
        result = current
    else:
        result = GradeOverride.objects.create(
            course=course,
            student_id=student_id,
            component_key=component_key,
            value=value,
            reason=reason,
            updated_by=actor,
        )
    if old != value:
        OverrideAuditLog.objects.create(
            course=course,
            student_id=student_id,
            component_key=component_key,
            old_value=old,
            new_value=value,
            reason=reason,
            actor=actor,
        )
    gradebook_schedule_recompute(course)
    return result
