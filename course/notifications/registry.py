"""The contract between the notification machinery and the apps whose deadlines it reminds about.

course/ never imports the apps above it. Each app registers, from its AppConfig.ready():

- a *reminder source* `fn(course, now) -> Iterable[DueReminder]`, computed from the LIVE
  deadlines (so an extension or a new date moves the reminder). It may return reminders that
  are not yet due or already sent: the dispatcher keeps those whose `due_at <= now <
  expires_at` and sends each (recipient, item_key, kind) at most once;
- a *digest source* `fn(course, now) -> Iterable[DigestLine]`: what waits for the instructor and
  the TAs (papers to approve, notes to grade...), summed up in one morning e-mail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class Category(StrEnum):
    """Auditors only ever receive SCHEDULE and ANNOUNCEMENT kinds."""

    SCHEDULE = "schedule"
    ANNOUNCEMENT = "announcement"
    WORK = "work"  # deadlines of graded work: registered students only
    STAFF = "staff"  # the instructor's and TAs' digest


class Channel(StrEnum):
    EMAIL = "email"
    INAPP = "inapp"
    SLACK = "slack"


DEFAULT_CHANNELS: tuple[Channel, ...] = (Channel.EMAIL, Channel.INAPP)


@dataclass(frozen=True)
class DueReminder:
    """One message to one person (or, recipient None, to the Slack channel).

    `due_at` is when to send; `expires_at` (optional) is when sending no longer makes sense
    (e.g. the deadline itself for "due in 48 h"). `subject` and `body` are a `course.texts.Text`
    (`Text(gettext_noop("Quiz today: %(title)s"), title=...)`) or a plain string (the
    instructor's own words): e-mail and Slack are rendered in the recipient's language when the
    message is made, and the in-app list keeps the Text and translates it in the language of
    whoever reads it, whenever they read it. `url` is a site path (reverse(...)); the e-mail
    adds SITE_URL.
    """

    recipient_user_id: int | None
    item_key: str  # e.g. "scribing:submission:42"
    kind: str  # e.g. "scribe_due_48h" (see KINDS)
    due_at: datetime
    subject: Any
    body: Any
    url: str
    category: str = Category.WORK
    expires_at: datetime | None = None
    channels: tuple[str, ...] = DEFAULT_CHANNELS


@dataclass(frozen=True)
class DigestLine:
    """One line of the staff digest: "3 scribe notes to grade" with a link. count 0 = nothing."""

    label: Any  # a Text, e.g. Text(gettext_noop("Scribe notes to grade: %(n)s"), n=n)
    count: int
    url: str = ""
    recipient_user_id: int | None = None  # None: every instructor and TA of the course


@dataclass(frozen=True)
class KindInfo:
    key: str
    label: Any
    category: str


ReminderSource = Callable[[Any, datetime], Iterable[DueReminder]]
DigestSource = Callable[[Any, datetime], Iterable[DigestLine]]

_reminder_sources: dict[str, ReminderSource] = {}
_digest_sources: dict[str, DigestSource] = {}
_kinds: dict[str, KindInfo] = {}


def deadline_reminders(
    *,
    recipient_user_id: int,
    item_key: str,
    due_at: datetime,
    before: Sequence[tuple[str, timedelta]],
    subject: Callable[[str], Any],
    body: Any,
    url: str,
    category: str = Category.WORK,
    overdue_kind: str | None = None,
    overdue_until: datetime | None = None,
) -> list[DueReminder]:
    """The reminders of one (live) deadline: e.g. before=[("scribe_due_48h", 48 h),
    ("scribe_due_24h", 24 h)], overdue_kind="scribe_overdue". `subject(kind)` gives the subject
    of each kind. Only the latest "before" reminder is due at any time (see rules)."""
    from . import rules

    return [
        DueReminder(
            recipient_user_id=recipient_user_id,
            item_key=item_key,
            kind=firing.kind,
            due_at=firing.send_at,
            subject=subject(firing.kind),
            body=body,
            url=url,
            category=category,
            expires_at=firing.expires_at,
        )
        for firing in rules.deadline_firings(
            due_at, before, overdue_kind=overdue_kind, overdue_until=overdue_until
        )
    ]


def register_kind(key: str, label: Any, category: str) -> None:
    _kinds[key] = KindInfo(key, label, Category(category))


def kinds() -> list[KindInfo]:
    return list(_kinds.values())


def kind_info(key: str) -> KindInfo | None:
    return _kinds.get(key)


def register_reminder_source(name: str, fn: ReminderSource) -> None:
    """`fn(course, now)` yields DueReminder; registering the same name again replaces it."""
    _reminder_sources[name] = fn


def unregister_reminder_source(name: str) -> None:
    _reminder_sources.pop(name, None)


def reminder_sources() -> dict[str, ReminderSource]:
    return dict(_reminder_sources)


def register_digest_source(name: str, fn: DigestSource) -> None:
    """`fn(course, now)` yields DigestLine for the morning digest of the instructor and TAs."""
    _digest_sources[name] = fn


def unregister_digest_source(name: str) -> None:
    _digest_sources.pop(name, None)


def digest_sources() -> dict[str, DigestSource]:
    return dict(_digest_sources)


# The kinds of the issue, so that the preferences page lists them even before an app registers.
for _key, _label, _category in [
    ("announcement", _("Announcements"), Category.ANNOUNCEMENT),
    ("quiz_today", _("A quiz in today's lecture"), Category.SCHEDULE),
    ("scribe_due_48h", _("Scribe notes due in 48 hours"), Category.WORK),
    ("scribe_due_24h", _("Scribe notes due in 24 hours"), Category.WORK),
    ("scribe_overdue", _("Scribe notes overdue"), Category.WORK),
    ("milestone_due_7d", _("Project milestone due in 7 days"), Category.WORK),
    ("milestone_due_48h", _("Project milestone due in 48 hours"), Category.WORK),
    ("milestone_date_set", _("A date set for a project milestone"), Category.WORK),
    ("presentation_in_3d", _("Your presentation in 3 days"), Category.WORK),
    ("slides_missing_24h", _("Slides missing 24 hours before your talk"), Category.WORK),
    ("pair_invitation", _("A pair invitation"), Category.WORK),
    ("group_member_left", _("A partner left your pair or team"), Category.WORK),
    ("grade_released", _("A grade released"), Category.WORK),
    ("staff_digest", _("Daily digest of what waits for you (staff)"), Category.STAFF),
]:
    register_kind(_key, _label, _category)
