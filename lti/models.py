"""LTI 1.3: the platforms (LMS) registered with the tool, the tool's keys, linked people and courses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from course.models import Course


class Platform(models.Model):
    """An LMS (e.g. StudiUM) registered with Coursekit, as its administrator configured the tool."""

    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. StudiUM"))
    issuer = models.URLField(
        _("issuer"),
        max_length=255,
        help_text=_("The platform ID, e.g. https://studium.umontreal.ca"),
    )
    client_id = models.CharField(
        _("client ID"), max_length=255, help_text=_("Given by Moodle when the tool is created.")
    )
    deployment_ids = models.TextField(
        _("deployment IDs"), help_text=_("One per line, as Moodle shows them (often just 1).")
    )
    auth_login_url = models.URLField(
        _("authentication request URL"),
        max_length=500,
        help_text=_("e.g. https://studium.umontreal.ca/mod/lti/auth.php"),
    )
    auth_token_url = models.URLField(
        _("access token URL"),
        max_length=500,
        help_text=_("e.g. https://studium.umontreal.ca/mod/lti/token.php"),
    )
    key_set_url = models.URLField(
        _("public keyset URL"),
        max_length=500,
        help_text=_("e.g. https://studium.umontreal.ca/mod/lti/certs.php"),
    )
    # The platform's keyset, cached: fetched again when it is older than a day or when a token
    # names a key it does not hold (the platform rotated its keys).
    key_set = models.JSONField(_("cached keyset"), null=True, blank=True, editable=False)
    key_set_fetched_at = models.DateTimeField(_("keyset fetched at"), null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LTI platform")
        verbose_name_plural = _("LTI platforms")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "client_id"], name="lti_one_platform_per_client"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def deployment_id_list(self) -> list[str]:
        return [line.strip() for line in self.deployment_ids.splitlines() if line.strip()]


class ToolKey(models.Model):
    """A key pair of the tool: the newest signs, every key not retired is published (JWKS)."""

    kid = models.CharField(_("key ID"), max_length=100, unique=True)
    private_key_pem = models.TextField(_("private key (PEM)"))
    public_jwk = models.JSONField(_("public key (JWK)"))
    created_at = models.DateTimeField(_("created at"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("tool key")
        verbose_name_plural = _("tool keys")

    def __str__(self) -> str:
        return self.kid


class LinkedAccount(models.Model):
    """A Coursekit account and the LMS user id (`sub`) it is for."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="accounts")
    subject = models.CharField(_("LMS user ID"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_accounts"
    )
    linked_at = models.DateTimeField(_("linked at"))
    last_launch_at = models.DateTimeField(_("last launch at"), null=True, blank=True)

    class Meta:
        verbose_name = _("linked LMS account")
        verbose_name_plural = _("linked LMS accounts")
        constraints = [
            models.UniqueConstraint(fields=["platform", "subject"], name="lti_one_account_per_sub")
        ]

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.platform} {self.subject}"


class LinkedCourse(models.Model):
    """A Coursekit course and the LMS course (LTI context) that launches it."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="courses")
    context_id = models.CharField(_("LMS course ID"), max_length=255)
    context_title = models.CharField(_("LMS course title"), max_length=255, blank=True)
    deployment_id = models.CharField(_("deployment ID"), max_length=255)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lti_links")
    bound_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    bound_at = models.DateTimeField(_("bound at"))
    # The LMS's service addresses for this course, as its latest launch gave them.
    memberships_url = models.URLField(_("roster service URL (NRPS)"), max_length=500, blank=True)
    lineitems_url = models.URLField(_("grade columns URL (AGS)"), max_length=500, blank=True)
    roster_synced_at = models.DateTimeField(_("roster synced at"), null=True, blank=True)
    roster_sync_report = models.JSONField(_("last roster sync"), default=dict, blank=True)
    # Coalesces grade posts: a recompute queues a post only when none is queued for the link.
    grades_queued_at = models.DateTimeField(_("grade post queued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("linked LMS course")
        verbose_name_plural = _("linked LMS courses")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "context_id"], name="lti_one_course_per_context"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course.code} ↔ {self.context_title or self.context_id}"


class LaunchNonce(models.Model):
    """The nonce sent to the platform at login: a launch consumes it once, within minutes."""

    nonce = models.CharField(max_length=128, unique=True)
    issued_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["issued_at"])]

    def __str__(self) -> str:
        return self.nonce


class LineItem(models.Model):
    """A column of the LMS's gradebook that Coursekit created (once) for a linked course."""

    link = models.ForeignKey(LinkedCourse, on_delete=models.CASCADE, related_name="line_items")
    key = models.CharField(
        _("key"), max_length=100, help_text=_("`final` or `component:` and a component key")
    )
    label = models.CharField(_("label"), max_length=200)
    score_maximum = models.DecimalField(_("out of"), max_digits=7, decimal_places=2)
    url = models.URLField(_("line item URL"), max_length=500)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("LMS grade column")
        verbose_name_plural = _("LMS grade columns")
        constraints = [
            models.UniqueConstraint(fields=["link", "key"], name="lti_one_line_item_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.link.course.code} {self.label}"


class GradePost(models.Model):
    """The score last posted to the LMS for a student in a column: the same score is not posted
    twice; a failure is kept (and retried) until a post succeeds."""

    line_item = models.ForeignKey(LineItem, on_delete=models.CASCADE, related_name="posts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_grade_posts"
    )
    score_given = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    posted_at = models.DateTimeField(_("last posted at"), null=True, blank=True)
    attempted_at = models.DateTimeField(_("last attempt at"))
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("grade posted to the LMS")
        verbose_name_plural = _("grades posted to the LMS")
        constraints = [
            models.UniqueConstraint(fields=["line_item", "user"], name="lti_one_post_per_student")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.line_item}: {self.score_given}"
