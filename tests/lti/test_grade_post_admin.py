"""The course's staff see, per student, when their grade last reached the LMS and any error;
only the instructor releases grades."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from course.models import Course, Enrolment
from grading.models import GradeRelease
from lti.models import GradePost, LineItem, LinkedCourse, Platform

pytestmark = pytest.mark.django_db


def _posts(course: Course, platform: Platform, student: Any, other: Any) -> None:
    now = timezone.now()
    link = LinkedCourse.objects.create(
        platform=platform,
        context_id=f"ctx-{course.code}",
        deployment_id="1",
        course=course,
        bound_at=now,
        lineitems_url="https://lms.example.org/lineitems",
    )
    column = LineItem.objects.create(
        link=link,
        key="final",
        label="Final grade",
        score_maximum=100,
        url="https://lms.example.org/lineitems/1",
        created_at=now,
    )
    GradePost.objects.create(
        line_item=column, user=student, score_given=88, posted_at=now, attempted_at=now
    )
    GradePost.objects.create(
        line_item=column,
        user=other,
        score_given=71,
        attempted_at=now,
        error="AGS score for lms-2: HTTP response 503",
    )


def test_the_instructor_sees_the_posts_of_the_course_and_their_errors(
    course: Course, make_member: Any, registered: Platform
) -> None:
    prof = make_member(course, Enrolment.Role.INSTRUCTOR, username="prof")
    ada, bob = make_member(course, username="ada"), make_member(course, username="bob")
    _posts(course, registered, ada, bob)
    client = Client()
    client.force_login(prof)

    page = client.get(reverse("admin:lti_gradepost_changelist"))
    assert page.status_code == 200
    shown = {p.user.username: p for p in page.context["cl"].result_list}
    assert shown.keys() == {"ada", "bob"}
    body = page.content.decode()
    assert "HTTP response 503" in body
    errors = client.get(reverse("admin:lti_gradepost_changelist") + "?error=yes")
    assert [p.user.username for p in errors.context["cl"].result_list] == ["bob"]
    # Read only: nothing to change, add or delete.
    post = GradePost.objects.get(user=ada)
    assert client.get(reverse("admin:lti_gradepost_change", args=[post.pk])).status_code == 200
    assert client.post(reverse("admin:lti_gradepost_delete", args=[post.pk])).status_code == 403
    # The gradebook links to them.
    gradebook = client.get(reverse("admin:grading_gradebook", args=[course.pk])).content.decode()
    assert reverse("admin:lti_gradepost_changelist") in gradebook


def test_only_the_instructor_releases_and_an_unknown_grade_is_refused_by_name(
    course: Course, make_member: Any
) -> None:
    url = reverse("admin:grading_gradebook_release", args=[course.pk])
    ta = Client()
    ta.force_login(make_member(course, Enrolment.Role.TA, username="ta"))
    assert ta.post(url, {"component": "midterm", "released": "1"}).status_code == 403

    prof = Client()
    prof.force_login(make_member(course, Enrolment.Role.INSTRUCTOR, username="prof"))
    answer = prof.post(url, {"component": "nonesuch", "released": "1"}, follow=True)
    assert "Component: no such grade in this course: nonesuch" in answer.content.decode()
    assert not GradeRelease.objects.exists()

    prof.post(url, {"component": "midterm", "released": "1"})
    prof.post(url, {"component": "", "released": "1"})
    assert set(GradeRelease.objects.values_list("component_key", flat=True)) == {"midterm", ""}
    page = prof.get(reverse("admin:grading_gradebook", args=[course.pk])).content.decode()
    assert 'data-release="midterm">Withdraw' in page
    assert 'data-release="early_exam">Release' in page
    prof.post(url, {"component": "midterm", "released": "0"})
    assert list(GradeRelease.objects.values_list("component_key", flat=True)) == [""]
