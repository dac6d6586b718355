"""A small LTI 1.3 platform written to the IMS specification, run by the tests.

It holds real RSA keys, signs real id_tokens (RS256, with its kid) and serves, on its own HTTP
server on 127.0.0.1: its keyset (`/jwks.json`), its OIDC authorization endpoint (`/auth`, which
answers with the auto-submitted form post of the id_token to the tool, as Moodle's auth.php does)
and a course page with the link a person clicks (`/course/<login_hint>`), which starts the
tool's third-party login.
"""

from __future__ import annotations

import html
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INSTRUCTOR = [f"{LIS}#Instructor"]
TA = [f"{LIS}#Instructor", f"{LIS}/Instructor#TeachingAssistant"]
LEARNER = [f"{LIS}#Learner"]
AGS_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
AGS_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


@dataclass
class Member:
    sub: str
    email: str
    given_name: str
    family_name: str
    roles: list[str]


@dataclass
class SigningKey:
    kid: str
    private: Any

    @classmethod
    def new(cls) -> SigningKey:
        return cls(uuid.uuid4().hex, rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return jwk


@dataclass
class LtiPlatform:
    issuer: str = "https://studium.test.example"
    client_id: str = "coursekit-client-1"
    deployment_id: str = "1"
    context_id: str = "studium-course-4242"
    context_title: str = "IFT 6085 — Hiver 2021"
    tool_login_url: str = ""
    tool_launch_url: str = ""
    target_link_uri: str = ""
    members: dict[str, Member] = field(default_factory=dict)
    keys: list[SigningKey] = field(default_factory=lambda: [SigningKey.new()])
    jwks_requests: int = 0
    # The tool's published keyset, as the platform's administrator gave it (its JWKS URL).
    tool_jwks: dict[str, Any] = field(default_factory=dict)
    token_requests: int = 0
    issued_tokens: dict[str, str] = field(default_factory=dict)  # access token -> scope
    roster: list[dict[str, Any]] = field(default_factory=list)  # NRPS members
    line_items: list[dict[str, Any]] = field(default_factory=list)  # AGS gradebook columns
    scores: list[dict[str, Any]] = field(default_factory=list)  # AGS scores received, in order
    scores_unavailable: int = 0  # the next score posts answered 503 (the LMS is down)
    deep_link_returns: list[str] = field(default_factory=list)  # the tool's signed answers (JWT)
    registration_token: str = "reg-token-1"
    registrations: list[dict[str, Any]] = field(default_factory=list)  # tools that registered
    host: str = "127.0.0.1"
    _server: ThreadingHTTPServer | None = None

    # --- the platform's own server --------------------------------------------------------

    def start(self) -> LtiPlatform:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/jwks.json":
                    platform.jwks_requests += 1
                    self._send(200, "application/json", json.dumps(platform.jwks()))
                elif url.path == "/auth":
                    status, body = platform.authorize(query)
                    self._send(status, "text/html; charset=utf-8", body)
                elif url.path == "/lineitems":
                    if AGS_LINEITEM not in (self._bearer_scope() or ""):
                        self._send(401, "application/json", "{}")
                        return
                    self._send(
                        200,
                        "application/vnd.ims.lis.v2.lineitemcontainer+json",
                        json.dumps(platform.line_items),
                    )
                elif url.path == "/.well-known/openid-configuration":
                    self._send(200, "application/json", json.dumps(platform.openid_configuration()))
                elif url.path == "/memberships":
                    if NRPS_SCOPE not in (self._bearer_scope() or ""):
                        self._send(401, "application/json", json.dumps({"error": "invalid_token"}))
                        return
                    self._send(
                        200,
                        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                        json.dumps(platform.memberships()),
                    )
                elif url.path.startswith("/course/"):
                    hint = url.path.removeprefix("/course/")
                    page = platform.course_page(hint, deep_link=query.get("add") == "coursekit")
                    self._send(200, "text/html; charset=utf-8", page)
                else:
                    self._send(404, "text/plain", "not found")

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                if url.path == "/register":
                    if self.headers.get("Authorization") != f"Bearer {platform.registration_token}":
                        self._send(401, "application/json", "{}")
                        return
                    request = json.loads(raw)
                    platform.registrations.append(request)
                    answer = dict(request, client_id=platform.client_id)
                    answer[TOOL_CONFIG] = dict(
                        request[TOOL_CONFIG], deployment_id=platform.deployment_id
                    )
                    self._send(200, "application/json", json.dumps(answer))
                    return
                if url.path == "/deep-link-return":
                    platform.deep_link_returns.append(form.get("JWT", ""))
                    self._send(200, "text/html; charset=utf-8", "<p id='link-added'>Added</p>")
                    return
                if url.path == "/token":
                    status, body = platform.token(form)
                    self._send(status, "application/json", json.dumps(body))
                elif url.path == "/lineitems" or url.path.startswith("/lineitems/"):
                    if AGS_LINEITEM not in (self._bearer_scope() or "") and not url.path.endswith(
                        "/scores"
                    ):
                        self._send(401, "application/json", "{}")
                        return
                    payload = json.loads(raw or b"{}")
                    if url.path == "/lineitems":
                        item = dict(
                            payload,
                            id=f"{platform.base_url}/lineitems/{len(platform.line_items) + 1}",
                        )
                        platform.line_items.append(item)
                        self._send(
                            201, "application/vnd.ims.lis.v2.lineitem+json", json.dumps(item)
                        )
                    elif url.path.endswith("/scores") and platform.scores_unavailable > 0:
                        platform.scores_unavailable -= 1
                        self._send(503, "application/json", "{}")
                    elif url.path.endswith("/scores") and AGS_SCORE in (self._bearer_scope() or ""):
                        platform.scores.append(
                            dict(payload, lineitem=url.path.removesuffix("/scores"))
                        )
                        self._send(200, "application/json", "")
                    else:
                        self._send(401, "application/json", "{}")
                else:
                    self._send(404, "text/plain", "not found")

            def _bearer_scope(self) -> str | None:
                auth = self.headers.get("Authorization", "")
                return platform.issued_tokens.get(auth.removeprefix("Bearer "))

            def _send(self, status: int, content_type: str, body: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_address[1]}"

    @property
    def auth_login_url(self) -> str:
        return f"{self.base_url}/auth"

    @property
    def key_set_url(self) -> str:
        return f"{self.base_url}/jwks.json"

    @property
    def auth_token_url(self) -> str:
        return f"{self.base_url}/token"

    # --- the LTI messages -----------------------------------------------------------------

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self.keys]}

    @property
    def memberships_url(self) -> str:
        return f"{self.base_url}/memberships"

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """OAuth2 client credentials with a JWT assertion signed by the tool (IMS Security §4.1)."""
        self.token_requests += 1
        if (
            form.get("grant_type") != "client_credentials"
            or form.get("client_assertion_type")
            != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ):
            return 400, {"error": "unsupported_grant_type"}
        assertion = form.get("client_assertion", "")
        try:
            kid = jwt.get_unverified_header(assertion)["kid"]
            key = next(k for k in self.tool_jwks["keys"] if k["kid"] == kid)
            claims = jwt.decode(
                assertion, jwt.PyJWK(key).key, algorithms=["RS256"], audience=self.auth_token_url
            )
        except (jwt.InvalidTokenError, StopIteration, KeyError) as exc:
            return 401, {"error": "invalid_client", "error_description": str(exc)}
        if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
            return 401, {"error": "invalid_client"}
        token = uuid.uuid4().hex
        self.issued_tokens[token] = form.get("scope", "")
        return 200, {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": form.get("scope", ""),
        }

    def memberships(self) -> dict[str, Any]:
        return {
            "id": self.memberships_url,
            "context": {"id": self.context_id, "label": "IFT6085", "title": self.context_title},
            "members": self.roster,
        }

    def enrol(self, member: Member, status: str = "Active") -> None:
        """Put a person on the LMS course's roster (or change their entry)."""
        self.roster = [m for m in self.roster if m["user_id"] != member.sub]
        self.roster.append(
            {
                "user_id": member.sub,
                "status": status,
                "email": member.email,
                "given_name": member.given_name,
                "family_name": member.family_name,
                "name": f"{member.given_name} {member.family_name}",
                "roles": member.roles,
            }
        )

    def unenrol(self, sub: str) -> None:
        self.roster = [m for m in self.roster if m["user_id"] != sub]

    def openid_configuration(self) -> dict[str, Any]:
        """The platform's configuration for LTI Dynamic Registration (as Moodle 4.x serves it)."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.auth_login_url,
            "token_endpoint": self.auth_token_url,
            "jwks_uri": self.key_set_url,
            "registration_endpoint": f"{self.base_url}/register",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "scopes_supported": ["openid"],
            "response_types_supported": ["id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "moodle",
                "version": "4.5",
                "messages_supported": [
                    {"type": "LtiResourceLinkRequest"},
                    {"type": "LtiDeepLinkingRequest"},
                ],
            },
        }

    def rotate_keys(self) -> None:
        self.keys = [SigningKey.new()]

    def login_initiation(self, login_hint: str, deep_link: bool = False) -> dict[str, str]:
        """The third-party login request the platform sends the tool (IMS Security §5.1.1);
        `deep_link`: the instructor's "select content" of a new activity."""
        return {
            "iss": self.issuer,
            "login_hint": login_hint,
            "target_link_uri": self.target_link_uri,
            "lti_message_hint": f"{'deep-link' if deep_link else 'resource-link-1'}:{login_hint}",
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }

    def id_token(
        self,
        *,
        member: Member,
        nonce: str,
        aud: str | list[str] | None = None,
        expires_in: int = 300,
        issued_ago: int = 0,
        deployment_id: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": aud if aud is not None else self.client_id,
            "sub": member.sub,
            "iat": now - issued_ago,
            "exp": now - issued_ago + expires_in,
            "nonce": nonce,
            "email": member.email,
            "given_name": member.given_name,
            "family_name": member.family_name,
            "name": f"{member.given_name} {member.family_name}",
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": deployment_id or self.deployment_id,
            CLAIM + "target_link_uri": self.target_link_uri,
            CLAIM + "resource_link": {"id": "resource-link-1", "title": "Coursekit"},
            CLAIM + "roles": member.roles,
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [AGS_LINEITEM, AGS_SCORE],
                "lineitems": f"{self.base_url}/lineitems",
            },
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": self.memberships_url,
                "service_versions": ["2.0"],
            },
            CLAIM + "context": {
                "id": self.context_id,
                "label": "IFT6085",
                "title": self.context_title,
                "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            },
        }
        claims.update(extra or {})
        key = self.keys[0]
        return jwt.encode(claims, key.pem(), algorithm="RS256", headers={"kid": key.kid})

    def authorize(self, query: dict[str, str], **token_options: Any) -> tuple[int, str]:
        """The OIDC authorization endpoint: checks the request as a platform must, then
        answers with the form that posts the id_token to the tool."""
        member = self.members.get(query.get("login_hint", ""))
        problems = []
        if query.get("client_id") != self.client_id:
            problems.append("client_id")
        if query.get("redirect_uri") != self.tool_launch_url:
            problems.append("redirect_uri")
        if query.get("response_type") != "id_token" or query.get("scope") != "openid":
            problems.append("response_type/scope")
        if not query.get("nonce") or not query.get("state"):
            problems.append("nonce/state")
        if member is None:
            problems.append("login_hint")
        if problems:
            return 400, "invalid_request: " + ", ".join(problems)
        assert member is not None
        if query.get("lti_message_hint", "").startswith("deep-link:"):
            token_options.setdefault(
                "extra", deep_linking_request(f"{self.base_url}/deep-link-return")
            )
        token = self.id_token(member=member, nonce=query["nonce"], **token_options)
        return 200, (
            "<!doctype html><html><body onload='document.forms[0].submit()'>"
            f"<form method='post' action='{html.escape(query['redirect_uri'])}'>"
            f"<input type='hidden' name='id_token' value='{html.escape(token)}'>"
            f"<input type='hidden' name='state' value='{html.escape(query['state'])}'>"
            "</form></body></html>"
        )

    def course_page(self, login_hint: str, deep_link: bool = False) -> str:
        """The LMS course page with the tool's link, opened as `login_hint` (`deep_link`: the
        page of a new activity, whose link asks the tool what to open)."""
        url = self.tool_login_url + "?" + urlencode(self.login_initiation(login_hint, deep_link))
        return (
            "<!doctype html><html><head><title>StudiUM</title></head><body>"
            f"<h1>{html.escape(self.context_title)}</h1>"
            f"<a id='coursekit-link' href='{html.escape(url)}'>Coursekit</a></body></html>"
        )


DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def deep_linking_request(return_url: str) -> dict[str, Any]:
    """The claims that make a launch a deep-linking request (LTI Deep Linking 2.0)."""
    return {
        CLAIM + "message_type": "LtiDeepLinkingRequest",
        CLAIM + "resource_link": None,
        DL + "deep_linking_settings": {
            "deep_link_return_url": return_url,
            "accept_types": ["ltiResourceLink", "link"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": False,
            "data": "opaque-platform-data-17",
        },
    }


def deep_linking_response(
    platform: LtiPlatform, token: str, tool_jwks: dict[str, Any]
) -> dict[str, Any]:
    """What the platform does with the tool's answer: verify it with the tool's published key
    of its kid, as the platform's own client, and return its claims."""
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in tool_jwks["keys"] if k["kid"] == kid)
    return jwt.decode(
        token,
        jwt.PyJWK(key).key,
        algorithms=["RS256"],
        audience=platform.issuer,
        issuer=platform.client_id,
    )
