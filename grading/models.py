"""The gradebook's own inputs (exams, participation, excusals, overrides) and its stored result."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from course.models import Course

FINAL = ""  # GradeOverride.component_key for the final grade


class ExamScore(models.Model):
    """A student's score on an exam component (source "exam": early_exam, midterm...)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="exam_scores")
    component_key = models.SlugField(_("component"), max_length=80)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_scores"
    )
    score = models.DecimalField(
        _("score"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    out_of = models.DecimalField(
        _("out of"),
        max_digits=7,
        decimal_places=2,
        default=Decimal(100),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("exam score")
        verbose_name_plural = _("exam scores")
        ordering = ["course", "component_key", "student__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "component_key", "student"], name="one_exam_score_per_student"
            ),
            models.CheckConstraint(condition=Q(out_of__gt=0), name="exam_out_of_positive"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=models.F("out_of")),
                name="exam_score_within_out_of",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.component_key}: {self.score}/{self.out_of}"

    @property
    def percent(self) -> Decimal:
        return Decimal(self.score) * 100 / Decimal(self.out_of)


class ParticipationScore(models.Model):
    """The instructor's participation mark for a student, in percent, with an optional note."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="participation_scores"
    )
    component_key = models.SlugField(_("component"), max_length=80, default="participation")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participation_scores"
    )
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("participation score")
        verbose_name_plural = _("participation scores")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "component_key", "student"], name="one_participation_per_student"
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="participation_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.component_key}: {self.percent}%"


class ComponentExcusal(models.Model):
    """A student excused from a component: the other weights are rescaled for them."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="component_excusals")
    component_key = models.SlugField(_("component"), max_length=80)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="component_excusals"
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("excusal")
        verbose_name_plural = _("excusals")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "component_key", "student"], name="one_excusal_per_component"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.component_key}"


class GradeOverride(models.Model):
    """Replaces one component's score (or the final percentage when component_key is empty)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="grade_overrides")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grade_overrides"
    )
    component_key = models.SlugField(
        _("component"), max_length=80, blank=True, help_text=_("Empty: the final grade.")
    )
    value = models.DecimalField(_("value (%)"), max_digits=5, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=500)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("grade override")
        verbose_name_plural = _("grade overrides")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "student", "component_key"], name="one_override_per_target"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0) & Q(value__lte=100), name="override_0_100"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="override_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.component_key or _('final grade')}: {self.value}"


class OverrideAuditLog(models.Model):
    """Append-only: every override set, changed or removed. Never edited (admin is read-only)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="override_log")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="override_log"
    )
    component_key = models.SlugField(_("component"), max_length=80, blank=True)
    old_value = models.DecimalField(_("old value"), max_digits=5, decimal_places=2, null=True)
    new_value = models.DecimalField(_("new value"), max_digits=5, decimal_places=2, null=True)
    reason = models.CharField(_("reason"), max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("override audit entry")
        verbose_name_plural = _("override audit log")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.student} {self.component_key or 'final'}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("The override audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("The override audit log is append-only.")


class GradebookSnapshot(models.Model):
    """The last computed gradebook of a course (one row per course, upserted by the recompute).

    `queued_at` and `dirty_since` coalesce recompute requests: a request queues a run only when
    none is queued, so a burst of changes gives a handful of runs.
    """

    course = models.OneToOneField(
        Course, on_delete=models.CASCADE, related_name="gradebook_snapshot"
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    fingerprint = models.CharField(_("inputs fingerprint"), max_length=64, blank=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    queued_at = models.DateTimeField(_("recompute queued at"), null=True, blank=True)
    dirty_since = models.DateTimeField(_("inputs changed since"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("gradebook")
        verbose_name_plural = _("gradebook")

    def __str__(self) -> str:
        return f"{self.course.code} @ {self.computed_at}"


class StudentGradeInputs(models.Model):
    """One student's gradebook inputs as of the last recompute (upserted by it).

    The student's page and API re-run the pure rules on these (a what-if included) instead of
    loading the whole course: one query per page, and the same numbers as the stored gradebook.
    """

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="student_grade_inputs"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grade_inputs"
    )
    computed_at = models.DateTimeField(_("computed at"))
    data = models.JSONField(_("inputs"), default=dict)
    digest = models.CharField(_("digest of the inputs"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("student grade inputs")
        verbose_name_plural = _("student grade inputs")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "student"], name="one_grade_inputs_per_student"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.course.code}"


class GradeRelease(models.Model):
    """A grade the instructor has released: the final grade (component_key empty) or one
    component. Released grades, and only those, go to the LMS gradebook (LTI)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="grade_releases")
    component_key = models.SlugField(
        _("component"), max_length=80, blank=True, help_text=_("Empty: the final grade.")
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(_("released at"))

    class Meta:
        verbose_name = _("released grade")
        verbose_name_plural = _("released grades")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "component_key"], name="one_release_per_grade"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course.code} — {self.component_key or _('final grade')}"
