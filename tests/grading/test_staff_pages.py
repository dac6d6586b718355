"""The class pages the staff reach: quizzes, presentations, projects and the gradebook, in their
navigation; the instructor's home; 403 pages that keep the course's navigation."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from course import services as course_services
from course.models import Course, Enrolment
from grading import services as grading_services
from projects import services as project_services
from projects.models import GroupKind
from tests.factories import UserFactory
from tests.present import present
from tests.quizzes.conftest import build_quiz

pytestmark = pytest.mark.django_db

CLASS_PAGES = {
    "quizzes": "Daily quizzes of the class",
    "presentations": "Paper presentations of the class",
    "project": "Research projects of the class",
    "grades": "Open the gradebook",
}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _nav(html: str) -> str:
    match = re.search(r'<nav class="topnav".*?</nav>', html, re.DOTALL)
    assert match
    return match.group(0)


@pytest.mark.parametrize("role", ["ta", "instructor"])
def test_staff_reach_the_class_pages_from_their_navigation(
    course: Course, make_member: Callable[..., Any], role: str
) -> None:
    staff = make_member(course, role)
    students = [make_member(course, "student") for _ in range(4)]
    project_services.group_create(course=course, kind=GroupKind.PROJECT, students=students[:2])
    project_services.group_create(course=course, kind=GroupKind.PRESENTATION, students=students[2:])
    build_quiz(course, title="Today's quiz")
    grading_services.gradebook_recompute(course=course)
    client = _client(staff)
    home = client.get(f"/c/{course.code}/").content.decode()
    nav = _nav(home)
    for page, heading in CLASS_PAGES.items():
        url = f"/c/{course.code}/{page}/"
        assert nav.count(f'href="{url}"') == 1, page  # in the navigation, once
        response = client.get(url)
        assert response.status_code == 200, page
        assert heading in response.content.decode(), page
    assert "My grades" not in nav
    quizzes = client.get(f"/c/{course.code}/quizzes/").content.decode()
    assert "Today&#x27;s quiz" in quizzes and re.search(r'class="n-opened"[^>]*>0<', quizzes)
    project = client.get(f"/c/{course.code}/project/").content.decode()
    assert students[0].first_name in project


def test_staff_pages_query_count_does_not_grow(
    course: Course, make_member: Callable[..., Any]
) -> None:
    ta = make_member(course, "ta")
    client = _client(ta)
    bounds: dict[str, list[int]] = {page: [] for page in CLASS_PAGES}
    for size in (2, 12):
        people = [make_member(course, "student") for _ in range(size)]
        project_services.group_create(course=course, kind=GroupKind.PROJECT, students=people)
        for a, b in zip(people[::2], people[1::2], strict=True):
            project_services.group_create(
                course=course, kind=GroupKind.PRESENTATION, students=[a, b]
            )
        build_quiz(course, title=f"Quiz {size}", session_index=size)
        grading_services.gradebook_recompute(course=course)
        for page in CLASS_PAGES:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(f"/c/{course.code}/{page}/").status_code == 200
            bounds[page].append(len(ctx.captured_queries))
    for page, (small, large) in bounds.items():
        assert large <= small, (page, small, large)


def test_instructor_home_has_one_staff_banner_and_no_student_links(course: Course) -> None:
    """The demo's instructor is a superuser: the home showed the student's "Quiz open now"
    beside the staff's, and "My grades" ("you are not a registered student")."""
    instructor = UserFactory.create(superuser=True, username="boss", email="boss@example.org")
    course_services.enrolment_set(
        course=course, user=instructor, role=Enrolment.Role.INSTRUCTOR, now=timezone.now()
    )
    build_quiz(course, title="Open quiz")
    home = _client(instructor).get(f"/c/{course.code}/").content.decode()
    assert home.count("Quiz open now") == 1
    assert "Live view" in home and "Open the quiz" not in home
    nav = _nav(home)
    assert "My grades" not in nav and "Gradebook" in nav
    root = UserFactory.create(superuser=True, username="root", email="root@example.org")
    nav = _nav(_client(root).get(f"/c/{course.code}/").content.decode())
    assert "My grades" not in nav


@pytest.mark.parametrize(
    "path",
    ["quizzes/", "scribing/", "presentations/", "project/", "grades/", "notifications/"],
)
def test_a_403_page_keeps_the_course_navigation(
    course: Course, make_member: Callable[..., Any], path: str
) -> None:
    course.auditors_may_take_quizzes = False
    course.save(update_fields=["auditors_may_take_quizzes"])
    auditor = make_member(course, "auditor")
    response = _client(auditor).get(f"/c/{course.code}/{path}")
    if response.status_code == 200:  # a page auditors may read has nothing to check here
        return
    assert response.status_code == 403
    nav = _nav(response.content.decode())
    assert f'href="/c/{course.code}/schedule/"' in nav and course.code in nav


def test_a_student_never_given_a_scribe_slot_is_flagged_then_gets_a_final_grade(
    course: Course, make_member: Callable[..., Any]
) -> None:
    import time_machine

    from scribing import services as scribing_services

    instructor = make_member(course, "instructor")
    scribe, forgotten = make_member(course, "student"), make_member(course, "student")
    scribing_services.slots_sync(course=course)
    first = present(course.scribe_slots.order_by("session__starts_at").first())
    scribing_services.scribe_slot_claim(
        slot=first, student=scribe, now=datetime(2021, 1, 2, tzinfo=timezone.get_current_timezone())
    )
    with time_machine.travel("2021-02-01 12:00 -05:00"):
        grading_services.gradebook_recompute(course=course)
        page = _client(instructor).get(f"/c/{course.code}/grades/").content.decode()
        assert "no slot yet" in page and forgotten.username in page
        admin_page = (
            _client(instructor)
            .get(reverse("admin:grading_gradebook", args=[course.pk]))
            .content.decode()
        )
        assert 'class="gradebook-flag"' in admin_page and "Scribing: no slot yet" in admin_page
    grading_services.gradebook_recompute(course=course)  # today: the term is long over
    page = _client(instructor).get(f"/c/{course.code}/grades/").content.decode()
    assert "no slot yet" not in page
    from grading.selectors import snapshot_of

    row = next(r for r in present(snapshot_of(course)).rows if r["user_id"] == forgotten.pk)
    assert row["final"] is not None and "scribing" in row["missing"]


def test_staff_pages_in_french(course: Course, make_member: Callable[..., Any]) -> None:
    client = _client(make_member(course, "ta"))
    client.cookies["django_language"] = "fr"
    expected = {
        "quizzes": "Quiz quotidiens de la classe",
        "presentations": "articles de la classe",
        "project": "Projets de recherche de la classe",
        "grades": "pas encore été calculé.",
    }
    for page, text in expected.items():
        body = client.get(f"/c/{course.code}/{page}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert text in body, page
