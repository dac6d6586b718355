"""In headless Chromium, with the keyboard alone (Tab, Space, Enter and typing): a student
starts the quiz, answers every kind of question and submits; focus is visible at every stop;
the countdown is announced to screen readers at 5 min, 1 min and 30 s, not every second."""

from __future__ import annotations

from typing import Any

import pytest

from course.models import Enrolment
from course.syllabus.services import load_syllabus_text
from quizzes.models import Answer, Attempt

from ..conftest import SMALL_SYLLABUS
from .conftest import build_quiz, questions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What has the focus, and whether it shows (an outline or a box shadow).
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    id: el.id, name: el.name || '', value: el.value || '', tag: el.tagName.toLowerCase(),
    visible: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
      || style.boxShadow !== 'none',
  };
}"""


def _tab_to(page: Any, want: Any, limit: int = 60) -> dict[str, Any]:
    """Press Tab until the focused element is the one wanted; every stop shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused: dict[str, Any] = page.evaluate(FOCUSED)
        assert focused["visible"], f"focus is not visible on {focused}"
        if want(focused):
            return focused
    raise AssertionError("Tab never reached the element")


def test_the_quiz_by_keyboard_alone(
    live_server: Any, page: Any, login: Any, make_member: Any
) -> None:
    from playwright.sync_api import expect

    course = load_syllabus_text(SMALL_SYLLABUS).course
    quiz = build_quiz(course, title="Keyboard quiz")
    make_member(course, Enrolment.Role.STUDENT, "kim")
    qs = questions(quiz)
    right = next(c for c in qs["single"].choices.all() if c.is_correct)
    norms = [c for c in qs["multiple"].choices.order_by("order") if c.is_correct]

    login("kim")
    page.goto(f"{live_server.url}/c/{course.code}/quizzes/{quiz.pk}/")
    _tab_to(page, lambda f: f["id"] == "start-button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#quiz-form")

    single = f"q{qs['single'].pk}"
    first = _tab_to(page, lambda f: f["name"] == single)
    # The first choice of the radio group takes the focus; Tab leaves the group, so the
    # right answer is the first choice here (build_quiz puts "yes" first).
    assert first["value"] == str(right.pk)
    page.keyboard.press("Space")
    multiple = f"q{qs['multiple'].pk}"
    for choice in norms:
        _tab_to(page, lambda f, c=choice: f["name"] == multiple and f["value"] == str(c.pk))
        page.keyboard.press("Space")
    _tab_to(page, lambda f: f["name"] == f"q{qs['numeric'].pk}")
    page.keyboard.type("4")
    _tab_to(page, lambda f: f["tag"] == "textarea")
    page.keyboard.type("It damps the oscillations")
    expect(page.locator("#save-status")).to_contain_text("All answers saved", timeout=10_000)
    page.wait_for_timeout(1200)  # the debounced text answer
    expect(page.locator("#save-status")).to_contain_text("All answers saved", timeout=10_000)

    page.on("dialog", lambda dialog: dialog.accept())
    _tab_to(page, lambda f: f["id"] == "submit-button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#submitted-notice")
    attempt = Attempt.objects.get()
    assert attempt.submitted_at is not None
    assert Answer.objects.filter(attempt=attempt).count() == 4
    assert attempt.points == 3  # single, both norms, numeric; the text waits for a grader


def test_the_countdown_is_announced_at_a_few_moments(
    live_server: Any, page: Any, login: Any, make_member: Any
) -> None:
    from playwright.sync_api import expect

    course = load_syllabus_text(SMALL_SYLLABUS).course
    # 62 s to go: "One minute left" comes after 2 s, "Thirty seconds left" 30 s later.
    quiz = build_quiz(course, title="Short quiz", duration_seconds=62)
    make_member(course, Enrolment.Role.STUDENT, "lea")
    login("lea")
    page.goto(f"{live_server.url}/c/{course.code}/quizzes/{quiz.pk}/")
    page.click("#start-button")
    page.wait_for_selector("#quiz-form")
    announcer = page.locator("#countdown-announcer")
    assert announcer.get_attribute("aria-live") == "polite"
    assert page.locator("#countdown").get_attribute("aria-live") == "off"
    assert announcer.inner_text() == ""  # five minutes had passed before the page opened
    expect(announcer).to_have_text("One minute left.", timeout=5_000)
    page.wait_for_timeout(3_000)
    # The countdown went on every second; the announcement did not change.
    assert announcer.inner_text() == "One minute left."
