"""Hostile strings in the course's own forms: the syllabus file loaded through the admin (its
texts, its links) and the notification preferences. A form error, or stored exactly; never 500.

NUL characters and escaped lone surrogates ("\\ud800") inside a syllabus file are the YAML
loader's to refuse (its own tests); here the file's texts carry every other hostile string.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from course.models import BibliographyEntry, Course
from tests.conftest import SMALL_SYLLABUS
from tests.hostile import as_sent, hostile_text

pytestmark = pytest.mark.django_db
PROPERTY = settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
no_nul = hostile_text.map(lambda s: as_sent(s).replace("\x00", ""))


def _yaml_string(value: str) -> str:
    # A JSON string is a YAML double-quoted scalar; not escaped to ASCII, since YAML reads
    # "\\ud83d\\ude00" as two lone surrogates, not as one character.
    return json.dumps(value, ensure_ascii=False)


@PROPERTY
@given(title=no_nul, room=no_nul, website=no_nul, paper_title=no_nul)
def test_the_syllabus_upload(
    course: Any, make_member: Any, title: str, room: str, website: str, paper_title: str
) -> None:
    # Hypothesis runs the examples in one database: the first one enrols the instructor.
    admin = get_user_model().objects.filter(username="prof").first() or make_member(
        course, "instructor", username="prof"
    )
    admin.is_staff = admin.is_superuser = True
    admin.save()
    c = Client(raise_request_exception=False)
    c.force_login(admin)
    text = (
        SMALL_SYLLABUS.replace("title: Test course", f"title: {_yaml_string(title)}")
        .replace("public: false", f"public: false\n  room: {_yaml_string(room)}")
        .replace("public: false", f"public: false\n  website: {_yaml_string(website)}")
        .replace('title: "Rethinking generalization"', f"title: {_yaml_string(paper_title)}")
    )
    before = Course.objects.values_list("title", "room", "website_url").get(pk=course.pk)
    r = c.post(
        reverse("admin:course_syllabus_upload", args=[course.pk]),
        {"file": SimpleUploadedFile("s.yaml", text.encode())},
    )
    assert r.status_code in (200, 302), r.status_code
    after = Course.objects.values_list("title", "room", "website_url").get(pk=course.pk)
    if r.status_code == 302:
        assert after == (title, room, website)
        assert BibliographyEntry.objects.filter(course=course, title=paper_title).exists()
    else:
        assert after == before


@PROPERTY
@given(value=hostile_text)
def test_the_notification_preferences(course: Any, make_member: Any, value: str) -> None:
    student = course.enrolments.filter(user__username="ada").first()
    user = student.user if student else make_member(course, "student", username="ada")
    c = Client(raise_request_exception=False)
    c.force_login(user)
    url = reverse("notification_preferences", kwargs={"code": course.code})
    r = c.post(url, {"kinds": as_sent(value), as_sent(value) or "x": "on"})
    assert r.status_code in (200, 302, 400), r.status_code
