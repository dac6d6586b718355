"""Reminders and announcements: e-mail, the in-app list and Slack, each sent once (see registry).

Public API for the apps: register_reminder_source, register_digest_source, register_kind,
DueReminder, DigestLine, Category, Channel and the pure helpers in `course.notifications.rules`.
"""

from .registry import (
    Category,
    Channel,
    DigestLine,
    DueReminder,
    KindInfo,
    deadline_reminders,
    digest_sources,
    kind_info,
    kinds,
    register_digest_source,
    register_kind,
    register_reminder_source,
    reminder_sources,
    unregister_digest_source,
    unregister_reminder_source,
)

__all__ = [
    "Category",
    "Channel",
    "DigestLine",
    "DueReminder",
    "KindInfo",
    "deadline_reminders",
    "digest_sources",
    "kind_info",
    "kinds",
    "register_digest_source",
    "register_kind",
    "register_reminder_source",
    "reminder_sources",
    "unregister_digest_source",
    "unregister_reminder_source",
]
