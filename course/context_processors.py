from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .extensions import nav_links, resolve_nav
from .permissions import rights


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The current course's navigation, each link shown only to a role that may use it."""
    course = getattr(request, "course", None)
    if course is None:
        return {}
    granted = rights(request.user, course)
    links: list[dict[str, Any]] = []
    for link in nav_links():
        url = resolve_nav(link, course.code)
        # A page with a student and a staff view registers a link for each: show it once.
        if granted.get(link.action) and all(other["url"] != url for other in links):
            links.append({"label": link.label, "url": url})
    from .notifications.selectors import unread_count

    return {
        "course": course,
        "course_rights": granted,
        "course_nav": links,
        "notifications_unread": unread_count(request.user, course),
    }
