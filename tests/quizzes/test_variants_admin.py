"""The admin of variants: parameter ranges and formulas refused with the field named, the
release action, regrade requests answered by a TA of the course (their form's errors named)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from quizzes import selectors, services
from quizzes.models import Quiz, RegradeRequest
from tests.admin_forms import form_data

from .variants import build_variant_quiz, parametrised

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize(
    ("field", "value", "error_field", "needle"),
    [
        ("parameters", '{"a": {"min": 3, "max": 1}}', "parameters", "parameters.a.max"),
        ("answer_formula", "a / (a - a)", "answer_formula", "division by zero"),
        ("answer_formula", "__import__('os')", "answer_formula", "not defined"),
        ("answer_formula", "a.__class__", "answer_formula", "answer_formula"),
    ],
)
def test_a_broken_parameter_or_formula_is_refused_naming_the_field(
    course: Any,
    make_member: Callable[..., Any],
    field: str,
    value: str,
    error_field: str,
    needle: str,
) -> None:
    quiz = build_variant_quiz(course)
    q = parametrised(quiz)
    c = _client(make_member(course, "instructor"))
    url = f"/admin/quizzes/question/{q.pk}/change/"
    data = form_data(c.get(url).content.decode())
    data[field] = value
    r = c.post(url, data)
    assert r.status_code == 200  # the form again, with the error beside the field
    errors = r.context["adminform"].form.errors
    assert needle in " ".join(errors[error_field]), errors
    q.refresh_from_db()
    assert q.answer_formula == "a * b"


def test_the_release_action_releases_a_closed_quiz_only(
    course: Any, make_member: Callable[..., Any]
) -> None:
    closed = build_variant_quiz(course, title="Closed", opens_at=_past())
    closed.release_policy = Quiz.ReleasePolicy.MANUAL
    closed.save()
    open_now = build_variant_quiz(course, title="Open", session_index=2)
    c = _client(make_member(course, "instructor"))
    r = c.post(
        "/admin/quizzes/quiz/",
        {"action": "release_results", "_selected_action": [closed.pk, open_now.pk]},
        follow=True,
    )
    assert r.status_code == 200
    text = r.content.decode()
    assert "Results released for 1 quiz." in text and "has not closed for everyone" in text
    closed.refresh_from_db()
    open_now.refresh_from_db()
    assert closed.released_at is not None and open_now.released_at is None


def _past() -> Any:
    from django.utils import timezone

    return timezone.now() - timedelta(hours=3)


def _request(course: Any, make_member: Callable[..., Any]) -> RegradeRequest:
    quiz = build_variant_quiz(course, opens_at=_past())
    student = make_member(course, "student")
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=quiz.opens_at)
    services.attempt_submit(attempt=attempt, now=quiz.opens_at + timedelta(minutes=1))
    return services.regrade_request_file(
        quiz=quiz,
        student=student,
        question_id=parametrised(quiz).pk,
        reason="My value was right.",
        now=selectors.closed_for_everyone_at(quiz) + timedelta(minutes=1),
    )


@pytest.mark.parametrize(
    ("post", "error_field"),
    [
        ({"decision": "accepted", "new_points": "", "reply": ""}, "new_points"),
        ({"decision": "accepted", "new_points": "7", "reply": ""}, "new_points"),
        ({"decision": "declined", "new_points": "", "reply": "  "}, "reply"),
        ({"decision": "maybe", "new_points": "", "reply": "x"}, "decision"),
    ],
)
def test_a_regrade_answer_with_a_mistake_is_refused_naming_the_field(
    course: Any, make_member: Callable[..., Any], post: dict[str, str], error_field: str
) -> None:
    request = _request(course, make_member)
    c = _client(make_member(course, "ta"))
    r = c.post(f"/admin/quizzes/regraderequest/{request.pk}/change/", post)
    assert r.status_code == 200
    assert error_field in r.context["adminform"].form.errors
    request.refresh_from_db()
    assert request.status == RegradeRequest.Status.OPEN


def test_a_ta_accepts_a_request_and_the_attempt_follows(
    course: Any, make_member: Callable[..., Any]
) -> None:
    request = _request(course, make_member)
    ta = make_member(course, "ta")
    c = _client(ta)
    listing = c.get("/admin/quizzes/regraderequest/?status__exact=open")
    assert listing.status_code == 200
    assert str(request.attempt.student) in listing.content.decode()
    page = c.get(f"/admin/quizzes/regraderequest/{request.pk}/change/")
    assert "My value was right." in page.content.decode()
    r = c.post(
        f"/admin/quizzes/regraderequest/{request.pk}/change/",
        {"decision": "accepted", "new_points": "1", "reply": "Yes."},
    )
    assert r.status_code == 302
    request.refresh_from_db()
    assert request.status == "accepted" and request.answered_by == ta
    assert request.attempt.points == Decimal(1)
    assert c.get("/admin/quizzes/regraderequest/add/").status_code == 403
