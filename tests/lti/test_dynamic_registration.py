"""LTI Dynamic Registration: a superuser's single-use URL, pasted into Moodle, registers it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client

from lti.models import Platform
from tests.factories import UserFactory

from .platform import LtiPlatform

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(django_user_model: Any) -> Client:
    client = Client()
    client.force_login(UserFactory.create(superuser=True, username="root", email="r@example.org"))
    return client


def registration_url(admin: Client) -> str:
    page = admin.get("/admin/lti/platform/dynamic-registration/")
    assert page.status_code == 200
    match = re.search(r'value="(http://testserver/lti/register/\?t=[^"]+)"', page.content.decode())
    assert match
    return match.group(1).replace("&amp;", "&")


def opened_by_moodle(url: str, lms: LtiPlatform, token: str | None = None) -> Any:
    params = {
        "openid_configuration": f"{lms.base_url}/.well-known/openid-configuration",
        "registration_token": token or lms.registration_token,
    }
    return Client().get(url + "&" + urlencode(params))


def test_moodle_opening_the_url_registers_the_platform_once(
    admin: Client, lms: LtiPlatform
) -> None:
    lms.issuer = lms.base_url
    url = registration_url(admin)

    page = opened_by_moodle(url, lms)

    assert page.status_code == 200, page.content
    # The page tells the platform it is done (static/js/lti.js posts org.imsglobal.lti.close).
    assert b'id="lti-registered"' in page.content and b"js/lti.js" in page.content
    assert "org.imsglobal.lti.close" in (settings.BASE_DIR / "static/js/lti.js").read_text()
    platform = Platform.objects.get()
    assert (platform.issuer, platform.client_id, platform.deployment_id_list) == (
        lms.base_url,
        lms.client_id,
        [lms.deployment_id],
    )
    assert platform.key_set_url == lms.key_set_url
    assert platform.auth_login_url == lms.auth_login_url
    (sent,) = lms.registrations
    assert sent["initiate_login_uri"] == "http://testserver/lti/login/"
    assert sent["jwks_uri"] == "http://testserver/lti/jwks.json"
    assert sent["redirect_uris"] == ["http://testserver/lti/launch/"]
    assert "contextmembership.readonly" in sent["scope"]

    again = opened_by_moodle(url, lms)
    assert again.status_code == 403
    assert Platform.objects.count() == 1


def test_a_configuration_that_is_not_its_issuers_is_refused(
    admin: Client, lms: LtiPlatform
) -> None:
    lms.issuer = "https://studium.umontreal.ca"  # served from elsewhere: an impostor
    page = opened_by_moodle(registration_url(admin), lms)
    assert page.status_code == 502
    assert b'data-check="registration"' in page.content
    assert not Platform.objects.exists()
    assert lms.registrations == []  # nothing was sent to it


def test_without_a_superusers_url_nothing_registers(db: Any, lms: LtiPlatform) -> None:
    lms.issuer = lms.base_url
    page = opened_by_moodle("http://testserver/lti/register/?t=forged", lms)
    assert page.status_code == 403
    assert not Platform.objects.exists() and lms.registrations == []


def test_only_superusers_make_registration_urls(db: Any, django_user_model: Any) -> None:
    staff = django_user_model.objects.create_user("staff", "s@example.org", "pw", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/lti/platform/dynamic-registration/").status_code in (302, 403)
