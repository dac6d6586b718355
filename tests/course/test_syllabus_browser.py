"""The instructor loads an edited syllabus in the admin: preview, confirmation, apply (Chromium)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from course.syllabus.services import load_syllabus_text
from quizzes.models import Quiz
from tests.course.test_syllabus_file import FULL_SYLLABUS
from tests.factories import AttemptFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_edit_touching_attempts_is_previewed_and_applied_only_when_confirmed(
    live_server, page, login, make_member, tmp_path
):
    course = load_syllabus_text(FULL_SYLLABUS).course
    quiz = Quiz.objects.get(course=course, title="Gradient descent")
    AttemptFactory.create(
        quiz=quiz, student=make_member(course, "student"), deadline=quiz.closes_at
    )
    prof = make_member(course, "instructor", username="prof")
    prof.is_staff = prof.is_superuser = True
    prof.save()
    edited = tmp_path / "ful101.yaml"
    edited.write_text(FULL_SYLLABUS.replace("opens: 9:10", "opens: 9:40"), encoding="utf-8")

    login("prof")
    page.goto(f"{live_server.url}/admin/course/course/{course.pk}/change/")
    page.click("text=Load a syllabus file")
    page.set_input_files("input[type=file]", str(edited))
    page.click("input[value=Preview]")
    page.wait_for_selector("#syllabus-preview")
    row = page.locator("#syllabus-changes tr.needs-confirmation")
    assert row.count() == 1
    assert "Gradient descent" in row.inner_text() and "1 attempts" in row.inner_text()
    assert "opens 2021-01-14 09:10" in row.inner_text()
    assert "opens 2021-01-14 09:40" in row.inner_text()

    page.click("#syllabus-apply input[type=submit]")  # not confirmed
    page.wait_for_selector("text=tick the confirmation")
    quiz.refresh_from_db()
    assert quiz.opens_at.astimezone(ZoneInfo("America/Montreal")).time() == dt.time(9, 10)

    page.check("#syllabus-apply input[type=checkbox]")
    page.click("#syllabus-apply input[type=submit]")
    page.wait_for_selector("text=Syllabus loaded")
    assert f"/admin/course/course/{course.pk}/change/" in page.url
    quiz.refresh_from_db()
    assert quiz.opens_at.astimezone(ZoneInfo("America/Montreal")).time() == dt.time(9, 40)
