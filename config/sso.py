"""University single sign-on, configured from the environment (see README, "How people sign in").

`providers_from_env` turns the COURSEKIT_OIDC_* and COURSEKIT_SAML_* variables into
django-allauth's `SOCIALACCOUNT_PROVIDERS`. Nothing set: no provider, the login page shows
only the local password form. It is a plain function of a mapping so that it can be tested
without touching the process environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TRUE = {"1", "true", "yes", "on", "t", "y"}


def _flag(env: Mapping[str, str], key: str, default: bool) -> bool:
    raw = env.get(key, "").strip().lower()
    return default if not raw else raw in TRUE


def _pem_body(cert: str) -> str:
    """The certificate's base64 body: python3-saml accepts it with or without PEM armour."""
    lines = [line.strip() for line in cert.replace("\\n", "\n").splitlines() if "-----" not in line]
    return "".join(lines)


def oidc_app(env: Mapping[str, str]) -> dict[str, Any] | None:
    server_url = env.get("COURSEKIT_OIDC_SERVER_URL", "").strip()
    if not server_url:
        return None
    missing = [k for k in ("COURSEKIT_OIDC_CLIENT_ID",) if not env.get(k, "").strip()]
    if missing:
        raise ValueError(f"COURSEKIT_OIDC_SERVER_URL is set but {', '.join(missing)} is not.")
    return {
        "provider_id": env.get("COURSEKIT_OIDC_PROVIDER_ID", "").strip() or "university",
        "name": env.get("COURSEKIT_OIDC_NAME", "").strip() or "University account",
        "client_id": env["COURSEKIT_OIDC_CLIENT_ID"].strip(),
        "secret": env.get("COURSEKIT_OIDC_CLIENT_SECRET", "").strip(),
        "settings": {
            "server_url": server_url,
            "oauth_pkce_enabled": _flag(env, "COURSEKIT_OIDC_PKCE", True),
            "token_auth_method": env.get("COURSEKIT_OIDC_TOKEN_AUTH_METHOD", "").strip() or None,
        },
    }


def saml_app(env: Mapping[str, str]) -> dict[str, Any] | None:
    entity_id = env.get("COURSEKIT_SAML_IDP_ENTITY_ID", "").strip()
    if not entity_id:
        return None
    idp: dict[str, Any] = {"entity_id": entity_id}
    metadata_url = env.get("COURSEKIT_SAML_IDP_METADATA_URL", "").strip()
    if metadata_url:
        idp["metadata_url"] = metadata_url
    else:
        sso_url = env.get("COURSEKIT_SAML_IDP_SSO_URL", "").strip()
        cert = env.get("COURSEKIT_SAML_IDP_X509CERT", "").strip()
        if not (sso_url and cert):
            raise ValueError(
                "COURSEKIT_SAML_IDP_ENTITY_ID is set: also set COURSEKIT_SAML_IDP_METADATA_URL, "
                "or COURSEKIT_SAML_IDP_SSO_URL and COURSEKIT_SAML_IDP_X509CERT."
            )
        idp.update(sso_url=sso_url, x509cert=_pem_body(cert))
    mapping = {
        "uid": env.get("COURSEKIT_SAML_ATTRIBUTE_UID", "").strip()
        or "urn:oasis:names:tc:SAML:attribute:subject-id",
        "email": env.get("COURSEKIT_SAML_ATTRIBUTE_EMAIL", "").strip()
        or "urn:oid:0.9.2342.19200300.100.1.3",
        "first_name": env.get("COURSEKIT_SAML_ATTRIBUTE_FIRST_NAME", "").strip()
        or "urn:oid:2.5.4.42",
        "last_name": env.get("COURSEKIT_SAML_ATTRIBUTE_LAST_NAME", "").strip() or "urn:oid:2.5.4.4",
    }
    return {
        "provider_id": "saml",
        "name": env.get("COURSEKIT_SAML_NAME", "").strip() or "University account (SAML)",
        # allauth names the SAML app's URLs by its client_id: /accounts/sso/saml/<slug>/acs/
        "client_id": env.get("COURSEKIT_SAML_ORGANIZATION", "").strip() or "university",
        "settings": {
            "idp": idp,
            "attribute_mapping": mapping,
            "advanced": {
                "strict": True,
                "want_assertion_signed": _flag(env, "COURSEKIT_SAML_WANT_ASSERTION_SIGNED", True),
                "want_message_signed": _flag(env, "COURSEKIT_SAML_WANT_MESSAGE_SIGNED", False),
            },
        },
    }


def providers_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    providers: dict[str, Any] = {}
    oidc = oidc_app(env)
    if oidc:
        providers["openid_connect"] = {"APPS": [oidc], "OAUTH_PKCE_ENABLED": True}
    saml = saml_app(env)
    if saml:
        providers["saml"] = {"APPS": [saml]}
    return providers
