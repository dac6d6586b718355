"""Login throttling (django-axes) on every way in: the login page, the admin login, HTTP Basic."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.test import Client, override_settings

from course.models import Enrolment

LIMIT = 3
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("few_failures")]


@pytest.fixture
def few_failures() -> Any:
    with override_settings(AXES_FAILURE_LIMIT=LIMIT):
        yield


@pytest.fixture
def student(course: Any, make_member: Any) -> Any:
    return make_member(course, Enrolment.Role.STUDENT, username="ada")


@pytest.fixture
def superuser(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw-for-root")


def basic(username: str, password: str) -> dict[str, Any]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def login_page(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def admin_login(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        **extra,
    )


def test_login_page_locks_the_account_and_address_out_then_lets_in_after_the_wait(
    client: Client, student: Any
) -> None:
    with time_machine.travel("2026-12-01 15:00:00+00:00", tick=False) as clock:
        for _ in range(LIMIT - 1):
            r = login_page(client, "ada", "wrong")
            assert r.status_code == 200
            assert "match" in r.content.decode()
        r = login_page(client, "ada", "wrong")
        assert r.status_code == 429
        body = r.content.decode()
        # 15:00 UTC is 10:00 in Montreal: locked out until 10:15.
        assert "Too many failed logins" in body and "15 minutes" in body and "10:15" in body
        assert r["Retry-After"] == "900"
        # The right password is refused too while the lockout lasts.
        r = login_page(client, "ada", "pw-for-tests")
        assert r.status_code == 429
        assert "_auth_user_id" not in client.session
        clock.shift(16 * 60)
        r = login_page(client, "ada", "pw-for-tests")
        assert r.status_code == 302
        assert client.session["_auth_user_id"] == str(student.pk)


def test_lockout_is_per_account_and_address(
    client: Client, student: Any, make_member: Any, course: Any
) -> None:
    make_member(course, Enrolment.Role.STUDENT, username="alan")
    for _ in range(LIMIT):
        login_page(client, "ada", "wrong", REMOTE_ADDR="10.0.0.1")
    assert login_page(client, "ada", "pw-for-tests", REMOTE_ADDR="10.0.0.1").status_code == 429
    # Another account from the same address, and the same account from elsewhere, still log in.
    assert login_page(Client(), "alan", "pw-for-tests", REMOTE_ADDR="10.0.0.1").status_code == 302
    assert login_page(Client(), "ada", "pw-for-tests", REMOTE_ADDR="10.0.0.2").status_code == 302


def test_lockout_message_is_in_french(client: Client, student: Any) -> None:
    for _ in range(LIMIT):
        r = login_page(client, "ada", "wrong", HTTP_ACCEPT_LANGUAGE="fr")
    assert r.status_code == 429
    assert "Trop de connexions" in r.content.decode()


def test_admin_login_is_throttled_too(client: Client, superuser: Any) -> None:
    for _ in range(LIMIT - 1):
        assert admin_login(client, "root", "wrong").status_code == 200
    r = admin_login(client, "root", "wrong")
    assert r.status_code == 429 and "Too many failed logins" in r.content.decode()
    assert admin_login(client, "root", "pw-for-root").status_code == 429


def test_wrong_basic_credentials_answer_401_with_a_challenge_then_429(
    client: Client, student: Any
) -> None:
    url = "/api/me/enrollments/"
    for _ in range(LIMIT - 1):
        r = client.get(url, **basic("ada", "wrong"))
        assert r.status_code == 401
        assert r["WWW-Authenticate"] == 'Basic realm="api"'
        assert r.json()["code"] == "authentication_failed"
    r = client.get(url, **basic("ada", "wrong"))
    assert r.status_code == 429
    assert r.json()["code"] == "locked_out"
    assert "Try again in 15 minutes" in r.json()["detail"]
    assert r["Retry-After"] == "900"
    # Locked out: even the right password is refused, before it is checked.
    r = client.get(url, **basic("ada", "pw-for-tests"))
    assert r.status_code == 429
    assert AccessAttempt.objects.get(username="ada").failures_since_start == LIMIT + 1


def test_right_basic_credentials_work_below_the_limit(client: Client, student: Any) -> None:
    url = "/api/me/enrollments/"
    for _ in range(LIMIT - 1):
        client.get(url, **basic("ada", "wrong"))
    r = client.get(url, **basic("ada", "pw-for-tests"))
    assert r.status_code == 200 and "WWW-Authenticate" not in r


def test_failures_are_in_the_admin_for_superusers_only(
    client: Client, student: Any, superuser: Any, course: Any, make_member: Any
) -> None:
    login_page(Client(), "ada", "wrong", REMOTE_ADDR="10.1.2.3")
    assert AccessFailureLog.objects.filter(username="ada").exists()
    client.force_login(superuser)
    page = client.get("/admin/axes/accessattempt/").content.decode()
    assert "ada" in page and "10.1.2.3" in page
    assert "ada" in client.get("/admin/axes/accessfailurelog/").content.decode()
    instructor = make_member(course, Enrolment.Role.INSTRUCTOR, username="prof")
    staff = Client()
    staff.force_login(instructor)
    assert staff.get("/admin/axes/accessattempt/").status_code == 403


def test_a_superuser_unlocks_an_account(client: Client, student: Any) -> None:
    for _ in range(LIMIT):
        login_page(client, "ada", "wrong")
    assert login_page(client, "ada", "pw-for-tests").status_code == 429
    call_command("axes_reset_username", "ada")
    assert login_page(client, "ada", "pw-for-tests").status_code == 302


@override_settings(COURSEKIT_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_is_the_one_it_saw(client: Client, student: Any) -> None:
    # A client that forges X-Forwarded-For cannot pose as many addresses to escape the lockout.
    for n in range(LIMIT):
        login_page(client, "ada", "wrong", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.9")
    r = login_page(client, "ada", "pw-for-tests", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9")
    assert r.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
