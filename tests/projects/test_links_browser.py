"""Headless Chromium: a team hands in a milestone link that is not a web address and is told
so beside the form; a link stored before the check is shown as text, never as a link."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from course.models import Enrolment
from course.rules import weeks_to_shift
from course.syllabus.services import load_syllabus_text
from projects import services
from projects.models import GroupKind, MilestoneSubmission

from .conftest import PROJECTS_SYLLABUS


@pytest.fixture
def live_course(db):
    shift = weeks_to_shift(date(2021, 1, 11), timezone.localdate(), target_week=5)
    return load_syllabus_text(PROJECTS_SYLLABUS, shift_weeks=shift).course


@pytest.mark.browser
def test_a_javascript_link_is_refused_and_a_stored_one_is_not_clickable(
    live_server, page, login, live_course, make_member
):
    course = live_course
    ana = make_member(course, Enrolment.Role.STUDENT, username="ana")
    ben = make_member(course, Enrolment.Role.STUDENT, username="ben")
    team = services.group_create(course=course, kind=GroupKind.PROJECT, students=[ana, ben])
    progress = {m.key: m for m in services.milestones_sync(course=course)}["progress"]

    login("ana")
    page.goto(f"{live_server.url}/c/{course.code}/project/")
    row = page.locator("#milestone-progress")
    row.locator(f"input[name='m{progress.pk}-link']").fill("javascript:alert(document.cookie)")
    row.get_by_role("button", name="Hand in").click()
    page.get_by_text("Enter a web address starting with http:// or https://.").first.wait_for()
    assert not MilestoneSubmission.objects.exists()

    sub = services.milestone_submit(
        group=team,
        milestone=progress,
        user=ana,
        now=timezone.now(),
        link="https://example.org/progress",
    )
    MilestoneSubmission.objects.filter(pk=sub.pk).update(link="javascript:alert(1)")
    page.goto(f"{live_server.url}/c/{course.code}/project/")
    page.locator("#milestone-progress").get_by_text("javascript:alert(1)").wait_for()
    assert page.locator("a[href^='javascript:']").count() == 0
