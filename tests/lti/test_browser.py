"""A student clicks Coursekit's link on the LMS course page and lands signed in on the course
home, in a real headless Chromium: the tool's login, the platform's authorization form post and
the launch all go through the browser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from course.models import Course, Enrolment
from lti.models import LinkedAccount

from .conftest import register
from .platform import INSTRUCTOR, LEARNER, LtiPlatform, Member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lms_site(
    live_server: Any, course: Course, make_member: Any
) -> Iterator[tuple[str, LtiPlatform]]:
    """(the tool's address, the LMS): the test LMS on its own server, registered with the live
    tool, its link opening TST101, with the instructor `prof` (enrolled in TST101 too) and the
    student `zoe` among its members."""
    # The two servers on the same host, as the LMS and the tool are on one site in these tests
    # (plain HTTP here; over HTTPS the state cookie is SameSite=None and crosses sites).
    tool = f"http://127.0.0.1:{urlsplit(live_server.url).port}"
    lms = LtiPlatform(
        tool_login_url=f"{tool}/lti/login/",
        tool_launch_url=f"{tool}/lti/launch/",
        target_link_uri=f"{tool}/c/TST101/",
    ).start()
    try:
        register(lms)
        make_member(course, Enrolment.Role.INSTRUCTOR, username="prof")
        lms.members["prof"] = Member("lms-prof", "prof@example.org", "Pat", "Prof", INSTRUCTOR)
        lms.members["zoe"] = Member("lms-zoe", "zoe@example.org", "Zoé", "Student", LEARNER)
        yield tool, lms
    finally:
        lms.stop()


def test_a_student_launches_from_the_lms_into_the_course_home(
    page: Any, course: Course, lms_site: tuple[str, LtiPlatform]
) -> None:
    tool, lms = lms_site

    # The instructor's first launch links the LMS course to TST101.
    page.goto(f"{lms.base_url}/course/prof")
    page.click("#coursekit-link")
    page.wait_for_url(f"{tool}/c/TST101/")
    page.context.clear_cookies()

    page.goto(f"{lms.base_url}/course/zoe")
    page.click("#coursekit-link")
    page.wait_for_url(f"{tool}/c/TST101/")

    assert page.locator("h1").inner_text().startswith("TST101")
    assert "Zoé" in page.locator("header").inner_text()
    zoe = LinkedAccount.objects.get(subject="lms-zoe").user
    assert Enrolment.objects.get(course=course, user=zoe).role == Enrolment.Role.STUDENT

    # A second click from the LMS is a new launch: the spent nonce is not reused.
    page.goto(f"{lms.base_url}/course/zoe")
    page.click("#coursekit-link")
    page.wait_for_url(f"{tool}/c/TST101/")


def test_the_instructor_releases_a_grade_and_it_reaches_the_lms_gradebook(
    page: Any, course: Course, lms_site: tuple[str, LtiPlatform]
) -> None:
    from decimal import Decimal

    from django.core.management import call_command

    from grading.services import exam_score_set
    from lti.protocol import jwks

    tool, lms = lms_site
    call_command("lti_rotate_key", "--if-missing", verbosity=0)
    lms.tool_jwks = jwks()
    for who in ("prof", "zoe"):
        page.context.clear_cookies()
        page.goto(f"{lms.base_url}/course/{who}")
        page.click("#coursekit-link")
        page.wait_for_url(f"{tool}/c/TST101/")
    zoe = LinkedAccount.objects.get(subject="lms-zoe").user
    exam_score_set(
        course=course,
        student_id=zoe.pk,
        component_key="midterm",
        score=Decimal(41),
        out_of=Decimal(50),
    )
    assert lms.scores == []  # nothing released yet

    page.context.clear_cookies()
    page.goto(f"{lms.base_url}/course/prof")
    page.click("#coursekit-link")
    page.wait_for_url(f"{tool}/c/TST101/")
    page.goto(f"{tool}/admin/grading/gradebooksnapshot/course/{course.pk}/")
    page.click('button[data-release="midterm"]')
    page.wait_for_selector("ul.messagelist")
    assert "Midterm released" in page.locator("ul.messagelist").inner_text()
    assert page.locator('button[data-release="midterm"]').inner_text() == "Withdraw"
    assert [(s["userId"], s["scoreGiven"]) for s in lms.scores] == [("lms-zoe", 82.0)]
    assert [item["label"] for item in lms.line_items] == ["Midterm"]

    # The post's status, per student, in the admin of the course.
    page.click("#lms-grade-posts")
    row = page.locator("#result_list tbody tr").first
    assert "Zoé Student" in row.inner_text() and "82.00" in row.inner_text()


def test_the_instructor_adds_a_link_to_one_quiz_and_a_student_lands_on_it(
    page: Any, course: Course, lms_site: tuple[str, LtiPlatform]
) -> None:
    from django.core.management import call_command

    from lti.protocol import jwks
    from tests.quizzes.conftest import build_quiz

    from .platform import DL, deep_linking_response

    tool, lms = lms_site
    lms.target_link_uri = f"{tool}/"  # the deep-linking launch targets the tool's root
    call_command("lti_rotate_key", "--if-missing", verbosity=0)
    quiz = build_quiz(course, title="Quiz on generalisation")

    page.goto(f"{lms.base_url}/course/prof?add=coursekit")
    page.click("#coursekit-link")
    page.wait_for_selector("#deep-link-form")
    page.get_by_label("Quiz: Quiz on generalisation", exact=False).check()
    page.click("#deep-link-form button[type=submit]")
    page.wait_for_selector("#link-added")  # the script handed the link back to the LMS

    (answer,) = lms.deep_link_returns
    (item,) = deep_linking_response(lms, answer, jwks())[DL + "content_items"]
    assert item["url"] == f"{tool}/c/TST101/quizzes/{quiz.pk}/"

    page.context.clear_cookies()
    lms.target_link_uri = item["url"]
    page.goto(f"{lms.base_url}/course/zoe")
    page.click("#coursekit-link")
    page.wait_for_url(item["url"])
    assert "Quiz on generalisation" in page.locator("main").inner_text()
