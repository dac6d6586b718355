"""The answer-save fast lane (quizzes.middleware): a remembered save is answered right after
SecurityMiddleware, with what the skipped middleware would have checked and added.

On PostgreSQL the lane answers later saves; on SQLite nothing is remembered and the same
requests take the whole chain: every assertion on what the student gets holds on both.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import resolve, reverse
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from quizzes import api as quiz_api
from quizzes.middleware import answer_path_pattern
from quizzes.models import Answer, Quiz

from .conftest import questions
from .test_answer_memo import remembered, started
from .test_api import api, put

pytestmark = pytest.mark.django_db


def lane_answered(response: Any) -> bool:
    # SessionMiddleware comes after the lane: a request it answered never got a session.
    return not hasattr(response.wsgi_request, "session")


def test_later_saves_take_the_lane_with_the_chains_headers(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    q = questions(quiz)["text"]
    text = 'line\u2028separator, «accents», and a quote "'
    r = put(c, api(quiz, "answer", qid=q.pk), {"value": text})
    assert r.status_code == 200, r.content
    assert lane_answered(r) is remembered()
    assert r.json()["value"] == text
    # The bytes DRF's JSONRenderer gives (U+2028 escaped, UTF-8, compact).
    assert r.content == JSONRenderer().render(r.json())
    assert r["Content-Type"] == "application/json"
    assert r["Content-Length"] == str(len(r.content))
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert {"Accept", "Accept-Language"} <= {v.strip() for v in r["Vary"].split(",")}
    assert Answer.objects.get(question=q).value == text


def test_the_csrf_token_is_checked_in_the_lane(quiz: Quiz, student: Any) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(student)
    token = "k" * 32
    c.cookies["csrftoken"] = token
    assert c.post(api(quiz, "attempt"), headers={"X-CSRFToken": token}).status_code == 201
    q = questions(quiz)["numeric"]
    url = api(quiz, "answer", qid=q.pk)

    def save(value: str, header: str | None) -> Any:
        headers = {"X-CSRFToken": header} if header is not None else {}
        return c.put(url, f'{{"value": "{value}"}}', "application/json", headers=headers)

    assert save("1", token).status_code == 200
    r = save("2", token)
    assert r.status_code == 200 and lane_answered(r) is remembered()
    for header in (None, "x" * 32):
        r = save("3", header)
        assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    assert Answer.objects.get(question=q).value == "2"


def test_a_host_not_allowed_is_refused(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    q = questions(quiz)["numeric"]
    url = api(quiz, "answer", qid=q.pk)
    r = c.put(url, '{"value": "4"}', "application/json", headers={"host": "evil.example"})
    assert r.status_code == 400
    assert not Answer.objects.filter(question=q).exists()


def test_the_https_redirect_still_applies(quiz: Quiz, student: Any) -> None:
    with override_settings(SECURE_SSL_REDIRECT=True):
        c = started(quiz, student, secure=True)
        q = questions(quiz)["numeric"]
        url = api(quiz, "answer", qid=q.pk)
        r = c.put(url, '{"value": "1"}', "application/json", secure=True)
        assert r.status_code == 200 and lane_answered(r) is remembered()
        r = c.put(url, '{"value": "2"}', "application/json")  # plain HTTP
        assert r.status_code == 301 and r["Location"].startswith("https://")
    assert Answer.objects.get(question=q).value == "1"


def test_saving_the_session_at_every_request_closes_the_lane(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    q = questions(quiz)["numeric"]
    with override_settings(SESSION_SAVE_EVERY_REQUEST=True):
        r = put(c, api(quiz, "answer", qid=q.pk), {"value": "4"})
    assert r.status_code == 200 and not lane_answered(r)
    assert r.cookies[settings.SESSION_COOKIE_NAME].value  # saved and sent again, as configured


def test_disallowed_user_agents_close_the_lane(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    q = questions(quiz)["numeric"]
    url = api(quiz, "answer", qid=q.pk)
    with override_settings(DISALLOWED_USER_AGENTS=[re.compile("BadBot")]):
        r = c.put(url, '{"value": "4"}', "application/json", headers={"user-agent": "BadBot/1"})
        assert r.status_code == 403
        r = c.put(url, '{"value": "5"}', "application/json", headers={"user-agent": "Firefox"})
        assert r.status_code == 200 and not lane_answered(r)
    assert Answer.objects.get(question=q).value == "5"


def test_the_lanes_path_is_the_urlconfs() -> None:
    pattern = answer_path_pattern()
    for code, pk, qid in (("IFT6085", 1, 2), ("a-b_c.9", 12345, 7), ("X", 918273645, 1)):
        path = reverse("api_quiz_answer", kwargs={"code": code, "pk": pk, "question_id": qid})
        match = pattern.fullmatch(path)
        assert match is not None
        assert (match["code"], int(match["pk"]), int(match["question_id"])) == (code, pk, qid)
        assert resolve(path).func is quiz_api.answer_view
    quiz_url = reverse("api_quiz", kwargs={"code": "IFT6085", "pk": 1})
    for other in (quiz_url, quiz_url + "attempt/", quiz_url + "answers/2", quiz_url + "answers/x/"):
        assert pattern.fullmatch(other) is None


@pytest.mark.parametrize("zone", [None, "UTC", "America/Montreal", "Asia/Kolkata"])
def test_saved_at_is_written_as_drf_writes_it(zone: str | None) -> None:
    moment = datetime(2021, 3, 14, 7, 30, 5, 123456, tzinfo=UTC)  # Montréal's DST change day
    with timezone.override(ZoneInfo(zone) if zone else None):
        expected = serializers.DateTimeField().to_representation(moment)
        assert quiz_api._iso_datetime(moment) == expected
