"""Models of the shared deadline machinery (extensions and their requests); see rules.py.

A deadline belongs to a *target* named by a string key, ``"<app>:<kind>:<pk>"`` (e.g.
``"scribing:lecture:42"``, ``"projects:milestone:7"``), optionally also pointed at through a
generic relation (content type + object id) so the admin can link to it. course/ never imports
the apps that own the targets.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Extension", "ExtensionRequest"]


class ExtensionRequest(models.Model):
    """A student asks for more time, with a reason; the instructor decides in the admin."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    course = models.ForeignKey(
        "course.Course", on_delete=models.CASCADE, related_name="extension_requests"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extension_requests"
    )
    target_key = models.CharField(_("deadline"), max_length=100, db_index=True)
    target_label = models.CharField(_("for"), max_length=200, blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    reason = models.TextField(_("reason"))
    current_due_at = models.DateTimeField(_("due date when asked"), null=True, blank=True)
    requested_due_at = models.DateTimeField(_("new due date asked"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("answer to the student"), blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        ordering = ["course", "-created_at"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "target_key"],
                condition=Q(status="pending"),
                name="one_pending_extension_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.target_label or self.target_key} ({self.status})"


class Extension(models.Model):
    """A new due date for one student (or everyone when student is empty) on one target."""

    course = models.ForeignKey("course.Course", on_delete=models.CASCADE, related_name="extensions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="extensions",
        help_text=_("Leave empty to move the deadline for everyone."),
    )
    target_key = models.CharField(
        _("deadline"),
        max_length=100,
        db_index=True,
        help_text=_('What the deadline belongs to, e.g. "scribing:lecture:42".'),
    )
    target_label = models.CharField(_("for"), max_length=200, blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    due_at = models.DateTimeField(_("new due date"))
    reason = models.TextField(_("reason"), blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    request = models.ForeignKey(
        ExtensionRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="extensions",
        verbose_name=_("request"),
    )
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        ordering = ["course", "-created_at"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        indexes = [models.Index(fields=["course", "target_key"])]

    def __str__(self) -> str:
        who = str(self.student) if self.student_id else _("everyone")
        return f"{self.target_label or self.target_key}: {who} → {self.due_at:%Y-%m-%d %H:%M}"
