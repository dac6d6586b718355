"""The roster import of course B never reaches the accounts of course A (issue #14, item 2),
and a bad line (NUL, a field too long) is reported on its line with nothing imported."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from course import services
from course.models import Course, Enrolment
from course.roster import parse_roster
from course.syllabus.services import load_syllabus_text
from tests.projects.conftest import PROJECTS_SYLLABUS

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def two_courses(make_member: Any) -> dict[str, Any]:
    a = load_syllabus_text(PROJECTS_SYLLABUS.replace("PRJ101", "AAA101")).course
    b = load_syllabus_text(PROJECTS_SYLLABUS.replace("PRJ101", "BBB101")).course
    return {
        "a": a,
        "b": b,
        "ada": make_member(a, username="ada"),
        "prof_a": make_member(a, Enrolment.Role.INSTRUCTOR, username="prof_a"),
        "prof_b": make_member(b, Enrolment.Role.INSTRUCTOR, username="prof_b"),
    }


def _import(client: Any, course: Course, text: str) -> Any:
    upload = SimpleUploadedFile("roster.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(
        reverse("admin:course_roster_import", args=[course.pk]), {"file": upload}, follow=True
    )


def test_an_import_in_b_neither_renames_nor_empowers_a_student_of_a(
    client: Any, two_courses: dict[str, Any]
) -> None:
    """Finding 2, replayed: course B's instructor imports the e-mail of a student of A as
    instructor. She is enrolled in B as instructor, keeps her name, gets no flag nor group,
    and her new role gives her the admin of B only."""
    a, b, ada = two_courses["a"], two_courses["b"], two_courses["ada"]
    client.force_login(two_courses["prof_b"])
    page = _import(client, b, "name,email,role\nEve Hacked,ada@example.org,instructor\n")
    assert "1 people also belong to other courses" in page.content.decode()
    ada.refresh_from_db()
    assert (ada.first_name, ada.last_name) == ("Ada", "Test")
    assert not (ada.is_staff or ada.is_superuser or ada.groups.exists())
    assert Enrolment.objects.get(course=b, user=ada).role == Enrolment.Role.INSTRUCTOR
    assert Enrolment.objects.get(course=a, user=ada).role == Enrolment.Role.STUDENT

    client.force_login(ada)
    assert client.get(reverse("admin:course_course_change", args=[b.pk])).status_code == 200
    assert client.get(reverse("admin:course_course_change", args=[a.pk])).status_code == 403
    assert client.get(reverse("admin:grading_gradebook", args=[a.pk])).status_code == 403
    listed = client.get(reverse("admin:course_enrolment_changelist")).context["cl"].result_list
    assert {e.course_id for e in listed} == {b.pk}


def test_an_account_of_this_course_only_is_renamed_and_a_new_one_created(
    two_courses: dict[str, Any],
) -> None:
    a = two_courses["a"]
    result = services.roster_import(
        course=a,
        text="name,email,role\nAda King,ada@example.org,student\nNew Person,new@x.org,ta\n",
        now=timezone.now(),
    )
    assert result.ok and (result.created, result.updated, result.names_kept) == (1, 1, 0)
    assert User.objects.get(username="ada").get_full_name() == "Ada King"
    newcomer = User.objects.get(email="new@x.org")
    assert not newcomer.is_staff and not newcomer.groups.exists()


def test_a_superusers_account_is_never_renamed_by_an_import(two_courses: dict[str, Any]) -> None:
    boss = User.objects.create_superuser("boss", "boss@x.org", "pw", first_name="Site")
    result = services.roster_import(
        course=two_courses["b"], text="name,email\nMallory M,boss@x.org\n", now=timezone.now()
    )
    assert result.names_kept == 1
    boss.refresh_from_db()
    assert boss.first_name == "Site"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Ada\x00,Lovelace,ada@x.org", "line 3: the line contains a NUL character"),
        (f"{'A' * 151},Lovelace,ada@x.org", "line 3: the first name is longer than 150 characters"),
        (f"Ada,{'L' * 151},ada@x.org", "line 3: the last name is longer than 150 characters"),
    ],
)
def test_a_nul_or_an_overlong_name_is_that_lines_error_and_nothing_is_imported(
    client: Any, two_courses: dict[str, Any], line: str, message: str
) -> None:
    b = two_courses["b"]
    text = f"First name,Last name,Email address\nGood,Person,good@x.org\n{line}\n"
    before = (User.objects.count(), Enrolment.objects.count())
    client.force_login(two_courses["prof_b"])
    page = _import(client, b, text)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert "Nothing was imported" in page.content.decode()
    assert (User.objects.count(), Enrolment.objects.count()) == before


def test_the_limits_are_the_accounts_own() -> None:
    exactly = "A" * 150
    rows, errors = parse_roster(
        f"First name,Last name,Email address\n{exactly},B,ok@x.org\n",
        max_lengths=services.ROSTER_MAX_LENGTHS,
    )
    assert errors == [] and rows[0].first_name == exactly
    _, errors = parse_roster(
        f"name,email,student_id\nAda L,ok@x.org,{'9' * 33}\n",
        max_lengths=services.ROSTER_MAX_LENGTHS,
    )
    assert [str(e) for e in errors] == ["line 2: the student id is longer than 32 characters"]
