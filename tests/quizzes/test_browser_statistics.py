"""In headless Chromium: the instructor opens a quiz's statistics and sees the charts, takes the
numbers of one as CSV, and watches the live view count an answer as it comes; the student sees
the grade breakdown drawn. The site's CSP refuses nothing on these pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from course.models import Enrolment
from course.syllabus.services import load_syllabus_text
from quizzes import services

from ..conftest import SMALL_SYLLABUS
from .conftest import build_quiz, questions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _csp_refusals(page: Any) -> list[str]:
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return refused


def _answer(quiz: Any, student: Any, *, right: bool, submit: bool = True) -> None:
    now = timezone.now()
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=now, check_code=False)
    single = questions(quiz)["single"]
    services.answer_save(
        quiz=quiz,
        student=student,
        question_id=single.pk,
        value=single.choices.get(is_correct=right).pk,
        now=now,
    )
    if submit:
        services.attempt_submit(attempt=attempt, now=now)


def test_instructor_sees_the_charts_and_the_live_counts(
    live_server: Any, page: Any, login: Any, make_member: Any
) -> None:
    from playwright.sync_api import expect

    course = load_syllabus_text(SMALL_SYLLABUS).course
    quiz = build_quiz(course, title="Gradient descent quiz")
    make_member(course, Enrolment.Role.INSTRUCTOR, "prof")
    for i in range(4):
        _answer(quiz, make_member(course, Enrolment.Role.STUDENT, f"s{i}"), right=i % 2 == 0)
    refused = _csp_refusals(page)

    login("prof")
    page.goto(f"{live_server.url}/admin/quizzes/quiz/{quiz.pk}/statistics/")
    for name in ("scores", "facility", "discrimination"):
        svg = page.locator(f"#chart-{name} svg[role=img]")
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 80
        assert page.locator(f"#chart-{name} svg rect").count() > 0
        labelled = svg.get_attribute("aria-labelledby") or ""
        assert page.locator(f"[id='{labelled.split()[0]}']").count() == 1
    # The scores chart: two attempts at 0-10 %, two at 20-30 % (single right, the rest blank).
    heights = [r.get_attribute("height") for r in page.locator("#chart-scores svg rect.bar").all()]
    assert len(heights) == 10 and sum(1 for h in heights if float(h or 0) > 0) == 2
    page.locator("#chart-scores details summary").click()
    expect(page.locator("#chart-scores details table")).to_be_visible()
    with page.expect_download() as download:
        page.locator("#chart-scores .chart-csv").click()
    with open(download.value.path(), encoding="utf-8") as numbers:
        text = numbers.read()
    assert text.splitlines()[0] == "Score (%),Attempts"

    # The live view: a student answers, the count follows without a reload.
    page.goto(f"{live_server.url}/admin/quizzes/quiz/{quiz.pk}/live/")
    single = questions(quiz)["single"]
    cell = page.locator(f"[data-live-question='{single.pk}']")
    expect(cell).to_have_text("4")
    _answer(quiz, make_member(course, Enrolment.Role.STUDENT, "late"), right=True, submit=False)
    expect(cell).to_have_text("5", timeout=15_000)
    expect(page.locator("[data-live='answering']")).to_have_text("1")
    assert refused == []


def test_student_sees_the_contributions_and_the_best_quizzes(
    live_server: Any, page: Any, login: Any, make_member: Any
) -> None:
    from playwright.sync_api import expect

    course = load_syllabus_text(SMALL_SYLLABUS).course
    ana = make_member(course, Enrolment.Role.STUDENT, "ana")
    for i in range(3):
        opens = timezone.now() - timedelta(days=2 + i)
        quiz = build_quiz(course, opens_at=opens, session_index=i + 1, title=f"Quiz {i}")
        at = opens + timedelta(minutes=1)
        attempt, _ = services.attempt_start(quiz=quiz, student=ana, now=at, check_code=False)
        services.attempt_submit(attempt=attempt, now=at)
    refused = _csp_refusals(page)
    login("ana")
    page.goto(f"{live_server.url}/c/{course.code}/grades/")
    expect(page.locator("#chart-components svg[role=img]")).to_be_visible()
    expect(page.locator("#chart-quizzes svg[role=img]")).to_be_visible()
    assert page.locator("#chart-components svg rect.track").count() >= 7
    assert page.locator("#chart-quizzes svg rect.counted").count() == 3
    assert refused == []
