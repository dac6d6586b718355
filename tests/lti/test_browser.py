"""A student clicks Coursekit's link on the LMS course page and lands signed in on the course
home, in a real headless Chromium: the tool's login, the platform's authorization form post and
the launch all go through the browser."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from course.models import Course, Enrolment
from lti.models import LinkedAccount

from .conftest import register
from .platform import INSTRUCTOR, LEARNER, LtiPlatform, Member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_student_launches_from_the_lms_into_the_course_home(
    live_server: Any, page: Any, course: Course, make_member: Any
) -> None:
    # The two servers on the same host, as the LMS and the tool are on one site in this test
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
    finally:
        lms.stop()
