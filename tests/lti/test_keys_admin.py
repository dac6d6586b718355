"""The tool's keys (command and JWKS) and who may register a platform."""

from __future__ import annotations

from io import StringIO
from typing import Any

import jwt
import pytest
from django.core.management import call_command
from django.test import Client

from course.models import Course, Enrolment
from lti.models import Platform, ToolKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_command_generates_then_rotates_and_the_jwks_publishes_current_and_previous() -> None:
    out = StringIO()
    call_command("lti_rotate_key", "--if-missing", stdout=out)
    call_command("lti_rotate_key", "--if-missing", stdout=out)
    assert ToolKey.objects.count() == 1
    first = ToolKey.objects.get()

    call_command("lti_rotate_key", stdout=out)
    call_command("lti_rotate_key", stdout=out)

    published = Client().get("/lti/jwks.json").json()["keys"]
    current, previous = ToolKey.objects.filter(retired_at__isnull=True)
    assert [k["kid"] for k in published] == [current.kid, previous.kid]
    assert ToolKey.objects.get(pk=first.pk).retired_at is not None
    assert all(set(k) >= {"kty", "n", "e", "kid", "alg", "use"} for k in published)
    assert not any("d" in k for k in published)  # never the private part

    # What the current key signs verifies with the published key of its kid.
    token = jwt.encode(
        {"iss": "coursekit"}, current.private_key_pem, "RS256", headers={"kid": current.kid}
    )
    public = jwt.PyJWK(published[0]).key
    assert jwt.decode(token, public, algorithms=["RS256"]) == {"iss": "coursekit"}


def test_only_superusers_reach_the_platform_registration(
    course: Course, make_member: Any, django_user_model: Any
) -> None:
    instructor = make_member(course, Enrolment.Role.INSTRUCTOR, username="prof")
    staff = Client()
    staff.force_login(instructor)
    assert staff.get("/admin/lti/platform/").status_code == 403
    assert staff.get("/admin/lti/platform/add/").status_code == 403
    index = staff.get("/admin/").content
    assert b"/admin/lti/platform/" not in index and b"/admin/lti/toolkey/" not in index
    assert b"/admin/lti/gradepost/" in index  # their course's grade posts (test_grade_release)

    root = UserFactory.create(superuser=True, username="root", email="root@example.org")
    admin = Client()
    admin.force_login(root)
    page = admin.get("/admin/lti/platform/add/")
    assert page.status_code == 200
    assert b"/lti/login/" in page.content and b"/lti/jwks.json" in page.content
    response = admin.post(
        "/admin/lti/platform/add/",
        {
            "name": "StudiUM",
            "issuer": "https://studium.umontreal.ca",
            "client_id": "abc123",
            "deployment_ids": "1",
            "auth_login_url": "https://studium.umontreal.ca/mod/lti/auth.php",
            "auth_token_url": "https://studium.umontreal.ca/mod/lti/token.php",
            "key_set_url": "https://studium.umontreal.ca/mod/lti/certs.php",
        },
    )
    assert response.status_code == 302
    assert Platform.objects.get().deployment_id_list == ["1"]
