"""Services on a real database: start, save, submit, grade, close overdue, regrade, gradebook."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from course.scores import ScoreStatus
from quizzes import rules, selectors, services, tasks
from quizzes.models import Answer, Attempt, Question, Quiz
from quizzes.services import QuizError

from .conftest import questions


def correct_choice(q: Question) -> int:
    return next(c.pk for c in q.choices.all() if c.is_correct)


@pytest.mark.django_db
class TestTakingAQuiz:
    def test_start_is_get_or_create(self, quiz: Quiz, student: Any) -> None:
        now = timezone.now()
        a1, created1 = services.attempt_start(quiz=quiz, student=student, now=now)
        a2, created2 = services.attempt_start(quiz=quiz, student=student, now=now)
        assert created1 and not created2 and a1.pk == a2.pk
        assert a1.deadline == now + timedelta(minutes=10)
        assert not a1.is_practice

    def test_full_flow_grades(self, quiz: Quiz, student: Any) -> None:
        now = timezone.now()
        qs = questions(quiz)
        services.answer_save(
            quiz=quiz,
            student=student,
            question_id=qs["single"].pk,
            value=correct_choice(qs["single"]),
            now=now,
        )
        multi = [c.pk for c in qs["multiple"].choices.all()][:1]  # one of two correct
        services.answer_save(
            quiz=quiz, student=student, question_id=qs["multiple"].pk, value=multi, now=now
        )
        services.answer_save(
            quiz=quiz, student=student, question_id=qs["numeric"].pk, value="4,001", now=now
        )
        services.answer_save(
            quiz=quiz, student=student, question_id=qs["text"].pk, value="It accelerates", now=now
        )
        # Changing an answer upserts, never duplicates.
        services.answer_save(
            quiz=quiz, student=student, question_id=qs["numeric"].pk, value="4.005", now=now
        )
        attempt = Attempt.objects.get()
        assert Answer.objects.filter(attempt=attempt).count() == 4
        attempt = services.attempt_submit(attempt=attempt, now=now)
        assert attempt.points == Decimal("2.5") and attempt.points_possible == 4
        assert attempt.needs_manual_grading
        text = Answer.objects.get(question=qs["text"])
        services.answer_grade(answer=text, points=Decimal(1), grader=None)
        attempt.refresh_from_db()
        assert attempt.points == Decimal("3.5") and attempt.percent == Decimal("87.50")
        assert not attempt.needs_manual_grading

    def test_refusals_store_nothing(
        self, quiz: Quiz, student: Any, make_quiz: Callable, make_member: Callable, course: Any
    ) -> None:
        now = timezone.now()
        other = make_quiz(title="Other")
        qs = questions(quiz)
        foreign = questions(other)["single"]
        cases = [
            (foreign.pk, correct_choice(foreign), "question"),  # another quiz's question
            ("abc", 1, "question"),
            (qs["single"].pk, correct_choice(foreign), "value"),  # another question's choice
            (qs["single"].pk, [1, 2], "value"),
            (qs["multiple"].pk, "x", "value"),
            (qs["numeric"].pk, "four", "value"),
            (qs["numeric"].pk, {"a": 1}, "value"),
            (qs["text"].pk, "x" * 5000, "value"),
            (qs["single"].pk, True, "value"),
        ]
        for qid, value, fieldname in cases:
            with pytest.raises(QuizError) as exc:
                services.answer_save(
                    quiz=quiz, student=student, question_id=qid, value=value, now=now
                )
            assert exc.value.field == fieldname
        assert Answer.objects.count() == 0

    def test_deadline_and_grace(self, quiz: Quiz, student: Any) -> None:
        start = timezone.now()
        attempt, _ = services.attempt_start(quiz=quiz, student=student, now=start)
        q = questions(quiz)["single"]
        at_grace = attempt.deadline + timedelta(seconds=5)
        services.answer_save(
            quiz=quiz, student=student, question_id=q.pk, value=correct_choice(q), now=at_grace
        )
        with pytest.raises(QuizError) as exc:
            services.answer_save(
                quiz=quiz,
                student=student,
                question_id=q.pk,
                value=correct_choice(q),
                now=at_grace + timedelta(seconds=1),
            )
        assert exc.value.code == "deadline_passed" and exc.value.status == 409
        assert Answer.objects.get().saved_at == at_grace

    def test_closed_and_upcoming_windows(self, make_quiz: Callable, student: Any) -> None:
        now = timezone.now()
        closed = make_quiz(opens_at=now - timedelta(hours=2), title="closed")
        upcoming = make_quiz(opens_at=now + timedelta(hours=2), title="upcoming")
        for quiz, code in ((closed, "closed"), (upcoming, "not_open")):
            with pytest.raises(QuizError) as exc:
                services.attempt_start(quiz=quiz, student=student, now=now)
            assert exc.value.code == code
        assert Attempt.objects.count() == 0

    def test_extra_time_and_excusal(
        self, quiz: Quiz, student: Any, make_member: Callable, course: Any
    ) -> None:
        now = quiz.closes_at - timedelta(minutes=1)  # late start, one minute of window left
        services.accommodation_set(quiz=quiz, student=student, extra_seconds=300)
        attempt, _ = services.attempt_start(quiz=quiz, student=student, now=now)
        assert attempt.deadline == quiz.closes_at + timedelta(minutes=5)
        excused = make_member(course, "student")
        services.accommodation_set(quiz=quiz, student=excused, excused=True)
        with pytest.raises(QuizError):
            services.attempt_start(quiz=quiz, student=excused, now=now)

    def test_access_code(self, quiz: Quiz, student: Any) -> None:
        from quizzes import rules

        quiz.requires_access_code = True
        quiz.save()
        now = timezone.now()
        with pytest.raises(QuizError) as exc:
            services.attempt_start(quiz=quiz, student=student, now=now, access_code="000")
        assert exc.value.field == "access_code"
        code = rules.access_code(quiz.access_secret, now)
        _, created = services.attempt_start(quiz=quiz, student=student, now=now, access_code=code)
        assert created

    def test_auditor_attempt_is_practice(
        self, quiz: Quiz, course: Any, make_member: Callable
    ) -> None:
        auditor = make_member(course, "auditor")
        attempt, _ = services.attempt_start(quiz=quiz, student=auditor, now=timezone.now())
        assert attempt.is_practice

    def test_close_overdue_submits_at_deadline(self, quiz: Quiz, student: Any) -> None:
        start = timezone.now()
        attempt, _ = services.attempt_start(quiz=quiz, student=student, now=start)
        q = questions(quiz)["single"]
        services.answer_save(
            quiz=quiz, student=student, question_id=q.pk, value=correct_choice(q), now=start
        )
        assert services.close_overdue(now=attempt.deadline) == 0  # not yet (grace)
        later = attempt.deadline + timedelta(minutes=1)
        assert services.close_overdue(now=later) == 1
        assert services.close_overdue(now=later) == 0  # idempotent
        attempt.refresh_from_db()
        assert attempt.submitted_at == attempt.deadline and attempt.submitted_by_timeout
        assert attempt.points == 1

    def test_close_on_read(self, quiz: Quiz, student: Any) -> None:
        start = timezone.now()
        attempt, _ = services.attempt_start(quiz=quiz, student=student, now=start)
        refreshed = services.attempt_refresh(
            attempt=attempt, now=attempt.deadline + timedelta(seconds=6)
        )
        assert refreshed.submitted_at == attempt.deadline

    def test_close_task(self, make_quiz: Callable, student: Any) -> None:
        quiz = make_quiz(opens_at=timezone.now() - timedelta(hours=2), window_minutes=180)
        attempt, _ = services.attempt_start(
            quiz=quiz, student=student, now=timezone.now() - timedelta(hours=1)
        )
        assert tasks.close_overdue_attempts() == 1
        attempt.refresh_from_db()
        assert attempt.submitted_at is not None

    def test_regrade_after_key_change(self, quiz: Quiz, student: Any) -> None:
        now = timezone.now()
        q = questions(quiz)["single"]
        wrong = next(c for c in q.choices.all() if not c.is_correct)
        services.answer_save(quiz=quiz, student=student, question_id=q.pk, value=wrong.pk, now=now)
        attempt = services.attempt_submit(attempt=Attempt.objects.get(), now=now)
        assert attempt.points == 0
        q.choices.update(is_correct=False)
        wrong.is_correct = True
        wrong.save()
        tasks.regrade_quiz(quiz.pk)
        attempt.refresh_from_db()
        assert attempt.points == 1


@pytest.mark.django_db
def test_gradebook_items(course: Any, make_quiz: Callable, make_member: Callable) -> None:
    now = timezone.now()
    past = now - timedelta(days=2)
    self_assessment = make_quiz(opens_at=past, title="SA", self_assessment=True)
    graded = make_quiz(opens_at=past, title="Q1")
    missed = make_quiz(opens_at=past, title="Q2")
    excused_quiz = make_quiz(opens_at=past, title="Q3")
    open_quiz = make_quiz(opens_at=now - timedelta(minutes=1), title="Q4")
    s1 = make_member(course, "student")
    make_member(course, "auditor")
    a, _ = services.attempt_start(quiz=graded, student=s1, now=past)
    q = questions(graded)["single"]
    services.answer_save(
        quiz=graded, student=s1, question_id=q.pk, value=correct_choice(q), now=past
    )
    services.attempt_submit(attempt=a, now=past)
    services.accommodation_set(quiz=excused_quiz, student=s1, excused=True)
    _ = self_assessment, missed, open_quiz
    items = selectors.gradebook_items(course, now)
    assert list(items) == [s1.pk]
    by_label = {str(i.label).split(" ")[0]: i for i in items[s1.pk]}
    assert "SA" not in by_label
    assert by_label["Q1"].status == ScoreStatus.GRADED and by_label["Q1"].percent == 25
    assert by_label["Q2"].status == ScoreStatus.MISSING
    assert by_label["Q3"].status == ScoreStatus.EXCUSED
    assert by_label["Q4"].status == ScoreStatus.PENDING
    # So far (Q4 still open): N is capped by the settled quizzes, the excusal shrinks it.
    best = rules.best_n_of_items(items[s1.pk], 8)
    assert (
        best.n == 2 and best.average == Decimal("12.50") and best.counted[0] == f"quiz-{graded.pk}"
    )
    # Once nothing is pending: fewer than N quizzes give zeros; the excusal shrinks N to 7.
    settled = [i for i in items[s1.pk] if i.status != ScoreStatus.PENDING]
    best = rules.best_n_of_items(settled, 8)
    assert best.n == 7 and best.average == Decimal(25) / 7


@pytest.mark.django_db
def test_gradebook_query_count(
    course: Any, make_quiz: Callable, make_member: Callable, django_assert_max_num_queries: Any
) -> None:
    past = timezone.now() - timedelta(days=2)
    for size in (2, 8):
        quiz = make_quiz(opens_at=past, title=f"Q{size}")
        for _ in range(size):
            s = make_member(course, "student")
            a, _ = services.attempt_start(quiz=quiz, student=s, now=past)
            services.attempt_submit(attempt=a, now=past)
        with django_assert_max_num_queries(4):
            selectors.gradebook_items(course)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_first_answers_make_one_attempt(quiz: Quiz, student: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is decided by PostgreSQL; run with DATABASE_URL=postgres://...")
    qs = questions(quiz)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []
    now = timezone.now()

    def save(question: Question, value: Any) -> None:
        from django.db import connection as conn

        try:
            barrier.wait()
            services.answer_save(
                quiz=quiz, student=student, question_id=question.pk, value=value, now=now
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    for _round in range(3):
        Answer.objects.all().delete()
        Attempt.objects.all().delete()
        threads = [
            threading.Thread(target=save, args=(qs["single"], correct_choice(qs["single"]))),
            threading.Thread(target=save, args=(qs["numeric"], "4")),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        assert Attempt.objects.count() == 1
        assert Answer.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_tabs_same_answer_upsert(quiz: Quiz, student: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is decided by PostgreSQL; run with DATABASE_URL=postgres://...")
    q = questions(quiz)["numeric"]
    barrier = threading.Barrier(4)
    errors: list[Exception] = []
    now = timezone.now()

    def save(value: str) -> None:
        from django.db import connection as conn

        try:
            barrier.wait()
            services.answer_save(quiz=quiz, student=student, question_id=q.pk, value=value, now=now)
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=save, args=(str(i),)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert Attempt.objects.count() == 1 and Answer.objects.count() == 1


@pytest.mark.django_db
def test_close_task_is_scheduled_for_beat(beat_schedule: None) -> None:
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="quizzes.close_overdue_attempts")
    assert task.enabled and task.interval.schedule.run_every == timedelta(minutes=1)


@pytest.mark.django_db
def test_admin_save_queues_regrade(
    quiz: Quiz, student: Any, make_member: Callable, django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client

    now = timezone.now()
    q = questions(quiz)["numeric"]
    services.answer_save(quiz=quiz, student=student, question_id=q.pk, value="5", now=now)
    attempt = services.attempt_submit(attempt=Attempt.objects.get(), now=now)
    assert attempt.points == 0
    admin = make_member(quiz.course, "instructor")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    c = Client()
    c.force_login(admin)
    url = f"/admin/quizzes/question/{q.pk}/change/"
    form = {
        "quiz": quiz.pk,
        "order": q.order,
        "kind": q.kind,
        "prompt": q.prompt,
        "points": "1",
        "numeric_answer": "5",
        "numeric_tolerance": "0",
        "explanation": "",
        "choices-TOTAL_FORMS": "0",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(url, form)
    assert r.status_code == 302, r.content[:2000]
    attempt.refresh_from_db()
    assert attempt.points == 1


@pytest.mark.django_db
def test_admin_pages(quiz: Quiz, student: Any, make_member: Callable) -> None:
    from django.test import Client

    now = timezone.now()
    q = questions(quiz)["text"]
    services.answer_save(quiz=quiz, student=student, question_id=q.pk, value="because", now=now)
    services.attempt_submit(attempt=Attempt.objects.get(), now=now)
    admin = make_member(quiz.course, "instructor")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    c = Client()
    c.force_login(admin)
    listing = c.get("/admin/quizzes/quiz/")
    assert listing.status_code == 200 and "answering" in listing.content.decode()
    stats = c.get(f"/admin/quizzes/quiz/{quiz.pk}/statistics/")
    assert stats.status_code == 200 and "Picked by" in stats.content.decode()
    export = c.get(f"/admin/quizzes/quiz/{quiz.pk}/export.csv")
    assert export.status_code == 200 and "because" in export.content.decode()
    assert c.get(f"/admin/quizzes/quiz/{quiz.pk}/change/").status_code == 200
    assert c.get("/admin/quizzes/answer/?points__isempty=1").status_code == 200
    answer = Answer.objects.get()
    r = c.post(
        "/admin/quizzes/answer/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": answer.pk,
            "form-0-points": "1",
            "_save": "Save",
        },
    )
    assert r.status_code == 302
    attempt = Attempt.objects.get()
    assert attempt.points == 1 and not attempt.needs_manual_grading


@pytest.mark.django_db
def test_accommodation_given_mid_attempt_moves_the_deadline(quiz: Quiz, student: Any) -> None:
    now = timezone.now()
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=now)
    services.accommodation_set(quiz=quiz, student=student, extra_seconds=120)
    attempt.refresh_from_db()
    assert attempt.deadline == now + timedelta(minutes=12)
