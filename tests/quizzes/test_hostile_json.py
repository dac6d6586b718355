"""The quiz API (the answer save included) refuses JSON with a NUL, a lone
surrogate or 50,000-deep arrays with a 400 naming it, and stores nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from quizzes.models import Answer, Attempt, Quiz

from .conftest import questions
from .test_answer_save import started
from .test_api import api

pytestmark = pytest.mark.django_db

DEEP = "[" * 50_000 + "]" * 50_000

HOSTILE_BODIES = [
    ('{"value": "a\\u0000b"}', "NUL"),
    ('{"value": "\\ud800"}', "surrogate"),
    ('{"value": ' + DEEP + "}", "nested"),
    ('{"value": "ok", "access_code": "\\u0000"}', "access_code"),
    ('{"value\\u0000": 1}', "NUL"),
]


@pytest.mark.parametrize(("body", "says"), HOSTILE_BODIES)
@pytest.mark.parametrize("kind", ["text", "multiple", "numeric"])
def test_an_answer_save_refuses_hostile_json(
    quiz: Quiz, student: Any, body: str, says: str, kind: str
) -> None:
    c = started(quiz, student)
    q = questions(quiz)[kind]
    before = list(Answer.objects.values_list("question_id", "value"))
    r = c.put(api(quiz, "answer", qid=q.pk), body, content_type="application/json")
    assert r.status_code == 400, r.content
    assert says in r.json()["detail"]
    assert list(Answer.objects.values_list("question_id", "value")) == before


@pytest.mark.parametrize(("body", "says"), HOSTILE_BODIES[:3])
def test_starting_an_attempt_refuses_hostile_json(
    quiz: Quiz, student: Any, body: str, says: str
) -> None:
    c = Client(raise_request_exception=False)
    c.force_login(student)
    r = c.post(api(quiz, "attempt"), body, content_type="application/json")
    assert r.status_code == 400, r.content
    assert says in r.json()["detail"]
    assert not Attempt.objects.exists()
