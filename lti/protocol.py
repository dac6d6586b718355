"""The LTI 1.3 protocol, in one module, on pylti1p3next (the maintained fork of pylti1.3).

It answers three questions for the views: where to send the browser for an OIDC login, whether
a launch's id_token is genuine (and if not, which check failed), and what the tool's public keys
are. The library does the OIDC and JWT work; this module gives it Coursekit's storage: platforms
and keys from the database, the platform keyset cached on its row, nonces consumed once in the
database (any web worker may receive the launch), and the state cookie scoped to /lti/.
"""

from __future__ import annotations

import json
import typing as t
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import jwt
import requests
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from jwcrypto.jwk import JWK
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.cookie import DjangoCookieService
from pylti1p3.contrib.django.request import DjangoRequest
from pylti1p3.contrib.django.service_connector import DjangoServiceConnector
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.deployment import Deployment
from pylti1p3.dynamic_registration import DynamicRegistration
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem as LtiLineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.registration import Registration
from pylti1p3.session import SessionService
from pylti1p3.tool_config.abstract import ToolConfAbstract

from .models import LaunchNonce, Platform, ToolKey
from .rules import LaunchRefused

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
KEYSET_MAX_AGE = timedelta(days=1)
NONCE_LIFETIME = timedelta(minutes=10)
COOKIE_PATH = "/lti/"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"


@dataclass(frozen=True)
class LaunchClaims:
    """What a verified resource-link launch says, as plain values."""

    platform_id: int
    deployment_id: str
    subject: str
    email: str
    given_name: str
    family_name: str
    roles: list[str]
    context_id: str
    context_title: str
    target_link_uri: str
    custom: dict[str, t.Any] = field(default_factory=dict)
    message_type: str = "LtiResourceLinkRequest"
    deep_link_settings: dict[str, t.Any] = field(default_factory=dict)
    memberships_url: str = ""
    lineitems_url: str = ""

    @property
    def is_deep_link(self) -> bool:
        return self.message_type == DEEP_LINKING_REQUEST


# --- the tool's keys --------------------------------------------------------------------------


def new_key_pair() -> tuple[str, str, dict[str, t.Any]]:
    """A fresh RSA 2048 key pair: (kid, private key PEM, public JWK). The kid is the key's
    RFC 7638 thumbprint, the same one the library computes when it signs with the PEM."""
    key = JWK.generate(kty="RSA", size=2048)
    kid = key.thumbprint()
    pem = key.export_to_pem(private_key=True, password=None).decode("ascii")
    public = json.loads(key.export_public())
    public.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return kid, pem, public


def jwks() -> dict[str, list[dict[str, t.Any]]]:
    """The tool's published keyset: every key not retired, newest first."""
    keys = ToolKey.objects.filter(retired_at__isnull=True).values_list("public_jwk", flat=True)
    return {"keys": list(keys)}


# --- the library's storage, backed by Coursekit -----------------------------------------------


class ToolConf(ToolConfAbstract[DjangoRequest]):
    """Registrations from the Platform table: one issuer may have several client ids."""

    def __init__(self) -> None:
        self.platform: Platform | None = None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: t.Any, **kwargs: t.Any) -> Registration:
        raise NotImplementedError  # never asked: check_iss_has_one_client is False

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        raise NotImplementedError  # never asked: check_iss_has_one_client is False

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: t.Any, **kwargs: t.Any
    ) -> Registration:
        platform = Platform.objects.filter(issuer=iss, client_id=client_id).first()
        self.platform = platform
        if platform is None:
            return None  # type: ignore[return-value]  # the library reads None as "not found"
        registration = (
            Registration()
            .set_issuer(platform.issuer)
            .set_client_id(platform.client_id)
            .set_auth_login_url(platform.auth_login_url)
            .set_auth_token_url(platform.auth_token_url)
            .set_key_set_url(platform.key_set_url)
            .set_key_set(_fresh_key_set(platform, timezone.now()))
        )
        signing = ToolKey.objects.filter(retired_at__isnull=True).first()
        if signing is not None:
            registration.set_tool_private_key(signing.private_key_pem)
        return registration

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: t.Any, **kwargs: t.Any
    ) -> Deployment | None:
        platform = Platform.objects.filter(issuer=iss, client_id=client_id).first()
        if platform is None or deployment_id not in platform.deployment_id_list:
            return None
        return Deployment().set_deployment_id(deployment_id)


def _fresh_key_set(platform: Platform, now: datetime) -> t.Any:
    if (
        platform.key_set
        and platform.key_set_fetched_at
        and now - platform.key_set_fetched_at < KEYSET_MAX_AGE
    ):
        return platform.key_set
    return None


class LtiCookieService(DjangoCookieService):
    """The state cookie, for the LTI endpoints only: `SameSite=None; Secure` so that it comes
    back with the platform's cross-site form post (a new window or an iframe)."""

    def update_response(self, response: HttpResponse) -> None:
        if self._request is None or self._cookie_data_to_set is None:
            raise RuntimeError("the LTI state cookie is written after the request is read")
        secure = self._request.is_secure()
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(
                key,
                data["value"],
                max_age=data["exp"],
                path=COOKIE_PATH,
                secure=secure,
                httponly=True,
                # A browser refuses SameSite=None without Secure: plain HTTP (development)
                # keeps the default, which works when the LMS is on the same site.
                samesite="None" if secure else "Lax",
            )


class NonceStore(SessionService):
    """Nonces in the database, consumed once: a replayed id_token finds its nonce used."""

    def save_nonce(self, nonce: str) -> None:
        LaunchNonce.objects.create(nonce=nonce, issued_at=timezone.now())

    def check_nonce(self, nonce: str) -> bool:
        now = timezone.now()
        consumed = LaunchNonce.objects.filter(
            nonce=nonce, used_at__isnull=True, issued_at__gte=now - NONCE_LIFETIME
        ).update(used_at=now)
        return consumed == 1

    def save_launch_data(self, key: str, jwt_body: t.Any) -> None:
        """Coursekit reads what it needs from the launch at once; nothing is kept for later."""


class ToolLaunch(DjangoMessageLaunch):
    """The library's launch validation, one check at a time, so a failure can say which."""

    _tool_config: ToolConf

    def _refuse(self, check: str, reason: str, exc: Exception) -> LaunchRefused:
        refused = LaunchRefused(check, reason)
        refused.__cause__ = exc
        return refused

    def validate(self) -> ToolLaunch:
        self._validated = True
        try:
            self.validate_state()
        except LtiException as exc:
            raise self._refuse(
                "state",
                _(
                    "This launch did not start from a login in this browser (its state is missing or unknown): launch it again from the LMS."
                ),
                exc,
            ) from exc
        try:
            self.validate_jwt_format()
        except LtiException as exc:
            raise self._refuse(
                "id_token", _("The id_token is not a well-formed JWT."), exc
            ) from exc
        body = self._get_jwt_body()
        iss, client_id = body.get("iss"), self.get_client_id()
        if not iss or not Platform.objects.filter(issuer=iss).exists():
            raise LaunchRefused(
                "issuer", _("The issuer %(iss)s is not a registered platform.") % {"iss": iss}
            )
        aud: t.Any = body.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if len(audiences) > 1 and body.get("azp") not in audiences:
            raise LaunchRefused(
                "audience",
                _("The id_token names several audiences and no authorised party among them."),
            )
        if not Platform.objects.filter(issuer=iss, client_id=client_id).exists():
            raise LaunchRefused(
                "audience",
                _(
                    "The id_token is for the client %(aud)s, which is not Coursekit's client id on this platform."
                )
                % {"aud": client_id},
            )
        try:
            self.validate_registration()
        except LtiException as exc:
            raise self._refuse(
                "audience", _("The id_token is not for Coursekit's client id."), exc
            ) from exc
        try:
            self.validate_jwt_signature()
        except LtiException as exc:
            cause = exc.__cause__
            if isinstance(cause, jwt.ExpiredSignatureError):
                raise self._refuse(
                    "expiry", _("The id_token has expired: launch it again from the LMS."), exc
                ) from exc
            if isinstance(cause, jwt.ImmatureSignatureError):
                raise self._refuse(
                    "expiry", _("The id_token is not valid yet (issued in the future)."), exc
                ) from exc
            if isinstance(cause, jwt.MissingRequiredClaimError):
                raise self._refuse(
                    "expiry", _("The id_token has no expiry or issue time."), exc
                ) from exc
            raise self._refuse(
                "signature",
                _("The id_token's signature does not verify with the platform's keys."),
                exc,
            ) from exc
        # The nonce is consumed only once the token is known to be genuine: a forged token
        # must not burn the nonce of a real one.
        try:
            self.validate_nonce()
        except LtiException as exc:
            raise self._refuse(
                "nonce",
                _(
                    "This launch was already used (its nonce is spent or expired): launch it again from the LMS."
                ),
                exc,
            ) from exc
        try:
            self.validate_deployment()
        except LtiException as exc:
            raise self._refuse(
                "deployment",
                _("The deployment %(id)s is not registered for this platform.")
                % {"id": body.get(CLAIM + "deployment_id")},
                exc,
            ) from exc
        try:
            self.validate_message()
        except LtiException as exc:
            raise self._refuse(
                "message", _("The launch message is incomplete: %(detail)s") % {"detail": exc}, exc
            ) from exc
        return self

    def get_public_key(self) -> tuple[str, str]:
        try:
            return super().get_public_key()
        except LtiException:
            # An unknown kid: the platform may have rotated its keys since they were cached.
            if self._registration is None or self._registration.get_key_set() is None:
                raise
            self._registration.set_key_set(None)
            return super().get_public_key()

    def fetch_public_key(self, key_set_url: str) -> t.Any:
        key_set = super().fetch_public_key(key_set_url)
        platform = self._tool_config.platform
        if platform is not None and isinstance(key_set, dict) and "keys" in key_set:
            Platform.objects.filter(pk=platform.pk).update(
                key_set=key_set, key_set_fetched_at=timezone.now()
            )
        return key_set

    def claims(self) -> LaunchClaims:
        body: dict[str, t.Any] = dict(self._get_jwt_body())
        platform = self._tool_config.platform
        if platform is None:
            raise RuntimeError("claims() is read after validate() found the platform")
        message_type = str(body.get(CLAIM + "message_type"))
        if message_type not in (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST):
            raise LaunchRefused(
                "message", _("Coursekit accepts resource-link and deep-linking launches only.")
            )
        subject = str(body.get("sub") or "")
        if not subject:
            raise LaunchRefused(
                "sub",
                _(
                    "The launch does not say who you are (no user id): anonymous launches are not accepted."
                ),
            )
        context = body.get(CLAIM + "context") or {}
        if not context.get("id"):
            raise LaunchRefused(
                "context", _("The launch does not come from an LMS course (no context).")
            )
        return LaunchClaims(
            platform_id=platform.pk,
            deployment_id=str(body.get(CLAIM + "deployment_id")),
            subject=subject,
            email=str(body.get("email") or ""),
            given_name=str(body.get("given_name") or ""),
            family_name=str(body.get("family_name") or ""),
            roles=[str(r) for r in body.get(CLAIM + "roles") or []],
            context_id=str(context["id"]),
            context_title=str(context.get("title") or context.get("label") or ""),
            target_link_uri=str(body.get(CLAIM + "target_link_uri") or ""),
            custom=dict(body.get(CLAIM + "custom") or {}),
            message_type=message_type,
            deep_link_settings=dict(body.get(DEEP_LINKING_SETTINGS) or {}),
            memberships_url=str((body.get(NRPS_CLAIM) or {}).get("context_memberships_url") or ""),
            lineitems_url=str((body.get(AGS_CLAIM) or {}).get("lineitems") or ""),
        )


# --- what the views call ----------------------------------------------------------------------


def login_redirect(request: HttpRequest, *, launch_url: str) -> HttpResponse:
    """Answer a platform's third-party login initiation with the OIDC authentication redirect."""
    django_request = DjangoRequest(request)
    login = DjangoOIDCLogin(
        request,
        ToolConf(),  # type: ignore[arg-type]  # the library types its own DB config here
        session_service=NonceStore(django_request),  # type: ignore[arg-type]  # the library's session service, duck-typed
        cookie_service=LtiCookieService(django_request),
    )
    try:
        with transaction.atomic():
            return login.redirect(launch_url)
    except OIDCException as exc:
        if not request.GET.get("iss", request.POST.get("iss")):
            raise LaunchRefused("issuer", _("The login request names no issuer (iss).")) from exc
        if not request.GET.get("login_hint", request.POST.get("login_hint")):
            raise LaunchRefused("login_hint", _("The login request has no login_hint.")) from exc
        raise LaunchRefused(
            "issuer", _("No platform is registered for this issuer and client id.")
        ) from exc


def launch_verify(request: HttpRequest) -> LaunchClaims:
    """Verify a launch (form post of id_token and state) and return what it says."""
    django_request = DjangoRequest(request, post_only=True)
    launch = ToolLaunch(
        django_request,
        ToolConf(),
        session_service=NonceStore(django_request),
        cookie_service=LtiCookieService(django_request),
    )
    launch.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})
    if not request.POST.get("id_token"):
        raise LaunchRefused("id_token", _("The launch carries no id_token."))
    launch.validate()
    return launch.claims()


def deep_link_response(
    *, platform: Platform, deployment_id: str, settings: dict[str, t.Any], title: str, url: str
) -> tuple[str, str]:
    """The instructor's pick for the platform: (its return URL, the LtiDeepLinkingResponse JWT
    signed with the tool's current key, kid in its header)."""
    registration = _tool_registration(platform)
    resource = DeepLinkResource().set_url(url).set_title(title)
    resource.set_target("window")
    deep_link = DeepLink(registration, deployment_id, settings)  # type: ignore[arg-type]  # the library types its own registration class
    return str(settings.get("deep_link_return_url") or ""), deep_link.get_response_jwt([resource])


def _tool_registration(platform: Platform) -> Registration:
    """The registration as the tool signs with it: its current key, kid in the header."""
    signing = ToolKey.objects.filter(retired_at__isnull=True).first()
    if signing is None:
        raise LaunchRefused(
            "tool_key",
            _(
                "Coursekit has no signing key yet: its administrator must run manage.py lti_rotate_key."
            ),
            status=503,
        )
    public_pem = JWK(**signing.public_jwk).export_to_pem().decode("ascii")
    return (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_token_url(platform.auth_token_url)
        .set_tool_private_key(signing.private_key_pem)
        .set_tool_public_key(public_pem)
    )


class ServiceConnector(DjangoServiceConnector):
    """OAuth2 client-credentials tokens, cached in Django's cache until they expire, one per
    platform client and scopes."""

    def _get_cache_key(self, scope_key: str) -> str:
        return f"lti-access-token-{self._registration.get_client_id()}-{scope_key}"


class ServiceError(Exception):
    """The LMS's service refused or failed: the message says what, for the admin and the log."""


@dataclass(frozen=True)
class Member:
    subject: str
    email: str
    given_name: str
    family_name: str
    roles: list[str]
    active: bool


def nrps_members(*, platform: Platform, memberships_url: str) -> list[Member]:
    """The LMS course's members, every page, from its Names and Role Provisioning Service."""
    registration = _tool_registration(platform)
    service = NamesRolesProvisioningService(
        ServiceConnector(registration), {"context_memberships_url": memberships_url}
    )
    try:
        members = service.get_members()
    except (LtiException, requests.RequestException) as exc:
        raise ServiceError(f"NRPS {memberships_url}: {exc}") from exc
    return [
        Member(
            subject=str(m.get("user_id") or ""),
            email=str(m.get("email") or ""),
            given_name=str(m.get("given_name") or ""),
            family_name=str(m.get("family_name") or ""),
            roles=[str(r) for r in m.get("roles") or []],
            active=m.get("status", "Active") == "Active",
        )
        for m in members
        if m.get("user_id")
    ]


AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


def _ags(platform: Platform, lineitems_url: str) -> AssignmentsGradesService:
    return AssignmentsGradesService(
        ServiceConnector(_tool_registration(platform)),
        {"scope": AGS_SCOPES, "lineitems": lineitems_url},  # type: ignore[typeddict-item]  # the library's TypedDict lacks the AGS claim's lineitems
    )


def ags_line_item(
    *,
    platform: Platform,
    lineitems_url: str,
    tag: str,
    resource_id: str,
    label: str,
    maximum: float,
) -> str:
    """The URL of the LMS gradebook column tagged `tag`, created if the LMS has none."""
    wanted = (
        LtiLineItem()
        .set_tag(tag)
        .set_resource_id(resource_id)
        .set_label(label)
        .set_score_maximum(maximum)
    )
    try:
        found = _ags(platform, lineitems_url).find_or_create_lineitem(wanted)
    except (LtiException, requests.RequestException) as exc:
        raise ServiceError(f"AGS line item {tag}: {exc}") from exc
    url = found.get_id()
    if not url:
        raise ServiceError(f"AGS line item {tag}: the LMS gave no id")
    return str(url)


def ags_score_post(
    *,
    platform: Platform,
    lineitems_url: str,
    lineitem_url: str,
    subject: str,
    score: float,
    maximum: float,
    now: datetime,
) -> None:
    """Post one student's score to a column (AGS Score service: the LMS keeps the latest)."""
    grade = (
        Grade()
        .set_user_id(subject)
        .set_score_given(score)
        .set_score_maximum(maximum)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp(now.isoformat())
    )
    line = LtiLineItem().set_id(lineitem_url)
    try:
        _ags(platform, lineitems_url).put_grade(grade, line)
    except (LtiException, requests.RequestException) as exc:
        raise ServiceError(f"AGS score for {subject}: {exc}") from exc


# --- LTI Dynamic Registration (Moodle 4.x: the administrator pastes one URL) ------------------

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


@dataclass(frozen=True)
class RegisteredPlatform:
    name: str
    issuer: str
    client_id: str
    deployment_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str


class _ToolRegistration(DynamicRegistration):
    client_name = "Coursekit"
    description = "Course logistics: schedule, quizzes, scribing, projects and a gradebook."

    def __init__(
        self, *, site: str, host: str, openid_configuration: str, registration_token: str
    ) -> None:
        self._site, self._host = site.rstrip("/"), host
        self._openid_configuration, self._registration_token = (
            openid_configuration,
            registration_token,
        )
        self.result: RegisteredPlatform | None = None

    def get_initiate_login_uri(self) -> str:
        return self._site + "/lti/login/"

    def get_jwks_uri(self) -> str:
        return self._site + "/lti/jwks.json"

    def get_redirect_uris(self) -> list[str]:
        return [self._site + "/lti/launch/"]

    def get_target_link_uri(self) -> str:
        return self._site + "/"

    def get_domain(self) -> str:
        return self._host

    def get_logo_uri(self) -> str:
        return ""

    def get_scopes(self) -> list[str]:
        return [
            *AGS_SCOPES,
            "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
        ]

    def get_claims(self) -> list[str]:
        return ["iss", "sub", "email", "given_name", "family_name", "name"]

    def get_messages(self) -> list[dict[str, str]]:
        return [
            {
                "type": DEEP_LINKING_REQUEST,
                "target_link_uri": self._site + "/lti/launch/",
                "label": "Coursekit",
            }
        ]

    def get_openid_configuration_endpoint(self) -> str:
        return self._openid_configuration

    def get_registration_token(self) -> str:
        return self._registration_token

    def get_openid_configuration(self) -> dict[str, t.Any]:
        configuration = super().get_openid_configuration()
        issuer = str(configuration.get("issuer") or "")
        # The configuration must come from its issuer (LTI-DR §3.5.1), checked before anything
        # is sent: a page elsewhere cannot register itself under another platform's name.
        if not issuer or not self._openid_configuration.startswith(issuer.rstrip("/") + "/"):
            raise ServiceError(
                f"the OpenID configuration at {self._openid_configuration} names the issuer {issuer!r}, which is not its address"
            )
        return configuration

    def complete_registration(
        self, openid_configuration: dict[str, t.Any], openid_registration: dict[str, t.Any]
    ) -> RegisteredPlatform:
        issuer = str(openid_configuration["issuer"])
        tool = openid_registration.get(TOOL_CONFIGURATION) or {}
        platform = openid_configuration.get(PLATFORM_CONFIGURATION) or {}
        self.result = RegisteredPlatform(
            name=str(platform.get("product_family_code") or issuer)[:100],
            issuer=issuer,
            client_id=str(openid_registration.get("client_id") or ""),
            deployment_id=str(tool.get("deployment_id") or ""),
            auth_login_url=str(openid_configuration.get("authorization_endpoint") or ""),
            auth_token_url=str(openid_configuration.get("token_endpoint") or ""),
            key_set_url=str(openid_configuration.get("jwks_uri") or ""),
        )
        return self.result


def dynamic_register(
    *, site: str, host: str, openid_configuration: str, registration_token: str
) -> RegisteredPlatform:
    """Register Coursekit with the platform that opened the registration URL, and say what the
    platform answered (its issuer, the client id it gave, its endpoints)."""
    registration = _ToolRegistration(
        site=site,
        host=host,
        openid_configuration=openid_configuration,
        registration_token=registration_token,
    )
    try:
        result = registration.register()
    except (
        LtiException,
        requests.RequestException,
        AssertionError,
        ValueError,
        ServiceError,
    ) as exc:
        raise ServiceError(f"dynamic registration: {exc}") from exc
    if not isinstance(result, RegisteredPlatform):
        raise ServiceError("dynamic registration: the platform's answer is no registration")
    if not all(
        [result.client_id, result.auth_login_url, result.auth_token_url, result.key_set_url]
    ):
        raise ServiceError(
            "dynamic registration: the platform's answer lacks a client id or an endpoint"
        )
    return result
