from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .decorators import course_view
from .extensions import home_notices, schedule_items
from .ical import schedule_calendar
from .models import CalendarFeedToken, Course, Enrolment, User
from .permissions import Action, can, role_of


def home(request: HttpRequest) -> HttpResponse:
    """The user's courses; a single course opens directly."""
    if request.user.is_authenticated:
        enrolments = list(selectors.enrolments_of_user(request.user))
        if len(enrolments) == 1:
            return redirect("course_home", code=enrolments[0].course.code)
        public = Course.objects.filter(is_public=True).exclude(
            pk__in=[e.course_id for e in enrolments]
        )
    else:
        enrolments = []
        public = Course.objects.filter(is_public=True)
    return render(request, "course/home.html", {"enrolments": enrolments, "public_courses": public})


@course_view(Action.VIEW_COURSE)
def course_home(request: HttpRequest, course: Course) -> HttpResponse:
    now = timezone.now()
    role = role_of(request.user, course)
    rows = selectors.schedule_rows(course, now)
    upcoming = [r for r in rows if not r.is_past][:3]
    enrolment = Enrolment.objects.filter(course=course, user=cast(User, request.user)).first()
    return render(
        request,
        "course/course_home.html",
        {
            "home_notices": home_notices(course, request.user, now),
            "announcements": selectors.announcements_for(course, role, now)[:10],
            "upcoming": upcoming,
            "office_hours": course.office_hours.all(),
            "meeting_times": course.meeting_times.all(),
            "enrolment": enrolment,
            "policies": selectors.course_policies(course),
        },
    )


@course_view(Action.VIEW_SCHEDULE)
def schedule(request: HttpRequest, course: Course) -> HttpResponse:
    now = timezone.now()
    rows = selectors.schedule_rows(course, now)
    items = schedule_items(course, [r.session for r in rows], request.user)
    for row in rows:
        row.extras["items"] = items.get(row.session.pk, [])
    if course.is_public:
        feed_url = reverse("course_public_feed", kwargs={"code": course.code})
    elif request.user.is_authenticated:
        token = services.feed_token_get_or_create(course=course, user=request.user)
        feed_url = reverse("personal_feed", kwargs={"token": token.token})
    else:
        feed_url = ""
    return render(
        request,
        "course/schedule.html",
        {
            "rows": rows,
            "feed_url": request.build_absolute_uri(feed_url) if feed_url else "",
            "meeting_times": course.meeting_times.all(),
            "breaks": course.breaks.all(),
            "tz_name": course.time_zone,
        },
    )


@course_view(Action.VIEW_COURSE)
def resources(request: HttpRequest, course: Course) -> HttpResponse:
    return render(
        request,
        "course/resources.html",
        {
            "resources": selectors.resources(course),
            "bibliography": course.bibliography.filter(is_resource=False).order_by("topic", "key"),
            "office_hours": course.office_hours.all(),
        },
    )


@login_required
@course_view(Action.VIEW_SCHEDULE)
def calendar_feed_settings(request: HttpRequest, course: Course) -> HttpResponse:
    if request.method == "POST":
        services.feed_token_revoke(course=course, user=cast(User, request.user), now=timezone.now())
        messages.success(
            request, _("Your previous calendar address no longer works; here is a new one.")
        )
        return redirect("calendar_feed_settings", code=course.code)
    token = services.feed_token_get_or_create(course=course, user=cast(User, request.user))
    url = request.build_absolute_uri(reverse("personal_feed", kwargs={"token": token.token}))
    return render(request, "course/calendar_feed.html", {"feed_address": url})


def _feed_response(course: Course) -> HttpResponse:
    sessions = list(selectors.schedule_sessions(course))
    body = schedule_calendar(course, sessions, now=timezone.now(), site_url=settings.SITE_URL)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{course.code.lower()}.ics"'
    return response


def public_feed(request: HttpRequest, code: str) -> HttpResponse:
    course = get_object_or_404(Course, code__iexact=code)
    if not course.is_public:
        raise Http404("This course's calendar is private; use your personal feed address.")
    return _feed_response(course)


def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = (
        CalendarFeedToken.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("course", "user")
        .first()
    )
    if feed is None or not can(feed.user, Action.VIEW_SCHEDULE, feed.course):
        raise Http404("Unknown or revoked calendar address.")
    return _feed_response(feed.course)


@require_POST
def logout_then_home(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    logout(request)
    return redirect("home")
