"""The gradebook posts the grades the instructor released to the LMS after each recompute:
coalesced, retried, never the same score twice, against the test platform (tests/lti/platform.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from course.models import Course, Enrolment
from grading import services as grading
from grading.models import GradebookSnapshot
from lti import services, tasks
from lti.models import GradePost, LinkedAccount, LinkedCourse
from lti.protocol import ServiceError

from .platform import LEARNER, LtiPlatform, Member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mid_term() -> Any:
    """During TST101's term: a midterm not entered yet is pending, not missing."""
    with time_machine.travel(datetime(2021, 3, 1, 17, 0, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def people(bound_course: Course, lms: LtiPlatform, do_launch: Any) -> dict[str, int]:
    """Ada and Bob launched once from the LMS (so their LMS ids are known); the recompute
    queued by the syllabus load is done."""
    call_command("lti_rotate_key", "--if-missing", verbosity=0)
    lms.tool_jwks = Client().get("/lti/jwks.json").json()
    for name in ("ada", "bob"):
        lms.members[name] = Member(f"lms-{name}", f"{name}@example.org", name.title(), "T", LEARNER)
        assert do_launch(name).status_code == 302
    GradebookSnapshot.objects.filter(course=bound_course).update(queued_at=None, dirty_since=None)
    return {
        name: LinkedAccount.objects.get(subject=f"lms-{name}").user_id for name in ("ada", "bob")
    }


def prof_client(course: Course) -> Client:
    client = Client()
    client.force_login(Enrolment.objects.get(course=course, role="instructor").user)
    return client


def release(client: Client, course: Course, component: str, released: bool = True) -> Any:
    return client.post(
        reverse("admin:grading_gradebook_release", args=[course.pk]),
        {"component": component, "released": "1" if released else "0"},
    )


def midterm(course: Course, student: int, score: str) -> None:
    grading.exam_score_set(
        course=course,
        student_id=student,
        component_key="midterm",
        score=Decimal(score),
        out_of=Decimal(50),
    )


def scores(lms: LtiPlatform) -> list[tuple[str, str, float]]:
    labels = {item["id"].removeprefix(lms.base_url): item["label"] for item in lms.line_items}
    return [(labels[s["lineitem"]], s["userId"], s["scoreGiven"]) for s in lms.scores]


def test_a_released_grade_reaches_the_lms_after_each_recompute_once(
    bound_course: Course,
    lms: LtiPlatform,
    people: dict[str, int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    course, client = bound_course, prof_client(bound_course)
    with django_capture_on_commit_callbacks(execute=True):
        assert release(client, course, "midterm").status_code == 302
    assert lms.scores == [] and lms.line_items == []  # released, but nobody has a midterm yet

    # A score is entered: the recompute it queues posts it.
    with django_capture_on_commit_callbacks(execute=True):
        midterm(course, people["ada"], "41")
    assert scores(lms) == [("Midterm", "lms-ada", 82.0)]
    assert [i["scoreMaximum"] for i in lms.line_items] == [100.0]

    # Recomputing again changes nothing: nothing is posted, not even by the task run by hand.
    with django_capture_on_commit_callbacks(execute=True):
        grading.gradebook_recompute(course=course)
    assert tasks.grades_post(course.pk)["posted"] == 0
    assert len(lms.scores) == 1

    # Bob's midterm: only his score goes; an exam not released never leaves.
    with django_capture_on_commit_callbacks(execute=True):
        midterm(course, people["bob"], "30")
        grading.exam_score_set(
            course=course,
            student_id=people["ada"],
            component_key="early_exam",
            score=Decimal(9),
            out_of=Decimal(10),
        )
    assert scores(lms) == [("Midterm", "lms-ada", 82.0), ("Midterm", "lms-bob", 60.0)]
    assert len(lms.line_items) == 1

    # The final grade, released, goes once it is final for a student (here by an override).
    with django_capture_on_commit_callbacks(execute=True):
        release(client, course, "")
        grading.override_set(
            course=course,
            student_id=people["ada"],
            component_key="",
            value=Decimal("88.5"),
            reason="agreed at the exam review",
            actor=None,
        )
    assert scores(lms)[-1] == ("Final grade", "lms-ada", 88.5)
    assert len(lms.scores) == 3 and len(lms.line_items) == 2

    # Withdrawn: a changed midterm is no longer sent.
    with django_capture_on_commit_callbacks(execute=True):
        release(client, course, "midterm", released=False)
        midterm(course, people["bob"], "35")
    assert len(lms.scores) == 3
    assert GradePost.objects.filter(error="").count() == 3


def test_a_burst_of_recomputes_queues_one_post(
    bound_course: Course,
    lms: LtiPlatform,
    people: dict[str, int],
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    queued: list[Any] = []
    monkeypatch.setattr(
        tasks.grades_post,
        "apply_async",
        lambda args, countdown: queued.append((args, countdown)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        for score in ("30", "31", "32", "33", "34"):
            midterm(bound_course, people["ada"], score)
            grading.gradebook_recompute(course=bound_course)
    assert queued == [((bound_course.pk,), services.GRADES_POST_COUNTDOWN)]

    # The post starts: a recompute after it queues the next one.
    services.released_grades_post(course=bound_course, now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        midterm(bound_course, people["ada"], "35")
        grading.gradebook_recompute(course=bound_course)
    assert len(queued) == 2
    # A post lost with its worker: the marker lapses and a later recompute queues again.
    later = timezone.now() + services.GRADES_POST_STALE + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.grades_post_schedule(course=bound_course, now=later)
    assert len(queued) == 3


def test_a_course_linked_to_no_lms_gradebook_queues_nothing(
    course: Course, make_member: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    queued: list[Any] = []
    monkeypatch.setattr(tasks.grades_post, "apply_async", lambda *a, **kw: queued.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        midterm(course, make_member(course).pk, "40")
        grading.gradebook_recompute(course=course)
    assert queued == [] and not LinkedCourse.objects.exists()


def test_the_lms_down_the_post_is_retried_until_it_goes_through(
    bound_course: Course,
    lms: LtiPlatform,
    people: dict[str, int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        release(prof_client(bound_course), bound_course, "midterm")
    midterm(bound_course, people["ada"], "40")
    midterm(bound_course, people["bob"], "45")
    grading.gradebook_recompute(course=bound_course)
    lms.scores_unavailable = 2  # the LMS answers 503 to both posts of the first run

    # The task's own retry (Celery runs it at once in eager mode, with back-off on a worker).
    result = tasks.grades_post.apply((bound_course.pk,), throw=False)

    assert result.successful(), result.traceback
    assert result.get() == {"posted": 2, "unchanged": 0, "not_linked": 0}
    assert sorted(scores(lms)) == [("Midterm", "lms-ada", 80.0), ("Midterm", "lms-bob", 90.0)]
    assert not GradePost.objects.exclude(error="").exists()


def test_a_failure_is_kept_per_student_and_the_night_posts_it(
    bound_course: Course,
    lms: LtiPlatform,
    people: dict[str, int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        release(prof_client(bound_course), bound_course, "midterm")
    midterm(bound_course, people["ada"], "40")
    grading.gradebook_recompute(course=bound_course)
    lms.scores_unavailable = 1
    with pytest.raises(ServiceError):
        services.released_grades_post(course=bound_course, now=timezone.now())
    post = GradePost.objects.get(user_id=people["ada"])
    assert "503" in post.error and post.posted_at is None

    # The task's retries ran out: the nightly run posts what the LMS still lacks.
    for member in lms.members.values():
        lms.enrol(member)
    tasks.roster_sync_all()  # eager in tests: the roster sync, then the grade post
    post.refresh_from_db()
    assert post.error == "" and post.posted_at is not None
    assert scores(lms) == [("Midterm", "lms-ada", 80.0)]


def test_a_release_with_the_broker_down_is_saved_and_posted_once_the_broker_is_back(
    bound_course: Course,
    lms: LtiPlatform,
    people: dict[str, int],
    django_capture_on_commit_callbacks: Any,
    broker_down: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The broker is a REAL Redis URL on a closed port: the release answers as usual and is
    kept; its post was not queued (logged), and beat's lti.grades_posts_requeue queues it once
    the broker is back and the queue mark is older than GRADES_POST_STALE."""
    midterm(bound_course, people["ada"], "40")
    grading.gradebook_recompute(course=bound_course)
    # That recompute's post ran (as if the broker had gone down just after): no post is queued.
    LinkedCourse.objects.filter(course=bound_course).update(grades_queued_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert release(prof_client(bound_course), bound_course, "midterm").status_code == 302
    assert bound_course.grade_releases.filter(component_key="midterm").exists()
    assert [r for r in caplog.records if "task lti.grades_post not queued" in r.getMessage()]
    assert lms.scores == []

    broker_down.back()
    assert tasks.grades_posts_requeue() == []  # the mark is fresh: the post may still be queued
    assert lms.scores == []
    with time_machine.travel(timezone.now() + services.GRADES_POST_STALE + timedelta(seconds=1)):
        assert tasks.grades_posts_requeue() == [bound_course.pk]  # eager in tests: it posts
    assert scores(lms) == [("Midterm", "lms-ada", 80.0)]
    assert LinkedCourse.objects.get(course=bound_course).grades_queued_at is None
