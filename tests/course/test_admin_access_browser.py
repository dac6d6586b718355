"""In a real browser: a TA signs in to the admin by their enrolment alone and finds the course's
work, not the site's settings; an instructor's own account page offers no privilege."""

from __future__ import annotations

from typing import Any

import pytest

from course.models import Enrolment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_ta_signs_in_to_the_admin_and_sees_only_the_courses_work(
    course: Any, make_member: Any, page: Any, live_server: Any
) -> None:
    ta = make_member(course, Enrolment.Role.TA, username="tara")
    assert not ta.is_staff
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "tara")
    page.fill("#id_password", "pw-for-tests")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    body = page.locator("body").inner_text()
    assert "Exam scores" in body and "Quizzes" in body
    assert "Periodic tasks" not in body and "Users" not in body
    page.goto(f"{live_server.url}/admin/django_celery_beat/periodictask/")
    assert "Not allowed" in page.locator("body").inner_text()


def test_an_instructor_edits_their_name_but_no_privilege(
    course: Any, make_member: Any, page: Any, login: Any, live_server: Any
) -> None:
    prof = make_member(course, Enrolment.Role.INSTRUCTOR, username="prof")
    login("prof")
    page.goto(f"{live_server.url}/admin/course/user/{prof.pk}/change/")
    assert page.locator("#id_is_superuser").count() == 0
    assert page.locator("#id_groups").count() == 0
    assert "Reset password" not in page.locator("body").inner_text()
    page.fill("#id_first_name", "Professor")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    prof.refresh_from_db()
    assert prof.first_name == "Professor" and not prof.is_superuser
