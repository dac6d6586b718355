"""SAML 2.0 through django-allauth, configured from the environment: the service provider's
metadata that the university's IdP registers."""

from __future__ import annotations

import pytest

from config.sso import providers_from_env
from tests.present import present

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


# --- a signed assertion, as a university's IdP sends it -------------------------------------
# No SAML identity provider runs offline here, so the test plays the IdP's part itself: it
# answers the AuthnRequest that Coursekit really sent with a Response whose assertion it signs
# with its own key (xmlsec, as an IdP does). Everything on Coursekit's side is real: allauth's
# ACS, python3-saml's signature, audience, recipient and InResponseTo checks, the roster link.

HOST = "course.example.edu"
IDP = "https://idp.example.edu/saml"


def _idp_key_and_cert() -> tuple[str, str]:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example.edu")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return (
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        cert.public_bytes(serialization.Encoding.PEM).decode(),
    )


def _signed_response(*, key: str, cert: str, in_response_to: str, email: str, sid: str) -> str:
    import base64
    import datetime as dt
    import uuid

    from onelogin.saml2.utils import OneLogin_Saml2_Utils

    now = dt.datetime.now(dt.UTC)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    issued, until = now.strftime(fmt), (now + dt.timedelta(minutes=5)).strftime(fmt)
    acs = f"http://{HOST}/accounts/sso/saml/university/acs/"
    sp = f"http://{HOST}/accounts/sso/saml/university/metadata/"
    assertion_id = "_" + uuid.uuid4().hex
    attributes = "".join(
        f'<saml:Attribute Name="{n}"><saml:AttributeValue>{v}</saml:AttributeValue></saml:Attribute>'
        for n, v in [
            ("urn:oasis:names:tc:SAML:attribute:subject-id", f"{sid}@umontreal.example"),
            ("urn:oid:0.9.2342.19200300.100.1.3", email),
            ("urn:oid:2.5.4.42", "Grace"),
            ("urn:oid:2.5.4.4", "Hopper"),
            ("studentId", sid),
        ]
    )
    assertion = (
        f'<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{assertion_id}" '
        f'Version="2.0" IssueInstant="{issued}"><saml:Issuer>{IDP}</saml:Issuer>'
        f'<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">'
        f"{sid}</saml:NameID>"
        f'<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
        f'<saml:SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{acs}" '
        f'InResponseTo="{in_response_to}"/></saml:SubjectConfirmation></saml:Subject>'
        f'<saml:Conditions NotBefore="{issued}" NotOnOrAfter="{until}"><saml:AudienceRestriction>'
        f"<saml:Audience>{sp}</saml:Audience></saml:AudienceRestriction></saml:Conditions>"
        f'<saml:AuthnStatement AuthnInstant="{issued}" SessionIndex="{assertion_id}">'
        f"<saml:AuthnContext><saml:AuthnContextClassRef>"
        f"urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
        f"</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
        f"<saml:AttributeStatement>{attributes}</saml:AttributeStatement></saml:Assertion>"
    )
    signed = OneLogin_Saml2_Utils.add_sign(assertion, key, cert)
    signed_text = signed.decode() if isinstance(signed, bytes) else signed
    signed_text = signed_text.split("?>", 1)[-1]  # no XML declaration inside the response
    response = (
        f'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        f'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_{uuid.uuid4().hex}" '
        f'Version="2.0" IssueInstant="{issued}" Destination="{acs}" '
        f'InResponseTo="{in_response_to}"><saml:Issuer>{IDP}</saml:Issuer>'
        f'<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
        f"</samlp:Status>{signed_text}</samlp:Response>"
    )
    return base64.b64encode(response.encode()).decode()


@pytest.fixture
def saml_idp(settings):
    key, cert = _idp_key_and_cert()
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_env(
        {
            "COURSEKIT_SAML_IDP_ENTITY_ID": IDP,
            "COURSEKIT_SAML_IDP_SSO_URL": f"{IDP}/sso",
            "COURSEKIT_SAML_IDP_X509CERT": cert,
        }
    )
    settings.COURSEKIT_SSO_STUDENT_ID_CLAIM = "studentId"
    settings.ALLOWED_HOSTS = [HOST]
    return key, cert


def _start(client) -> str:
    """Coursekit's AuthnRequest: the id the response must answer."""
    import base64
    import re
    import zlib
    from urllib.parse import parse_qs, urlparse

    response = client.post(
        "/accounts/sso/saml/university/login/", {"next": "/c/TST101/"}, HTTP_HOST=HOST
    )
    assert response.status_code == 302 and response["Location"].startswith(f"{IDP}/sso?")
    query = parse_qs(urlparse(response["Location"]).query)
    request_xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15).decode()
    return present(re.search(r'ID="([^"]+)"', request_xml)).group(1)


def _answer(client, saml_response: str):
    return client.post(
        "/accounts/sso/saml/university/acs/",
        {"SAMLResponse": saml_response},
        HTTP_HOST=HOST,
        follow=True,
    )


def test_a_signed_saml_assertion_signs_the_roster_student_in(client, saml_idp, course):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from course import services

    key, cert = saml_idp
    services.roster_import(
        course=course,
        text="name,email,student_id,role\nGrace Hopper,grace@example.org,20260007,student\n",
        now=timezone.now(),
    )
    request_id = _start(client)
    signed = _signed_response(
        key=key, cert=cert, in_response_to=request_id, email="g.h@umontreal.example", sid="20260007"
    )
    response = _answer(client, signed)
    assert response.redirect_chain[-1][0] == "/c/TST101/"
    assert response.status_code == 200
    grace = get_user_model().objects.get(email="grace@example.org")
    assert response.context["user"] == grace


def test_an_assertion_signed_by_another_key_is_refused(client, saml_idp, course):
    from django.contrib.auth import get_user_model

    other_key, other_cert = _idp_key_and_cert()
    request_id = _start(client)
    forged = _signed_response(
        key=other_key, cert=other_cert, in_response_to=request_id, email="x@example.org", sid="1"
    )
    response = _answer(client, forged)
    assert "Single sign-on failed" in response.content.decode()
    assert not response.context["user"].is_authenticated
    assert get_user_model().objects.count() == 0
