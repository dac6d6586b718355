"""Admin of scribing and of extension requests: grading, publication, approvals, extensions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from course.deadlines.models import Extension, ExtensionRequest
from course.models import Enrolment
from scribing import selectors, services
from scribing.models import NotesSubmission
from tests.factories import UserFactory

from .conftest import at, tex_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(client: Any) -> Any:
    user = UserFactory.create(superuser=True, username="boss", email="b@x.org")
    client.force_login(user)
    return user


def test_grade_in_change_form_shared_by_both_scribes(
    client: Any, boss: Any, course: Any, slot1: Any, student: Any, student2: Any
) -> None:
    services.scribe_slot_claim(slot=slot1, student=student, now=at(2021, 1, 1))
    services.scribe_slot_claim(slot=slot1, student=student2, now=at(2021, 1, 1))
    sub = services.notes_submit(slot=slot1, student=student, tex=tex_file(), now=at(2021, 1, 19))
    change = reverse("admin:scribing_notessubmission_change", args=[sub.pk])
    page = client.get(change)
    assert page.status_code == 200 and ".tex" in page.content.decode()
    r = client.post(change, {"raw_score": "93", "feedback": "Very clear."})
    assert r.status_code == 302, r.content.decode()[:2000]
    sub.refresh_from_db()
    assert sub.raw_score == Decimal(93) and sub.graded_by == boss
    items = selectors.gradebook_items(course, now=at(2021, 2, 1))
    assert items[student.pk][0].percent == items[student2.pk][0].percent == Decimal(93)
    r = client.post(
        reverse("admin:scribing_notessubmission_changelist"),
        {"action": "publish", "_selected_action": [sub.pk]},
    )
    assert r.status_code == 302
    assert NotesSubmission.objects.get(pk=sub.pk).is_published


def test_approve_and_decline_requests(
    client: Any, boss: Any, course: Any, slots: list, student: Any, student2: Any
) -> None:
    a1 = services.scribe_slot_claim(slot=slots[0], student=student, now=at(2021, 1, 1))
    a2 = services.scribe_slot_claim(slot=slots[1], student=student2, now=at(2021, 1, 1))
    r1 = services.extension_request(assignment=a1, reason="sick", requested_due_at=None)
    r2 = services.extension_request(assignment=a2, reason="busy", requested_due_at=None)
    assert r1.target == slots[0].session
    changelist = reverse("admin:course_extensionrequest_changelist")
    assert client.get(changelist).status_code == 200
    client.post(changelist, {"action": "approve", "_selected_action": [r1.pk]})
    client.post(changelist, {"action": "decline", "_selected_action": [r2.pk]})
    r1.refresh_from_db()
    r2.refresh_from_db()
    assert (r1.status, r2.status) == ("approved", "declined")
    ext = Extension.objects.get()
    assert ext.student == student and ext.granted_by == boss and ext.request == r1
    assert ext.due_at == at(2021, 1, 27, 23, 59)  # one week after the original due date
    policy = selectors.scribing_policy(course)
    assert selectors.student_due(course, slots[0].session, student.pk, policy) == ext.due_at
    # History kept: a new request is possible after the decision.
    services.extension_request(assignment=a2, reason="still busy", requested_due_at=None)
    assert ExtensionRequest.objects.filter(student=student2).count() == 2


def test_extend_lecture_for_everyone(
    client: Any, boss: Any, course: Any, slot1: Any, student: Any
) -> None:
    client.post(
        reverse("admin:scribing_scribeslot_changelist"),
        {"action": "extend_one_week", "_selected_action": [slot1.pk]},
    )
    policy = selectors.scribing_policy(course)
    assert selectors.student_due(course, slot1.session, student.pk, policy) == at(
        2021, 1, 27, 23, 59
    )


def test_admin_pages_need_staff(client: Any, course: Any, make_member: Any) -> None:
    client.force_login(make_member(course, Enrolment.Role.STUDENT))
    r = client.get(reverse("admin:scribing_auto_assign", args=[course.pk]))
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_slot_inline_writes_scribes_through_the_service(
    client: Any, boss: Any, course: Any, slots: list, student: Any, student2: Any
) -> None:
    from scribing.models import ScribeAssignment
    from tests.admin_forms import form_data

    services.scribe_slot_claim(slot=slots[0], student=student, now=at(2021, 1, 1))
    change = reverse("admin:scribing_scribeslot_change", args=[slots[1].pk])
    data = form_data(client.get(change).content.decode())
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS")).removesuffix("-TOTAL_FORMS")
    # The instructor adds a second student: saved with the slot's course.
    data.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-0-student": str(student2.pk)})
    data[f"{prefix}-0-source"] = ScribeAssignment.Source.INSTRUCTOR
    r = client.post(change, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    added = ScribeAssignment.objects.get(student=student2)
    assert added.slot == slots[1] and added.course_id == course.pk
    # A student who already scribes another lecture: told so, nothing changed (not a 500).
    data = form_data(client.get(change).content.decode())
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(total + 1),
            f"{prefix}-{total}-student": str(student.pk),
            f"{prefix}-{total}-source": ScribeAssignment.Source.INSTRUCTOR,
        }
    )
    r = client.post(change, data, follow=True)
    assert r.status_code == 200
    assert "already scribes a lecture" in r.content.decode()
    assert ScribeAssignment.objects.get(student=student).slot == slots[0]
