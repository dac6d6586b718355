"""Charts of the grades: the student's breakdown (each component's contribution, the term's
quizzes with the best N marked) and the gradebook's distributions, with their CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from course.models import Course
from grading import services
from quizzes import services as quiz_services
from tests.quizzes.conftest import build_quiz, questions

pytestmark = pytest.mark.django_db


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _quiz_with_attempt(course: Course, student: Any, index: int, *, right: bool) -> None:
    opens = timezone.now() - timedelta(days=3 + index)
    quiz = build_quiz(course, opens_at=opens, session_index=index + 1, title=f"Quiz {index}")
    at = opens + timedelta(minutes=1)
    attempt, _ = quiz_services.attempt_start(quiz=quiz, student=student, now=at, check_code=False)
    single = questions(quiz)["single"]
    choice = single.choices.get(is_correct=right)
    quiz_services.answer_save(
        quiz=quiz, student=student, question_id=single.pk, value=choice.pk, now=at
    )
    quiz_services.attempt_submit(attempt=attempt, now=at)


def _best_n(course: Course, n: int) -> None:
    policies = dict(course.policies or {})
    policies["quizzes"] = {**policies.get("quizzes", {}), "best_n": n}
    course.policies = policies
    course.save(update_fields=["policies"])


def test_grade_page_draws_the_contributions_and_the_best_quizzes(
    client: Any, course: Course, make_member: Any
) -> None:
    ada = make_member(course, "student", username="ada")
    services.exam_score_set(
        course=course, student_id=ada.pk, component_key="midterm", score=D(41), out_of=D(50)
    )
    _best_n(course, 2)
    for i, right in enumerate([True, False, True]):
        _quiz_with_attempt(course, ada, i, right=right)
    services.gradebook_recompute(course=course)
    client.force_login(ada)
    url = reverse("my_grades", kwargs={"code": course.code})
    html = client.get(url).content.decode()
    components = html[html.index('id="chart-components"') :]
    assert 'role="img"' in components and "Midterm" in components
    quizzes = html[html.index('id="chart-quizzes"') :]
    assert quizzes.count('class="bar counted"') == 2
    assert quizzes.count('class="bar dropped"') == 1
    assert "best 2 cutoff" in quizzes
    rows = _csv(client.get(url, {"csv": "quizzes"}))
    assert rows[0] == ["Quiz", "Score (%)", "Status", "Counts"]
    assert [r[3] for r in rows[1:]].count("yes") == 2
    contributions = _csv(client.get(url, {"csv": "components"}))
    midterm = next(r for r in contributions if r[0] == "Midterm")
    assert midterm[4] == "12.3"  # 82% of 15 points
    assert contributions[-1][0] in ("Final grade", "Earned so far")
    bad = client.get(url, {"csv": "nothing"})
    assert bad.status_code == 400 and b"csv" in bad.content


def test_gradebook_shows_the_distributions_of_grades_and_components(
    client: Any, course: Course, make_class: Any, django_assert_max_num_queries: Any
) -> None:
    from django.contrib.auth import get_user_model

    users = make_class(course, 6)
    for i, u in enumerate(users):
        services.exam_score_set(
            course=course, student_id=u.pk, component_key="midterm", score=D(10 * i), out_of=D(50)
        )
    services.gradebook_recompute(course=course)
    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(root)
    url = reverse("admin:grading_gradebook", args=[course.pk])
    html = client.get(url).content.decode()
    assert 'id="chart-final"' in html and 'id="chart-component-midterm"' in html
    assert 'id="chart-letters"' in html
    midterm = _csv(client.get(url, {"csv": "component-midterm"}))
    # 0, 20, 40, 60, 80, 100 %
    assert [int(r[1]) for r in midterm[1:]] == [1, 0, 1, 0, 1, 0, 1, 0, 1, 1]
    assert client.get(url, {"csv": "x"}).status_code == 400
