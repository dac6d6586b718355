"""The reminder sources that course/ itself owns: announcements and the staff's morning digest.

Registered from CourseConfig.ready() with `register()`. The apps above register theirs the same
way (see the registry's docstring).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_noop

from ..models import Course, Enrolment
from ..texts import Param, Text
from . import rules
from .channels import absolute_url
from .models import AnnouncementDelivery, Notification
from .registry import (
    Category,
    Channel,
    DigestLine,
    DueReminder,
    digest_sources,
    register_reminder_source,
)
from .services import announcement_recipient_ids

logger = logging.getLogger(__name__)

ANNOUNCEMENT_WINDOW = timedelta(days=3)  # an announcement not sent within 3 days is stale
DIGEST_KIND = "staff_digest"


def announcement_reminders(course: Course, now: datetime) -> Iterator[DueReminder]:
    deliveries = AnnouncementDelivery.objects.filter(
        announcement__course=course, send_at__lte=now, send_at__gt=now - ANNOUNCEMENT_WINDOW
    ).select_related("announcement")
    home = reverse("course_home", kwargs={"code": course.code})
    for delivery in deliveries:
        a = delivery.announcement
        common: dict[str, Any] = {
            "item_key": f"course:announcement:{a.pk}",
            "kind": "announcement",
            "due_at": delivery.send_at,
            "subject": a.title,
            "body": a.body,
            "url": f"{home}#announcement-{a.pk}",
            "category": Category.ANNOUNCEMENT,
            "expires_at": delivery.send_at + ANNOUNCEMENT_WINDOW,
        }
        for user_id in announcement_recipient_ids(a):
            yield DueReminder(recipient_user_id=user_id, **common)
        # One message to the class Slack channel (skipped when no webhook is configured).
        yield DueReminder(recipient_user_id=None, channels=(Channel.SLACK,), **common)


def _digest_text(course: Course, lines: list[DigestLine]) -> Text:
    rows: list[Param] = [
        Text(gettext_noop("- %(label)s: %(url)s"), label=line.label, url=absolute_url(line.url))
        if line.url
        else Text(gettext_noop("- %(label)s"), label=line.label)
        for line in lines
    ]
    return Text(
        gettext_noop("Waiting for you in %(code)s today:\n\n%(rows)s"), code=course.code, rows=rows
    )


def staff_digest(course: Course, now: datetime) -> Iterator[DueReminder]:
    """One morning e-mail (7:00 local) to each instructor and TA, when something waits."""
    sources = digest_sources()
    if not sources:
        return
    day, send_at, expires_at = rules.digest_send_at(now, course.time_zone)
    if not rules.is_due(send_at, now, expires_at):
        return
    item_key = f"course:digest:{day.isoformat()}"
    staff = set(
        Enrolment.objects.filter(
            course=course,
            role__in=[Enrolment.Role.INSTRUCTOR, Enrolment.Role.TA],
            status=Enrolment.Status.ACTIVE,
        ).values_list("user_id", flat=True)
    )
    staff -= set(
        Notification.objects.filter(course=course, item_key=item_key, kind=DIGEST_KIND).values_list(
            "recipient_id", flat=True
        )
    )
    if not staff:
        return
    lines: list[DigestLine] = []
    for name, source in sources.items():
        try:
            lines.extend(line for line in source(course, now) if line.count > 0)
        except Exception:
            logger.exception("Digest source %s failed for %s", name, course.code)
    url = reverse("course_home", kwargs={"code": course.code})
    for user_id in sorted(staff):
        mine = [ln for ln in lines if ln.recipient_user_id in (None, user_id)]
        if not mine:
            continue
        yield DueReminder(
            recipient_user_id=user_id,
            item_key=item_key,
            kind=DIGEST_KIND,
            due_at=send_at,
            subject=Text(gettext_noop("What waits for you on %(day)s"), day=day.isoformat()),
            body=_digest_text(course, mine),
            url=url,
            category=Category.STAFF,
            expires_at=expires_at,
        )


def register() -> None:
    register_reminder_source("course.announcements", announcement_reminders)
    register_reminder_source("course.staff_digest", staff_digest)
