"""Pages: who may see what, the calendar feed, query counts that do not grow with the class."""

import pytest
from django.urls import reverse
from icalendar import Calendar

from course.models import Announcement
from tests.factories import CourseFactory
from tests.present import present

pytestmark = pytest.mark.django_db


PRIVATE_PAGES = ["course_home", "schedule", "resources", "calendar_feed_settings"]


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_anonymous_visitors_are_sent_to_login_on_a_private_course(client, course, name):
    response = client.get(reverse(name, kwargs={"code": course.code}))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_people_outside_the_course_get_403(client, course, make_member, name):
    other = CourseFactory.create(code="OTH1", title="Other", term="W", seat_capacity=5)
    outsider = make_member(other)
    client.force_login(outsider)
    assert client.get(reverse(name, kwargs={"code": course.code})).status_code == 403


def test_auditors_read_schedule_resources_and_announcements(client, course, make_member):
    Announcement.objects.create(
        course=course,
        title="Room change",
        body="Room 1360 from now on.",
        published_at="2021-01-10T12:00:00Z",
    )
    Announcement.objects.create(
        course=course,
        title="Staff only",
        body="Grading meeting.",
        audience="staff",
        published_at="2021-01-10T12:00:00Z",
    )
    auditor = make_member(course, "auditor")
    client.force_login(auditor)
    home = client.get(reverse("course_home", kwargs={"code": course.code})).content.decode()
    assert "Room change" in home and "Staff only" not in home
    assert client.get(reverse("schedule", kwargs={"code": course.code})).status_code == 200
    assert client.get(reverse("resources", kwargs={"code": course.code})).status_code == 200


def test_public_schedule_is_open_and_advertises_its_feed(client, course):
    course.is_public = True
    course.save()
    response = client.get(reverse("schedule", kwargs={"code": course.code}))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<link rel="alternate" type="text/calendar"' in html
    assert f"/c/{course.code}/calendar.ics" in html
    # The course home stays private.
    assert client.get(reverse("course_home", kwargs={"code": course.code})).status_code == 302


def test_public_feed_is_rfc5545_with_the_time_zone(client, course):
    course.is_public = True
    course.save()
    response = client.get(reverse("course_public_feed", kwargs={"code": course.code}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["America/Montreal"]
    events = cal.walk("VEVENT")
    assert len(events) == course.sessions.count()
    after_dst = next(e for e in events if e.decoded("dtstart").date().isoformat() == "2021-03-17")
    assert after_dst.decoded("dtstart").hour == 9 and after_dst.decoded("dtstart").minute == 30
    assert str(after_dst.decoded("dtstart").tzinfo) == "America/Montreal"
    assert b"TZID=America/Montreal" in response.content


def test_private_feed_is_personal_and_revocable(client, course, make_member):
    assert (
        client.get(reverse("course_public_feed", kwargs={"code": course.code})).status_code == 404
    )
    student = make_member(course)
    client.force_login(student)
    page = client.get(
        reverse("calendar_feed_settings", kwargs={"code": course.code})
    ).content.decode()
    feed_path = page.split('id="feed-address">')[1].split("<")[0].split("testserver")[1]
    client.logout()
    assert client.get(feed_path).status_code == 200  # calendar apps cannot log in
    client.force_login(student)
    client.post(reverse("calendar_feed_settings", kwargs={"code": course.code}))
    client.logout()
    assert client.get(feed_path).status_code == 404


@pytest.mark.parametrize("page", ["schedule", "course_home"])
def test_page_query_counts_do_not_grow_with_the_class(client, course, make_member, page):
    """The same number of queries with 5 or 45 students, under a fixed bound (apps' schedule
    annotators included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    viewer = make_member(course)
    client.force_login(viewer)
    client.get(reverse(page, kwargs={"code": course.code}))  # first visit makes the feed address
    counts = []
    for size in (5, 40):
        for _ in range(size):
            make_member(course)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(page, kwargs={"code": course.code})).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 20, counts


def test_interface_speaks_french(client, course, make_member):
    client.force_login(make_member(course))
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    html = client.get(reverse("schedule", kwargs={"code": course.code})).content.decode()
    assert "Horaire" in html and "Semaine 1" in html


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("student", ["Quizzes", "Scribing", "My grades"], ["Admin"]),
        ("auditor", ["Schedule", "Resources"], ["Scribing", "My grades", "Admin"]),
        ("ta", ["Schedule", "Admin"], ["My grades", "Scribing"]),
        ("instructor", ["Schedule", "Admin"], ["My grades", "Scribing"]),
    ],
)
def test_navigation_shows_each_role_only_what_it_may_use(
    client, course, make_member, role, shown, hidden
):
    import re

    client.force_login(make_member(course, role))
    html = client.get(reverse("course_home", kwargs={"code": course.code})).content.decode()
    nav = present(re.search(r'<nav class="topnav".*?</nav>', html, re.DOTALL)).group(0)
    links = re.findall(r">([^<>]+)</a>", nav)
    for label in shown:
        assert label in links, (role, links)
    for label in hidden:
        assert label not in links, (role, links)
