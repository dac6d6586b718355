"""Deep Linking: from the LMS's "add an activity", the instructor picks the page the link opens."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from course.models import Course, Enrolment
from lti.models import LinkedCourse, Platform

from .conftest import launch
from .platform import (
    DL,
    INSTRUCTOR,
    LEARNER,
    LtiPlatform,
    Member,
    deep_linking_request,
    deep_linking_response,
)

pytestmark = pytest.mark.django_db

RETURN_URL = "https://studium.test.example/mod/lti/contentitem_return.php"


@pytest.fixture
def prof(course: Course, registered: Platform, lms: LtiPlatform, make_member: Any) -> str:
    call_command("lti_rotate_key", "--if-missing", verbosity=0)
    make_member(course, Enrolment.Role.INSTRUCTOR, username="prof")
    lms.members["prof"] = Member("lms-prof", "prof@example.org", "Pat", "Prof", INSTRUCTOR)
    lms.target_link_uri = "http://testserver/"
    return "prof"


def hidden(body: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', body)
    assert match, body
    return match.group(1)


def test_the_instructor_picks_the_schedule_and_the_platform_receives_a_signed_link(
    course: Course, lms: LtiPlatform, prof: str
) -> None:
    client = Client()
    picker, _ = launch(client, lms, prof, extra=deep_linking_request(RETURN_URL))
    assert picker.status_code == 200
    body = picker.content.decode()
    assert "TST101|schedule" in body and "TST101|course_home" in body
    assert not LinkedCourse.objects.exists()  # nothing bound until the pick

    answer = client.post(
        "/lti/deep-link/", {"token": hidden(body, "token"), "page": "TST101|schedule"}
    )

    assert answer.status_code == 200
    text = answer.content.decode()
    assert f'action="{RETURN_URL}"' in text
    # The form may go back to the platform (CSP form-action), sent by a script file, not inline.
    origin = "/".join(RETURN_URL.split("/")[:3])
    assert f"form-action 'self' {origin}" in answer["Content-Security-Policy"]
    assert "<script>" not in text and "js/lti.js" in text
    claims = deep_linking_response(lms, hidden(text, "JWT"), client.get("/lti/jwks.json").json())
    assert (
        claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    )
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == lms.deployment_id
    assert claims[DL + "data"] == "opaque-platform-data-17"
    (item,) = claims[DL + "content_items"]
    assert (item["type"], item["url"]) == (
        "ltiResourceLink",
        "http://testserver/c/TST101/schedule/",
    )
    assert item["title"].startswith("TST101")
    assert LinkedCourse.objects.get().course == course  # the pick bound the LMS course

    # The link it made then launches students onto the schedule.
    lms.target_link_uri = item["url"]
    lms.members["s"] = Member("lms-s", "s@example.org", "S", "Tudent", LEARNER)
    student, _ = launch(Client(), lms, "s")
    assert student["Location"] == "/c/TST101/schedule/"


def test_a_learner_cannot_add_a_link(course: Course, lms: LtiPlatform, prof: str) -> None:
    lms.members["s"] = Member("lms-s", "s@example.org", "S", "Tudent", LEARNER)
    response, _ = launch(Client(), lms, "s", extra=deep_linking_request(RETURN_URL))
    assert response.status_code == 403


def test_a_tampered_pick_is_refused(course: Course, lms: LtiPlatform, prof: str) -> None:
    client = Client()
    picker, _ = launch(client, lms, prof, extra=deep_linking_request(RETURN_URL))
    token = hidden(picker.content.decode(), "token")

    forged = client.post("/lti/deep-link/", {"token": token[:-2] + "xx", "page": "TST101|schedule"})
    assert forged.status_code == 400
    assert b'data-check="token"' in forged.content

    unknown_page = client.post("/lti/deep-link/", {"token": token, "page": "TST101|admin"})
    assert unknown_page.status_code == 400
    assert b'data-check="page"' in unknown_page.content
    assert not LinkedCourse.objects.exists()
