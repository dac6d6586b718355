"""The in-app notification list, mark-as-read, and the per-kind preferences page."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..decorators import course_view
from ..models import Course, Enrolment
from ..permissions import Action, role_of
from . import rules, selectors, services
from .registry import kinds


@course_view(Action.VIEW_COURSE)
def notification_list(request: HttpRequest, course: Course) -> HttpResponse:
    page = Paginator(selectors.notifications_for(request.user, course), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "course/notifications/list.html",
        {"page_obj": page, "notifications": page.object_list},
    )


@require_POST
@course_view(Action.VIEW_COURSE)
def notification_mark_read(request: HttpRequest, course: Course) -> HttpResponse:
    raw = request.POST.get("id", "")
    ids: list[int] | None = None
    if raw:
        if not raw.isdigit():
            return HttpResponse(_("id: not a notification number."), status=400)
        ids = [int(raw)]
    services.notifications_mark_read(user=request.user, course=course, now=timezone.now(), ids=ids)
    return redirect("notification_list", code=course.code)


def _kinds_for_role(role: str | None) -> list:
    return [k for k in kinds() if rules.role_may_receive(role, k.category)]


@course_view(Action.VIEW_COURSE)
def notification_preferences(request: HttpRequest, course: Course) -> HttpResponse:
    role = role_of(request.user, course)
    if request.user.is_superuser and role is None:
        role = Enrolment.Role.INSTRUCTOR
    available = _kinds_for_role(role)
    if request.method == "POST":
        chosen = set(request.POST.getlist("enabled"))
        services.preferences_set(
            user=request.user, enabled_by_kind={k.key: k.key in chosen for k in available}
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notification_preferences", code=course.code)
    off = selectors.disabled_kinds(request.user)
    rows = [{"key": k.key, "label": k.label, "enabled": k.key not in off} for k in available]
    return render(request, "course/notifications/preferences.html", {"rows": rows})
