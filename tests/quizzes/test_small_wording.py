"""Small wording seen on the quiz pages: a wrong access code, "1 answers"."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import rules, services
from quizzes.models import Quiz
from tests.factories import UserFactory
from tests.present import present

from .conftest import questions

pytestmark = pytest.mark.django_db


def test_a_wrong_access_code_is_called_wrong(quiz: Quiz, student: Any) -> None:
    quiz.requires_access_code = True
    quiz.save(update_fields=["requires_access_code"])
    client = Client()
    client.force_login(student)
    start = reverse("quiz_start", kwargs={"code": quiz.course.code, "pk": quiz.pk})
    page = client.post(start, {"access_code": "000000"}, follow=True).content.decode()
    assert "That access code is wrong" in page
    page = client.post(start, {"access_code": ""}, follow=True).content.decode()
    assert "Enter the access code shown in class." in page and "is wrong" not in page
    code = rules.access_code(quiz.access_secret, timezone.now())
    assert client.post(start, {"access_code": code}).status_code == 302
    assert quiz.attempts.filter(student=student).exists()


def test_statistics_say_1_answer(quiz: Quiz, make_member: Callable[..., Any]) -> None:
    student = make_member(quiz.course, "student")
    now = timezone.now()
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=now, check_code=False)
    single = questions(quiz)["single"]
    services.answer_save(
        quiz=quiz,
        student=student,
        question_id=single.pk,
        value=present(single.choices.first()).pk,
        now=now,
    )
    services.attempt_submit(attempt=attempt, now=now)
    root = UserFactory.create(superuser=True, username="root", email="root@example.org")
    client = Client()
    client.force_login(root)
    page = client.get(reverse("admin:quizzes_quiz_stats", args=[quiz.pk])).content.decode()
    assert re.search(r"\b1 answer\b(?!s)", page)
    assert "1 answers" not in page
