"""The LTI endpoints: OIDC login initiation, resource-link launch, the tool's JWKS."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import protocol, services
from .rules import LaunchRefused


def _refused(request: HttpRequest, refused: LaunchRefused) -> HttpResponse:
    return render(
        request,
        "lti/launch_refused.html",
        {"check": refused.check, "reason": refused.reason},
        status=refused.status,
    )


# The platform posts these forms from its own site: they cannot carry Coursekit's CSRF token.
# What CSRF protection gives is given here by the protocol itself: the state cookie set at login
# must come back with the launch, and the id_token is signed by the platform and carries a nonce
# that is spent once.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def lti_login(request: HttpRequest) -> HttpResponse:
    try:
        return protocol.login_redirect(
            request, launch_url=request.build_absolute_uri(reverse("lti_launch"))
        )
    except LaunchRefused as refused:
        return _refused(request, refused)


@csrf_exempt
@require_POST
def lti_launch(request: HttpRequest) -> HttpResponse:
    try:
        claims = protocol.launch_verify(request)
        target = urlsplit(claims.target_link_uri)
        target_path = target.path if target.netloc in ("", request.get_host()) else ""
        outcome = services.launch_accept(claims=claims, target_path=target_path, now=timezone.now())
    except LaunchRefused as refused:
        return _refused(request, refused)
    login(request, outcome.user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(outcome.landing_path)


@require_GET
def lti_jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(protocol.jwks())
