"""In headless Chromium: the header is one line with a menu on a phone and a row of links on a
laptop, the menu opens by keyboard without any script, the site follows the system's dark
mode, and the schedule prints as a table without the site's navigation."""

from __future__ import annotations

from typing import Any

import pytest

from course.models import Course, Enrolment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _background(page: Any) -> str:
    return str(page.evaluate("getComputedStyle(document.body).backgroundColor"))


def test_the_header_folds_into_a_menu_on_a_phone(
    live_server: Any, page: Any, login: Any, course: Course, make_member: Any
) -> None:
    make_member(course, Enrolment.Role.STUDENT, "ines")
    login("ines")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/c/{course.code}/")
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 70  # one line, not five
    schedule = page.locator("nav.topnav").get_by_role("link", name="Schedule")
    assert not schedule.is_visible()
    page.locator(".menu > summary").focus()
    page.keyboard.press("Enter")  # a <details>: no script needed
    assert schedule.is_visible()
    schedule.click()
    assert page.url.endswith(f"/c/{course.code}/schedule/")

    page.set_viewport_size({"width": 1100, "height": 800})
    page.goto(f"{live_server.url}/c/{course.code}/")
    assert not page.locator(".menu > summary").is_visible()
    assert page.locator("nav.topnav").get_by_role("link", name="Schedule").is_visible()


def test_dark_mode_follows_the_system(
    live_server: Any, page: Any, login: Any, course: Course, make_member: Any
) -> None:
    make_member(course, Enrolment.Role.STUDENT, "omar")
    login("omar")
    page.goto(f"{live_server.url}/c/{course.code}/schedule/")
    assert _background(page) == "rgb(255, 255, 255)"
    page.emulate_media(color_scheme="dark")
    assert _background(page) == "rgb(20, 23, 29)"


def test_the_schedule_prints_as_a_table_without_the_navigation(
    live_server: Any, page: Any, login: Any, course: Course, make_member: Any
) -> None:
    make_member(course, Enrolment.Role.STUDENT, "rita")
    login("rita")
    page.set_viewport_size({"width": 360, "height": 740})  # printed from a phone
    page.goto(f"{live_server.url}/c/{course.code}/schedule/")
    assert page.locator(".schedule thead").is_hidden()  # on the phone's screen: cards
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".schedule thead").is_visible()
    display = page.evaluate(
        "getComputedStyle(document.querySelector('.schedule tbody tr')).display"
    )
    assert display == "table-row"
