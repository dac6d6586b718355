"""The admin's statistics of a quiz, the term view and the live view: what the instructor and
the TAs see, the numbers as CSV, and a query count that does not grow with the class."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from course.models import Course
from quizzes import services
from quizzes.models import Quiz

from .conftest import build_quiz, questions

pytestmark = pytest.mark.django_db


def _take(quiz: Quiz, student: Any, *, strong: bool, submit: bool = True) -> None:
    """A strong student gets the multiple-choice and numeric questions right and, the key of
    the single-choice question being wrong, picks the "wrong" choice there; a weak one the
    reverse."""
    now = timezone.now()
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=now, check_code=False)
    q = questions(quiz)
    yes, no = list(q["single"].choices.order_by("order"))
    right = [c.pk for c in q["multiple"].choices.filter(is_correct=True)]
    wrong = [c.pk for c in q["multiple"].choices.filter(is_correct=False)]
    answers = {
        q["single"].pk: no.pk if strong else yes.pk,
        q["multiple"].pk: right if strong else wrong,
        q["numeric"].pk: "4" if strong else "7",
    }
    for qid, value in answers.items():
        services.answer_save(quiz=quiz, student=student, question_id=qid, value=value, now=now)
    if submit:
        services.attempt_submit(attempt=attempt, now=now)


def _class(course: Course, quiz: Quiz, make_member: Callable[..., Any], n: int) -> list[Any]:
    students = [make_member(course, "student") for _ in range(n)]
    for i, s in enumerate(students):
        _take(quiz, s, strong=i < n // 2)
    return students


@pytest.fixture
def instructor(course: Course, make_member: Callable[..., Any]) -> Client:
    client = Client()
    client.force_login(make_member(course, "instructor"))
    return client


def test_statistics_page_flags_a_wrong_key_and_draws_the_charts(
    course: Course, quiz: Quiz, make_member: Callable[..., Any], instructor: Client
) -> None:
    _class(course, quiz, make_member, 6)
    page = instructor.get(reverse("admin:quizzes_quiz_stats", args=[quiz.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('role="img"') >= 4  # scores, facility, discrimination, two choice charts
    assert 'id="chart-scores-title"' in html and "<desc" in html
    single = questions(quiz)["single"]
    flagged = html[html.index('id="flagged"') :]
    assert f'href="#question-{single.pk}"' in flagged[: flagged.index("</div>")]
    assert "discrimination −1" in html or "discrimination -1" in html
    assert 'id="stat-attempts">6<' in html


def test_the_numbers_beside_each_chart_come_as_csv(
    course: Course, quiz: Quiz, make_member: Callable[..., Any], instructor: Client
) -> None:
    _class(course, quiz, make_member, 6)
    url = reverse("admin:quizzes_quiz_stats", args=[quiz.pk])
    response = instructor.get(url, {"csv": "scores"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Score (%)", "Attempts"]
    assert sum(int(r[1]) for r in rows[1:]) == 6
    single = questions(quiz)["single"]
    choices = list(
        csv.reader(
            io.StringIO(instructor.get(url, {"csv": f"choices-{single.pk}"}).content.decode())
        )
    )
    assert choices[1][:5] == ["1. yes", "yes", "3", "0", "2"]  # picked by the weak half only
    facility = list(
        csv.reader(io.StringIO(instructor.get(url, {"csv": "facility"}).content.decode()))
    )
    assert facility[1][-1] == "yes"  # question 1: check the key
    bad = instructor.get(url, {"csv": "nope"})
    assert bad.status_code == 400 and b"csv" in bad.content


def test_practice_and_open_attempts_are_left_out(
    course: Course, quiz: Quiz, make_member: Callable[..., Any], instructor: Client
) -> None:
    _class(course, quiz, make_member, 3)
    _take(quiz, make_member(course, "student"), strong=True, submit=False)
    html = instructor.get(reverse("admin:quizzes_quiz_stats", args=[quiz.pk])).content.decode()
    assert 'id="stat-attempts">3<' in html


def _max_queries_page(
    client: Client, url: str, django_assert_max_num_queries: Any, bound: int
) -> None:
    with django_assert_max_num_queries(bound):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [4, 16])
def test_statistics_queries_do_not_grow_with_the_class(
    size: int,
    course: Course,
    quiz: Quiz,
    make_member: Callable[..., Any],
    instructor: Client,
    django_assert_max_num_queries: Any,
) -> None:
    _class(course, quiz, make_member, size)
    url = reverse("admin:quizzes_quiz_stats", args=[quiz.pk])
    # Session, user, enrolments; overdue attempts; the quiz; questions, choices, attempts,
    # answers; the live counts (3).
    _max_queries_page(instructor, url, django_assert_max_num_queries, 12)


@pytest.mark.parametrize("size", [4, 16])
def test_term_view_queries_do_not_grow_with_the_class(
    size: int,
    course: Course,
    make_member: Callable[..., Any],
    instructor: Client,
    django_assert_max_num_queries: Any,
) -> None:
    past = timezone.now() - timedelta(days=2)
    quizzes = [
        build_quiz(course, opens_at=past - timedelta(days=i), session_index=i + 1, title=f"Q{i}")
        for i in range(3)
    ]
    students = [make_member(course, "student") for _ in range(size)]
    for quiz in quizzes[:2]:
        for i, s in enumerate(students):
            if i % 3:
                _take_closed(quiz, s)
    url = reverse("admin:quizzes_quiz_term", args=[course.pk])
    # Session, user, enrolments; the course; overdue attempts and the gradebook's items;
    # the quizzes and the students.
    _max_queries_page(instructor, url, django_assert_max_num_queries, 11)


def _take_closed(quiz: Quiz, student: Any) -> None:
    """An attempt made while the (past) quiz was open, submitted then."""
    at = quiz.opens_at + timedelta(minutes=1)
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=at, check_code=False)
    single = questions(quiz)["single"]
    services.answer_save(
        quiz=quiz,
        student=student,
        question_id=single.pk,
        value=single.choices.get(is_correct=True).pk,
        now=at,
    )
    services.attempt_submit(attempt=attempt, now=at)


def test_term_view_shows_trajectories_cutoff_and_who_missed(
    course: Course, make_member: Callable[..., Any], instructor: Client
) -> None:
    past = timezone.now() - timedelta(days=2)
    quizzes = [
        build_quiz(course, opens_at=past - timedelta(days=i), session_index=i + 1, title=f"Q{i}")
        for i in range(2)
    ]
    diligent, absent = make_member(course, "student"), make_member(course, "student")
    for quiz in quizzes:
        _take_closed(quiz, diligent)
    url = reverse("admin:quizzes_quiz_term", args=[course.pk])
    html = instructor.get(url).content.decode()
    assert 'id="chart-class"' in html and 'id="chart-participation"' in html
    row = html[html.index(f'id="term-student-{absent.pk}"') :]
    assert row[: row.index("</tr>")].count("✗") == 2
    chosen = instructor.get(url, {"student": diligent.pk}).content.decode()
    assert 'id="chart-student"' in chosen and "best 8 cutoff" in chosen
    rows = list(csv.reader(io.StringIO(instructor.get(url, {"csv": "students"}).content.decode())))
    assert rows[0][0] == "Student" and len(rows) == 3
    participation = list(
        csv.reader(io.StringIO(instructor.get(url, {"csv": "participation"}).content.decode()))
    )
    assert [r[2] for r in participation[1:]] == ["1", "1"]  # one missed each quiz


def test_live_view_counts_who_answered_never_what(
    course: Course, quiz: Quiz, make_member: Callable[..., Any], instructor: Client
) -> None:
    for i in range(3):
        _take(quiz, make_member(course, "student"), strong=bool(i), submit=i == 0)
    data = instructor.get(reverse("admin:quizzes_quiz_live_json", args=[quiz.pk])).json()
    assert (data["opened"], data["answering"], data["submitted"]) == (3, 2, 1)
    answered = {q["id"]: q["answered"] for q in data["questions"]}
    q = questions(quiz)
    assert answered[q["single"].pk] == 3 and answered[q["text"].pk] == 0
    assert set(data["questions"][0]) == {"id", "answered"}
    page = instructor.get(reverse("admin:quizzes_quiz_live", args=[quiz.pk])).content.decode()
    assert "js/quiz_live.js" in page and f'data-live-question="{q["single"].pk}">3<' in page


def test_students_and_other_courses_get_no_statistics(
    course: Course, quiz: Quiz, make_member: Callable[..., Any]
) -> None:
    client = Client()
    client.force_login(make_member(course, "student"))
    for url in (
        reverse("admin:quizzes_quiz_stats", args=[quiz.pk]),
        reverse("admin:quizzes_quiz_term", args=[course.pk]),
        reverse("admin:quizzes_quiz_live_json", args=[quiz.pk]),
    ):
        assert client.get(url).status_code in (302, 403)
    ta = Client()
    ta.force_login(make_member(course, "ta"))
    assert ta.get(reverse("admin:quizzes_quiz_term", args=[course.pk])).status_code == 200
    assert ta.get(reverse("admin:quizzes_quiz_stats", args=[quiz.pk])).status_code == 200


def test_a_pool_is_analysed_per_variant_drawn(
    course: Course, quiz: Quiz, make_member: Callable[..., Any], instructor: Client
) -> None:
    from quizzes.models import Answer, Attempt, Choice, Question

    # Two questions of the pool "convexity": each student drew one of them.
    first = questions(quiz)["single"]
    second = Question.objects.create(
        quiz=quiz, order=first.order, kind="single", prompt="Is $|x|$ convex?", pool="convexity"
    )
    right = Choice.objects.create(question=second, order=0, text="yes", is_correct=True)
    Choice.objects.create(question=second, order=1, text="no")
    Question.objects.filter(pk=first.pk).update(pool="convexity")
    others = [q.pk for q in quiz.questions.exclude(pool="convexity")]
    now = timezone.now()
    for i in range(6):
        drawn = first if i % 2 else second
        attempt = Attempt.objects.create(
            quiz=quiz,
            student=make_member(course, "student"),
            started_at=now,
            deadline=now + timedelta(minutes=10),
            submitted_at=now,
            variant={"questions": [drawn.pk, *others]},
        )
        if drawn is second:
            Answer.objects.create(
                attempt=attempt, question=second, value=right.pk, saved_at=now, points=1
            )
    html = instructor.get(reverse("admin:quizzes_quiz_stats", args=[quiz.pk])).content.decode()
    assert "1a. " in html and "1b. " in html and "drawn by 3 students" in html
    url = reverse("admin:quizzes_quiz_stats", args=[quiz.pk])
    rows = list(csv.reader(io.StringIO(instructor.get(url, {"csv": "facility"}).content.decode())))
    by_label = {r[0]: r for r in rows[1:]}
    assert by_label["1a"][1:4] == ["3", "0", "0.0"]  # drew it, answered, facility
    assert by_label["1b"][1:4] == ["3", "3", "100.0"]
