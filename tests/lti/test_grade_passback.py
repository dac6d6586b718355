"""Assignment and Grade Services: released grades reach the LMS gradebook once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from course.models import Course
from lti.models import GradePost, LinkedCourse
from lti.protocol import ServiceError
from lti.rules import LmsGrade
from lti.services import grades_post

from .platform import LEARNER, LtiPlatform, Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def students(bound_course: Course, lms: LtiPlatform, do_launch: Any) -> dict[str, Any]:
    call_command("lti_rotate_key", "--if-missing", verbosity=0)
    lms.tool_jwks = Client().get("/lti/jwks.json").json()
    people = {}
    for name in ("ada", "bob"):
        lms.members[name] = Member(f"lms-{name}", f"{name}@example.org", name.title(), "T", LEARNER)
        assert do_launch(name).status_code == 302
        people[name] = lms.members[name]
    return people


def final(user_id: int, score: str) -> LmsGrade:
    return LmsGrade(user_id, "final", "Final grade", Decimal(score), Decimal(100))


def user_id(sub: str) -> int:
    from lti.models import LinkedAccount

    return LinkedAccount.objects.get(subject=sub).user_id


def test_a_recomputed_grade_reaches_the_lms_once(
    bound_course: Course, lms: LtiPlatform, students: dict[str, Any]
) -> None:
    ada, bob = user_id("lms-ada"), user_id("lms-bob")
    assert LinkedCourse.objects.get().lineitems_url == f"{lms.base_url}/lineitems"

    report = grades_post(
        course=bound_course, grades=[final(ada, "87.50"), final(bob, "72")], now=timezone.now()
    )

    assert (report.posted, report.unchanged) == (2, 0)
    assert [i["label"] for i in lms.line_items] == ["Final grade"]  # the column, created once
    assert lms.line_items[0]["scoreMaximum"] == 100.0
    assert {(s["userId"], s["scoreGiven"], s["scoreMaximum"]) for s in lms.scores} == {
        ("lms-ada", 87.5, 100.0),
        ("lms-bob", 72.0, 100.0),
    }
    assert all(s["gradingProgress"] == "FullyGraded" for s in lms.scores)

    # The next recompute gives the same scores, except Bob's, which changed.
    report = grades_post(
        course=bound_course, grades=[final(ada, "87.5"), final(bob, "74")], now=timezone.now()
    )
    assert (report.posted, report.unchanged) == (1, 1)
    assert len(lms.scores) == 3 and lms.scores[-1]["userId"] == "lms-bob"
    assert len(lms.line_items) == 1
    assert GradePost.objects.get(user_id=bob).score_given == Decimal(74)


def test_a_failed_post_is_kept_with_its_error_and_retried_until_it_succeeds(
    bound_course: Course, lms: LtiPlatform, students: dict[str, Any]
) -> None:
    ada = user_id("lms-ada")
    grades_post(course=bound_course, grades=[final(ada, "80")], now=timezone.now())
    lms.issued_tokens.clear()  # the LMS revokes the tool's tokens...
    lms.tool_jwks = {"keys": []}  # ...and forgets its key
    from django.core.cache import cache

    cache.clear()

    with pytest.raises(ServiceError):
        grades_post(course=bound_course, grades=[final(ada, "85")], now=timezone.now())
    post = GradePost.objects.get(user_id=ada)
    assert post.error and post.score_given == Decimal(85)
    assert len(lms.scores) == 1

    lms.tool_jwks = Client().get("/lti/jwks.json").json()
    result = grades_post(course=bound_course, grades=[final(ada, "85")], now=timezone.now())
    assert result.posted == 1
    assert lms.scores[-1]["scoreGiven"] == 85.0
    post.refresh_from_db()
    assert post.error == "" and post.posted_at is not None


def test_a_student_never_seen_by_the_lms_is_not_posted(
    bound_course: Course, lms: LtiPlatform, students: dict[str, Any], make_member: Any
) -> None:
    stranger = make_member(bound_course)
    report = grades_post(course=bound_course, grades=[final(stranger.pk, "90")], now=timezone.now())
    assert (report.posted, report.not_linked) == (0, 1)
    assert lms.scores == []
