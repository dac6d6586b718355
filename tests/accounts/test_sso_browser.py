"""University single sign-on through a REAL OpenID Connect provider (django-oauth-toolkit in
its own process, see conftest.oidc_provider), in headless Chromium: no mocked token endpoint."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.utils import timezone

from config.sso import providers_from_env
from course import services

from .conftest import IDP_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
User = get_user_model()


@pytest.fixture
def sso(settings, oidc_provider, course):
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_env(oidc_provider)
    settings.COURSEKIT_SSO_STUDENT_ID_CLAIM = "student_id"
    services.roster_import(
        course=course,
        text=(
            "First name,Last name,Email address,ID number,Roles\n"
            "Ada,Lovelace,ada@example.org,20260001,Student\n"
            "Alan,Turing,alan@example.org,,Student\n"
        ),
        now=timezone.now(),
    )
    return course


def _sign_in_at_the_university(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/?next=/c/TST101/")
    page.click("button:has-text('Sign in with Université de Test')")
    page.wait_for_selector("#idp-username")
    assert page.url.startswith("http://127.0.0.1:")  # the identity provider's own page
    page.fill("#idp-username", username)
    page.fill("#idp-password", IDP_PASSWORD)
    page.click("#idp-submit")
    page.wait_for_load_state()


def test_a_student_signs_in_through_the_university_and_lands_on_the_course(live_server, page, sso):
    _sign_in_at_the_university(page, live_server, "alovelace")
    assert page.url == f"{live_server.url}/c/TST101/"
    assert page.locator(".whoami").inner_text() == "Ada Lovelace"
    ada = User.objects.get(email="ada@example.org")  # linked by the student id claim
    assert SocialAccount.objects.get(provider="university").user == ada
    assert not ada.has_usable_password()
    assert User.objects.count() == 2

    # The next time the link is already there (and the university remembers her: no form).
    page.click("button:has-text('Log out')")
    page.goto(f"{live_server.url}/accounts/login/?next=/c/TST101/")
    page.click("button:has-text('Sign in with Université de Test')")
    page.wait_for_url(f"{live_server.url}/c/TST101/")
    assert SocialAccount.objects.count() == 1


def test_the_first_sign_in_links_by_verified_email(live_server, page, sso):
    _sign_in_at_the_university(page, live_server, "aturing")
    assert page.url == f"{live_server.url}/c/TST101/"
    assert SocialAccount.objects.get().user.email == "alan@example.org"


def test_someone_on_no_roster_is_told_and_gets_no_account(live_server, page, sso):
    _sign_in_at_the_university(page, live_server, "stranger")
    assert page.locator("h1").inner_text() == "You are not enrolled in any course here"
    assert User.objects.count() == 2 and not SocialAccount.objects.exists()
    response = page.goto(f"{live_server.url}/c/TST101/")
    assert "/accounts/login/" in page.url  # not signed in
    assert response is not None
