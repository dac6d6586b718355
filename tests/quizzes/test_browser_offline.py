"""In headless Chromium: nothing a student answers is lost by the browser.

Answers given offline survive a reload and a closed tab and are sent when the connection
returns; a submit while offline does not claim success and goes through once online; leaving
with unsaved answers asks first; a refused answer shows the server's reason beside it; a busy
server's Retry-After is honoured."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.utils import timezone

from course.models import Enrolment
from course.syllabus.services import load_syllabus_text
from quizzes import services
from quizzes.models import Answer, Attempt

from ..conftest import SMALL_SYLLABUS
from .conftest import build_quiz, questions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = "**/answers/**"


@pytest.fixture
def taking(live_server: Any, page: Any, login: Any, make_member: Any) -> dict[str, Any]:
    """Ana has started the quiz and has its taking page open."""
    course = load_syllabus_text(SMALL_SYLLABUS).course
    quiz = build_quiz(course, title="Gradient descent quiz")
    ana = make_member(course, Enrolment.Role.STUDENT, "ana")
    services.attempt_start(quiz=quiz, student=ana, now=timezone.now())
    login("ana")
    url = f"{live_server.url}/c/{course.code}/quizzes/{quiz.pk}/take/"
    page.goto(url)
    page.wait_for_selector("#quiz-form")
    qs = questions(quiz)
    return {
        "quiz": quiz,
        "url": url,
        "qs": qs,
        "right": next(c for c in qs["single"].choices.all() if c.is_correct),
    }


def _status(page: Any) -> str:
    return str(page.locator("#save-status").inner_text())


def _q_status(page: Any, question: Any) -> str:
    return str(page.locator(f"#q-status-{question.pk}").inner_text())


def _wait_status(page: Any, text: str, timeout: int = 10_000) -> None:
    page.wait_for_function(
        "t => document.getElementById('save-status').textContent.includes(t)",
        arg=text,
        timeout=timeout,
    )


def _wait_q_status(page: Any, question: Any, text: str) -> None:
    page.wait_for_function(
        "([id, t]) => document.getElementById('q-status-' + id).textContent.includes(t)",
        arg=[question.pk, text],
    )


def _back_online(page: Any) -> None:
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")


def test_offline_answers_survive_reload_and_closed_tab(page: Any, taking: dict) -> None:
    qs, right = taking["qs"], taking["right"]
    page.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved answers?": yes
    page.context.set_offline(True)
    page.check(f"#question-{qs['single'].pk} input[value='{right.pk}']")
    page.fill(f"#question-{qs['numeric'].pk} input", "4.005")
    page.fill(f"#question-{qs['text'].pk} textarea", "It damps oscillations")
    _wait_status(page, "Connection lost")
    _wait_q_status(page, qs["numeric"], "Waiting to be sent")
    assert "kept on this device" in _status(page)

    # The page comes back but the API is still out of reach (the Wi-Fi's captive portal...).
    page.context.route(ANSWERS, lambda route: route.abort())
    page.context.set_offline(False)
    page.reload()
    page.wait_for_selector("#quiz-form")
    assert page.is_checked(f"#question-{qs['single'].pk} input[value='{right.pk}']")
    assert page.input_value(f"#question-{qs['numeric'].pk} input") == "4.005"
    assert page.input_value(f"#question-{qs['text'].pk} textarea") == "It damps oscillations"
    _wait_q_status(page, qs["text"], "Waiting to be sent")
    assert "Answers are saved as you give them" not in _status(page)

    # The tab is closed and opened again later: still there.
    context = page.context
    page.close()
    page = context.new_page()
    page.goto(taking["url"])
    page.wait_for_selector("#quiz-form")
    assert page.input_value(f"#question-{qs['numeric'].pk} input") == "4.005"
    assert not Answer.objects.exists()

    context.unroute(ANSWERS)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _wait_status(page, "All answers saved")
    _wait_q_status(page, qs["numeric"], "Saved at")
    saved = {a.question_id: a.value for a in Answer.objects.all()}
    assert saved == {
        qs["single"].pk: right.pk,
        qs["numeric"].pk: "4.005",
        qs["text"].pk: "It damps oscillations",
    }
    # Acknowledged answers leave the queue: a reload shows the server's values, nothing waiting.
    page.reload()
    page.wait_for_selector("#quiz-form")
    assert page.input_value(f"#question-{qs['numeric'].pk} input") == "4.005"
    assert "Saved at" in _q_status(page, qs["numeric"])
    assert "put back" not in _status(page)


def test_submit_offline_does_not_claim_success(page: Any, taking: dict) -> None:
    qs, right = taking["qs"], taking["right"]
    page.check(f"#question-{qs['single'].pk} input[value='{right.pk}']")
    _wait_status(page, "All answers saved")
    page.context.set_offline(True)
    page.fill(f"#question-{qs['numeric'].pk} input", "4.001")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-button")
    _wait_status(page, "Not submitted yet")
    assert "question 3" in _status(page)  # the numeric one, not saved
    page.wait_for_timeout(1500)  # a retry or two, still offline
    assert "Submitted" not in page.locator("#countdown").inner_text()
    assert "Not submitted yet" in _status(page)
    assert Attempt.objects.get().submitted_at is None

    _back_online(page)
    page.wait_for_selector("#submitted-notice")
    attempt = Attempt.objects.get()
    assert attempt.submitted_at is not None and not attempt.submitted_by_timeout
    assert Answer.objects.get(question=qs["numeric"]).value == "4.001"
    assert attempt.points == 2  # single + numeric (4.001 within 0.01 of 4)


def test_submit_while_server_fails_keeps_retrying(page: Any, taking: dict) -> None:
    calls: list[int] = []

    def flaky_submit(route: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            route.fulfill(status=500, content_type="text/html", body="<h1>Server Error</h1>")
        else:
            route.continue_()

    page.context.route("**/submit/", flaky_submit)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-button")
    _wait_status(page, "Not submitted yet: the server did not answer")
    assert Attempt.objects.get().submitted_at is None
    page.wait_for_selector("#submitted-notice")
    assert len(calls) == 2 and Attempt.objects.get().submitted_at is not None


def test_leaving_with_unsaved_answers_asks_first(page: Any, taking: dict) -> None:
    qs, right = taking["qs"], taking["right"]
    asked: list[str] = []

    def stay(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.context.route(ANSWERS, lambda route: route.abort())
    page.click(f"#question-{qs['single'].pk} input[value='{right.pk}']")
    _wait_q_status(page, qs["single"], "Waiting to be sent")
    page.click("nav >> text=Quizzes")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert page.url == taking["url"]  # stayed

    page.context.unroute(ANSWERS)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _wait_status(page, "All answers saved")
    page.click("nav >> text=Quizzes")
    page.wait_for_url("**/quizzes/")
    assert asked == ["beforeunload"]  # nothing unsaved: not asked again


def test_refused_answer_shows_the_server_reason(page: Any, taking: dict) -> None:
    qs = taking["qs"]
    page.fill(f"#question-{qs['numeric'].pk} input", "four")
    _wait_q_status(page, qs["numeric"], "Refused: Enter a number, e.g. 0.25.")
    assert "refused" in _status(page) and "question 3" in _status(page)
    assert page.locator(f"#question-{qs['numeric'].pk}").get_attribute("data-state") == "refused"
    assert not Answer.objects.exists()

    page.fill(f"#question-{qs['numeric'].pk} input", "4")
    _wait_q_status(page, qs["numeric"], "Saved at")
    _wait_status(page, "All answers saved")
    assert Answer.objects.get().value == "4"


def test_busy_server_retry_after_is_honoured(page: Any, taking: dict) -> None:
    qs, right = taking["qs"], taking["right"]
    seen: list[float] = []

    def busy_once(route: Any) -> None:
        seen.append(time.monotonic())
        if len(seen) == 1:
            route.fulfill(
                status=503,
                headers={"Retry-After": "2"},
                content_type="application/json",
                body=json.dumps({"code": "unavailable", "detail": "The database is restarting."}),
            )
        else:
            route.continue_()

    page.context.route(ANSWERS, busy_once)
    page.check(f"#question-{qs['single'].pk} input[value='{right.pk}']")
    _wait_status(page, "The server did not answer")
    _wait_status(page, "All answers saved")
    assert len(seen) == 2
    assert seen[1] - seen[0] >= 1.9  # not before the server said
    assert Answer.objects.get().value == right.pk
