"""Roster import and seating, against a real database."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from course import services
from course.models import Enrolment
from course.roster import parse_roster

User = get_user_model()

MOODLE_EXPORT = (
    "First name,Last name,ID number,Email address,Roles\n"
    "Ada,Lovelace,20980001,ada@umontreal.ca,Student\n"
    "Alan,Turing,20980002,alan@umontreal.ca,Student\n"
    "Audrey,Auditor,,audrey@umontreal.ca,Auditor\n"
    "Tara,Assistant,,tara@umontreal.ca,Non-editing teacher\n"
)


def test_parse_reports_each_bad_row_with_its_line():
    text = (
        "name,email,student_id,role\n"
        "Ada Lovelace,ada@umontreal.ca,1,student\n"
        "Bad Mail,not-an-email,2,student\n"
        ",nobody@umontreal.ca,3,student\n"
        "Odd Role,odd@umontreal.ca,4,wizard\n"
        "Ada Again,ada@umontreal.ca,5,student\n"
    )
    rows, errors = parse_roster(text)
    assert [str(e) for e in errors] == [
        "line 3: 'not-an-email' is not a valid e-mail address",
        "line 4: the name is empty",
        "line 5: unknown role 'wizard' (student, auditor, TA or instructor)",
        "line 6: ada@umontreal.ca already appears on line 2",
    ]
    assert [r.email for r in rows] == ["ada@umontreal.ca"]


def test_parse_refuses_a_file_without_an_email_column():
    _, errors = parse_roster("name,student_id\nAda,1\n")
    assert "no e-mail column" in str(errors[0])


@pytest.mark.django_db
def test_import_creates_then_updates(course):
    result = services.roster_import(course=course, text=MOODLE_EXPORT, now=timezone.now())
    assert result.ok and (result.created, result.updated) == (4, 0)
    roles = dict(Enrolment.objects.filter(course=course).values_list("user__email", "role"))
    assert roles == {
        "ada@umontreal.ca": "student",
        "alan@umontreal.ca": "student",
        "audrey@umontreal.ca": "auditor",
        "tara@umontreal.ca": "ta",
    }
    again = services.roster_import(
        course=course, text=MOODLE_EXPORT.replace("Ada,Lovelace", "Ada,King"), now=timezone.now()
    )
    assert (again.created, again.updated) == (0, 4)
    assert User.objects.get(email="ada@umontreal.ca").last_name == "King"
    assert (
        Enrolment.objects.get(course=course, user__email="ada@umontreal.ca").student_id
        == "20980001"
    )


@pytest.mark.django_db
def test_a_bad_row_leaves_nothing_half_applied(course):
    bad = MOODLE_EXPORT + "Zed,Zero,9,broken-email,Student\n"
    result = services.roster_import(course=course, text=bad, now=timezone.now())
    assert not result.ok
    assert str(result.errors[0]) == "line 6: 'broken-email' is not a valid e-mail address"
    assert not User.objects.filter(email__endswith="umontreal.ca").exists()
    assert not Enrolment.objects.filter(course=course).exists()


@pytest.mark.django_db
def test_auditors_sit_in_while_seats_remain_and_are_promoted_when_one_frees(course, make_member):
    course.seat_capacity = 3
    course.save()
    t0 = timezone.now()
    students = [make_member(course, "student", now=t0) for _ in range(2)]
    first = make_member(course, "auditor", now=t0 + timedelta(minutes=1))
    second = make_member(course, "auditor", now=t0 + timedelta(minutes=2))

    def status(user):
        return Enrolment.objects.get(course=course, user=user).status

    assert status(first) == "active" and status(second) == "waitlisted"

    # A registered student joining a full room takes the auditor's seat: students first.
    late_student = make_member(course, "student", now=t0 + timedelta(minutes=3))
    assert status(late_student) == "active"
    assert status(first) == "waitlisted" and status(second) == "waitlisted"

    # A student drops: the first auditor in line is promoted, not the second.
    services.enrolment_drop(enrolment=Enrolment.objects.get(course=course, user=students[0]))
    assert status(first) == "active" and status(second) == "waitlisted"


@pytest.mark.django_db
def test_feed_token_revocation_issues_a_new_address(course, make_member):
    user = make_member(course)
    token = services.feed_token_get_or_create(course=course, user=user)
    assert services.feed_token_get_or_create(course=course, user=user) == token
    new = services.feed_token_revoke(
        course=course, user=user, now=datetime.now(tz=timezone.get_current_timezone())
    )
    assert new.token != token.token
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.django_db
def test_imported_instructors_and_tas_can_work_in_the_admin(client, course):
    """A roster import gives staff roles admin access in this course, by the enrolment alone;
    a TA grades but cannot change the course nor delete anything."""
    from django.urls import reverse

    services.roster_import(course=course, text=MOODLE_EXPORT, now=timezone.now())
    ta = User.objects.get(email="tara@umontreal.ca")
    student = User.objects.get(email="ada@umontreal.ca")
    assert not (ta.is_staff or ta.is_superuser or student.is_staff)
    session = course.sessions.first()
    client.force_login(ta)
    assert client.get(reverse("admin:grading_examscore_add")).status_code == 200
    assert client.get(reverse("admin:course_session_delete", args=[session.pk])).status_code == 403

    instructor = User.objects.create_user("prof", "prof@umontreal.ca", "pw-for-tests")
    services.enrolment_set(course=course, user=instructor, role="instructor", now=timezone.now())
    instructor.refresh_from_db()
    assert not (instructor.is_staff or instructor.groups.exists())
    client.force_login(instructor)
    assert client.get("/admin/grading/").status_code == 200
    assert client.get("/admin/course/course/").status_code == 200
    assert client.get(reverse("admin:course_session_delete", args=[session.pk])).status_code == 200
    # The beat schedule is the site's, not the course's.
    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 403
    for name in ["grading_gradebook", "grading_gradebook_export", "grading_exam_import"]:
        url = reverse(f"admin:{name}", kwargs={"course_id": course.pk})
        assert client.get(url).status_code == 200, url
    client.force_login(ta)
    url = reverse("admin:grading_gradebook", kwargs={"course_id": course.pk})
    assert client.get(url).status_code == 200
    page = client.get(f"/admin/course/course/{course.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content  # read-only for a TA
