"""The taking page gives its script what it needs to keep answers on the device: the attempt,
each question's number and saved time, a polite live region per question, every sentence in
English and French, and no inline script."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from quizzes import services, views
from quizzes.models import Quiz

from .conftest import questions

pytestmark = pytest.mark.django_db


def test_every_sentence_of_the_script_is_in_french() -> None:
    with translation.override("en"):
        english = views.script_strings()
    with translation.override("fr"):
        french = views.script_strings()
    untranslated = [key for key in english if english[key] == french[key]]
    assert untranslated == []
    for key, text in english.items():  # the script fills in "%s": the same ones in both
        assert text.count("%s") == french[key].count("%s"), key
    for key in english:
        if key.endswith("_one"):
            assert key[:-4] + "_many" in english


def test_taking_page_carries_what_the_queue_needs(client: Any, quiz: Quiz, student: Any) -> None:
    now = timezone.now()
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=now)
    numeric = questions(quiz)["numeric"]
    services.answer_save(quiz=quiz, student=student, question_id=numeric.pk, value="4", now=now)
    client.force_login(student)
    body = client.get(
        reverse("quiz_take", kwargs={"code": quiz.course.code, "pk": quiz.pk})
    ).content.decode()
    assert f'data-attempt="{attempt.pk}"' in body
    fieldset = re.search(rf'<fieldset[^>]*id="question-{numeric.pk}"[^>]*>', body)
    assert fieldset is not None
    assert 'data-number="3"' in fieldset.group(0) and "data-saved-at=" in fieldset.group(0)
    assert f'id="q-status-{numeric.pk}" role="status" aria-live="polite"' in body
    strings = re.search(r'<script id="quiz-strings" type="application/json">(.*?)</script>', body)
    assert strings is not None and json.loads(strings.group(1))["q_saved"] == "Saved at %s"
    for tag in re.findall(r"<script[^>]*>", body):  # a CSP without 'unsafe-inline' allows these
        assert "src=" in tag or 'type="application/json"' in tag, tag
