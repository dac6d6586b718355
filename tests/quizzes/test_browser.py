"""In headless Chromium: a student takes the quiz, reloads mid-way and finds the answers, submits;
a second student lets the timer run out and the attempt is submitted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from course.models import Enrolment
from course.syllabus.services import load_syllabus_text
from quizzes.models import Answer, Attempt

from ..conftest import SMALL_SYLLABUS
from .conftest import build_quiz, questions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_take_reload_submit(live_server: Any, page: Any, login: Any, make_member: Any) -> None:
    # Not wait_for_function: Playwright evaluates its string with eval, which the CSP refuses.
    from playwright.sync_api import expect

    course = load_syllabus_text(SMALL_SYLLABUS).course
    quiz = build_quiz(course, title="Gradient descent quiz")
    make_member(course, Enrolment.Role.STUDENT, "ana")
    qs = questions(quiz)
    right = next(c for c in qs["single"].choices.all() if c.is_correct)

    login("ana")
    page.goto(f"{live_server.url}/c/{course.code}/")
    page.click("nav >> text=Quizzes")
    page.click(f"#quiz-{quiz.pk} a >> text=Gradient descent quiz")
    terms = page.locator("#quiz-terms").inner_text()
    assert "10 minutes" in terms and "One attempt" in terms and "graded" in terms
    page.click("#start-button")
    page.wait_for_selector("#quiz-form")
    # Math rendered by the vendored KaTeX.
    page.wait_for_selector(f"#question-{qs['single'].pk} .katex")
    assert "Time left: 9:" in page.locator("#countdown").inner_text() or "Time left: 10:00" in (
        page.locator("#countdown").inner_text()
    )

    page.check(f"#question-{qs['single'].pk} input[value='{right.pk}']")
    expect(page.locator("#save-status")).to_contain_text("All answers saved", timeout=10_000)
    page.fill(f"#question-{qs['numeric'].pk} input", "4.005")
    page.fill(f"#question-{qs['text'].pk} textarea", "It damps oscillations")
    expect(page.locator("#save-status")).to_contain_text("All answers saved", timeout=10_000)
    expect(page.locator(".q-status").first).not_to_contain_text("not saved yet", timeout=10_000)
    page.wait_for_timeout(1200)  # the debounced text answer
    assert Answer.objects.count() == 3

    # The connection drops: the answer waits, the page says so, and it is sent when it is back.
    page.context.set_offline(True)
    page.fill(f"#question-{qs['numeric'].pk} input", "4.001")
    expect(page.locator("#save-status")).to_contain_text("Connection lost", timeout=10_000)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#save-status")).to_contain_text("All answers saved", timeout=10_000)
    assert Answer.objects.get(question=qs["numeric"]).value == "4.001"

    # Reload mid-way: every answer is still there, the countdown goes on from the server's count.
    page.reload()
    page.wait_for_selector("#quiz-form")
    assert page.is_checked(f"#question-{qs['single'].pk} input[value='{right.pk}']")
    assert page.input_value(f"#question-{qs['numeric'].pk} input") == "4.001"
    assert page.input_value(f"#question-{qs['text'].pk} textarea") == "It damps oscillations"

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-button")
    page.wait_for_selector("#submitted-notice")
    attempt = Attempt.objects.get()
    assert attempt.submitted_at is not None and not attempt.submitted_by_timeout
    assert attempt.points == 2  # single + numeric; text waits for a grader
    assert attempt.needs_manual_grading


def test_timer_runs_out(live_server: Any, page: Any, login: Any, make_member: Any) -> None:
    course = load_syllabus_text(SMALL_SYLLABUS).course
    quiz = build_quiz(course, title="Tiny quiz", duration_seconds=4)
    make_member(course, Enrolment.Role.STUDENT, "bob")
    qs = questions(quiz)
    right = next(c for c in qs["single"].choices.all() if c.is_correct)

    login("bob")
    page.goto(f"{live_server.url}/c/{course.code}/quizzes/{quiz.pk}/")
    page.click("#start-button")
    page.wait_for_selector("#quiz-form")
    page.check(f"#question-{qs['single'].pk} input[value='{right.pk}']")
    # Nobody clicks submit: at zero the page submits and returns to the quiz page.
    page.wait_for_selector("#submitted-notice", timeout=15_000)
    assert "Time ran out" in page.locator("#submitted-notice").inner_text()
    attempt = Attempt.objects.get()
    assert attempt.submitted_at is not None and attempt.submitted_by_timeout
    assert attempt.submitted_at <= attempt.deadline + timedelta(seconds=5)
    assert attempt.points == 1
    assert attempt.deadline <= timezone.now()
