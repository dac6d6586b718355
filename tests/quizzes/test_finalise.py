"""An attempt left open is submitted at its deadline whenever it is next read: by the gradebook,
the student's grade page and quiz list, in one pass whatever the number of attempts; the
worker (close_overdue_attempts) never runs in these tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from course.scores import ScoreStatus
from grading import selectors as grading_selectors
from grading import services as grading_services
from grading.models import StudentGradeInputs
from quizzes import scores, selectors, services
from quizzes.finalise import finalise_overdue
from quizzes.models import Answer, Attempt, Quiz

from .conftest import questions

pytestmark = pytest.mark.django_db

MTL = ZoneInfo("America/Montreal")
OPENS = datetime(2021, 1, 14, 9, 0, tzinfo=MTL)
STARTED = OPENS + timedelta(minutes=2)  # deadline 09:12 (10 minutes), window closes 09:15
AFTER = OPENS + timedelta(minutes=30)  # closed for everyone


def answer_all(quiz: Quiz, student: Any, now: datetime) -> None:
    """Single right, multiple half right, numeric right, a text answer (for a grader)."""
    qs = questions(quiz)
    right = next(c for c in qs["single"].choices.all() if c.is_correct)
    first = qs["multiple"].choices.order_by("order")[0]
    for kind, value in (
        ("single", right.pk),
        ("multiple", [first.pk]),
        ("numeric", "4.005"),
        ("text", "It damps oscillations"),
    ):
        services.answer_save(
            quiz=quiz, student=student, question_id=qs[kind].pk, value=value, now=now
        )


def test_finalise_grades_as_attempt_submit_does(
    make_quiz: Callable, make_member: Callable, course: Any
) -> None:
    quiz = make_quiz(opens_at=OPENS)
    one, two = make_member(course), make_member(course)
    for s in (one, two):
        services.attempt_start(quiz=quiz, student=s, now=STARTED)
        answer_all(quiz, s, STARTED)
    by_service = services.attempt_submit(attempt=Attempt.objects.get(student=one), now=AFTER)
    assert finalise_overdue(now=AFTER, course=course) == 1
    by_pass = Attempt.objects.get(student=two)
    fields = [
        "submitted_at",
        "submitted_by_timeout",
        "points",
        "points_possible",
        "percent",
        "needs_manual_grading",
    ]
    assert [getattr(by_pass, f) for f in fields] == [getattr(by_service, f) for f in fields]
    assert by_pass.submitted_at == by_pass.deadline and by_pass.submitted_by_timeout
    assert by_pass.points == Decimal("2.50") and by_pass.needs_manual_grading

    def points(student: Any) -> list[Any]:
        return list(
            Answer.objects.filter(attempt__student=student)
            .order_by("question__order")
            .values_list("points", flat=True)
        )

    assert points(two) == points(one) == [Decimal(1), Decimal("0.50"), Decimal(1), None]


def test_only_past_deadline_plus_grace_and_idempotent(quiz: Quiz, student: Any) -> None:
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=timezone.now())
    grace_end = attempt.deadline + quiz.grace
    assert finalise_overdue(now=grace_end) == 0  # the grace is included
    assert finalise_overdue(now=grace_end + timedelta(seconds=1)) == 1
    assert finalise_overdue(now=grace_end + timedelta(seconds=1)) == 0
    attempt.refresh_from_db()
    assert attempt.submitted_at == attempt.deadline and attempt.submitted_by_timeout


def test_scoped_to_the_course_quizzes_and_students_given(
    make_quiz: Callable, make_member: Callable, course: Any
) -> None:
    q1, q2 = make_quiz(opens_at=OPENS, title="Q1"), make_quiz(opens_at=OPENS, title="Q2")
    ana, bob = make_member(course), make_member(course)
    for quiz in (q1, q2):
        for s in (ana, bob):
            services.attempt_start(quiz=quiz, student=s, now=STARTED)
    assert finalise_overdue(now=AFTER, quiz_ids=[q1.pk], student_ids=[ana.pk]) == 1
    assert finalise_overdue(now=AFTER, student_ids=[ana.pk]) == 1
    assert Attempt.objects.filter(submitted_at__isnull=True, student=bob).count() == 2
    assert finalise_overdue(now=AFTER, course=course) == 2


def test_query_count_does_not_grow_with_the_attempts(
    make_quiz: Callable,
    make_member: Callable,
    course: Any,
    django_assert_num_queries: Any,
    django_assert_max_num_queries: Any,
) -> None:
    with django_assert_num_queries(1):  # nothing overdue: one read
        assert finalise_overdue(now=AFTER, course=course) == 0
    counts = []
    for size in (2, 12):
        for quiz in (
            make_quiz(opens_at=OPENS, title=f"A{size}"),
            make_quiz(opens_at=OPENS, title=f"B{size}"),
        ):
            for _ in range(size // 2):
                s = make_member(course)
                services.attempt_start(quiz=quiz, student=s, now=STARTED)
                answer_all(quiz, s, STARTED)
        with django_assert_max_num_queries(9) as ctx:
            assert finalise_overdue(now=AFTER, course=course) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


# --- the readers ---------------------------------------------------------------------------------


@pytest.fixture
def left_open(make_quiz: Callable, student: Any) -> Attempt:
    """The student started at 09:02, answered the single-choice question right, and left:
    nobody submitted, and the worker is down."""
    quiz = make_quiz(opens_at=OPENS, title="Gradient descent quiz")
    with time_machine.travel(STARTED, tick=False):
        attempt, _ = services.attempt_start(quiz=quiz, student=student, now=STARTED)
        q = questions(quiz)["single"]
        right = next(c for c in q.choices.all() if c.is_correct)
        services.answer_save(
            quiz=quiz, student=student, question_id=q.pk, value=right.pk, now=STARTED
        )
    return attempt


def test_the_bare_selector_alone_would_say_pending(left_open: Attempt, course: Any) -> None:
    """What the gradebook read before: the attempt 'being graded' for ever."""
    [item] = selectors.gradebook_items(course, AFTER)[left_open.student_id]
    assert item.status == ScoreStatus.PENDING
    [item] = scores.gradebook_items(course, AFTER)[left_open.student_id]
    assert item.status == ScoreStatus.GRADED and item.percent == Decimal(25)


def test_grading_reads_quizzes_through_the_finalising_provider() -> None:
    assert grading_selectors.item_provider("quizzes") is scores.gradebook_items


def test_gradebook_recompute_grades_the_attempt_left_open(left_open: Attempt, course: Any) -> None:
    with time_machine.travel(AFTER, tick=False):
        grading_services.gradebook_recompute(course=course, now=timezone.now())
    left_open.refresh_from_db()
    assert left_open.submitted_at == left_open.deadline and left_open.submitted_by_timeout
    assert left_open.points == 1 and left_open.percent == Decimal(25)
    stored = StudentGradeInputs.objects.get(course=course, student_id=left_open.student_id)
    quizzes = next(c for c in stored.data["components"] if c["key"] == "quizzes")
    [[key, _label, status, percent, *_rest]] = quizzes["items"]
    assert (key, status, Decimal(percent)) == (left_open.quiz.gradebook_key, "graded", 25)


def test_student_grade_page_shows_the_attempt_graded(
    client: Any, left_open: Attempt, course: Any, student: Any
) -> None:
    client.force_login(student)
    with time_machine.travel(AFTER, tick=False):
        html = client.get(reverse("my_grades", kwargs={"code": course.code})).content.decode()
    component = html[html.index('id="component-quizzes"') :]
    component = component[: component.index("</tr>")]
    assert '<li class="item-graded' in component and "25.00%" in component
    assert "pending" not in component


def test_quiz_list_counts_the_attempt_left_open(
    client: Any, left_open: Attempt, course: Any, student: Any
) -> None:
    client.force_login(student)
    with time_machine.travel(AFTER, tick=False):
        response = client.get(reverse("quiz_list", kwargs={"code": course.code}))
    assert response.status_code == 200
    assert response.context["best"].counted == (left_open.quiz.gradebook_key,)
    left_open.refresh_from_db()
    assert left_open.submitted_at == left_open.deadline


def test_api_quiz_list_reports_the_attempt_left_open_as_submitted(
    client: Any, left_open: Attempt, course: Any, student: Any
) -> None:
    client.force_login(student)
    with time_machine.travel(AFTER, tick=False):
        response = client.get(reverse("api_quizzes", kwargs={"code": course.code}))
    assert response.status_code == 200
    row = next(r for r in response.json() if r["id"] == left_open.quiz_id)
    assert row["attempt_status"] == "submitted"
    left_open.refresh_from_db()
    assert left_open.submitted_at == left_open.deadline and left_open.submitted_by_timeout


# --- races, decided by PostgreSQL's row locks ------------------------------------------------------


def _postgres_only() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is decided by PostgreSQL; run with DATABASE_URL=postgres://...")


@pytest.mark.django_db(transaction=True)
def test_a_submit_in_flight_wins_over_the_read_pass(make_quiz: Callable, student: Any) -> None:
    """The pass waits for the row a submit holds, then leaves the submitted attempt alone."""
    import threading
    import time

    from django.db import connection as main_conn
    from django.db import transaction

    _postgres_only()
    quiz = make_quiz(opens_at=OPENS)
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=STARTED)
    locked = threading.Event()
    own_submit = attempt.deadline - timedelta(minutes=1)

    def submit() -> None:
        from django.db import connection as conn

        try:
            with transaction.atomic():
                row = Attempt.objects.select_for_update().get(pk=attempt.pk)
                locked.set()
                time.sleep(0.5)
                row.submitted_at = own_submit
                row.save(update_fields=["submitted_at"])
        finally:
            conn.close()

    thread = threading.Thread(target=submit)
    thread.start()
    assert locked.wait(5)
    assert finalise_overdue(now=AFTER, course=quiz.course) == 0
    thread.join()
    attempt.refresh_from_db()
    assert attempt.submitted_at == own_submit and not attempt.submitted_by_timeout
    main_conn.close()


@pytest.mark.django_db(transaction=True)
def test_the_worker_and_a_read_close_each_attempt_once(
    make_quiz: Callable, make_member: Callable, course: Any
) -> None:
    import threading

    _postgres_only()
    quiz = make_quiz(opens_at=OPENS)
    students = [make_member(course) for _ in range(6)]
    for s in students:
        services.attempt_start(quiz=quiz, student=s, now=STARTED)
        answer_all(quiz, s, STARTED)
    barrier = threading.Barrier(2)
    closed: dict[str, int] = {}
    errors: list[Exception] = []

    def run(name: str, fn: Callable[[], int]) -> None:
        from django.db import connection as conn

        try:
            barrier.wait()
            closed[name] = fn()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [
        threading.Thread(target=run, args=("worker", lambda: services.close_overdue(now=AFTER))),
        threading.Thread(
            target=run, args=("read", lambda: finalise_overdue(now=AFTER, course=course))
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    # The read pass counts only the attempts it submitted (close_overdue counts every attempt
    # it looked at); whichever got each row first, it ends submitted at its deadline and graded.
    assert 0 <= closed["read"] <= len(students)
    for a in Attempt.objects.all():
        assert a.submitted_at == a.deadline and a.submitted_by_timeout
        assert a.points == Decimal("2.50") and a.needs_manual_grading
