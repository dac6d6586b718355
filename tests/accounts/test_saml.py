"""SAML 2.0 through django-allauth, configured from the environment: the service provider's
metadata that the university's IdP registers."""

from __future__ import annotations

import pytest

from config.sso import providers_from_env

pytestmark = pytest.mark.django_db

ENV = {
    "COURSEKIT_SAML_IDP_ENTITY_ID": "https://idp.example.edu/saml",
    "COURSEKIT_SAML_IDP_SSO_URL": "https://idp.example.edu/saml/sso",
    "COURSEKIT_SAML_IDP_X509CERT": "MIIBAQAB",
    "COURSEKIT_SAML_NAME": "UdeM (SAML)",
}


def test_the_service_provider_metadata_names_the_assertion_consumer(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_env(ENV)
    settings.ALLOWED_HOSTS = ["course.example.edu"]
    response = client.get("/accounts/sso/saml/university/metadata/", HTTP_HOST="course.example.edu")
    assert response.status_code == 200
    xml = response.content.decode()
    assert "http://course.example.edu/accounts/sso/saml/university/acs/" in xml
    assert "EntityDescriptor" in xml


def test_the_login_page_offers_the_saml_button(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_env(ENV)
    html = client.get("/accounts/login/").content.decode()
    assert 'action="/accounts/sso/saml/university/login/"' in html
    assert "Sign in with UdeM (SAML)" in html
