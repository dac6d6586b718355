"""Demo content: scribe slots for every lecture, most students assigned, a few notes graded."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile

from course.models import Course, Enrolment
from course.selectors import active_students

from . import selectors, services
from .models import NotesSubmission, ScribeAssignment, ScribeSlot

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
UNASSIGNED_IN_DEMO = 2  # left for the instructor's auto-assign


def add_demo_scribing(course: Course, now: datetime) -> None:
    """Idempotent: slots are synced, assignments and notes created only once."""
    services.slots_sync(course=course)
    if ScribeAssignment.objects.filter(course=course).exists():
        return
    students = [e.user for e in active_students(course) if e.role == Enrolment.Role.STUDENT]
    students = students[: max(0, len(students) - UNASSIGNED_IN_DEMO)]
    slots = list(ScribeSlot.objects.filter(course=course).select_related("session"))
    if not slots or not students:
        return
    past = [s for s in slots if s.session.ends_at < now]
    future = [s for s in slots if s.session.ends_at >= now]
    # Past lectures first (the first one with a pair of scribes, then one each), then future
    # ones: about 60% of the assigned students have scribed already, the rest are ahead.
    n_past = min(len(past) + 1, (len(students) * 3) // 5)
    past_seats = ([past[0]] if past else []) + past
    order = past_seats[:n_past] + future
    pairs = list(zip(students, order, strict=False))
    ScribeAssignment.objects.bulk_create(
        [
            ScribeAssignment(
                course=course, slot=slot, student=student, source=ScribeAssignment.Source.AUTO
            )
            for student, slot in pairs
        ]
    )
    policy = selectors.scribing_policy(course)
    graded_slots = [
        s for s in past if selectors.base_due(course, s.session, policy) < now - timedelta(days=3)
    ]
    by_slot: dict[int, list] = {}
    for student, slot in pairs:
        by_slot.setdefault(slot.pk, []).append(student)
    instructor = (
        Enrolment.objects.filter(course=course, role=Enrolment.Role.INSTRUCTOR)
        .select_related("user")
        .first()
    )
    grader = instructor.user if instructor else None
    for i, (slot, delay, score) in enumerate(
        [
            (s, d, sc)
            for s, d, sc in zip(graded_slots[:2], [-1, 2], [Decimal(92), Decimal(85)], strict=False)
        ]
    ):
        scribes = by_slot.get(slot.pk)
        if not scribes or NotesSubmission.objects.filter(slot=slot).exists():
            continue
        due = selectors.base_due(course, slot.session, policy)
        submitted_at = due + timedelta(days=delay)  # on time (a day early) or 2 days late
        sub = NotesSubmission(
            slot=slot,
            submitted_by=scribes[0],
            version=1,
            submitted_at=submitted_at,
            due_at=due,
            penalty_percent=Decimal(0) if delay < 0 else policy.late_penalty.percent,
        )
        number = slot.session.number
        tex = (
            "\\documentclass{article}\n\\begin{document}\n"
            f"\\section*{{Lecture {number}: {slot.session.topic}}}\n"
            "Demo notes.\n\\end{document}\n"
        )
        sub.tex_file.save(f"lecture{number:02d}.tex", ContentFile(tex.encode()), save=False)
        sub.pdf_file.save(f"lecture{number:02d}.pdf", ContentFile(MINIMAL_PDF), save=False)
        sub.save()
        services.notes_grade(
            submission=sub,
            raw_score=score,
            feedback="Clear notes; good figures." if i == 0 else "Good notes, handed in late.",
            graded_by=grader,
            now=due + timedelta(days=4),
        )
        if i == 0:
            services.notes_publish(submissions=[sub], now=due + timedelta(days=4))
