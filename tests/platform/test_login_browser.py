"""A person who mistypes their password too often is told, on the login page, when to try again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings

from course.models import Enrolment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@override_settings(AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=timedelta(minutes=10))
def test_the_login_page_says_when_to_try_again(
    live_server: Any, page: Any, login: Any, course: Any, make_member: Any
) -> None:
    make_member(course, Enrolment.Role.STUDENT, username="ada")
    for _ in range(2):
        login("ada", "wrong")
        assert page.locator("p.error").inner_text().startswith("Your username and password")
    login("ada", "wrong")
    message = page.locator("#lockout-message")
    assert message.is_visible()
    text = message.inner_text()
    assert "Too many failed logins" in text and "Try again in 10 minutes (at " in text
    # The right password does not get in while the lockout lasts, and the page says so again.
    login("ada", "pw-for-tests")
    assert page.locator("#lockout-message").is_visible()
    assert page.locator("a:has-text('Log in')").count() == 1  # still signed out
