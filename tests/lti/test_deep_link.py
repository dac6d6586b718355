"""Deep Linking: from the LMS's "add an activity", the instructor picks the page the link opens."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from course.models import Course, Enrolment
from lti.models import LinkedCourse, Platform
from tests.quizzes.conftest import build_quiz

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


def test_the_picker_offers_each_quiz_and_the_course_pages_and_a_quiz_link_lands_on_it(
    course: Course, lms: LtiPlatform, prof: str
) -> None:
    quiz = build_quiz(course, title="Quiz on generalisation")
    other = build_quiz(course, title="Quiz on optimisation", session_index=2)
    client = Client()
    picker, _ = launch(client, lms, prof, extra=deep_linking_request(RETURN_URL))
    body = picker.content.decode()
    for page in ("course_home", "schedule", "scribing", "projects_team", f"quiz-{quiz.pk}"):
        assert f"TST101|{page}" in body, page
    assert f"TST101|quiz-{other.pk}" in body and "Quiz on generalisation" in body
    assert "TST101|lti_lms_link" not in body  # the instructor's own LMS page is no target

    answer = client.post(
        "/lti/deep-link/", {"token": hidden(body, "token"), "page": f"TST101|quiz-{quiz.pk}"}
    )
    assert answer.status_code == 200
    claims = deep_linking_response(
        lms, hidden(answer.content.decode(), "JWT"), client.get("/lti/jwks.json").json()
    )
    (item,) = claims[DL + "content_items"]
    assert item["url"] == f"http://testserver/c/TST101/quizzes/{quiz.pk}/"
    assert "Quiz on generalisation" in item["title"]

    lms.target_link_uri = item["url"]
    lms.members["s"] = Member("lms-s", "s@example.org", "S", "Tudent", LEARNER)
    student, _ = launch(Client(), lms, "s")
    assert student["Location"] == f"/c/TST101/quizzes/{quiz.pk}/"


def test_a_quiz_of_another_course_is_not_a_target(
    course: Course, lms: LtiPlatform, prof: str, make_member: Any
) -> None:
    from course.syllabus.services import load_syllabus_text
    from tests.conftest import SMALL_SYLLABUS

    elsewhere = load_syllabus_text(SMALL_SYLLABUS.replace("TST101", "OTH202")).course
    theirs = build_quiz(elsewhere, title="Not yours")
    client = Client()
    picker, _ = launch(client, lms, prof, extra=deep_linking_request(RETURN_URL))
    token = hidden(picker.content.decode(), "token")
    assert "Not yours" not in picker.content.decode()
    forged = client.post("/lti/deep-link/", {"token": token, "page": f"TST101|quiz-{theirs.pk}"})
    assert forged.status_code == 400 and b'data-check="page"' in forged.content
    assert not LinkedCourse.objects.exists()
