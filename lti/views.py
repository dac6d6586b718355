"""The LTI endpoints: OIDC login initiation, resource-link launch, the tool's JWKS."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlsplit

from csp.decorators import csp_replace, csp_update
from django.contrib import messages
from django.contrib.auth import login
from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from course.decorators import course_view
from course.extensions import link_targets, nav_links, resolve_nav
from course.models import Course, User
from course.permissions import Action

from . import protocol, rules, services
from .models import LinkedCourse, Platform
from .protocol import ServiceError
from .rules import LaunchRefused

DEEP_LINK_SALT = "lti.deep_link"
DEEP_LINK_MAX_AGE = 15 * 60  # seconds the instructor has to pick


def _platform_origins() -> list[str]:
    """The web origins of the registered platforms (their issuer and sign-in addresses)."""
    origins: list[str] = []
    for issuer, login_url in Platform.objects.values_list("issuer", "auth_login_url"):
        for origin in (rules.web_origin(issuer), rules.web_origin(login_url)):
            if origin and origin not in origins:
                origins.append(origin)
    return origins


def framed_by_platforms(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page the LMS shows in its iframe (a launch, the deep-link picker, a registration):
    the registered platforms may frame it; every other page of the site stays unframeable."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        origins = _platform_origins()
        if not origins:
            return view(request, *args, **kwargs)
        framed = csp_replace({"frame-ancestors": origins})(xframe_options_exempt(view))
        return cast(HttpResponse, framed(request, *args, **kwargs))

    return wrapped


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
@framed_by_platforms
def lti_launch(request: HttpRequest) -> HttpResponse:
    try:
        claims = protocol.launch_verify(request)
        if claims.is_deep_link:
            return _deep_link_picker(request, claims)
        target = urlsplit(claims.target_link_uri)
        target_path = target.path if target.netloc in ("", request.get_host()) else ""
        outcome = services.launch_accept(claims=claims, target_path=target_path, now=timezone.now())
    except LaunchRefused as refused:
        return _refused(request, refused)
    login(request, outcome.user, backend="django.contrib.auth.backends.ModelBackend")
    if _in_cross_site_iframe(request):
        # Inside the LMS's iframe the browser keeps Coursekit's Lax session cookie from the
        # page: the person continues in a window of their own, with a single-use link.
        token = services.continuation_issue(
            user=outcome.user, path=outcome.landing_path, now=timezone.now()
        )
        return render(
            request,
            "lti/open_in_window.html",
            {"course": outcome.course, "url": reverse("lti_continue") + "?t=" + token},
        )
    return redirect(outcome.landing_path)


def _in_cross_site_iframe(request: HttpRequest) -> bool:
    return (
        request.headers.get("Sec-Fetch-Dest") == "iframe"
        and request.headers.get("Sec-Fetch-Site") == "cross-site"
    )


@require_GET
def lti_continue(request: HttpRequest) -> HttpResponse:
    try:
        user, path = services.continuation_redeem(
            token=request.GET.get("t", ""), now=timezone.now()
        )
    except LaunchRefused as refused:
        return _refused(request, refused)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(path)


@require_GET
def lti_jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(protocol.jwks())


def _pages(course: Course) -> list[tuple[str, str, str]]:
    """The pages of a course a link may open: (key, label, path). The course home, schedule
    and resources, the pages of the navigation (scribing, presentations, project...) and what
    the apps register (each quiz)."""
    code = course.code
    pages = [
        ("course_home", _("Course home"), reverse("course_home", args=[code])),
        ("schedule", _("Schedule"), reverse("schedule", args=[code])),
        ("resources", _("Resources"), reverse("resources", args=[code])),
    ]
    for link in nav_links():
        if link.url_name != "lti_lms_link" and link.url_name not in {k for k, _l, _p in pages}:
            pages.append((link.url_name, str(link.label), resolve_nav(link, code)))
    taken = {key for key, _label, _path in pages}
    for target in link_targets(course):
        if target.key not in taken:
            pages.append((target.key, target.label, target.path))
    return pages


def _deep_link_picker(request: HttpRequest, claims: protocol.LaunchClaims) -> HttpResponse:
    start = services.deep_link_begin(claims=claims, now=timezone.now())
    login(request, start.user, backend="django.contrib.auth.backends.ModelBackend")
    # The pick comes back in a form that may sit in the LMS's iframe, where Coursekit's Lax
    # session and CSRF cookies are not sent: this signed, short-lived token of the verified
    # launch is what the pick is checked against instead.
    token = signing.dumps(
        {"claims": dataclasses.asdict(claims), "user": start.user.pk}, salt=DEEP_LINK_SALT
    )
    return render(
        request,
        "lti/deep_link.html",
        {
            "token": token,
            "courses": [(course, _pages(course)) for course in start.courses],
            "context_title": claims.context_title,
        },
    )


@csrf_exempt  # checked by the signed token of the launch instead (see _deep_link_picker)
@require_POST
@framed_by_platforms
def lti_deep_link(request: HttpRequest) -> HttpResponse:
    try:
        try:
            data = signing.loads(
                request.POST.get("token", ""), salt=DEEP_LINK_SALT, max_age=DEEP_LINK_MAX_AGE
            )
        except signing.SignatureExpired as exc:
            raise LaunchRefused(
                "token", _("The page waited too long: add the link again from the LMS.")
            ) from exc
        except signing.BadSignature as exc:
            raise LaunchRefused("token", _("This form was not made by Coursekit.")) from exc
        claims = protocol.LaunchClaims(**data["claims"])
        code, _sep, page = request.POST.get("page", "").partition("|")
        target_course = Course.objects.filter(code=code).first() if code else None
        chosen = (
            {key: (label, path) for key, label, path in _pages(target_course)}.get(page)
            if target_course is not None
            else None
        )
        if chosen is None:
            raise LaunchRefused("page", _("Pick one of the pages offered."))
        label, path = chosen
        user = User.objects.get(pk=data["user"])
        course = services.deep_link_choose(claims=claims, user=user, code=code, now=timezone.now())
        return_url, jwt_value = protocol.deep_link_response(
            platform=services.platform_get(claims.platform_id),
            deployment_id=claims.deployment_id,
            settings=claims.deep_link_settings,
            title=f"{course.code} — {label}",
            url=request.build_absolute_uri(path),
        )
    except LaunchRefused as refused:
        return _refused(request, refused)

    # The page's form goes back to the platform: the one address it may post to besides ours.
    def back_to_platform(request: HttpRequest) -> HttpResponse:
        return render(
            request, "lti/deep_link_return.html", {"return_url": return_url, "jwt": jwt_value}
        )

    origin = rules.web_origin(return_url)
    if origin:
        return cast(HttpResponse, csp_update({"form-action": [origin]})(back_to_platform)(request))
    return back_to_platform(request)


@require_GET
@framed_by_platforms
def lti_register(request: HttpRequest) -> HttpResponse:
    """LTI Dynamic Registration: Moodle opens this URL (a superuser's single-use one) with its
    openid_configuration and registration_token."""
    try:
        platform = services.platform_register_dynamic(
            token=request.GET.get("t", ""),
            site=request.build_absolute_uri("/").rstrip("/"),
            host=request.get_host(),
            openid_configuration=request.GET.get("openid_configuration", ""),
            registration_token=request.GET.get("registration_token", ""),
            now=timezone.now(),
        )
    except LaunchRefused as refused:
        return _refused(request, refused)
    return render(request, "lti/registered.html", {"platform": platform})


@course_view(Action.MANAGE_COURSE)
@require_http_methods(["GET", "POST"])
def lms_link(request: HttpRequest, course: Course) -> HttpResponse:
    """The instructor's page for the LMS courses linked to theirs: last roster sync, sync now."""
    links = list(LinkedCourse.objects.filter(course=course).select_related("platform"))
    if request.method == "POST":
        for link in links:
            try:
                report = services.roster_sync(link=link, now=timezone.now())
            except ServiceError as exc:
                messages.error(request, _("Roster sync failed: %(error)s") % {"error": exc})
                continue
            (messages.error if report.error else messages.success)(request, report.summary())
        return redirect("lti_lms_link", code=course.code)
    return render(request, "lti/lms_link.html", {"course": course, "links": links})
