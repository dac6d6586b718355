"""In headless Chromium: the instructor imports the class, the new students open their
invitations from the outbox, choose a password and find the open quiz; expired and reused
links; a forgotten password reset by e-mail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from course.accounts.models import AccountInvitation
from tests.quizzes.conftest import build_quiz

from .conftest import link_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
GOOD = "violet-stapler-meadow"


@pytest.fixture(autouse=True)
def links_to_the_live_server(settings: Any, live_server: Any) -> None:
    settings.SITE_URL = live_server.url  # the absolute links in e-mails


def _mail_to(address: str) -> Any:
    found = [m for m in mail.outbox if m.to == [address]]
    assert found, f"no mail to {address} in {[m.to for m in mail.outbox]}"
    return found[-1]


def _choose_password(page: Any, password: str) -> None:
    page.fill("#id_new_password1", password)
    page.fill("#id_new_password2", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_new_students_join_through_their_invitations_and_find_the_open_quiz(
    live_server: Any,
    page: Any,
    login: Any,
    course: Any,
    instructor: Any,
    roster_text: str,
    tmp_path: Any,
) -> None:
    build_quiz(course, title="Gradient descent quiz")  # open now
    instructor.is_staff = True
    instructor.save()
    roster = tmp_path / "studium-participants.csv"
    roster.write_text(roster_text)

    login("prof")
    page.goto(f"{live_server.url}/admin/course/course/{course.pk}/roster/")
    page.set_input_files("input[type=file]", str(roster))
    page.click("input[type=submit][value=Import]")
    page.wait_for_load_state()
    assert "2 invitations sent" in page.locator("ul.messagelist").inner_text()
    page.goto(f"{live_server.url}/admin/course/enrolment/?invitation=not_joined")
    assert page.locator("#result_list tbody tr").count() == 2
    page.goto(f"{live_server.url}/c/TST101/")
    page.click("button:has-text('Log out')")

    for address, name in [("ada@example.org", "Ada Lovelace"), ("alan@example.org", "Alan Turing")]:
        invitation = _mail_to(address)
        assert invitation.subject.startswith("TST101: ")
        page.goto(link_in(invitation.body))
        assert "Welcome to TST101" in page.locator("h1").inner_text()
        # A weak password first: the page says why, nothing is used up.
        _choose_password(page, "12345678")
        assert "This password is too common" in page.locator("main").inner_text()
        _choose_password(page, GOOD)
        assert page.url == f"{live_server.url}/c/TST101/"
        assert page.locator(".whoami").inner_text() == name
        banner = page.locator("#home-notices .home-notice")
        assert "Quiz open now: Gradient descent quiz" in banner.inner_text()
        page.click("button:has-text('Log out')")

    # Signed out, Ada signs in with the password she chose.
    login("ada", GOOD)
    assert page.url == f"{live_server.url}/c/TST101/"
    assert AccountInvitation.objects.filter(accepted_at__isnull=False).count() == 2


def test_a_reused_and_an_expired_invitation_each_say_so(
    live_server: Any, page: Any, course: Any, roster_text: str
) -> None:
    from course import services

    services.roster_import(course=course, text=roster_text, now=timezone.now())
    ada_link = link_in(_mail_to("ada@example.org").body)
    page.goto(ada_link)
    _choose_password(page, GOOD)
    page.click("button:has-text('Log out')")
    page.goto(ada_link)
    assert page.locator("h1").inner_text() == "This invitation was already used"
    assert "works only once" in page.locator("#invitation-problem").inner_text()

    alan_link = link_in(_mail_to("alan@example.org").body)
    AccountInvitation.objects.filter(user__email="alan@example.org").update(
        expires_at=timezone.now()
    )
    page.goto(alan_link)
    assert page.locator("h1").inner_text() == "This invitation has expired"
    page.click("button:has-text('Send me a new invitation')")
    assert "a new invitation is on its way" in page.locator("#invitation-renewed").inner_text()
    fresh = link_in(_mail_to("alan@example.org").body)
    assert fresh != alan_link
    page.goto(fresh)
    _choose_password(page, GOOD)
    assert page.url == f"{live_server.url}/c/TST101/"


def test_a_student_resets_a_forgotten_password(
    live_server: Any, page: Any, course: Any, make_member: Any
) -> None:
    make_member(course, "student", username="grace")
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("text=Forgot your password?")
    page.fill("#id_email", "grace@example.org")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Check your e-mail"
    page.goto(link_in(_mail_to("grace@example.org").body))
    assert page.locator("h1").inner_text() == "Choose a new password"
    _choose_password(page, GOOD)
    assert page.locator("h1").inner_text() == "Password saved"

    # Signing in with "keep me signed in": the session outlives the browser.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "grace")
    page.fill("#id_password", GOOD)
    page.check("#id_remember")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/c/TST101/")
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    assert cookie["expires"] > timezone.now().timestamp() + 100 * 24 * 3600
