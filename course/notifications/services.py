"""Writes of the notification machinery: dispatch what is due, send one message, announcements.

The database decides "at most once": Notification and OutboxMessage rows are inserted with
ON CONFLICT DO NOTHING on their unique (recipient, item, kind[, channel]), and a worker claims
a message (a conditional UPDATE) before it sends it, so two workers never both send it.
"At least once": a message stays pending until a send succeeds, and every dispatch re-queues
pending messages whose task was queued more than REQUEUE_AFTER ago and whose claim, if any,
has lapsed (a killed worker loses nothing). A message sent again because its worker died
between the mail server's acceptance and the record carries the same Message-ID.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .. import texts
from ..models import Announcement, Course, Enrolment
from . import channels, rules
from .models import AnnouncementDelivery, Notification, NotificationPreference, OutboxMessage
from .registry import Channel, DueReminder, reminder_sources

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def requeue_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "COURSEKIT_NOTIFY_REQUEUE_AFTER_SECONDS", 300))


@dataclass
class DispatchReport:
    considered: int = 0
    notifications_created: int = 0
    messages_created: int = 0
    to_queue: list[int] = field(default_factory=list)
    source_errors: list[str] = field(default_factory=list)


def courses_in_session(now: datetime) -> Iterable[Course]:
    """Courses from a month before their term to a month after it."""
    today = now.date()
    return Course.objects.filter(
        term_start__lte=today + timedelta(days=31), term_end__gte=today - timedelta(days=31)
    )


def dispatch_due(*, now: datetime, courses: Iterable[Course] | None = None) -> DispatchReport:
    """Compute what is due from every registered source, record it once, list what to queue."""
    report = DispatchReport()
    for course in courses if courses is not None else courses_in_session(now):
        reminders: list[DueReminder] = []
        for name, source in reminder_sources().items():
            try:
                reminders.extend(
                    r for r in source(course, now) if rules.is_due(r.due_at, now, r.expires_at)
                )
            except Exception as exc:  # one broken app must not stop the others' reminders
                logger.exception("Reminder source %s failed for %s", name, course.code)
                report.source_errors.append(f"{name}: {exc}")
        report.considered += len(reminders)
        if reminders:
            _record(course, reminders, now, report)
    report.to_queue = claim_pending(now=now)
    return report


def _record(
    course: Course, reminders: list[DueReminder], now: datetime, report: DispatchReport
) -> None:
    User = get_user_model()
    user_ids = {r.recipient_user_id for r in reminders if r.recipient_user_id is not None}
    roles = dict(
        Enrolment.objects.filter(course=course, user_id__in=user_ids)
        .exclude(status=Enrolment.Status.DROPPED)
        .filter(Q(status=Enrolment.Status.ACTIVE) | Q(role=Enrolment.Role.AUDITOR))
        .values_list("user_id", "role")
    )
    turned_off = set(
        NotificationPreference.objects.filter(user_id__in=user_ids, enabled=False).values_list(
            "user_id", "kind"
        )
    )
    keys = {r.item_key for r in reminders}
    have_inapp = set(
        Notification.objects.filter(course=course, item_key__in=keys).values_list(
            "recipient_id", "item_key", "kind"
        )
    )
    have_outbox = set(
        OutboxMessage.objects.filter(course=course, item_key__in=keys).values_list(
            "recipient_id", "item_key", "kind", "channel"
        )
    )
    users = User.objects.in_bulk(list(user_ids))
    notifications: list[Notification] = []
    messages: list[OutboxMessage] = []
    seen: set[tuple[Any, ...]] = set()
    for r in reminders:
        uid = r.recipient_user_id
        if uid is not None:
            user = users.get(uid)
            if user is None or not user.is_active:
                continue
            if not rules.role_may_receive(roles.get(uid), r.category):
                continue
            if (uid, r.kind) in turned_off:
                continue
            language = user.preferred_language or settings.LANGUAGE_CODE
        else:
            user = None
            language = course.instruction_language or settings.LANGUAGE_CODE
        for channel in r.channels:
            key = (uid, r.item_key, r.kind, channel)
            if key in seen:
                continue
            seen.add(key)
            if channel == Channel.INAPP:
                if uid is None or (uid, r.item_key, r.kind) in have_inapp:
                    continue
                subject, body = _render(course, r, language, for_email=False)
                notifications.append(
                    Notification(
                        recipient_id=uid,
                        course=course,
                        kind=r.kind,
                        item_key=r.item_key,
                        subject=subject,
                        body=body,
                        subject_text=_as_data(r.subject, language),
                        body_text=_as_data(r.body, language),
                        url=r.url,
                        created_at=now,
                    )
                )
            else:
                if key in have_outbox:
                    continue
                if channel == Channel.EMAIL and (user is None or not user.email):
                    continue
                if channel == Channel.SLACK and not channels.slack_webhook_url():
                    continue
                subject, body = _render(course, r, language, for_email=channel == Channel.EMAIL)
                messages.append(
                    OutboxMessage(
                        course=course,
                        recipient_id=uid,
                        item_key=r.item_key,
                        kind=r.kind,
                        channel=channel,
                        subject=subject,
                        body=body,
                        url=r.url,
                        language=language,
                        created_at=now,
                    )
                )
    with transaction.atomic():
        # ON CONFLICT DO NOTHING: a concurrent dispatcher inserting the same row is harmless.
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
    report.notifications_created += len(notifications)
    report.messages_created += len(messages)


def _render(course: Course, r: DueReminder, language: str, *, for_email: bool) -> tuple[str, str]:
    with translation.override(language):
        subject = rules.subject_line(course.subject_prefix, str(r.subject))
        body = str(r.body).strip()
        if for_email:
            if r.url:
                body += "\n\n" + _("Open: %(url)s") % {"url": channels.absolute_url(r.url)}
            prefs = channels.absolute_url(
                reverse("notification_preferences", kwargs={"code": course.code})
            )
            body += "\n\n-- \n" + _(
                "%(course)s. To stop these messages, change your notification settings: %(url)s"
            ) % {"course": course.code, "url": prefs}
    return subject, body


def _as_data(value: Any, language: str) -> dict[str, Any] | None:
    """A Text kept as data, to translate when shown (lazy parameters read in the recipient's
    language); None for a plain string, shown as rendered."""
    if not isinstance(value, texts.Text):
        return None
    with translation.override(language):
        return value.to_json()


def claim_pending(*, now: datetime, limit: int = 500) -> list[int]:
    """Pending messages never queued, or queued longer ago than REQUEUE_AFTER: mark and return."""
    stale = now - requeue_after()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxMessage.Status.PENDING)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=stale))
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(queued_at=now)
    return ids


@dataclass(frozen=True)
class SendOutcome:
    status: str  # "sent", "retry", "failed", "skipped"
    retry_in: int = 0


def claim_lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "COURSEKIT_NOTIFY_CLAIM_SECONDS", 120))


def outbox_claim(*, outbox_id: int, now: datetime) -> bool:
    """Claim a pending message for sending (one conditional UPDATE, committed at once): True for
    the one worker that may send it now; False when it is sent, failed, or claimed by a worker
    whose claim has not lapsed."""
    claimed = (
        OutboxMessage.objects.filter(pk=outbox_id, status=OutboxMessage.Status.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + claim_lease(), attempts=F("attempts") + 1)
    )
    return claimed == 1


def outbox_send(*, outbox_id: int, now: datetime) -> SendOutcome:
    """Send one pending message, at most one worker at a time.

    The message is claimed first (committed), then sent with no transaction or lock held while
    the mail server or Slack answers, then recorded. A worker killed after the mail server took
    the message but before recording it leaves a claim that lapses after COURSEKIT_NOTIFY_CLAIM
    _SECONDS; the message is then sent again with the same Message-ID (channels.message_id).
    """
    if not outbox_claim(outbox_id=outbox_id, now=now):
        return SendOutcome("skipped")
    msg = OutboxMessage.objects.select_related("recipient", "course").get(pk=outbox_id)
    mine = OutboxMessage.objects.filter(pk=outbox_id, claimed_until=msg.claimed_until)
    try:
        channels.send(msg)
    except channels.ChannelError as exc:
        last_error = str(exc)[:2000]
        if exc.permanent or msg.attempts >= MAX_ATTEMPTS:
            mine.update(
                status=OutboxMessage.Status.FAILED, last_error=last_error, claimed_until=None
            )
            outcome = SendOutcome("failed")
        else:
            delay = rules.backoff_seconds(msg.attempts)
            # The next dispatch must not re-queue it before its back-off has passed.
            mine.update(
                last_error=last_error,
                queued_at=now + timedelta(seconds=delay),
                claimed_until=None,
            )
            outcome = SendOutcome("retry", delay)
        logger.warning("Outbox %s not sent (%s): %s", msg.pk, outcome.status, exc)
        return outcome
    mine.update(status=OutboxMessage.Status.SENT, sent_at=now, last_error="", claimed_until=None)
    return SendOutcome("sent")


# --- announcements -------------------------------------------------------------------------

AUDIENCE_ROLES: dict[str, list[str]] = {
    Announcement.Audience.EVERYONE: [r.value for r in Enrolment.Role],
    Announcement.Audience.STUDENTS: [Enrolment.Role.STUDENT],
    Announcement.Audience.AUDITORS: [Enrolment.Role.AUDITOR],
    Announcement.Audience.STAFF: [Enrolment.Role.INSTRUCTOR, Enrolment.Role.TA],
}


def announcement_recipient_ids(announcement: Announcement) -> list[int]:
    """Active members of the chosen roles; wait-listed auditors follow announcements too."""
    roles = AUDIENCE_ROLES.get(announcement.audience, [])
    return list(
        Enrolment.objects.filter(course_id=announcement.course_id, role__in=roles)
        .exclude(status=Enrolment.Status.DROPPED)
        .filter(Q(status=Enrolment.Status.ACTIVE) | Q(role=Enrolment.Role.AUDITOR))
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def announcement_check(announcement: Announcement) -> None:
    """Refuse an announcement with an empty body or to an audience with nobody in it."""
    errors: dict[str, str] = {}
    if not (announcement.body or "").strip():
        errors["body"] = _("The announcement has no text: write its body before sending it.")
    if not (announcement.title or "").strip():
        errors["title"] = _("The announcement has no title.")
    if announcement.audience not in AUDIENCE_ROLES:
        errors["audience"] = _("Choose an audience.")
    elif not announcement_recipient_ids(announcement):
        errors["audience"] = _("Nobody is in this audience: the announcement would reach no one.")
    if errors:
        raise ValidationError(errors)


def announcement_request_send(
    *, announcement: Announcement, requested_by: Any, send_at: datetime
) -> AnnouncementDelivery:
    """Ask for the announcement to go out from `send_at` (validated; idempotent per announcement)."""
    announcement_check(announcement)
    with transaction.atomic():
        delivery, _ = AnnouncementDelivery.objects.get_or_create(
            announcement=announcement,
            defaults={"send_at": send_at, "requested_by": requested_by, "requested_at": send_at},
        )
    return delivery


# --- the in-app list and preferences ---------------------------------------------------------


def notifications_mark_read(
    *, user: Any, course: Course, now: datetime, ids: Iterable[int] | None = None
) -> int:
    qs = Notification.objects.filter(recipient=user, course=course, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=now)


def preferences_set(*, user: Any, enabled_by_kind: dict[str, bool]) -> None:
    with transaction.atomic():
        for kind, enabled in enabled_by_kind.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"enabled": enabled}
            )
