"""Links people set accept only http(s): in the syllabus, the models (admin), the students'
forms; and a bad link already stored is never rendered as a link."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from course.links import link_problem, validate_web_link, web_link_or_empty
from course.models import BibliographyEntry, Course, Enrolment
from course.syllabus.parsing import SyllabusError, parse_syllabus
from tests.conftest import SMALL_SYLLABUS

HOSTILE = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/x",
    "//evil.example.org/",
    "https://example.org/\x00",
    "https:// example.org",
    "https://\u202eevil\u202c.pdf",
    "https://exa\u200bmple.org",
]


@pytest.mark.parametrize("value", ["https://example.org", "http://arxiv.org/abs/1611.03530"])
def test_web_addresses_are_links(value):
    assert link_problem(value) is None
    assert web_link_or_empty(value) == value
    validate_web_link(value)


@pytest.mark.parametrize("value", HOSTILE)
def test_anything_else_is_refused(value):
    assert link_problem(value) is not None
    assert web_link_or_empty(value) == ""
    with pytest.raises(ValidationError):
        validate_web_link(value)


@given(st.text())
def test_an_accepted_link_is_always_http_or_https(value):
    if link_problem(value) is None:
        assert value.lower().startswith(("http://", "https://"))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda s: s.replace(
                "public: false", 'public: false\n  website: "javascript:alert(document.cookie)"'
            ),
            "line 8: course.website: a link must start with http:// or https://",
        ),
        (
            lambda s: s.replace("public: false", "public: false\n  lms: 'data:text/html,hi'"),
            "line 8: course.lms: a link must start with http:// or https://",
        ),
        (
            lambda s: s.replace("public: false", "public: false\n  slack: ftp://slack.example"),
            "line 8: course.slack: a link must start with http:// or https://",
        ),
        (
            lambda s: s.replace(
                'title: "Rethinking generalization"',
                'title: "Rethinking", url: "javascript:alert(1)"',
            ),
            "bibliography[1].url: a link must start with http:// or https://",
        ),
        (
            lambda s: s + "scribing: {template_url: 'javascript:alert(1)'}\n",
            "scribing.template_url: a link must start with http:// or https://",
        ),
    ],
)
def test_the_syllabus_refuses_other_links_naming_the_key(change, expected):
    with pytest.raises(SyllabusError) as info:
        parse_syllabus(change(SMALL_SYLLABUS))
    assert any(expected in p for p in info.value.problems), info.value.problems


def test_the_syllabus_still_takes_web_links():
    syllabus, _ = parse_syllabus(
        SMALL_SYLLABUS.replace(
            "public: false",
            "public: false\n  website: https://example.org/ift6085\n  lms: ''",
        )
    )
    assert syllabus.course.website == "https://example.org/ift6085"


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["website_url", "lms_url", "slack_url"])
def test_the_course_model_refuses_other_links(course, field):
    setattr(course, field, "ftp://example.org/course")  # URLField alone would take it
    with pytest.raises(ValidationError) as info:
        course.full_clean()
    assert "http:// or https://" in " ".join(info.value.message_dict[field])


@pytest.mark.django_db
def test_the_bibliography_model_refuses_other_links(course):
    entry = BibliographyEntry(course=course, key="x", title="X", url="ftp://example.org/x")
    with pytest.raises(ValidationError) as info:
        entry.full_clean()
    assert "url" in info.value.message_dict


@pytest.mark.django_db
def test_links_stored_before_the_check_are_not_rendered_as_links(client, course, make_member):
    Course.objects.filter(pk=course.pk).update(
        website_url="javascript:alert(document.cookie)",
        lms_url="https://studium.example.org/course/1",
    )
    BibliographyEntry.objects.filter(course=course).update(url="javascript:alert(2)")
    client.force_login(make_member(course, Enrolment.Role.STUDENT))
    for name in ("course_home", "resources", "schedule"):
        page = client.get(reverse(name, kwargs={"code": course.code}))
        assert page.status_code == 200
        assert b"javascript:" not in page.content, name
    home = client.get(reverse("course_home", kwargs={"code": course.code}))
    assert b'href="https://studium.example.org/course/1"' in home.content
