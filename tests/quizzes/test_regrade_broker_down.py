"""A changed answer key with the broker down (a REAL Redis URL on a closed port): the admin saves
the key, says the regrade is not queued yet, and beat's `quizzes.regrades_requeue` queues it once
the broker is back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from quizzes import services, tasks
from quizzes.models import Attempt, Question, Quiz

from .conftest import questions


def _numeric_key_form(quiz: Quiz, q: Question, answer: str) -> dict[str, Any]:
    return {
        "quiz": quiz.pk,
        "order": q.order,
        "kind": q.kind,
        "prompt": q.prompt,
        "points": "1",
        "numeric_answer": answer,
        "numeric_tolerance": "0",
        "explanation": "",
        "choices-TOTAL_FORMS": "0",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }


def _submitted_with_answer(quiz: Quiz, student: Any, q: Question, value: str) -> Attempt:
    now = timezone.now()
    services.answer_save(quiz=quiz, student=student, question_id=q.pk, value=value, now=now)
    return services.attempt_submit(attempt=Attempt.objects.get(), now=now)


def _instructor(quiz: Quiz, make_member: Callable[..., Any]) -> Client:
    admin = make_member(quiz.course, "instructor")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    return client


# Real commits: the admin's transaction commits inside the request, and so runs its on_commit.
@pytest.mark.django_db(transaction=True)
def test_a_key_changed_with_the_broker_down_is_saved_said_and_regraded_once_it_is_back(
    quiz: Quiz,
    student: Any,
    make_member: Callable[..., Any],
    broker_down: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    q = questions(quiz)["numeric"]
    attempt = _submitted_with_answer(quiz, student, q, "5")
    assert attempt.points == 0
    client = _instructor(quiz, make_member)

    r = client.post(f"/admin/quizzes/question/{q.pk}/change/", _numeric_key_form(quiz, q, "5"))
    assert r.status_code == 302, r.content[:2000]
    page = client.get(r["Location"]).content.decode()
    assert "could not be queued: the background worker is unreachable" in page
    q.refresh_from_db()
    assert q.numeric_answer == 5  # the key is saved
    assert [
        rec.getMessage()
        for rec in caplog.records
        if rec.levelno == logging.ERROR and "quizzes.regrade_quiz" in rec.getMessage()
    ]
    attempt.refresh_from_db()
    assert attempt.points == 0  # not regraded yet
    assert Quiz.objects.get(pk=quiz.pk).regrade_queued_at is not None

    broker_down.back()
    assert tasks.regrades_requeue() == []  # marked just now: it may still be on its way
    with time_machine.travel(timezone.now() + services.regrade_stale() + timedelta(seconds=1)):
        assert tasks.regrades_requeue() == [quiz.pk]  # beat, every 2 minutes
    attempt.refresh_from_db()
    assert attempt.points == 1
    assert Quiz.objects.get(pk=quiz.pk).regrade_queued_at is None
    assert tasks.regrades_requeue() == []


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_up_the_regrade_runs_and_nothing_is_left_for_beat(
    quiz: Quiz, student: Any, make_member: Callable[..., Any]
) -> None:
    q = questions(quiz)["numeric"]
    attempt = _submitted_with_answer(quiz, student, q, "5")
    client = _instructor(quiz, make_member)

    r = client.post(f"/admin/quizzes/question/{q.pk}/change/", _numeric_key_form(quiz, q, "5"))
    assert r.status_code == 302, r.content[:2000]
    assert "unreachable" not in client.get(r["Location"]).content.decode()
    attempt.refresh_from_db()
    assert attempt.points == 1
    assert Quiz.objects.get(pk=quiz.pk).regrade_queued_at is None
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert tasks.regrades_requeue() == []


@pytest.mark.django_db
def test_the_requeue_task_is_scheduled_for_beat(beat_schedule: None) -> None:
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="quizzes.regrades_requeue")
    assert task.enabled and task.interval.schedule.run_every == timedelta(minutes=2)
