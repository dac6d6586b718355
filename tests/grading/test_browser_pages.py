"""Headless Chromium: what the TA, an auditor and a team see on the pages issue 17 fixed.

A TA walks the class pages from the navigation; an instructor's home has one staff banner; a
team is told before handing in late what it costs, and after an approved extension the version
no longer shows the penalty; an auditor's quiz list is practice.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from course.deadlines import services as deadline_services
from course.deadlines.rules import target_key
from course.models import Enrolment
from course.rules import weeks_to_shift
from course.syllabus.services import load_syllabus_text
from projects import services as project_services
from projects.models import GroupKind, Milestone
from tests.projects.conftest import PDF, PROJECTS_SYLLABUS
from tests.quizzes.conftest import build_quiz

pytestmark = pytest.mark.browser


@pytest.fixture
def live_course(db):
    shift = weeks_to_shift(date(2021, 1, 11), timezone.localdate(), target_week=5)
    return load_syllabus_text(PROJECTS_SYLLABUS, shift_weeks=shift).course


def test_ta_walks_the_class_pages_from_the_navigation(
    live_server, page, login, live_course, make_member
):
    course = live_course
    make_member(course, Enrolment.Role.TA, username="tara")
    ana = make_member(course, Enrolment.Role.STUDENT, username="ana")
    ben = make_member(course, Enrolment.Role.STUDENT, username="ben")
    project_services.group_create(course=course, kind=GroupKind.PROJECT, students=[ana, ben])
    build_quiz(course, title="Quiz of the day", session_index=3)
    login("tara")
    page.goto(f"{live_server.url}/c/{course.code}/")
    nav = page.locator("nav.topnav")
    assert nav.get_by_role("link", name="My grades").count() == 0
    nav.get_by_role("link", name="Quizzes").click()
    page.get_by_role("heading", name="Daily quizzes of the class").wait_for()
    assert page.locator("#class-quizzes").get_by_text("Quiz of the day").is_visible()
    page.locator("nav.topnav").get_by_role("link", name="Presentations").click()
    page.get_by_role("heading", name="Paper presentations of the class").wait_for()
    page.locator("nav.topnav").get_by_role("link", name="Projects").click()
    page.get_by_role("heading", name="Research projects of the class").wait_for()
    assert page.locator("#teams").get_by_text("Ana Test").is_visible()
    page.locator("nav.topnav").get_by_role("link", name="Gradebook").click()
    page.get_by_role("heading", name="Gradebook").wait_for()
    assert page.get_by_role("link", name="Open the gradebook").is_visible()


def test_instructor_home_shows_one_quiz_banner(live_server, page, login, live_course, make_member):
    course = live_course
    boss = make_member(course, Enrolment.Role.INSTRUCTOR, username="boss")
    boss.is_staff = boss.is_superuser = True  # as the demo's instructor
    boss.save()
    build_quiz(course, title="Open quiz", session_index=3)
    login("boss")
    page.goto(f"{live_server.url}/c/{course.code}/")
    page.locator("#home-notices").wait_for()
    assert page.get_by_text("Quiz open now").count() == 1
    assert page.locator("nav.topnav").get_by_role("link", name="My grades").count() == 0


def test_team_is_told_the_cost_before_a_late_hand_in_and_sees_the_extension_count(
    live_server, page, login, live_course, make_member, tmp_path
):
    course = live_course
    ana = make_member(course, Enrolment.Role.STUDENT, username="ana")
    ben = make_member(course, Enrolment.Role.STUDENT, username="ben")
    team = project_services.group_create(course=course, kind=GroupKind.PROJECT, students=[ana, ben])
    milestone = Milestone.objects.get(course=course, key="proposal")
    milestone.due = timezone.now() - timedelta(hours=3)  # due three hours ago
    milestone.save(update_fields=["due"])
    pdf = tmp_path / "proposal.pdf"
    pdf.write_bytes(PDF)

    login("ana")
    page.goto(f"{live_server.url}/c/{course.code}/project/")
    warning = page.locator("#lateness-proposal")
    warning.wait_for()
    assert "it will be late" in warning.inner_text() and "5% penalty" in warning.inner_text()
    row = page.locator("#milestone-proposal")
    row.locator("input[type=file]").set_input_files(str(pdf))
    row.get_by_role("button", name="Hand in").click()
    page.get_by_text("It is late.").wait_for()
    assert "late −5%" in page.locator("#milestone-proposal .versions").inner_text()

    # The instructor grants the team an extension: the version no longer costs 5%.
    deadline_services.extension_grant(
        course=course,
        target_key=target_key("projects", "milestone", milestone.pk),
        due_at=timezone.now() + timedelta(days=1),
        student=ana,
    )
    page.reload()
    versions = page.locator("#milestone-proposal .versions").inner_text()
    assert "late −5%" not in versions and "5% when handed in, before the extension" in versions
    assert "it will be on time" in page.locator("#lateness-proposal").inner_text()
    assert team.submissions.count() == 1


def test_auditor_sees_practice_not_grades(live_server, page, login, live_course, make_member):
    course = live_course
    course.auditors_may_take_quizzes = True
    course.save(update_fields=["auditors_may_take_quizzes"])
    make_member(course, Enrolment.Role.AUDITOR, username="audrey")
    build_quiz(
        course,
        title="Past quiz",
        session_index=2,
        opens_at=timezone.now() - timedelta(days=2),
    )
    login("audrey")
    page.goto(f"{live_server.url}/c/{course.code}/quizzes/")
    page.locator("#practice-note").wait_for()
    body = page.locator("main").inner_text()
    assert "Quiz grade" not in body and "Missed" not in body and "Not taken" in body
    page.get_by_role("link", name="Results").click()
    page.get_by_text("Not taken. You are auditing").wait_for()
    assert "counts 0" not in page.locator("main").inner_text()
