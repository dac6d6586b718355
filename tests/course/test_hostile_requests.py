"""Hostile addresses and JSON bodies answer a 4xx that says why, never 500.

A NUL in any address is refused before anything looks it up (course/middleware.py); a JSON body
with a NUL, a lone surrogate or deep nesting is refused by the API's parser
(course/api_parsers.py); tests/quizzes/test_hostile_json.py tries it on the quiz API.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from course.api_parsers import MAX_DEPTH, json_problem

DEEP = "[" * 50_000 + "]" * 50_000


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/c/%00/",
        "/c/TST101/schedule/%00",
        "/api/courses/%00/schedule/",
        "/feeds/%00.ics",
        "/c/%00/calendar.ics",
        "/api/courses/%00/quizzes/1/answers/2/",
        "/admin/course/course/?q=%00",
        "/c/TST101/grades/?assume=%00",
        "/static/%00.css",
    ],
)
def test_a_nul_in_the_address_is_a_400(course: Any, make_member: Any, path: str) -> None:
    c = Client(raise_request_exception=False)
    c.force_login(make_member(course, "instructor"))
    for method in (c.get, c.post):
        r = method(path)
        assert r.status_code == 400, (path, r.status_code)
        assert "NUL" in r.content.decode()
    if path.startswith("/api/"):
        assert "NUL" in r.json()["detail"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"value": "a\x00b"}, "value: a NUL character"),
        ({"value": ["ok", "\ud800"]}, "value[1]: a lone surrogate (\\ud800)"),
        ({"a\x00": 1}, "a key: a NUL character"),
        ({"value": [[[[1]]]]}, None),
        ({"value": "emoji 😀 and RTL \u202e fine"}, None),
    ],
)
def test_json_problem_names_where(data: Any, expected: str | None) -> None:
    problem = json_problem(data)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem


def test_json_problem_refuses_depth_without_recursing() -> None:
    deep: Any = 1
    for _ in range(100_000):
        deep = [deep]
    assert "nested more than" in (json_problem({"value": deep}) or "")
    ok: Any = 1
    for _ in range(MAX_DEPTH - 1):
        ok = [ok]
    assert json_problem({"v": ok}) is None


@given(st.recursive(st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_what_json_problem_accepts_postgresql_can_store(data: Any) -> None:
    if json_problem(data) is None:
        text = json.dumps(data, ensure_ascii=False)
        text.encode("utf-8")  # no lone surrogate
        assert "\x00" not in text and "\\u0000" not in text
