"""A student reads the welcome announcement in the notification list, in a real Chromium."""

import pytest
from django.utils import timezone

from course.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_student_reads_and_clears_notifications(live_server, page, login):
    load_demo(now=timezone.now())  # sends the welcome announcement (tasks run eagerly)

    login("ada", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/c/IFT6085/")
    link = page.locator("nav a.nav-notifications")
    assert link.locator(".badge").count() == 1
    link.click()
    page.wait_for_selector("ul.notifications")
    assert page.locator("li.notification.unread >> text=Welcome to IFT 6085").count() == 1
    page.click("button.mark-all-read")
    page.wait_for_load_state()
    assert page.locator("li.notification.unread").count() == 0
    assert page.locator("nav a.nav-notifications .badge").count() == 0

    page.click("text=Choose what you receive")
    box = page.locator('input[name=enabled][value="scribe_due_48h"]')
    assert box.is_checked()
    box.uncheck()
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector(".messages")
    assert not page.locator('input[name=enabled][value="scribe_due_48h"]').is_checked()
