"""Reads of scribing: slot rows for the page, deadlines with extensions, scores for the gradebook."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from course.deadlines import selectors as deadline_selectors
from course.deadlines.rules import (
    DueChange,
    Lateness,
    apply_penalty,
    assess_lateness,
    effective_due,
    penalty_that_counts,
    target_key,
)
from course.extensions import ScheduleItem
from course.models import Course, Session
from course.permissions import Action, can
from course.scores import ScoreItem, ScoresByStudent, ScoreStatus
from course.selectors import active_students, course_policy
from course.syllabus.hooks import Watched
from course.texts import Text

from . import rules
from .models import NotesSubmission, ScribeAssignment, ScribeSlot, Unavailability
from .policy import ScribingPolicy

HUNDRED = Decimal(100)


def lecture_key(session_id: int) -> str:
    """The deadline target of a lecture's notes, for course.deadlines extensions."""
    return target_key("scribing", "lecture", session_id)


def lecture_label(session: Session) -> str:
    """What a lecture's notes deadline is called in extensions and requests."""
    return _("Scribe notes, lecture %(n)d") % {"n": session.number}


def scribing_policy(course: Course) -> ScribingPolicy:
    return course_policy(course, ScribingPolicy)


def base_due(course: Course, session: Session, policy: ScribingPolicy) -> datetime:
    return rules.notes_due_at(
        session.date,
        due_after_days=policy.due_after_days,
        due_time=policy.due_time,
        tz=course.time_zone,
    )


def student_due(
    course: Course,
    session: Session,
    student_id: int | None,
    policy: ScribingPolicy,
    changes: Sequence[DueChange] | None = None,
) -> datetime:
    """The lecture's notes deadline for this student, extensions applied."""
    if changes is None:
        changes = deadline_selectors.due_changes_by_target(course, [lecture_key(session.pk)])[
            lecture_key(session.pk)
        ]
    return effective_due(base_due(course, session, policy), changes, student_id=student_id)


def slots_with_people(course: Course) -> QuerySet[ScribeSlot]:
    return (
        ScribeSlot.objects.filter(course=course)
        .select_related("session")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=ScribeAssignment.objects.select_related("student").order_by(
                    "student__last_name", "student__first_name"
                ),
            )
        )
        .annotate(taken=Count("assignments"))
        .order_by("session__starts_at")
    )


@dataclass
class SlotRow:
    slot: ScribeSlot
    scribes: list[Any]
    free: int
    mine: bool
    may_change: bool
    change_deadline: datetime


def slot_rows(course: Course, user: Any, now: datetime) -> list[SlotRow]:
    policy = scribing_policy(course)
    rows = []
    for slot in slots_with_people(course):
        scribes = [a.student for a in slot.assignments.all()]
        deadline = rules.change_deadline(
            slot.session.starts_at, change_cutoff_days=policy.change_cutoff_days
        )
        rows.append(
            SlotRow(
                slot=slot,
                scribes=scribes,
                free=max(0, slot.capacity - len(scribes)),
                mine=any(s.pk == user.pk for s in scribes),
                may_change=now < deadline,
                change_deadline=deadline,
            )
        )
    return rows


def assignment_of(course: Course, student: Any) -> ScribeAssignment | None:
    return (
        ScribeAssignment.objects.filter(course=course, student=student)
        .select_related("slot__session")
        .first()
    )


def submissions_of(slot: ScribeSlot) -> QuerySet[NotesSubmission]:
    return (
        NotesSubmission.objects.filter(slot=slot)
        .select_related("submitted_by")
        .order_by("-version")
    )


def unavailable_dates(course: Course, student: Any) -> list[Any]:
    return list(
        Unavailability.objects.filter(course=course, student=student)
        .order_by("date")
        .values_list("date", flat=True)
    )


def lateness_at(
    course: Course, due_at: datetime, policy: ScribingPolicy, when: datetime
) -> Lateness:
    """Notes handed in at `when` against `due_at`: the course's deadline rule on its clock
    (what a hand-in records, and what the pages say a hand-in right now would be)."""
    return assess_lateness(when, due_at, policy.late_penalty, tz=course.time_zone)


def version_lateness(
    submission: NotesSubmission, due_at: datetime, tz: str, policy: ScribingPolicy
) -> Lateness:
    """The penalty that counts for a version handed in: its recorded price, lowered by an
    extension granted or a lighter policy since."""
    return penalty_that_counts(
        submission.penalty_percent, submission.submitted_at, due_at, policy.late_penalty, tz=tz
    )


@dataclass(frozen=True)
class StudentScore:
    raw: Decimal | None
    penalty: Decimal
    final: Decimal | None
    feedback: str
    lateness: Lateness | None
    due_at: datetime


def score_for(
    assignment: ScribeAssignment,
    latest: NotesSubmission | None,
    due_at: datetime,
    tz: str,
    policy: ScribingPolicy,
) -> StudentScore:
    """Raw, penalty and final (out of 100) for one scribe: shared grade unless graded apart."""
    lateness = version_lateness(latest, due_at, tz, policy) if latest else None
    raw = assignment.separate_raw_score
    feedback = assignment.separate_feedback
    if raw is None and latest is not None:
        raw = latest.raw_score
        feedback = feedback or latest.feedback
    penalty = lateness.penalty_percent if lateness else Decimal(0)
    final = apply_penalty(raw, HUNDRED, penalty) if raw is not None else None
    return StudentScore(
        raw=raw, penalty=penalty, final=final, feedback=feedback, lateness=lateness, due_at=due_at
    )


def latest_by_slot(slot_ids: Sequence[int]) -> dict[int, NotesSubmission]:
    """The latest version of each slot's notes (one query)."""
    latest: dict[int, NotesSubmission] = {}
    for sub in NotesSubmission.objects.filter(slot_id__in=list(slot_ids)).order_by(
        "slot_id", "-version"
    ):
        latest.setdefault(sub.slot_id, sub)
    return latest


def scribing_work_over(course: Course, policy: ScribingPolicy, now: datetime) -> bool:
    """No lecture is left to scribe: the notes of the last lecture with scribe slots are due
    (or, without any slot, the term is over). One query."""
    last = ScribeSlot.objects.filter(course=course).aggregate(last=Max("session__date"))["last"]
    if last is None:
        return now.astimezone(ZoneInfo(course.time_zone)).date() > course.term_end
    due = rules.notes_due_at(
        last, due_after_days=policy.due_after_days, due_time=policy.due_time, tz=course.time_zone
    )
    return now > due


def gradebook_items(course: Course, *, now: datetime | None = None) -> ScoresByStudent:
    """One item per active student (fixed query count): graded, pending or missing.

    GRADED: raw, penalty (from the latest version's time against the student's due date with
    extensions) and final percent. PENDING: not due yet, or handed in and not graded.
    MISSING: due date passed and nothing handed in, or never given a lecture once the last
    lecture's notes are due (before that: PENDING, flagged "no slot yet" for the staff).
    """
    policy = scribing_policy(course)
    students = list(active_students(course).values_list("user_id", flat=True))
    assignments = {
        a.student_id: a
        for a in ScribeAssignment.objects.filter(course=course).select_related("slot__session")
    }
    slot_ids = {a.slot_id for a in assignments.values()}
    latest = latest_by_slot(sorted(slot_ids))
    changes = deadline_selectors.due_changes_by_target(
        course, [lecture_key(a.slot.session_id) for a in assignments.values()]
    )
    now = now or timezone.now()
    work_over: bool | None = None  # asked (one query) only for a student without a lecture
    result: ScoresByStudent = {}
    for student_id in students:
        assignment = assignments.get(student_id)
        if assignment is None:
            if work_over is None:
                work_over = scribing_work_over(course, policy, now)
            if work_over:  # like any missing work: no lecture can be scribed any more
                item = ScoreItem(
                    key="scribe-notes",
                    label=Text(gettext_noop("Scribe notes")),
                    status=ScoreStatus.MISSING,
                    note=Text(gettext_noop("never scribed a lecture")),
                )
            else:
                item = ScoreItem(
                    key="scribe-notes",
                    label=Text(gettext_noop("Scribe notes")),
                    status=ScoreStatus.PENDING,
                    note=Text(gettext_noop("no lecture assigned yet")),
                    flag=Text(gettext_noop("no slot yet")),
                )
            result[student_id] = [item]
            continue
        session = assignment.slot.session
        due = effective_due(
            base_due(course, session, policy),
            changes.get(lecture_key(session.pk), []),
            student_id=student_id,
        )
        sub = latest.get(assignment.slot_id)
        label = Text(
            gettext_noop("Scribe notes, lecture %(n)d (%(date)s)"),
            n=session.number,
            date=session.date.isoformat(),
        )
        key = f"scribe-lecture-{session.number}"
        score = score_for(assignment, sub, due, course.time_zone, policy)
        if score.raw is not None:
            note: str | Text = (
                score.lateness.note if score.lateness and score.lateness.is_late else ""
            )
            result[student_id] = [
                ScoreItem(
                    key=key,
                    label=label,
                    status=ScoreStatus.GRADED,
                    percent=score.final,
                    raw_percent=score.raw,
                    penalty_percent=score.penalty,
                    note=note,
                )
            ]
        elif sub is None and now > due:
            result[student_id] = [
                ScoreItem(
                    key=key,
                    label=label,
                    status=ScoreStatus.MISSING,
                    note=Text(gettext_noop("no notes handed in by the due date")),
                )
            ]
        else:
            note = (
                Text(gettext_noop("handed in, not graded yet"))
                if sub
                else Text(
                    gettext_noop("due %(due)s"),
                    due=due.astimezone(ZoneInfo(course.time_zone)).strftime("%Y-%m-%d %H:%M"),
                )
            )
            result[student_id] = [
                ScoreItem(
                    key=key,
                    label=label,
                    status=ScoreStatus.PENDING,
                    penalty_percent=score.penalty,
                    note=note,
                )
            ]
    return result


def may_download(user: Any, submission: NotesSubmission, course: Course) -> bool:
    """The lecture's scribes, TA and instructor; everyone in the course once published."""
    if can(user, Action.VIEW_STUDENT_WORK, course):
        return True
    if submission.is_published and can(user, Action.VIEW_COURSE, course):
        return True
    if not can(user, Action.SUBMIT_WORK, course):
        return False
    return ScribeAssignment.objects.filter(slot_id=submission.slot_id, student=user).exists()


@dataclass
class _Annot:
    items: list[ScheduleItem] = field(default_factory=list)


def schedule_annotations(
    course: Course, sessions: Sequence[Session], user: Any
) -> dict[int, list[ScheduleItem]]:
    """Scribes' names and published notes beside each lecture (two queries)."""
    if not can(user, Action.VIEW_COURSE, course):
        return {}
    session_ids = [s.pk for s in sessions]
    result: dict[int, list[ScheduleItem]] = {}
    names: dict[int, list[str]] = {}
    for session_id, first, last, username in (
        ScribeAssignment.objects.filter(course=course, slot__session_id__in=session_ids)
        .order_by("student__last_name", "student__first_name")
        .values_list(
            "slot__session_id", "student__first_name", "student__last_name", "student__username"
        )
    ):
        names.setdefault(session_id, []).append(f"{first} {last}".strip() or username)
    for session_id, people in names.items():
        result.setdefault(session_id, []).append(
            ScheduleItem(
                label=_("Scribes: %(names)s") % {"names": ", ".join(people)}, css="scribes"
            )
        )
    published: dict[int, NotesSubmission] = {}
    for sub in (
        NotesSubmission.objects.filter(
            slot__course=course, slot__session_id__in=session_ids, is_published=True
        )
        .select_related("slot")
        .order_by("slot_id", "-version")
    ):
        published.setdefault(sub.slot.session_id, sub)
    for session_id, sub in published.items():
        kind = "pdf" if sub.pdf_file else "tex"
        result.setdefault(session_id, []).append(
            ScheduleItem(
                label=_("Scribed notes (PDF)") if kind == "pdf" else _("Scribed notes (LaTeX)"),
                url=reverse(
                    "scribing_file", kwargs={"code": course.code, "pk": sub.pk, "kind": kind}
                ),
                css="scribed-notes",
            )
        )
    return result


def watched_deadlines(course: Course) -> dict[str, Watched]:
    """For the syllabus loader: the notes deadline of every lecture with notes handed in."""
    policy = scribing_policy(course)
    tz = ZoneInfo(course.time_zone)
    out = {}
    for slot in (
        ScribeSlot.objects.filter(course=course)
        .select_related("session")
        .annotate(n_versions=Count("submissions"))
        .filter(n_versions__gt=0)
        .order_by("pk")
    ):
        due = base_due(course, slot.session, policy).astimezone(tz)
        # Compared before and after a load in the same request: read in its language.
        out[f"notes:{slot.pk}"] = Watched(
            label=_("Scribe notes of the lecture of %(date)s") % {"date": slot.session.date},
            state=_("due %(due)s") % {"due": f"{due:%Y-%m-%d %H:%M}"},
            work=_("%(n)s versions handed in") % {"n": slot.n_versions},
        )
    return out
