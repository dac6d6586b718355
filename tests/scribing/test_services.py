"""Scribing services on a real database: sign-up rules, auto-assign, notes versions, grades."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from course.deadlines import services as deadline_services
from course.models import Enrolment, Session
from course.scores import ScoreStatus
from scribing import selectors, services
from scribing.models import NotesSubmission, ScribeAssignment, ScribeSlot

from .conftest import MTL, at, pdf_file, tex_file, zip_file

pytestmark = pytest.mark.django_db


def test_slots_only_for_lectures_and_idempotent(course: Any, slots: list) -> None:
    kinds = {s.session.kind for s in slots}
    assert kinds == {Session.Kind.LECTURE}
    n = len(slots)
    assert n == Session.objects.filter(course=course, kind="lecture").count()
    assert services.slots_sync(course=course) == 0
    assert ScribeSlot.objects.filter(course=course).count() == n
    assert all(s.capacity == 2 for s in slots)  # scribes_per_lecture default


def test_claim_capacity_once_per_student_and_swap(
    course: Any, slots: list, make_member: Any
) -> None:
    a, b, c = (make_member(course, Enrolment.Role.STUDENT, now=at(2021, 1, 1)) for _ in range(3))
    now = at(2021, 1, 5)
    services.scribe_slot_claim(slot=slots[3], student=a, now=now)
    services.scribe_slot_claim(slot=slots[3], student=b, now=now)
    with pytest.raises(ValidationError, match="no free scribe seat"):
        services.scribe_slot_claim(slot=slots[3], student=c, now=now)
    with pytest.raises(ValidationError, match="already scribe this"):
        services.scribe_slot_claim(slot=slots[3], student=a, now=now)
    # Swap: a moves to another lecture, freeing the seat.
    services.scribe_slot_claim(slot=slots[4], student=a, now=now)
    assert ScribeAssignment.objects.get(student=a).slot == slots[4]
    services.scribe_slot_claim(slot=slots[3], student=c, now=now)


def test_change_cutoff_then_only_instructor(course: Any, slot1: ScribeSlot, student: Any) -> None:
    # Lecture 1 starts 13 Jan 09:30; cut-off 2 days before.
    late = at(2021, 1, 11, 9, 31)
    with pytest.raises(ValidationError, match="closed"):
        services.scribe_slot_claim(slot=slot1, student=student, now=late)
    a = services.scribe_slot_claim(slot=slot1, student=student, now=late, by_instructor=True)
    with pytest.raises(ValidationError, match="too late"):
        services.scribe_slot_release(assignment=a, now=late)
    services.scribe_slot_release(assignment=a, now=late, by_instructor=True)


def test_auditor_and_ta_cannot_sign_up(course: Any, slot1: ScribeSlot, make_member: Any) -> None:
    for role in (Enrolment.Role.AUDITOR, Enrolment.Role.TA):
        user = make_member(course, role)
        with pytest.raises(ValidationError):
            services.scribe_slot_claim(slot=slot1, student=user, now=at(2021, 1, 1))


def test_auto_assign_preview_then_apply(course: Any, slots: list, make_member: Any) -> None:
    people = [make_member(course, Enrolment.Role.STUDENT, now=at(2021, 1, 1)) for _ in range(5)]
    services.scribe_slot_claim(slot=slots[2], student=people[0], now=at(2021, 1, 1))
    services.unavailability_add(course=course, student=people[1], day=slots[5].session.date)
    now = at(2021, 1, 1)
    proposal = services.auto_assign_propose(course=course, now=now, seed=7)
    assert len(proposal.plan.assignments) == 4 and proposal.slots_missing == 0
    assert ScribeAssignment.objects.count() == 1  # nothing applied by the preview
    assert services.auto_assign_apply(course=course, now=now, seed=7) == 4
    got = {a.student_id: a.slot_id for a in ScribeAssignment.objects.all()}
    assert got[people[1].pk] != slots[5].pk
    assert len(got) == 5
    # Deterministic: the same seed proposes the same plan.
    assert services.auto_assign_propose(course=course, now=now, seed=7).plan.assignments == ()


def test_auto_assign_says_how_many_slots_missing(
    course: Any, slots: list, make_member: Any
) -> None:
    n_seats = sum(s.capacity for s in slots)
    for _ in range(n_seats + 3):
        make_member(course, Enrolment.Role.STUDENT, now=at(2021, 1, 1))
    proposal = services.auto_assign_propose(course=course, now=at(2021, 1, 1), seed=1)
    assert proposal.plan.missing_seats == 3
    assert proposal.slots_missing == 2  # two scribes per lecture


def test_submit_versions_lateness_and_grade(
    course: Any, slot1: ScribeSlot, student: Any, student2: Any
) -> None:
    services.scribe_slot_claim(slot=slot1, student=student, now=at(2021, 1, 1))
    services.scribe_slot_claim(slot=slot1, student=student2, now=at(2021, 1, 1))
    v1 = services.notes_submit(
        slot=slot1, student=student, tex=tex_file(), now=at(2021, 1, 20, 23, 59)
    )
    assert v1.version == 1 and v1.penalty_percent == 0
    assert v1.due_at == at(2021, 1, 20, 23, 59)
    v2 = services.notes_submit(
        slot=slot1,
        student=student2,
        tex=tex_file(),
        zip_file=zip_file({"fig.png": b"x"}),
        pdf=pdf_file(),
        now=at(2021, 1, 22, 10),
    )
    assert v2.version == 2 and v2.penalty_percent == 5
    assert NotesSubmission.objects.filter(slot=slot1).count() == 2  # every version kept
    services.notes_grade(
        submission=v2, raw_score=Decimal(90), feedback="ok", graded_by=None, now=at(2021, 2, 1)
    )
    with pytest.raises(ValidationError, match="graded"):
        services.notes_submit(slot=slot1, student=student, tex=tex_file(), now=at(2021, 2, 2))
    items = selectors.gradebook_items(course, now=at(2021, 2, 3))
    for who in (student, student2):  # the two scribes share the grade
        (item,) = items[who.pk]
        assert item.status == ScoreStatus.GRADED
        assert (item.raw_percent, item.penalty_percent, item.percent) == (90, 5, 85)
        assert "2 days late" in item.note and "5%" in item.note
    # Graded apart: the second scribe's own score.
    a2 = ScribeAssignment.objects.get(student=student2)
    a2.separate_raw_score = Decimal(70)
    a2.save()
    (item,) = selectors.gradebook_items(course, now=at(2021, 2, 3))[student2.pk]
    assert item.percent == 65


def test_extension_recomputes_penalty(course: Any, slot1: ScribeSlot, student: Any) -> None:
    a = services.scribe_slot_claim(slot=slot1, student=student, now=at(2021, 1, 1))
    req = services.extension_request(
        assignment=a, reason="sick", requested_due_at=at(2021, 1, 25, 23, 59)
    )
    with pytest.raises(ValidationError):
        services.extension_request(assignment=a, reason="again", requested_due_at=None)
    deadline_services.extension_request_decide(
        request=req, approve=True, decided_by=None, now=at(2021, 1, 19)
    )
    sub = services.notes_submit(slot=slot1, student=student, tex=tex_file(), now=at(2021, 1, 24))
    assert sub.penalty_percent == 0 and sub.due_at == at(2021, 1, 25, 23, 59)
    req.refresh_from_db()
    assert req.status == "approved" and req.extensions.count() == 1


def test_not_a_scribe_cannot_submit(course: Any, slot1: ScribeSlot, student: Any) -> None:
    with pytest.raises(ValidationError, match="do not scribe"):
        services.notes_submit(slot=slot1, student=student, tex=tex_file(), now=at(2021, 1, 14))


def test_gradebook_pending_and_missing(
    course: Any, slots: list, student: Any, student2: Any, make_member: Any
) -> None:
    other = make_member(course, Enrolment.Role.STUDENT, now=at(2021, 1, 1))
    services.scribe_slot_claim(slot=slots[0], student=student, now=at(2021, 1, 1))
    services.scribe_slot_claim(slot=slots[5], student=student2, now=at(2021, 1, 1))
    items = selectors.gradebook_items(course, now=at(2021, 1, 25))
    assert items[student.pk][0].status == ScoreStatus.MISSING
    assert items[student2.pk][0].status == ScoreStatus.PENDING
    assert items[other.pk][0].status == ScoreStatus.PENDING


def test_gradebook_query_count(
    course: Any, slots: list, make_member: Any, django_assert_max_num_queries: Any
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            s = make_member(course, Enrolment.Role.STUDENT, now=at(2021, 1, 1))
            free = next(x for x in slots if ScribeAssignment.objects.filter(slot=x).count() < 2)
            services.scribe_slot_claim(slot=free, student=s, now=at(2021, 1, 1))
            services.notes_submit(slot=free, student=s, tex=tex_file(), now=at(2021, 1, 2))

    add(2)
    with django_assert_max_num_queries(6):
        selectors.gradebook_items(course, now=at(2021, 3, 1))
    add(6)
    with django_assert_max_num_queries(6):
        assert len(selectors.gradebook_items(course, now=at(2021, 3, 1))) == 8


@pytest.mark.django_db
def test_loading_the_syllabus_gives_every_lecture_its_slots(course):
    """The fixture's course was loaded from a syllabus: its lectures have slots already."""
    from course.models import Session
    from scribing.models import ScribeSlot

    lectures = Session.objects.filter(course=course, kind=Session.Kind.LECTURE)
    slots = ScribeSlot.objects.filter(course=course)
    assert slots.count() == lectures.count() > 0
    assert not slots.exclude(session__kind=Session.Kind.LECTURE).exists()
    assert set(slots.values_list("capacity", flat=True)) == {2}


def _set_late_policy(course: Any, section: str, policy: dict[str, Any]) -> None:
    policies = dict(course.policies)
    policies[section] = {**policies.get(section, {}), "late_penalty": policy}
    course.policies = policies
    course.save(update_fields=["policies"])


def test_a_changed_policy_keeps_the_penalty_a_graded_hand_in_was_told(
    course: Any, slot1: ScribeSlot, student: Any
) -> None:
    """Flat 5% when handed in; switching to 10% per day must not turn 85 into 70."""
    services.scribe_slot_claim(slot=slot1, student=student, now=at(2021, 1, 1))
    sub = services.notes_submit(
        slot=slot1, student=student, tex=tex_file(), now=at(2021, 1, 22, 10)
    )
    services.notes_grade(
        submission=sub, raw_score=Decimal(90), feedback="", graded_by=None, now=at(2021, 2, 1)
    )
    _set_late_policy(course, "scribing", {"kind": "per_day", "percent": 10, "max_percent": 50})
    (item,) = selectors.gradebook_items(course, now=at(2021, 2, 3))[student.pk]
    assert (item.penalty_percent, item.percent) == (5, 85)
    # A lighter policy helps work already handed in.
    _set_late_policy(course, "scribing", {"kind": "none"})
    (item,) = selectors.gradebook_items(course, now=at(2021, 2, 3))[student.pk]
    assert (item.penalty_percent, item.percent) == (0, 90)


def test_never_given_a_lecture_is_pending_then_missing(
    course: Any, slots: list, student: Any, student2: Any
) -> None:
    """Not "pending" forever: once the last lecture's notes are due, no lecture is left to
    scribe and it counts like any missing work; before that the staff see "no slot yet"."""
    services.scribe_slot_claim(slot=slots[0], student=student, now=at(2021, 1, 1))
    (item,) = selectors.gradebook_items(course, now=at(2021, 2, 1))[student2.pk]
    assert item.status == ScoreStatus.PENDING and item.flag == "no slot yet"
    last = max(s.session.date for s in slots)
    after = datetime.combine(last, datetime.min.time(), tzinfo=MTL) + timedelta(days=30)
    (item,) = selectors.gradebook_items(course, now=after)[student2.pk]
    assert item.status == ScoreStatus.MISSING and not item.flag
