"""A student and an auditor log in and read the schedule, in a real headless Chromium."""

import pytest
from django.utils import timezone

from course.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_student_and_auditor_read_the_schedule(live_server, page, login):
    load_demo(now=timezone.now())

    login("ada", DEMO_PASSWORD)
    assert "IFT6085" in page.title()
    page.click("nav >> text=Schedule")
    page.wait_for_selector("table.schedule")
    assert page.locator("tr.next").count() == 1  # what is next is highlighted
    assert page.locator("tr.next .badge-next").inner_text().strip() == "Next"
    assert page.locator("text=Convex Optimization: Algorithms and Complexity").first.is_visible()
    feed = page.locator('link[rel="alternate"][type="text/calendar"]').get_attribute("href")
    assert feed.endswith("/c/IFT6085/calendar.ics")
    page.click("button:has-text('Log out')")

    login("auditor", DEMO_PASSWORD)
    page.click("nav >> text=Schedule")
    rows = page.locator("table.schedule tbody tr[id^=session-]")
    assert rows.count() >= 20
    # An auditor's navigation has no grades and no quizzes.
    nav = page.locator("nav.topnav").inner_text()
    assert "My grades" not in nav
    response = page.goto(f"{live_server.url}/admin/")
    assert "/admin/login/" in page.url or (response and response.status == 403)


def test_schedule_is_readable_on_a_phone(live_server, browser):
    load_demo(now=timezone.now())
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/c/IFT6085/schedule/")  # the demo course is public
    phone.wait_for_selector("tr.next")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # no sideways scrolling
    context.close()
