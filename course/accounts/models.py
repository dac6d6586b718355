"""Models of the way in: invitations and the sessions of each person.

- `AccountInvitation`: a one-time link to choose a password, sent when someone without a usable
  password is added to a course. Only a digest of the token is kept: the link itself exists
  only in the e-mail.
- `SignedInSession`: the session keys a person signed in with, so that "sign out everywhere"
  ends exactly those sessions (Django's sessions are not indexed by user).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AccountInvitation", "SignedInSession"]


class AccountInvitation(models.Model):
    course = models.ForeignKey(
        "course.Course", on_delete=models.CASCADE, related_name="account_invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    replaced_at = models.DateTimeField(
        _("replaced at"),
        null=True,
        blank=True,
        help_text=_("A newer invitation was sent: this link no longer works."),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation to sign in")
        verbose_name_plural = _("invitations to sign in")
        indexes = [models.Index(fields=["course", "user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.course.code}"


class SignedInSession(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self) -> str:
        return f"{self.user} @ {self.created_at:%Y-%m-%d %H:%M}"
