"""Every page of a private course, in every app, refuses visitors who have no right to it."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

PUBLIC_TO_MEMBERS = {"course_home", "schedule", "resources", "calendar_feed_settings"}
# Auditors follow the course: its schedule, readings, announcements and their own notifications.
AUDITOR_PAGES = PUBLIC_TO_MEMBERS | {
    "notification_list",
    "notification_mark_read",
    "notification_preferences",
    "scribing_template",  # the course's LaTeX template is course material, not student work
}


def course_pages() -> list[str]:
    """Names of the web (non-API) URL patterns that take only the course code."""
    names = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name:
                route = prefix + str(p.pattern)
                if route.startswith("c/<str:code>/") and route.count("<") == 1:
                    names.append(p.name)

    walk(get_resolver().url_patterns)
    return sorted(set(names))


def test_the_apps_pages_are_found():
    pages = course_pages()
    for expected in ["schedule", "quiz_list", "scribing", "my_grades"]:
        assert expected in pages, pages


@pytest.mark.parametrize("name", course_pages())
def test_anonymous_visitors_get_the_login_page_or_nothing(client, course, name):
    from django.urls import reverse

    response = client.get(reverse(name, kwargs={"code": course.code}))
    assert response.status_code in (302, 403, 404, 405), name
    if response.status_code == 302:
        assert response.url.startswith("/accounts/login/"), (name, response.url)


@pytest.mark.parametrize("name", [n for n in course_pages() if n not in AUDITOR_PAGES])
def test_auditors_never_reach_student_work_or_grades(client, course, make_member, name):
    from django.urls import reverse

    client.force_login(make_member(course, "auditor"))
    response = client.get(reverse(name, kwargs={"code": course.code}))
    assert response.status_code in (403, 404, 405), (name, response.status_code)
