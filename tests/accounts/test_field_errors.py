"""Every error a form shows is tied to its field: the field says it is invalid (aria-invalid)
and is described by the error's element (aria-describedby), which is on the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from course.models import Course, Enrolment

pytestmark = pytest.mark.django_db


def _fields_and_their_errors(html: str) -> dict[str, list[str]]:
    """name of each field marked invalid -> the ids that describe it (all present)."""
    invalid = {}
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'aria-invalid="true"' not in tag:
            continue
        name = re.search(r'name="([^"]+)"', tag)
        described = re.search(r'aria-describedby="([^"]+)"', tag)
        assert name and described, f"an invalid field says not which error is its own: {tag}"
        ids = described.group(1).split()
        for ident in ids:
            assert f'id="{ident}"' in html, f"{name.group(1)} is described by #{ident}, not here"
        invalid[name.group(1)] = ids
    return invalid


def test_password_change_errors_are_tied_to_their_fields(course: Course, make_member: Any) -> None:
    client = Client()
    client.force_login(make_member(course, Enrolment.Role.STUDENT, "noor"))
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "a-long-new-one-1", "new_password2": "other"},
    )
    assert response.status_code == 200
    invalid = _fields_and_their_errors(response.content.decode())
    assert "id_old_password_error" in invalid["old_password"]
    assert "id_new_password2_error" in invalid["new_password2"]


def test_password_reset_error_is_tied_to_the_address() -> None:
    response = Client().post(reverse("password_reset"), {"email": "not an address"})
    assert response.status_code == 200
    assert _fields_and_their_errors(response.content.decode()) == {"email": ["id_email_error"]}
