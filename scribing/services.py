"""Writes of scribing, each in one transaction: slots, sign-up, auto-assign, notes, grades."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from course.deadlines import services as deadline_services
from course.models import Course, Session
from course.permissions import is_registered_student
from course.uploads.validation import validate_upload

from . import rules, selectors
from .models import NotesSubmission, ScribeAssignment, ScribeSlot, Unavailability


def slots_sync(*, course: Course) -> int:
    """Give every lecture session a slot (capacity from the policy). Returns how many were made."""
    policy = selectors.scribing_policy(course)
    have = set(ScribeSlot.objects.filter(course=course).values_list("session_id", flat=True))
    new = [
        ScribeSlot(course=course, session=s, capacity=policy.scribes_per_lecture)
        for s in Session.objects.filter(course=course, kind=Session.Kind.LECTURE).order_by(
            "starts_at"
        )
        if s.pk not in have
    ]
    ScribeSlot.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _check_student(course: Course, student: Any) -> None:
    if not is_registered_student(student, course):
        raise ValidationError({"student": _("Only registered students scribe.")})


def scribe_slot_claim(
    *, slot: ScribeSlot, student: Any, now: datetime, by_instructor: bool = False
) -> ScribeAssignment:
    """Sign the student up for the slot (moving an earlier sign-up, a swap, when allowed).

    The slot's row is locked, so the last seat taken by two students at once goes to one.
    """
    course = slot.course
    _check_student(course, student)
    policy = selectors.scribing_policy(course)
    with transaction.atomic():
        locked = ScribeSlot.objects.select_for_update().select_related("session").get(pk=slot.pk)
        if not by_instructor and not rules.may_change(
            locked.session.starts_at, now, change_cutoff_days=policy.change_cutoff_days
        ):
            raise ValidationError(
                {"slot": _("Sign-up for this lecture is closed; ask the instructor.")}
            )
        current = (
            ScribeAssignment.objects.select_for_update()
            .select_related("slot__session")
            .filter(course=course, student=student)
            .first()
        )
        if current is not None and current.slot_id == locked.pk:
            raise ValidationError({"slot": _("You already scribe this lecture.")})
        if current is not None:
            _check_may_leave(current, now, by_instructor, policy.change_cutoff_days)
        if ScribeAssignment.objects.filter(slot=locked).count() >= locked.capacity:
            raise ValidationError(
                {"slot": _("This lecture has no free scribe seat left. Pick another one.")}
            )
        if current is not None:
            current.delete()
        try:
            with transaction.atomic():
                return ScribeAssignment.objects.create(
                    course=course,
                    slot=locked,
                    student=student,
                    source=ScribeAssignment.Source.INSTRUCTOR
                    if by_instructor
                    else ScribeAssignment.Source.SIGNUP,
                )
        except IntegrityError as exc:
            raise ValidationError({"slot": _("You already have a lecture to scribe.")}) from exc


def _check_may_leave(
    assignment: ScribeAssignment, now: datetime, by_instructor: bool, cutoff_days: int
) -> None:
    if by_instructor:
        return
    if NotesSubmission.objects.filter(slot_id=assignment.slot_id).exists():
        raise ValidationError({"slot": _("Notes were already handed in for your lecture.")})
    if not rules.may_change(assignment.slot.session.starts_at, now, change_cutoff_days=cutoff_days):
        raise ValidationError(
            {"slot": _("It is too late to change your lecture; ask the instructor.")}
        )


def scribe_slot_release(
    *, assignment: ScribeAssignment, now: datetime, by_instructor: bool = False
) -> None:
    policy = selectors.scribing_policy(assignment.course)
    with transaction.atomic():
        ScribeSlot.objects.select_for_update().get(pk=assignment.slot_id)
        _check_may_leave(assignment, now, by_instructor, policy.change_cutoff_days)
        assignment.delete()


def assignment_save(*, slot: ScribeSlot, assignment: ScribeAssignment) -> ScribeAssignment:
    """The instructor puts a student on a lecture, or grades one scribe apart (the admin's
    rows): the assignment takes the slot's course; one lecture per student (the database)."""
    assignment.slot = slot
    assignment.course_id = slot.course_id
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ValidationError(
            {"student": _("This student already scribes a lecture of this course.")}
        ) from None
    return assignment


def assignment_remove(*, assignment: ScribeAssignment) -> None:
    ScribeAssignment.objects.filter(pk=assignment.pk).delete()


def unavailability_add(*, course: Course, student: Any, day: date) -> Unavailability:
    _check_student(course, student)
    if not course.term_start <= day <= course.term_end:
        raise ValidationError({"date": _("Pick a date within the term.")})
    obj, _created = Unavailability.objects.get_or_create(course=course, student=student, date=day)
    return obj


def unavailability_remove(*, course: Course, student: Any, day: date) -> None:
    Unavailability.objects.filter(course=course, student=student, date=day).delete()


# --- auto-assign ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AutoAssignProposal:
    plan: rules.SchedulePlan[int, int]
    students: dict[int, Any]  # id -> user
    slots: dict[int, ScribeSlot]  # id -> slot
    slots_missing: int


def auto_assign_propose(*, course: Course, now: datetime, seed: int) -> AutoAssignProposal:
    """The plan for every active student without a slot, over slots still open for change."""
    policy = selectors.scribing_policy(course)
    assigned = set(
        ScribeAssignment.objects.filter(course=course).values_list("student_id", flat=True)
    )
    students = {
        e.user_id: e.user for e in selectors.active_students(course) if e.user_id not in assigned
    }
    slots = {s.pk: s for s in selectors.slots_with_people(course)}
    offered = [
        rules.SlotSeats(slot=s.pk, date=s.session.date, free=s.capacity - s.taken)  # type: ignore[attr-defined]  # `taken` is annotated by slots_with_people
        for s in slots.values()
        if rules.may_change(s.session.starts_at, now, change_cutoff_days=policy.change_cutoff_days)
    ]
    unavailable: dict[int, set[date]] = {}
    for student_id, day in Unavailability.objects.filter(course=course).values_list(
        "student_id", "date"
    ):
        unavailable.setdefault(student_id, set()).add(day)
    plan = rules.propose_scribe_schedule(list(students), offered, unavailable, seed=seed)
    return AutoAssignProposal(
        plan=plan,
        students=students,
        slots=slots,
        slots_missing=rules.slots_missing(plan.missing_seats, policy.scribes_per_lecture),
    )


def auto_assign_apply(*, course: Course, now: datetime, seed: int) -> int:
    """Recompute the plan inside the transaction and create its assignments; returns how many."""
    with transaction.atomic():
        list(ScribeSlot.objects.select_for_update().filter(course=course).values_list("pk"))
        proposal = auto_assign_propose(course=course, now=now, seed=seed)
        ScribeAssignment.objects.bulk_create(
            [
                ScribeAssignment(
                    course=course,
                    slot_id=slot_id,
                    student_id=student_id,
                    source=ScribeAssignment.Source.AUTO,
                )
                for student_id, slot_id in proposal.plan.assignments
            ]
        )
        return len(proposal.plan.assignments)


# --- notes ------------------------------------------------------------------------------------


def notes_submit(
    *,
    slot: ScribeSlot,
    student: Any,
    tex: Any,
    now: datetime,
    zip_file: Any = None,
    pdf: Any = None,
) -> NotesSubmission:
    """A new version of the lecture's notes, from one of its scribes; lateness from `now`."""
    course = slot.course
    if not ScribeAssignment.objects.filter(slot=slot, student=student).exists():
        raise ValidationError({"tex_file": _("You do not scribe this lecture.")})
    validate_upload(tex, "tex")
    if zip_file:
        validate_upload(zip_file, "zip")
    if pdf:
        validate_upload(pdf, "pdf")
    policy = selectors.scribing_policy(course)
    due = selectors.student_due(course, slot.session, student.pk, policy)
    lateness = selectors.lateness_at(course, due, policy, now)
    if not lateness.accepted:
        raise ValidationError(
            {"tex_file": _("The cut-off for these notes has passed; nothing more is accepted.")}
        )
    with transaction.atomic():
        locked = ScribeSlot.objects.select_for_update().get(pk=slot.pk)
        latest = NotesSubmission.objects.filter(slot=locked).order_by("-version").first()
        if latest is not None and latest.raw_score is not None:
            raise ValidationError(
                {"tex_file": _("These notes were graded; resubmission is closed.")}
            )
        sub = NotesSubmission(
            slot=locked,
            submitted_by=student,
            version=(latest.version + 1) if latest else 1,
            submitted_at=now,
            due_at=due,
            penalty_percent=lateness.penalty_percent,
        )
        sub.tex_file.save(_clean_name(tex.name, "notes.tex"), tex, save=False)
        if zip_file:
            sub.zip_file.save(_clean_name(zip_file.name, "extras.zip"), zip_file, save=False)
        if pdf:
            sub.pdf_file.save(_clean_name(pdf.name, "notes.pdf"), pdf, save=False)
        sub.save()
        return sub


def _clean_name(name: str, default: str) -> str:
    from django.utils.text import get_valid_filename

    try:
        return get_valid_filename(name.rsplit("/", 1)[-1])
    except Exception:  # a name made only of bad characters
        return default


def lecture_extend(*, slot: ScribeSlot, due_at: datetime, granted_by: Any, reason: str = "") -> Any:
    """Move a lecture's notes deadline for everyone (an Extension with no student)."""
    session = slot.session
    return deadline_services.extension_grant(
        course=slot.course,
        target_key=selectors.lecture_key(session.pk),
        target_label=selectors.lecture_label(session),
        due_at=due_at,
        granted_by=granted_by,
        reason=reason,
        target=session,
    )


def notes_grade(
    *,
    submission: NotesSubmission,
    raw_score: Decimal,
    feedback: str,
    graded_by: Any,
    now: datetime,
) -> NotesSubmission:
    if not Decimal(0) <= raw_score <= Decimal(100):
        raise ValidationError({"raw_score": _("A score is between 0 and 100.")})
    submission.raw_score = raw_score
    submission.feedback = feedback
    submission.graded_by = graded_by
    submission.graded_at = now
    submission.save(update_fields=["raw_score", "feedback", "graded_by", "graded_at"])
    return submission


def notes_publish(*, submissions: Iterable[NotesSubmission], now: datetime) -> int:
    """Publish notes for the class; only the latest version of a lecture is ever published."""
    done = 0
    with transaction.atomic():
        for sub in submissions:
            NotesSubmission.objects.filter(slot_id=sub.slot_id).exclude(pk=sub.pk).update(
                is_published=False
            )
            sub.is_published = True
            sub.published_at = now
            sub.save(update_fields=["is_published", "published_at"])
            done += 1
    return done


def notes_unpublish(*, submissions: Iterable[NotesSubmission]) -> int:
    ids = [s.pk for s in submissions]
    return NotesSubmission.objects.filter(pk__in=ids).update(is_published=False, published_at=None)


def extension_request(
    *, assignment: ScribeAssignment, reason: str, requested_due_at: datetime | None
) -> Any:
    course = assignment.course
    session = assignment.slot.session
    policy = selectors.scribing_policy(course)
    due = selectors.student_due(course, session, assignment.student_id, policy)
    return deadline_services.extension_request_create(
        course=course,
        student=assignment.student,
        target_key=selectors.lecture_key(session.pk),
        target_label=selectors.lecture_label(session),
        reason=reason,
        current_due_at=due,
        requested_due_at=requested_due_at,
        target=session,
    )
