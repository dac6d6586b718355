"""In headless Chromium: two students open the same quiz and get different question orders and
pool draws (the same again after a reload); a student asks for a regrade from the result page,
the TA answers in the admin, and the student sees the answer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from course.models import Enrolment
from course.syllabus.services import load_syllabus_text
from quizzes import rules, selectors, services
from quizzes.models import Attempt, Quiz, RegradeRequest
from tests.present import present

from ..conftest import SMALL_SYLLABUS
from .variants import build_variant_quiz, parametrised, pooled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_pages(browser: Any) -> Iterator[tuple[Any, Any]]:
    contexts = [
        browser.new_context(locale="en-US", timezone_id="America/Montreal") for _ in range(2)
    ]
    pages = [c.new_page() for c in contexts]
    for p in pages:
        p.set_default_timeout(10_000)
    yield pages[0], pages[1]
    for c in contexts:
        c.close()


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _expected_variant(quiz: Quiz, student: Any) -> dict[str, Any]:
    questions = list(quiz.questions.prefetch_related("choices"))
    variant = rules.draw_variant(
        seed=rules.variant_seed(quiz.access_secret, student.pk),
        questions=selectors.slot_questions(questions),
        shuffle_questions=quiz.shuffle_questions,
        shuffle_choices=quiz.shuffle_choices,
    )
    assert variant is not None
    return variant


def _shown_order(page: Any) -> list[int]:
    return [
        int(x)
        for x in re.findall(r'data-question="(\d+)"', page.locator("#quiz-form").inner_html())
    ]


def test_two_students_get_different_orders_and_draws(
    live_server: Any, two_pages: tuple[Any, Any], make_member: Any
) -> None:
    course = load_syllabus_text(SMALL_SYLLABUS).course
    quiz = build_variant_quiz(course, title="Rates quiz")
    students = [make_member(course, Enrolment.Role.STUDENT, f"s{i}") for i in range(8)]
    pool_ids = {q.pk for q in pooled(quiz)}

    def drawn(s: Any) -> int:
        return next(q for q in _expected_variant(quiz, s)["questions"] if q in pool_ids)

    # Two students whose draws differ (the seed has the quiz's random secret).
    first = students[0]
    second = next(s for s in students[1:] if drawn(s) != drawn(first))
    shown: dict[int, list[int]] = {}
    for page, student in zip(two_pages, (first, second), strict=True):
        _sign_in(page, live_server.url, student.username)
        page.goto(f"{live_server.url}/c/{course.code}/quizzes/{quiz.pk}/")
        page.click("#start-button")
        page.wait_for_selector("#quiz-form")
        shown[student.pk] = _shown_order(page)
        # The prompt carries this student's values.
        params = present(Attempt.objects.get(student=student).variant)["params"][
            str(parametrised(quiz).pk)
        ]
        assert (
            f"{params['a']}"
            in page.locator(f"#question-{parametrised(quiz).pk} .prompt").inner_text()
        )
        page.reload()
        page.wait_for_selector("#quiz-form")
        assert _shown_order(page) == shown[student.pk]  # a reload shows the same draw
    assert shown[first.pk] != shown[second.pk]
    assert set(shown[first.pk]) & pool_ids != set(shown[second.pk]) & pool_ids
    for student in (first, second):
        assert (
            present(Attempt.objects.get(student=student).variant)["questions"] == shown[student.pk]
        )

    # The first student answers the drawn pool question right, whatever the choice order.
    page = two_pages[0]
    qid = drawn(first)
    right = next(c for c in quiz.questions.get(pk=qid).choices.all() if c.is_correct)
    page.check(f"#question-{qid} input[value='{right.pk}']")
    from playwright.sync_api import expect

    expect(page.locator("#save-status")).to_contain_text("All answers saved", timeout=10_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-button")
    page.wait_for_selector("#submitted-notice")
    attempt = Attempt.objects.get(student=first)
    assert attempt.points == 1 and attempt.points_possible == 6


def test_a_regrade_request_is_filed_and_its_answer_seen(
    live_server: Any, two_pages: tuple[Any, Any], make_member: Any
) -> None:
    from playwright.sync_api import expect

    course = load_syllabus_text(SMALL_SYLLABUS).course
    opens = timezone.now() - timedelta(hours=2)
    quiz = build_variant_quiz(course, title="Closed quiz", opens_at=opens)
    student = make_member(course, Enrolment.Role.STUDENT, "ana")
    make_member(course, Enrolment.Role.TA, "tom")
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=opens)
    q = parametrised(quiz)
    services.answer_save(quiz=quiz, student=student, question_id=q.pk, value="0", now=opens)
    assert services.attempt_submit(attempt=attempt, now=opens + timedelta(minutes=5)).points == 0

    page, staff_page = two_pages
    _sign_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/c/{course.code}/quizzes/{quiz.pk}/result/")
    page.click(f"#regrade-form-{q.pk} >> xpath=.. >> summary")
    page.fill(f"#reason-{q.pk}", "I wrote the product with a comma: 7,5.")
    page.click(f"#regrade-form-{q.pk} button[type=submit]")
    expect(page.locator("body")).to_contain_text("Your regrade request is sent")
    expect(page.locator(f"#regrade-{q.pk}")).to_contain_text("waiting for an answer")
    request = RegradeRequest.objects.get()

    _sign_in(staff_page, live_server.url, "tom")
    staff_page.goto(f"{live_server.url}/admin/quizzes/regraderequest/{request.pk}/change/")
    expect(staff_page.locator("body")).to_contain_text("I wrote the product with a comma")
    staff_page.check("input[name=decision][value=accepted]")
    staff_page.fill("#id_new_points", "1")
    staff_page.fill("#id_reply", "Right: the comma is a decimal separator here.")
    staff_page.click("input[name=_save]")
    expect(staff_page.locator(".messagelist")).to_be_visible()

    page.reload()
    expect(page.locator(f"#regrade-{q.pk}")).to_contain_text("accepted")
    expect(page.locator(f"#regrade-{q.pk}")).to_contain_text("the comma is a decimal separator")
    attempt.refresh_from_db()
    assert RegradeRequest.objects.get().status == "accepted"
    # Only that question was answered (wrongly): the accepted point is the whole total.
    assert attempt.points == Decimal(1) and attempt.answers.get(question=q).points == 1
