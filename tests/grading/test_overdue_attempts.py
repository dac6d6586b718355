"""Wherever grades are read, a quiz attempt left open past its deadline is submitted and graded
first, as the quiz pages do: the student's grades page and `grades/me`, the staff grades API, the
admin gradebook and its exports. No worker runs here (no beat, no close_overdue_attempts task):
only the read can close the attempt."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from course.selectors import course_policy
from grading import services
from quizzes import services as quiz_services
from quizzes.models import Attempt, Quiz
from quizzes.policy import QuizPolicy
from tests.factories import ChoiceFactory, QuestionFactory, QuizFactory, UserFactory
from tests.present import present

pytestmark = pytest.mark.django_db


@pytest.fixture
def left_open(course: Any, make_member: Any) -> dict[str, Any]:
    """Ada started a one-question quiz, answered it right and closed the laptop; the gradebook
    was last recomputed while the quiz was still open (so it stored her quiz as pending)."""
    opens_at = timezone.now() - timedelta(minutes=1)
    quiz = QuizFactory.create(
        course=course,
        session=course.sessions.order_by("starts_at")[1],
        title="Gradient descent quiz",
        opens_at=opens_at,
    )
    question = QuestionFactory.create(quiz=quiz, prompt="Is $x^2$ convex?")
    right = ChoiceFactory.create(question=question, order=0, text="yes", is_correct=True)
    ChoiceFactory.create(question=question, order=1, text="no")
    ada = make_member(course, "student", username="ada")
    now = timezone.now()
    quiz_services.attempt_start(quiz=quiz, student=ada, now=now)
    quiz_services.answer_save(
        quiz=quiz, student=ada, question_id=question.pk, value=right.pk, now=now
    )
    services.gradebook_recompute(course=course, now=now)
    return {"quiz": quiz, "ada": ada, "after": opens_at + timedelta(minutes=30)}


def _quiz_item(components: list[dict[str, Any]], key: str) -> dict[str, Any]:
    quizzes = next(c for c in components if c["key"] == "quizzes")
    return next(i for i in quizzes["items"] if i["key"] == key)


def _quiz_component_percent(quiz: Quiz) -> str:
    """The quizzes component with this one quiz at 100%: best-N counts the others as 0."""
    best_n = course_policy(quiz.course, QuizPolicy).best_n
    return f"{Decimal(100) / best_n:.2f}"


def _assert_submitted_at_deadline(quiz: Quiz) -> None:
    attempt = Attempt.objects.get(quiz=quiz)
    assert attempt.submitted_at == attempt.deadline and attempt.submitted_by_timeout
    assert attempt.percent == 100


def test_grades_me_api_submits_the_overdue_attempt(client: Any, left_open: dict) -> None:
    quiz, ada = left_open["quiz"], left_open["ada"]
    client.force_login(ada)
    url = f"/api/courses/{quiz.course.code}/grades/me/"
    before = client.get(url).json()
    assert _quiz_item(before["grade"]["components"], quiz.gradebook_key)["status"] == "pending"
    with time_machine.travel(left_open["after"], tick=False):
        data = client.get(url).json()
    item = _quiz_item(data["grade"]["components"], quiz.gradebook_key)
    assert item["status"] == "graded" and item["percent"] == "100.00"
    _assert_submitted_at_deadline(quiz)


def test_my_grades_page_submits_the_overdue_attempt(client: Any, left_open: dict) -> None:
    quiz, ada = left_open["quiz"], left_open["ada"]
    client.force_login(ada)
    url = reverse("my_grades", kwargs={"code": quiz.course.code})
    with time_machine.travel(left_open["after"], tick=False):
        body = client.get(url).content.decode()
    assert "being graded" not in body
    _assert_submitted_at_deadline(quiz)
    # The page shows what the recompute stored: the quiz counted at 100%.
    report = client.get(f"/api/courses/{quiz.course.code}/grades/me/").json()
    assert _quiz_item(report["grade"]["components"], quiz.gradebook_key)["status"] == "graded"


def test_staff_grades_api_submits_the_overdue_attempt(
    client: Any, left_open: dict, make_member: Any
) -> None:
    quiz = left_open["quiz"]
    client.force_login(make_member(quiz.course, "ta", username="tara"))
    url = f"/api/courses/{quiz.course.code}/grades/"
    row = client.get(url).json()["rows"][0]
    assert row["components"]["quizzes"]["status"] == "pending"
    with time_machine.travel(left_open["after"], tick=False):
        row = client.get(url).json()["rows"][0]
    assert row["username"] == "ada"
    assert row["components"]["quizzes"]["percent"] == _quiz_component_percent(quiz)
    _assert_submitted_at_deadline(quiz)


@pytest.mark.parametrize(
    "view", ["grading_gradebook", "grading_gradebook_export", "grading_gradebook_moodle"]
)
def test_admin_gradebook_submits_the_overdue_attempt(
    client: Any, left_open: dict, view: str
) -> None:
    quiz = left_open["quiz"]
    root = UserFactory.create(superuser=True, username="root", email="root@example.org")
    client.force_login(root)
    with time_machine.travel(left_open["after"], tick=False):
        resp = client.get(reverse(f"admin:{view}", args=[quiz.course.pk]))
    assert resp.status_code == 200
    _assert_submitted_at_deadline(quiz)
    row = present(services.selectors.snapshot_of(quiz.course)).rows[0]
    assert row["components"]["quizzes"]["percent"] == _quiz_component_percent(quiz)


def test_nothing_overdue_costs_one_query_and_no_recompute(
    course: Any, left_open: dict, django_assert_num_queries: Any
) -> None:
    runs = present(services.selectors.snapshot_of(course)).runs
    with django_assert_num_queries(1):
        assert services.grades_settle(course=course, now=timezone.now()) == 0
    assert present(services.selectors.snapshot_of(course)).runs == runs
