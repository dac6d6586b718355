"""Scribe slots per lecture, who scribes when, unavailable dates, and the notes handed in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ScribeSlot(models.Model):
    """The scribe seats of one session (lectures get one from the syllabus; others if added)."""

    course = models.ForeignKey(
        "course.Course", on_delete=models.CASCADE, related_name="scribe_slots"
    )
    # CASCADE: an empty slot goes with its session; assignments and notes PROTECT the slot, so a
    # session that student work hangs on is never deleted (the syllabus loader keeps it).
    session = models.OneToOneField(
        "course.Session",
        on_delete=models.CASCADE,
        related_name="scribe_slot",
        verbose_name=_("session"),
    )
    capacity = models.PositiveSmallIntegerField(_("scribes"), default=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "session__starts_at"]
        verbose_name = _("scribe slot")
        verbose_name_plural = _("scribe slots")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="scribe_slot_capacity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.session.number} {self.session.date:%Y-%m-%d} {self.session.topic}".strip()


class ScribeAssignment(models.Model):
    """One student scribes one lecture. One per student per course, within the slot's capacity."""

    class Source(models.TextChoices):
        SIGNUP = "signup", _("Signed up")
        AUTO = "auto", _("Auto-assigned")
        INSTRUCTOR = "instructor", _("Set by the instructor")

    course = models.ForeignKey(
        "course.Course", on_delete=models.CASCADE, related_name="scribe_assignments"
    )
    slot = models.ForeignKey(
        ScribeSlot, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("slot")
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="scribe_assignments",
        verbose_name=_("student"),
    )
    source = models.CharField(
        _("how"), max_length=16, choices=Source.choices, default=Source.SIGNUP
    )
    # Grading apart: when set, this student's grade replaces the shared one of the notes.
    separate_raw_score = models.DecimalField(
        _("own raw score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Only to grade this scribe apart from the other; out of 100."),
    )
    separate_feedback = models.TextField(_("own feedback"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slot__session__starts_at", "student__last_name"]
        verbose_name = _("scribe assignment")
        verbose_name_plural = _("scribe assignments")
        constraints = [
            models.UniqueConstraint(fields=["slot", "student"], name="unique_scribe_per_slot"),
            models.UniqueConstraint(
                fields=["course", "student"], name="one_scribe_assignment_per_course"
            ),
            models.CheckConstraint(
                condition=Q(separate_raw_score__isnull=True)
                | Q(separate_raw_score__gte=0, separate_raw_score__lte=100),
                name="scribe_separate_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.slot}"


class Unavailability(models.Model):
    """A date a student cannot scribe (auto-assign respects it)."""

    course = models.ForeignKey(
        "course.Course", on_delete=models.CASCADE, related_name="scribe_unavailabilities"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scribe_unavailabilities"
    )
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["course", "date"]
        verbose_name = _("unavailable date")
        verbose_name_plural = _("unavailable dates")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "student", "date"], name="unique_scribe_unavailability"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.date:%Y-%m-%d}"


def _notes_path(instance: NotesSubmission, filename: str) -> str:
    # Private: MEDIA_URL is not served; files are sent by a permission-checked view.
    return (
        f"private/scribing/{instance.slot.course_id}/{instance.slot.session_id}/"
        f"v{instance.version}/{filename}"
    )


class NotesSubmission(models.Model):
    """One version of a lecture's notes. Every version is kept; the latest counts."""

    slot = models.ForeignKey(
        ScribeSlot, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("lecture")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notes_submissions",
        verbose_name=_("submitted by"),
    )
    version = models.PositiveIntegerField(_("version"))
    tex_file = models.FileField(_("LaTeX source (.tex)"), upload_to=_notes_path, max_length=300)
    zip_file = models.FileField(
        _("figures and bibliography (.zip)"), upload_to=_notes_path, blank=True, max_length=300
    )
    pdf_file = models.FileField(
        _("compiled PDF"), upload_to=_notes_path, blank=True, max_length=300
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    due_at = models.DateTimeField(_("due at (when submitted)"))
    penalty_percent = models.DecimalField(
        _("penalty at submission (%)"), max_digits=5, decimal_places=2, default=0
    )
    raw_score = models.DecimalField(
        _("raw score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Out of 100, before any late penalty."),
    )
    feedback = models.TextField(_("feedback"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("graded by"),
    )
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["slot", "-version"]
        verbose_name = _("notes submission")
        verbose_name_plural = _("notes submissions")
        constraints = [
            models.UniqueConstraint(fields=["slot", "version"], name="unique_notes_version"),
            models.CheckConstraint(
                condition=Q(raw_score__isnull=True) | Q(raw_score__gte=0, raw_score__lte=100),
                name="notes_raw_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slot} v{self.version}"
