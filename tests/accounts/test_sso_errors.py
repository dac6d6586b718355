"""The single sign-on addresses never answer a server error: an unreachable identity provider,
a forged callback, a page of allauth's that Coursekit does not use."""

from __future__ import annotations

import pytest

from config.sso import providers_from_env

pytestmark = pytest.mark.django_db
HOST = "course.example.edu"
ENV = {
    "COURSEKIT_OIDC_SERVER_URL": "http://127.0.0.1:9/o",  # nothing listens on the discard port
    "COURSEKIT_OIDC_CLIENT_ID": "coursekit",
    "COURSEKIT_SAML_IDP_ENTITY_ID": "https://idp.example.edu/saml",
    "COURSEKIT_SAML_IDP_SSO_URL": "https://idp.example.edu/saml/sso",
    "COURSEKIT_SAML_IDP_X509CERT": "MIIBAQAB",
}


@pytest.fixture
def sso(settings):
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_env(ENV)
    settings.ALLOWED_HOSTS = [HOST]


def test_an_unreachable_identity_provider_gets_a_clear_page(client, sso):
    response = client.post("/accounts/sso/oidc/university/login/", HTTP_HOST=HOST)
    assert response.status_code == 502
    assert "Single sign-on failed" in response.content.decode()


@pytest.mark.parametrize("query", ["", "?error=access_denied", "?code=stolen&state=forged"])
def test_a_callback_without_its_state_is_refused(client, sso, query):
    response = client.get(f"/accounts/sso/oidc/university/login/callback/{query}", HTTP_HOST=HOST)
    assert response.status_code == 401
    assert "Single sign-on failed" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_a_saml_finish_without_an_assertion_is_refused(client, sso):
    response = client.get("/accounts/sso/saml/university/acs/finish/", HTTP_HOST=HOST)
    assert response.status_code == 401


def test_an_unknown_provider_is_not_found(client, sso):
    assert client.post("/accounts/sso/oidc/other/login/", HTTP_HOST=HOST).status_code == 404


@pytest.mark.parametrize(
    ("url", "status", "text"),
    [
        ("/accounts/sso/login/cancelled/", 200, "Sign-in cancelled"),
        ("/accounts/sso/login/error/", 200, "Single sign-on failed"),
        ("/accounts/sso/signup/", 200, "You are not enrolled in any course here"),
    ],
)
def test_allauths_own_pages_are_the_sites(client, url, status, text):
    response = client.get(url)
    assert response.status_code == status and text in response.content.decode()


def test_the_connections_page_is_the_account_page(client):
    assert client.get("/accounts/sso/")["Location"] == "/accounts/preferences/"
