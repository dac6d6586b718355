"""Models of the shared notification machinery (see course/notifications/).

- `Notification`: the in-app list, one row per (recipient, item, kind). A reminder's subject and
  body are kept as data too (`course.texts.Text`), so the list reads in the reader's language of
  the moment (`subject_shown`, `body_shown`); `subject`/`body` hold them as rendered at creation
  in the recipient's language then (admin search, rows from before, plain announcements).
- `OutboxMessage`: one e-mail or Slack message to send; the unique (recipient, item, kind, channel)
  makes every message go out at most once, its pending status makes a rerun send what is left,
  and a worker claims it (`claimed_until`) before sending, so two workers never both send it.
- `NotificationPreference`: a person turns a kind off.
- `AnnouncementDelivery`: an instructor asked for an announcement to be sent (and when).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import texts
from . import rules

__all__ = ["AnnouncementDelivery", "Notification", "NotificationPreference", "OutboxMessage"]


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    course = models.ForeignKey(
        "course.Course", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=64)
    item_key = models.CharField(_("item"), max_length=200)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    # texts.to_json of a Text subject/body; None when it was a plain string (shown as stored).
    subject_text = models.JSONField(null=True, blank=True, editable=False)
    body_text = models.JSONField(null=True, blank=True, editable=False)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "item_key", "kind"], name="one_notification_per_item_kind"
            )
        ]
        indexes = [models.Index(fields=["recipient", "course", "read_at"])]

    def __str__(self) -> str:
        return self.subject_shown

    @property
    def subject_shown(self) -> str:
        """The subject in the active language, with the course's prefix (reads `course`)."""
        if self.subject_text is None:
            return self.subject
        return rules.subject_line(
            self.course.subject_prefix, str(texts.from_json(self.subject_text))
        )

    @property
    def body_shown(self) -> str:
        """The body in the active language."""
        if self.body_text is None:
            return self.body
        return str(texts.from_json(self.body_text)).strip()


class OutboxMessage(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SLACK = "slack", _("Slack")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    course = models.ForeignKey(
        "course.Course",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox",
        help_text=_("Empty for a message about the account itself (password reset)."),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_messages",
        help_text=_("Empty for a message to a channel (Slack)."),
    )
    item_key = models.CharField(_("item"), max_length=200)
    kind = models.CharField(_("kind"), max_length=64)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    queued_at = models.DateTimeField(
        _("queued at"),
        null=True,
        blank=True,
        help_text=_("Last time a send task was queued (or the next retry is due)."),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    claimed_until = models.DateTimeField(
        _("being sent until"),
        null=True,
        blank=True,
        help_text=_(
            "A worker claimed the message to send it; nobody else sends it before this time."
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "item_key", "kind", "channel"],
                name="outbox_once_per_recipient",
            ),
            models.UniqueConstraint(
                fields=["item_key", "kind", "channel"],
                condition=Q(recipient__isnull=True),
                name="outbox_once_per_broadcast",
            ),
        ]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.subject}"


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=64)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {'on' if self.enabled else 'off'}"


class AnnouncementDelivery(models.Model):
    """An announcement the instructor asked to send; the dispatcher sends it from `send_at`."""

    announcement = models.OneToOneField(
        "course.Announcement", on_delete=models.CASCADE, related_name="delivery"
    )
    send_at = models.DateTimeField(_("send at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)

    class Meta:
        ordering = ["-send_at"]
        verbose_name = _("announcement delivery")
        verbose_name_plural = _("announcement deliveries")

    def __str__(self) -> str:
        return f"{self.announcement} @ {self.send_at:%Y-%m-%d %H:%M}"
