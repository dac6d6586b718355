"""The course home's notices extension point: providers registered by the apps above course/,
called with (course, user, now), rendered at the top of the page in registration order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.urls import reverse

from course import extensions
from course.extensions import HomeNotice

pytestmark = pytest.mark.django_db


def test_providers_are_called_in_order_and_rendered_at_the_top(
    client: Any, course: Any, make_member: Any, monkeypatch: Any
) -> None:
    seen: list[tuple[Any, Any, datetime]] = []

    def first(c: Any, user: Any, now: datetime) -> list[HomeNotice]:
        seen.append((c, user, now))
        return [HomeNotice(label="Paper due tonight", url="/somewhere/", action="Hand it in")]

    def second(c: Any, user: Any, now: datetime) -> list[HomeNotice]:
        return [HomeNotice(label="Room change", detail="Room 1360 today", css="x-room")]

    monkeypatch.setattr(extensions, "_home_notices", {})
    extensions.register_home_notices("first", first)
    extensions.register_home_notices("second", second)
    student = make_member(course)
    client.force_login(student)
    html = client.get(reverse("course_home", kwargs={"code": course.code})).content.decode()
    assert len(seen) == 1 and seen[0][0] == course and seen[0][1] == student
    section = html[html.index('id="home-notices"') : html.index("</section>")]
    assert section.index("Paper due tonight") < section.index("Room change")
    assert '<a class="button" href="/somewhere/">Hand it in</a>' in section
    assert 'class="home-notice x-room"' in section and "Room 1360 today" in section
    assert html.index('id="home-notices"') < html.index("Next sessions")


def test_no_notice_no_banner(client: Any, course: Any, make_member: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(extensions, "_home_notices", {})
    extensions.register_home_notices("none", lambda c, u, now: [])
    client.force_login(make_member(course))
    html = client.get(reverse("course_home", kwargs={"code": course.code})).content.decode()
    assert 'id="home-notices"' not in html
