"""A course unlike the demo (other zone, meetings, weights, no projects): no page breaks."""

import pytest
from django.urls import reverse

from course.syllabus.services import load_syllabus_text
from tests.course.test_private_pages import course_pages

pytestmark = pytest.mark.django_db

OTHER = """
course:
  code: MAT2050
  title: Analyse numérique
  term: Automne 2025
  language: fr
  seat_capacity: 80
  time_zone: Europe/Paris
calendar:
  term_start: 2025-09-01
  term_end: 2025-12-19
  meetings:
    - {day: monday, start: "08:00", end: "09:30"}
    - {day: tuesday, start: "14:00", end: "15:30"}
    - {day: friday, start: "10:15", end: "11:45"}
  days_off: [2025-11-11]
grading:
  components:
    - {key: quizzes, label: Quiz, weight: 40, source: quizzes}
    - {key: final, label: Examen final, weight: 60, source: exam}
quizzes: {best_n: 3, expected_min: 5, expected_max: 10}
"""


@pytest.fixture
def other(db):
    return load_syllabus_text(OTHER).course


def test_the_calendar_follows_its_own_zone_and_pattern(other):
    sessions = list(other.sessions.order_by("starts_at"))
    assert len(sessions) == 3 * 16 - 1  # sixteen weeks, Armistice day off
    assert str(sessions[0].starts_at.tzinfo) in ("Europe/Paris", "UTC")
    # 8:00 in Paris on both sides of the late-October change.
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    hours = {s.starts_at.astimezone(paris).hour for s in sessions if s.date.weekday() == 0}
    assert hours == {8}


@pytest.mark.parametrize("role", ["student", "auditor", "ta", "instructor"])
def test_every_page_answers_without_error(client, other, make_member, role):
    client.force_login(make_member(other, role))
    for name in course_pages():
        response = client.get(reverse(name, kwargs={"code": other.code}))
        assert response.status_code < 500, (name, response.status_code)
    for url in [
        f"/api/courses/{other.code}/schedule/",
        f"/api/courses/{other.code}/quizzes/",
        f"/api/courses/{other.code}/grades/me/",
        f"/api/courses/{other.code}/grades/",
    ]:
        assert client.get(url).status_code < 500, url


def test_the_admin_gradebook_of_a_course_without_projects(client, other, make_member):
    for _ in range(3):
        make_member(other)
    staff = make_member(other, "instructor")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    response = client.get("/admin/grading/")
    assert response.status_code == 200
    for name in [
        "grading_gradebook",
        "grading_gradebook_export",
        "grading_gradebook_moodle",
        "grading_exam_import",
    ]:
        url = reverse(f"admin:{name}", kwargs={"course_id": other.pk})
        assert client.get(url).status_code == 200, url
    assert (
        client.post(
            reverse("admin:grading_gradebook_recompute", kwargs={"course_id": other.pk})
        ).status_code
        < 400
    )
