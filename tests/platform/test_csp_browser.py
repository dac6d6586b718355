"""The Content-Security-Policy holds in a real Chromium: pages, the admin and the API docs load
with every script, style, font and image from the app and no violation."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from course.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') +
                              ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


class Watch:
    def __init__(self, page: Any, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.console: list[str] = []
        self.outside: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._on_console)
        page.on("request", self._on_request)

    def _on_console(self, msg: Any) -> None:
        if msg.type == "error" and "Content Security Policy" in msg.text:
            self.console.append(msg.text)

    def _on_request(self, request: Any) -> None:
        url = request.url
        if not (url.startswith(self.origin) or url.startswith(("data:", "blob:", "about:"))):
            self.outside.append(url)

    def visit(self, path: str, ready: str) -> Any:
        response = self.page.goto(f"{self.origin}{path}")
        assert response is not None and response.status == 200, path
        assert "default-src 'self'" in (response.headers.get("content-security-policy") or "")
        self.page.wait_for_selector(ready)
        self.page.wait_for_load_state("networkidle")
        self.assert_clean(path)
        return response

    def assert_clean(self, where: str) -> None:
        violations = self.page.evaluate("window.__cspViolations")
        assert violations == [], (where, violations)
        assert self.console == [], (where, self.console)
        assert self.outside == [], (where, self.outside)


def test_pages_admin_and_api_docs_load_with_no_csp_violation(
    live_server: Any, page: Any, login: Any, django_user_model: Any
) -> None:
    load_demo(now=timezone.now())
    django_user_model.objects.create_superuser("root", "root@example.org", "pw-for-root")
    watch = Watch(page, live_server.url)

    watch.visit("/accounts/login/", "#id_username")
    login("ada", DEMO_PASSWORD)
    watch.assert_clean("login")
    watch.visit("/c/IFT6085/", "main.content")
    watch.visit("/c/IFT6085/schedule/", "table.schedule")
    watch.visit("/c/IFT6085/quizzes/", "main.content")
    watch.visit("/c/IFT6085/scribing/", "main.content")
    page.click("button:has-text('Log out')")

    login("root", "pw-for-root")
    watch.visit("/admin/", "#content")
    watch.visit("/admin/course/course/", "#result_list")
    page.click("#result_list tbody tr a")  # the course's change form, with its inlines and widgets
    page.wait_for_selector("#content-main form")
    page.wait_for_load_state("networkidle")
    watch.assert_clean("course change form")
    watch.visit("/admin/axes/accessattempt/", "#content")

    watch.visit("/api/docs/", ".swagger-ui .opblock")
    page.click(".swagger-ui .opblock-summary >> nth=0")  # open an operation: its panel renders
    page.wait_for_selector(".swagger-ui .opblock-body")
    watch.assert_clean("swagger operation")


def test_taking_a_quiz_with_math_has_no_csp_violation(
    live_server: Any, page: Any, login: Any, make_member: Any
) -> None:
    from playwright.sync_api import expect

    from course.models import Enrolment
    from course.syllabus.services import load_syllabus_text
    from tests.conftest import SMALL_SYLLABUS
    from tests.quizzes.conftest import build_quiz, questions

    course = load_syllabus_text(SMALL_SYLLABUS).course
    quiz = build_quiz(course, title="Gradient descent quiz")
    make_member(course, Enrolment.Role.STUDENT, "ana")
    single = questions(quiz)["single"]
    watch = Watch(page, live_server.url)
    login("ana")
    watch.visit(f"/c/{course.code}/quizzes/{quiz.pk}/", "#start-button")
    page.click("#start-button")
    page.wait_for_selector(f"#question-{single.pk} .katex")  # KaTeX rendered, its fonts loaded
    page.check(f"#question-{single.pk} input[type=radio] >> nth=0")
    # Not wait_for_function: Playwright evaluates its string with eval, which the CSP refuses.
    expect(page.locator("#save-status")).to_contain_text("saved", timeout=10_000)
    page.wait_for_load_state("networkidle")
    watch.assert_clean("quiz taken")
