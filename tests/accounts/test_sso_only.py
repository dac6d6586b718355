"""The instructor turns local passwords off for students when SSO is on."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from config.sso import providers_from_env
from course.accounts import services as account_services

pytestmark = pytest.mark.django_db
User = get_user_model()

ENV = {
    "COURSEKIT_OIDC_SERVER_URL": "http://127.0.0.1:9/o",  # never reached by these tests
    "COURSEKIT_OIDC_CLIENT_ID": "coursekit",
    "COURSEKIT_OIDC_NAME": "UdeM",
}


@pytest.fixture
def sso_only(settings, course):
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_env(ENV)
    course.students_sign_in_with_sso_only = True
    course.save()
    return course


def _login(client, user):
    return client.post("/accounts/login/", {"username": user.username, "password": "pw-for-tests"})


def test_the_login_page_offers_the_university_button(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_env(ENV)
    html = client.get("/accounts/login/").content.decode()
    assert 'action="/accounts/sso/oidc/university/login/"' in html
    assert "Sign in with UdeM" in html


def test_without_sso_the_login_page_has_no_university_button(client):
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()


def test_a_student_of_an_sso_only_course_cannot_use_a_password(client, sso_only, make_member):
    student = make_member(sso_only, "student")
    response = _login(client, student)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Students of your course sign in through the university" in html
    assert "didn't match" not in html  # the password was right: say what is wrong instead
    assert client.get("/c/TST101/").status_code == 302


def test_staff_keep_their_password(client, sso_only, make_member):
    ta = make_member(sso_only, "ta")
    assert _login(client, ta).status_code == 302


def test_without_sso_configured_the_switch_changes_nothing(client, course, make_member):
    course.students_sign_in_with_sso_only = True
    course.save()
    assert _login(client, make_member(course, "student")).status_code == 302


def test_a_wrong_password_still_says_only_that(client, sso_only, make_member):
    student = make_member(sso_only, "student")
    response = client.post("/accounts/login/", {"username": student.username, "password": "no"})
    html = response.content.decode()
    assert "didn't match" in html and "Students of your course" not in html


def test_the_invitation_of_an_sso_only_student_points_to_the_university(client, sso_only):
    user = User.objects.create_user("ada", "ada@example.org")
    from course import services

    services.enrolment_set(course=sso_only, user=user, role="student", now=timezone.now())
    sent = account_services.invitation_send(
        course=sso_only, user=user, invited_by=None, now=timezone.now()
    )
    response = client.post(
        sent.path,
        {"new_password1": "violet-stapler-meadow", "new_password2": "violet-stapler-meadow"},
    )
    assert response.status_code == 403
    assert "sign in with their university account" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_a_student_of_an_sso_only_course_cannot_use_a_password_on_the_api(
    client, sso_only, make_member
):
    student = make_member(sso_only, "student")
    basic = "Basic " + base64.b64encode(f"{student.username}:pw-for-tests".encode()).decode()
    response = client.get("/api/me/enrollments/", HTTP_AUTHORIZATION=basic)
    assert response.status_code == 401
    assert response.json()["code"] == "sso_only"
    assert "sign in through the university" in response.json()["detail"]


def test_staff_of_an_sso_only_course_keep_the_api_with_a_password(client, sso_only, make_member):
    ta = make_member(sso_only, "ta")
    basic = "Basic " + base64.b64encode(f"{ta.username}:pw-for-tests".encode()).decode()
    assert client.get("/api/me/enrollments/", HTTP_AUTHORIZATION=basic).status_code == 200
