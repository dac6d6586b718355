"""Every API error follows one shape: {"code": ..., "detail": ...}, or the code and the
messages per field for invalid input (course/errors.py, the schema's description)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from course.models import Enrolment

pytestmark = pytest.mark.django_db


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code, body
    return body


@pytest.fixture
def student_client(course: Any, make_member: Any) -> Client:
    client = Client()
    client.force_login(make_member(course, Enrolment.Role.STUDENT, username="ada"))
    return client


def test_not_authenticated(client: Client, course: Any) -> None:
    body = assert_error(
        client.get(f"/api/courses/{course.code}/schedule/"), 403, "not_authenticated"
    )
    assert body["detail"] == "Authentication credentials were not provided."


def test_not_found_course_and_unknown_address(student_client: Client) -> None:
    assert_error(student_client.get("/api/courses/NOPE/schedule/"), 404, "not_found")
    body = assert_error(student_client.get("/api/no/such/thing/"), 404, "not_found")
    assert "nothing at this address" in body["detail"]


def test_permission_denied(student_client: Client, course: Any) -> None:
    body = assert_error(
        student_client.get(f"/api/courses/{course.code}/grades/"), 403, "permission_denied"
    )
    assert body["detail"]


def test_method_not_allowed(student_client: Client, course: Any) -> None:
    body = assert_error(
        student_client.delete(f"/api/courses/{course.code}/schedule/"), 405, "method_not_allowed"
    )
    assert "DELETE" in body["detail"]


def test_invalid_input_names_the_field(student_client: Client, course: Any) -> None:
    from scribing.models import ScribeSlot
    from scribing.services import slots_sync

    slots_sync(course=course)
    slot = ScribeSlot.objects.filter(course=course).first()
    assert slot is not None
    # The term of the small course is over: sign-up is closed, and the body says for what.
    body = assert_error(
        student_client.post(f"/api/courses/{course.code}/scribing/slots/{slot.pk}/claim/"),
        400,
        "invalid",
    )
    assert body["slot"] == ["Sign-up for this lecture is closed; ask the instructor."]


def test_csrf_missing_on_a_session_post(course: Any, make_member: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_member(course, Enrolment.Role.STUDENT))
    body = assert_error(
        client.post(f"/api/courses/{course.code}/scribing/slots/1/claim/"), 403, "permission_denied"
    )
    assert "CSRF" in body["detail"]


def test_the_schema_documents_the_shape(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "stable `code`" in schema
    assert '"basicAuth"' in schema  # HTTP Basic still named as such through axes' class


def test_redoc_is_gone_and_swagger_ui_has_no_inline_script(client: Client) -> None:
    assert_error(client.get("/api/redoc/"), 404, "not_found")
    page = client.get("/api/docs/")
    html = page.content.decode()
    assert "<script>" not in html and "<style>" not in html
    assert "script-src 'self'" in page["Content-Security-Policy"]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
